// The Backup center's static files (GET /portal and /portal/<file>), public like the token service:
// the page holds no data, it signs in at the token endpoint and reads everything from the API with
// that token. The files are the build's bundle (scripts/build.js: src/web/ into dist/portal/),
// read once per start; only a name found there is served, so no path reaches the filesystem.
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../../domain/errors.ts';
import type { ApiResponse } from '../http.ts';
import type { PublicHandlers } from '../public-routes.ts';
import { decodeSegment } from '../request-target.ts';

/** Where the build puts the bundle: dist/portal/ of the package, whether this module runs from src/ or dist/. */
export const PORTAL_DIR = fileURLToPath(new URL('../../../dist/portal/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page may load only its own files and talk only to its own origin; nothing frames it. */
const HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

interface PortalFile {
  contentType: string;
  payload: string;
}

function readBundle(dir: string): Map<string, PortalFile> | null {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && TYPES[extname(e.name)]).map((e) => e.name);
  } catch {
    return null;
  }
  return new Map(names.map((n) => [n, { contentType: TYPES[extname(n)]!, payload: readFileSync(join(dir, n), 'utf8') }]));
}

/** The handlers of `GET /portal` (the page) and `GET /portal/<file>` over the bundle in `dir`. */
export function portalHandlers(dir: string = PORTAL_DIR): Pick<PublicHandlers, 'portal' | 'portalFile'> {
  let files: Map<string, PortalFile> | null | undefined;
  const serve = (name: string): ApiResponse => {
    files ??= readBundle(dir);
    if (!files) throw errors.portalNotBuilt(dir);
    const file = files.get(name);
    if (!file) throw errors.portalFileNotFound(name);
    return { status: 200, text: { contentType: file.contentType, payload: file.payload }, headers: { ...HEADERS } };
  };
  return {
    portal: async () => serve('index.html'),
    portalFile: async (req) => {
      // The path below /portal/, decoded: a name the bundle does not hold (any other path) is a 404.
      return serve(req.path.split('/').slice(2).map(decodeSegment).join('/'));
    },
  };
}
