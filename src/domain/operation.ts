// A long-running operation as the REST API shows it: the status document a client polls.

/** A long-running operation's status document, as `operationStatus` returns it. */
export interface OperationRecord {
  id: string;
  /** The resource the operation acts on. */
  resourceId: string;
  status: 'Inprogress' | 'Succeeded' | 'Failed' | 'Canceled';
  startTime: string;
  endTime: string | null;
  error?: { code: string; message: string } | null;
  /** What operationResults returns once done (a job reference or a resource). */
  properties?: Record<string, unknown> | null;
}
