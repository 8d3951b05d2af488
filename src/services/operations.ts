// Long-running operations: a status record the client polls, and the work that completes it.
import type { OperationRecord } from '../domain/operation.ts';
import { toDpError } from '../domain/errors.ts';
import { newOperationId } from '../util/ids.ts';
import type { ServiceContext } from './context.ts';

export const NOT_ENDED = '0001-01-01T00:00:00Z';

/**
 * Records a new operation and runs `work` after the caller has been answered. What `work` returns
 * becomes the operation's `properties` (e.g. `{jobId, objectType}`); what it throws, its `error`.
 */
export async function startOperation(
  ctx: ServiceContext,
  resourceId: string,
  work: () => Promise<Record<string, unknown> | null>,
): Promise<OperationRecord> {
  const op: OperationRecord = {
    id: newOperationId(),
    resourceId,
    status: 'Inprogress',
    startTime: ctx.clock.now().toISOString(),
    endTime: null,
  };
  await ctx.catalog.putOperation(op);
  ctx.background.run(`operation ${op.id}`, async () => {
    try {
      const properties = await work();
      await ctx.catalog.putOperation({ ...op, status: 'Succeeded', endTime: ctx.clock.now().toISOString(), properties });
    } catch (e) {
      const err = toDpError(e);
      await ctx.catalog.putOperation({
        ...op,
        status: 'Failed',
        endTime: ctx.clock.now().toISOString(),
        error: { code: err.code, message: err.message },
      });
    }
  });
  return op;
}
