// `--tags a=b c=d` as az reads it (a bare key gets an empty value; `""` clears all tags).
export function parseTags(tokens: string[] | undefined): Record<string, string> | null {
  if (!tokens) return null;
  const out = new Map<string, string>(); // a tag may be named '__proto__' or 'constructor'
  for (const t of tokens) {
    if (t === '' || t === '""') continue;
    const eq = t.indexOf('=');
    if (eq < 0) out.set(t, '');
    else out.set(t.slice(0, eq), t.slice(eq + 1));
  }
  return Object.fromEntries(out);
}
