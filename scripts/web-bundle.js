// Bundles the Backup center (src/web/) for `dpvault server`'s GET /portal: one minified script
// (Preact and the app, from main.tsx) and the page and style sheet copied beside it. Nothing is
// loaded from elsewhere at run time. esbuild is a devDependency: the bundle is made at build time.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Writes index.html, portal.css and portal.js of the portal from `webDir` into `outDir`. */
export async function bundlePortal(webDir, outDir) {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(webDir, 'main.tsx')],
    outfile: join(outDir, 'portal.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'portal.css']) copyFileSync(join(webDir, file), join(outDir, file));
}
