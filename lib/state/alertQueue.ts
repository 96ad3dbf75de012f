/** The hand-off between intake (answers within a second) and enrichment (seconds of querying). */

import type { Alert } from '../alerts/alert';

export interface QueuedAlert {
  readonly version: 1;
  readonly alert: Alert;
  /** ISO time the intake accepted the alert. */
  readonly receivedAt: string;
}

export interface AlertQueue {
  enqueue(message: QueuedAlert): Promise<void>;
}

/** Queue name used by intake and by the queue trigger (`functions/enrich.ts`). */
export const ALERT_QUEUE_NAME = 'alert-enrichment';

/** Where the Functions host moves a message after `maxDequeueCount` (host.json) failures. */
export const POISON_QUEUE_NAME = `${ALERT_QUEUE_NAME}-poison`;
