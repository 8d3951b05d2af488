// A request's JSON body, refused with ARM's 400s rather than thrown at the caller: too large, a
// media type other than JSON, text that is not JSON, or JSON that is not an object. The token
// endpoint alone takes a form body (application/x-www-form-urlencoded), read by the same rules.
import type { IncomingMessage } from 'node:http';
import { errors } from '../domain/errors.ts';

export const MAX_BODY = 4 * 1024 * 1024;
/** A form body (the token endpoint's) is a few fields. */
export const MAX_FORM_BODY = 64 * 1024;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]*\+)?json\s*(?:;|$)/i;
const FORM_MEDIA_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

const tooLarge = (max = MAX_BODY) => errors.requestBodyTooLarge(`The request body is larger than ${max} bytes.`);
const undeserializable = (why: string) => errors.requestContentInvalid(`The request content was invalid and could not be deserialized: ${why}`);

/** The body as a JSON object, or undefined when there is none. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const text = await readBodyText(req, MAX_BODY);
  return text ? parseJsonObject(req.headers['content-type'], text) : undefined;
}

/** The body as form fields (none when there is no body). */
export async function readFormBody(req: IncomingMessage): Promise<URLSearchParams> {
  return parseForm(req.headers['content-type'], await readBodyText(req, MAX_FORM_BODY));
}

async function readBodyText(req: IncomingMessage, max: number): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge(max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Pure: form fields from a body of that media type (absent is taken as a form); empty text is no fields. */
export function parseForm(contentType: string | string[] | undefined, text: string): URLSearchParams {
  if (Buffer.byteLength(text) > MAX_FORM_BODY) throw tooLarge(MAX_FORM_BODY);
  const type = Array.isArray(contentType) ? contentType.join(', ') : contentType;
  if (text && type !== undefined && !FORM_MEDIA_TYPE.test(type)) {
    throw errors.mediaTypeUnsupported(`The content media type '${type.slice(0, 100)}' is not supported. Only 'application/x-www-form-urlencoded' is supported.`);
  }
  return new URLSearchParams(text);
}

/** The same rules for a body already in hand (an in-process request): too large, empty, or parsed. */
export function jsonBodyFromText(contentType: string | string[] | undefined, text: string): Record<string, unknown> | undefined {
  if (Buffer.byteLength(text) > MAX_BODY) throw tooLarge();
  if (!text) return undefined;
  return parseJsonObject(Array.isArray(contentType) ? contentType.join(', ') : contentType, text);
}

/** Pure: checks the media type (absent is taken as JSON) and that the text is one JSON object. */
export function parseJsonObject(contentType: string | undefined, text: string): Record<string, unknown> {
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) {
    throw errors.mediaTypeUnsupported(`The content media type '${contentType.slice(0, 100)}' is not supported. Only 'application/json' is supported.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text, which may hold a secret: only the position is passed on.
    const at = /at position (\d+)/.exec((e as Error).message);
    throw undeserializable(`the body is not valid JSON${at ? ` (at position ${at[1]})` : ''}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw undeserializable(`the body is ${kind}; a JSON object was expected.`);
  }
  return value as Record<string, unknown>;
}
