// A command result that is already text (a calendar, a report): main.ts prints it verbatim instead
// of formatting it as json/table/tsv, and --query does not apply to it. Commands return it only
// when the user asked for a human view (e.g. `-o table`).

export interface Preformatted {
  readonly preformatted: string;
}

export const preformatted = (text: string): Preformatted => ({ preformatted: text });

export function isPreformatted(value: unknown): value is Preformatted {
  return typeof value === 'object' && value !== null && typeof (value as { preformatted?: unknown }).preformatted === 'string' && Object.keys(value).length === 1;
}
