// The one route table's matcher. ARM compares path literals case-insensitively; parameter values
// keep the casing the caller used. A segment with a malformed percent-escape is a 400.
import type { ApiVersionKind } from './api-version.ts';
import type { ApiRequest, ApiResponse } from './http.ts';
import { decodeSegment } from './request-target.ts';

/**
 * The parameter names of a route pattern: `ParamsOf<'/a/{x}/b/{y}'>` is `'x' | 'y'`, so a handler's
 * `req.params.y` type-checks and `req.params.z` does not. A pattern only known as `string` gives `string`.
 */
export type ParamsOf<Pattern extends string> = string extends Pattern
  ? string
  : Pattern extends `${string}{${infer Name}}${infer Rest}`
    ? Name | ParamsOf<Rest>
    : never;

export type Handler<P extends string = string> = (req: ApiRequest<P>) => Promise<ApiResponse>;

interface Route {
  method: string;
  /** As registered, e.g. `/subscriptions/{sub}/resourcegroups/{rg}`. */
  pattern: string;
  segments: { literal?: string; param?: string }[];
  handler: Handler;
  /** The api-versions this route accepts (the provider's, or the resource manager's). */
  versions: ApiVersionKind | 'none';
}

export class Router {
  readonly #routes: Route[] = [];

  add<Pattern extends string>(method: string, pattern: Pattern, handler: Handler<ParamsOf<Pattern>>, versions: Route['versions'] = 'dataprotection'): this {
    const segments = pattern
      .split('/')
      .filter(Boolean)
      .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s.toLowerCase() }));
    // The matcher fills exactly the pattern's parameters, which is what the handler's type says.
    this.#routes.push({ method: method.toUpperCase(), pattern, segments, handler: handler as Handler, versions });
    return this;
  }

  /** Every route's method, pattern and api-version kind, in registration order. */
  list(): { method: string; pattern: string; versions: Route['versions'] }[] {
    return this.#routes.map(({ method, pattern, versions }) => ({ method, pattern, versions }));
  }

  /** Finds the route for a path: `methodMismatch` when the path exists under another method. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { methodMismatch: boolean } {
    const parts = path.split('/').filter(Boolean).map(decodeSegment);
    let methodMismatch = false;
    for (const route of this.#routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = route.segments[i]!;
        if (seg.param) params[seg.param] = parts[i]!;
        else ok = seg.literal === parts[i]!.toLowerCase();
      }
      if (!ok) continue;
      if (route.method !== method.toUpperCase()) {
        methodMismatch = true;
        continue;
      }
      return { route, params };
    }
    return { methodMismatch };
  }
}
