// What a process's memory was made of, from a /proc/PID/smaps copy (bench/lib/proc.ts PeakSmaps,
// BENCH_SMAPS_DIR): resident KiB of the binary and other files, malloc's main heap, thread stacks,
// and anonymous mappings by size (V8's heap pages are 256 KiB; malloc's thread arenas reserve
// 64 MiB each; a large ArrayBuffer is a mapping of its own size), with the biggest listed.
// Usage: node bench/smaps-summary.ts FILE...
import { readFileSync } from 'node:fs';

interface Mapping {
  name: string;
  sizeKiB: number;
  rssKiB: number;
}

function mappings(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | null = null;
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = { name: head[1]!.trim(), sizeKiB: 0, rssKiB: 0 };
      out.push(cur);
      continue;
    }
    const field = /^(Size|Rss):\s+(\d+) kB/.exec(line);
    if (field && cur) {
      if (field[1] === 'Size') cur.sizeKiB = Number(field[2]);
      else cur.rssKiB = Number(field[2]);
    }
  }
  return out;
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const maps = mappings(text);
  const groups = new Map<string, number>();
  const add = (k: string, v: number): void => void groups.set(k, (groups.get(k) ?? 0) + v);
  for (const m of maps) {
    if (m.name.startsWith('/')) add(`file ${m.name.split('/').pop()}`, m.rssKiB);
    else if (m.name) add(m.name, m.rssKiB);
    else if (m.sizeKiB === 256) add('anon 256 KiB (V8 heap pages)', m.rssKiB);
    else if (m.sizeKiB >= 60 * 1024 && m.sizeKiB <= 64 * 1024) add('anon ~64 MiB (malloc thread arenas)', m.rssKiB);
    else add(`anon ${m.sizeKiB >= 1024 ? 'over' : 'under'} 1 MiB, other`, m.rssKiB);
  }
  const total = maps.reduce((n, m) => n + m.rssKiB, 0);
  console.log(`${file}: ${text.split('\n')[0]}; resident ${mib(total)}`);
  for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${mib(v).padStart(10)}  ${k}`);
  console.log('  biggest anonymous mappings (resident of size):');
  for (const m of maps.filter((m) => !m.name).sort((a, b) => b.rssKiB - a.rssKiB).slice(0, 12)) console.log(`    ${mib(m.rssKiB).padStart(10)} of ${mib(m.sizeKiB)}`);
}
