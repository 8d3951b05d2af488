// dpvault's version, from package.json (two levels up from both src/cli and dist/cli).
import { readFileSync } from 'node:fs';

export function dpvaultVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
