// nextLink paging: `$top` (or the default page size) and an opaque `$skipToken`.
import type { Page } from '../../catalog/catalog.ts';
import { errors } from '../../domain/errors.ts';
import type { ApiRequest } from '../http.ts';

export const DEFAULT_PAGE_SIZE = 200;

export function pageParams(req: ApiRequest): { limit: number; after?: string } {
  const top = req.query.get('$top');
  let limit = DEFAULT_PAGE_SIZE;
  if (top !== null) {
    limit = Number(top);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw errors.parameterInvalid(`$top must be an integer from 1 to 1000; got '${top}'.`, '$top');
  }
  const skip = req.query.get('$skipToken');
  if (skip !== null && !/^\d+$/.test(skip)) throw errors.parameterInvalid(`'${skip}' is not a valid $skipToken.`, '$skipToken');
  return skip !== null ? { limit, after: skip } : { limit };
}

export function pagedBody<T>(req: ApiRequest, page: Page<T>): { value: T[]; nextLink?: string } {
  const body: { value: T[]; nextLink?: string } = { value: page.items };
  if (page.next) {
    const q = new URLSearchParams(req.query);
    q.set('$skipToken', page.next);
    body.nextLink = `${req.baseUrl}${req.path}?${q.toString()}`;
  }
  return body;
}
