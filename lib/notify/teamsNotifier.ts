/** Posts the Adaptive Card to a Teams Workflows webhook ("When a Teams webhook request is received"). */

import type { OutgoingMessage } from '../outgoingMessage';
import { renderTeamsFor } from '../render/teamsMessages';
import { type DeliveryOptions, postJson } from './httpDelivery';
import type { Notifier } from './notifier';

export class TeamsNotifier implements Notifier {
  readonly name = 'teams';

  constructor(
    private readonly workflowUrl: string,
    private readonly options: DeliveryOptions,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    // Workflows answers 202 before it posts; any 2xx is success.
    await postJson(
      'Teams',
      this.workflowUrl,
      JSON.stringify(renderTeamsFor(message)),
      {},
      this.options,
    );
  }
}
