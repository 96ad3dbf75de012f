/**
 * The queue trigger's use case: enrich and deliver a queued alert at most once, however many
 * queue messages carry it (a duplicate can slip into the queue when intake's record was not
 * written). See docs/reliability.md.
 */

import { idempotencyKey } from '../alerts/alert';
import type { EnrichedAlert } from '../diagnose/enrichedAlert';
import { enrichAlert, type EnrichmentServices } from './enrichAlert';
import type { ProcessingStart } from '../state/processingLease';
import type { QueuedAlert } from '../state/alertQueue';
import { keepReceivedAlert, type ReceivedAlertArchive } from '../state/receivedAlerts';

/** The worker's services: the use case's, and where it keeps the alerts it takes. */
export interface WorkerServices extends EnrichmentServices {
  /** The received alerts `enricher whatif` replays (optional, best effort: never fails an alert). */
  readonly archive?: ReceivedAlertArchive;
}

export type ProcessResult = 'processed' | Exclude<ProcessingStart, 'go'>;

/**
 * Takes the alert key's processing lease first: a message that finds the alert done, or leased by
 * another live message, is dropped (that other message stays in the queue until it finishes, so
 * nothing is lost). `holder` is the queue message's id, the same on each of its retries.
 */
export async function processQueuedAlert(
  queued: QueuedAlert,
  holder: string,
  services: WorkerServices,
  /** The alert's report when the caller already built it (the connection checks). */
  built?: EnrichedAlert,
): Promise<ProcessResult> {
  const { alert } = queued;
  const key = idempotencyKey(alert);
  const start = await services.state.processing.startProcessing(key, holder, services.now());
  if (start !== 'go') {
    services.log.info(
      `Alert ${alert.id} (${alert.condition}) ${start === 'done' ? 'already processed' : 'being processed by another message'}; this message is dropped`,
    );
    return start;
  }
  // Kept for `enricher whatif` (idempotent, so a retry keeps it once); one awaited write at most,
  // and a storage error is logged, never thrown.
  await keepReceivedAlert(services.archive, alert, services.now(), services.log);
  try {
    await enrichAlert(alert, services, built);
  } catch (error: unknown) {
    // Let the queue's retry take the lease at once (best effort: it also expires).
    await services.state.processing
      .abandonProcessing(key, holder, services.now())
      .catch(() => undefined);
    throw error;
  }
  await services.state.processing.finishProcessing(key, holder, services.now());
  return 'processed';
}
