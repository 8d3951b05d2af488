// An answer as it goes on the wire: JSON text (or a route's own text) with its type and length, or an empty body.
import type { ApiResponse } from './http.ts';

export interface SerializedResponse {
  status: number;
  headers: Record<string, string>;
  payload?: string;
}

export function serializeResponse(out: ApiResponse): SerializedResponse {
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  if (out.text !== undefined) {
    headers['Content-Type'] = out.text.contentType;
    headers['Content-Length'] = String(Buffer.byteLength(out.text.payload));
    return { status: out.status, headers, payload: out.text.payload };
  }
  if (out.body === undefined) {
    headers['Content-Length'] = '0';
    return { status: out.status, headers };
  }
  const payload = JSON.stringify(out.body);
  headers['Content-Type'] = 'application/json; charset=utf-8';
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  return { status: out.status, headers, payload };
}
