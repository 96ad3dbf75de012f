/** What the worker needs besides evidence and channels: its three ports, one value. */

import type { DeadLetterStore } from './deadLetters';
import type { DeliveryLedger } from './deliveryLedger';
import type { ProcessingLedger } from './processingLease';

export interface WorkerState {
  readonly processing: ProcessingLedger;
  readonly deliveries: DeliveryLedger;
  readonly deadLetters: DeadLetterStore;
}
