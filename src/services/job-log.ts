// The server log's line for a job's start and end: id, what it works on, status, duration and
// bytes. Built from the job alone, whose fields hold no secret (error messages never quote one). Pure.
import type { JobResource } from '../domain/job.ts';

const target = (job: JobResource): string => job.properties.backupInstanceId || job.properties.dataSourceId;

export function jobStartLine(job: JobResource): string {
  return `job ${job.name} started: ${job.properties.operation} of ${target(job)}`;
}

export function jobEndLine(job: JobResource): string {
  const p = job.properties;
  const error = p.errorDetails?.[0];
  const why = error ? `; error ${error.code}: ${error.message.replace(/\s*\n\s*/g, ' ')}` : '';
  return `job ${job.name} ${p.status}: ${p.operation} of ${target(job)}, duration ${p.duration}, ${p.extendedInfo.dataTransferredInBytes ?? 0} bytes${why}`;
}
