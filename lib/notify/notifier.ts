/** A channel that receives enriched alerts. Adapters: `TeamsNotifier`, `WebhookNotifier`. */

import type { EnrichedAlert } from '../enrichment';

export interface Notifier {
  /** A name for logs; never the URL, which is a secret. */
  readonly name: string;
  send(report: EnrichedAlert): Promise<void>;
}
