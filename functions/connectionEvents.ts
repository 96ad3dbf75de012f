import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';

import { receiveConnectionEvent } from '../lib/app/triggers';

/**
 * Event Grid trigger: IoT Hub's `DeviceConnected` / `DeviceDisconnected`, in the Event Grid schema
 * or CloudEvents 1.0. Each event costs one record write and at most one scheduled check; a throw
 * (storage down) makes Event Grid deliver it again.
 */
export async function connectionEvents(
  event: EventGridEvent,
  context: InvocationContext,
): Promise<void> {
  await receiveConnectionEvent(event, context);
}

app.eventGrid('connectionEvents', { handler: connectionEvents });
