import { app, type InvocationContext } from '@azure/functions';

import { processQueueMessage } from '../lib/app/triggers';
import { ALERT_QUEUE_NAME } from '../lib/state/alertQueue';

/**
 * Queue trigger: enrich and deliver one accepted alert. A throw makes the host retry
 * (host.json maxDequeueCount) and then move the message to `alert-enrichment-poison`. The
 * message id holds the processing lease across the message's retries.
 */
export async function enrich(message: unknown, context: InvocationContext): Promise<void> {
  const id = context.triggerMetadata?.id;
  await processQueueMessage(message, context, typeof id === 'string' ? id : undefined);
}

app.storageQueue('enrich', {
  queueName: ALERT_QUEUE_NAME,
  connection: 'AzureWebJobsStorage',
  handler: enrich,
});
