// Lookups in constant tables by a key the user chose. A plain `table[key]` finds Object.prototype's
// members for keys such as 'constructor', 'toString' or '__proto__'; only the table's own keys count.

export function ownValue<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
