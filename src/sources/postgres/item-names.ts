// The names a renamed table's indexes, constraints and sequences get, so that they never collide
// with the live table's (or anything else's) in the target schema. Pure.
// `orders_pkey` of `orders` restored as `orders_old` becomes `orders_old_pkey`: a name that starts
// with the table's old name takes the new one instead; any other name is prefixed with the new
// name and `_`. Cut to PostgreSQL's 63 bytes; `_2`, `_3`… are added until the name is free.
import { cutToBytes } from '../../util/utf8-cut.ts';

const MAX_NAME_BYTES = 63;

/** A free name for `name`, a dependent of table `oldTable` renamed `newTable`; adds it to `taken`. */
export function dependentName(name: string, oldTable: string, newTable: string, taken: Set<string>): string {
  const base = name.startsWith(oldTable) ? `${newTable}${name.slice(oldTable.length)}` : `${newTable}_${name}`;
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `_${n}`;
    const candidate = `${cutToBytes(base, MAX_NAME_BYTES - Buffer.byteLength(suffix))}${suffix}`;
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
}
