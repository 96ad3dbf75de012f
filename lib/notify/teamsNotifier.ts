/** Posts to a Teams Workflows webhook ("When a Teams webhook request is received"). */

import { type DeliveryOptions, type PostReceipt, postJson } from './httpDelivery';
import type { Notifier } from './notifier';

export class TeamsNotifier implements Notifier {
  readonly format = 'teams';

  constructor(
    private readonly workflowUrl: string,
    private readonly options: DeliveryOptions,
    /** The receiver's name: the ledger's key and what logs say (never the URL). */
    readonly name = 'teams',
  ) {}

  /**
   * Workflows answers 202 before it posts; any 2xx is success. It has no idempotency key, so a
   * post whose outcome is unknown is not repeated: it is dead-lettered for a person to check.
   */
  post(body: string): Promise<PostReceipt> {
    return postJson(
      this.label(),
      this.workflowUrl,
      body,
      {},
      { ...this.options, retryUnknown: false },
    );
  }

  private label(): string {
    return this.name === 'teams' ? 'Teams' : `Teams (${this.name})`;
  }
}
