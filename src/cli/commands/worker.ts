// `dpvault worker`: a process that runs jobs (backups, restores, verify, repair, maintenance, alert
// deliveries) and the periodic scheduler and sweeps, and serves no API, beside `dpvault server`s on
// one PostgreSQL catalog (--database) and one storage. It refuses to start without a catalog to
// share, with another master key than the catalog's, or on a catalog migrated by a newer dpvault.
// SIGTERM stops it: it takes no new task and waits for the ones running.
import { usage } from '../../domain/errors.ts';
import { defineCommand } from '../command.ts';
import { placesOf, PROCESS_ARGS, processLog, processOptions, stopSignal, tuneRuntime } from './service-process.ts';

export const workerCommand = defineCommand({
  path: ['worker'],
  summary: 'Run jobs for the servers on a PostgreSQL catalog (--database), serving no API; as many workers as wanted, on any machines sharing the catalog, the storage and the master key.',
  offline: true,
  args: {
    ...PROCESS_ARGS,
    concurrency: { names: ['--concurrency'], type: 'int', default: '2', help: 'Tasks this worker runs at once (default 2, 1 to 64).' },
  },
  async run(a) {
    tuneRuntime();
    const concurrency = Number(a.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw usage(`argument --concurrency: '${String(a.concurrency)}' is not a whole number from 1 to 64`);
    const log = processLog;
    const opts = await processOptions(a, log);
    const { startWorker } = await import('../../app.ts');
    const { installProcessGuard } = await import('../../jobs/job-guard.ts');
    installProcessGuard(log);
    const stopped = stopSignal(); // a signal while starting stops the process once it has started
    const svc = await startWorker({ ...opts, concurrency });
    log(`dpvault worker running up to ${concurrency} task(s) at once (${placesOf(opts)}); its tasks' lease holder is ${svc.worker.id}`);
    await stopped;
    log('stopping: waiting for the running tasks');
    await svc.close();
    log('stopped');
    return undefined;
  },
});
