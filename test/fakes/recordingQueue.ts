import type { AlertQueue, QueuedAlert } from '../../lib/state/alertQueue';

/** Records what was enqueued; can be told to fail. */
export class RecordingQueue implements AlertQueue {
  readonly messages: QueuedAlert[] = [];
  failWith: Error | undefined;

  async enqueue(message: QueuedAlert): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.messages.push(message);
  }
}
