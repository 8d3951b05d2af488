// Cutting text to a number of UTF-8 bytes (PostgreSQL's 63-byte names) without splitting a character.

/** The longest prefix of `text` of at most `max` UTF-8 bytes that does not split a character. */
export function cutToBytes(text: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}
