// `--tags a=b c=d` as az reads it (a bare key gets an empty value; `""` clears all tags).
export function parseTags(tokens: string[] | undefined): Record<string, string> | null {
  if (!tokens) return null;
  const out: Record<string, string> = {};
  for (const t of tokens) {
    if (t === '' || t === '""') continue;
    const eq = t.indexOf('=');
    if (eq < 0) out[t] = '';
    else out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}
