// One transaction on one pooled PostgreSQL client: BEGIN, the work, COMMIT; on an error ROLLBACK,
// and a client whose ROLLBACK failed is discarded rather than returned to the pool in an unknown
// state. The catalog (catalog/postgres-connection.ts) and the task queue (queue/postgres.ts) both
// run their transactions through it.
import type pg from 'pg';

export async function inPgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch((err: Error) => (broken = err));
    throw e;
  } finally {
    client.release(broken);
  }
}
