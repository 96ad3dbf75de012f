import { app, type InvocationContext } from '@azure/functions';

import { processConnectionCheck } from '../lib/app/triggers';
import { CONNECTION_CHECK_QUEUE_NAME } from '../lib/state/connectionStates';

/**
 * Queue trigger: one reconnect-grace check, made visible when the grace ends. A throw makes the
 * host retry (host.json maxDequeueCount) and then move it to `connection-checks-poison`.
 */
export async function connectionChecks(
  message: unknown,
  context: InvocationContext,
): Promise<void> {
  const id = context.triggerMetadata?.id;
  await processConnectionCheck(message, context, typeof id === 'string' ? id : undefined);
}

app.storageQueue('connectionChecks', {
  queueName: CONNECTION_CHECK_QUEUE_NAME,
  connection: 'AzureWebJobsStorage',
  handler: connectionChecks,
});
