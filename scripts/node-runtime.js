// Which Node runs dpvault. The service needs `node:sqlite` (Node 22.12 or later); where the machine's
// Node is older, dpvault runs on Node 24 LTS from the npm registry's `node` package, cached outside
// the repository (`npm install` fetches it, through scripts/with-node.sh). Plain JavaScript, no
// dependencies: it runs on the machine's Node, whatever its age. Run as a script, it exits 0 when
// the Node running it is new enough and 1 when not.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const MIN_NODE = '22.12';

/** Whether a Node version (`process.versions.node`) can run dpvault. */
export function nodeIsRecentEnough(version) {
  const [major, minor] = version.split('.').map(Number);
  const [wantMajor, wantMinor] = MIN_NODE.split('.').map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/** The cache that holds Node 24 for machines whose Node is older (DPVAULT_NODE_CACHE overrides). */
export function nodeCacheDir(env = process.env) {
  return env.DPVAULT_NODE_CACHE || join(homedir(), '.cache', 'dpvault-node');
}

/** The cached Node 24 binary (it may not exist yet). */
export function cachedNodeBinary(env = process.env) {
  return join(nodeCacheDir(env), 'node_modules', 'node', 'bin', 'node');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(nodeIsRecentEnough(process.versions.node) ? 0 : 1);
}
