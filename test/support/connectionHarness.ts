/**
 * The connection-event path in one process over the sample workspace: Event Grid deliveries in,
 * the reconnect-grace checks on a simulated clock, and every message the real pipeline posts,
 * recorded as a webhook event and as a Teams card.
 */

import { createServiceProvider, type ServiceProvider } from '../../lib/app/services';
import { runConnectionCheck } from '../../lib/app/runConnectionCheck';
import { enrichAlert } from '../../lib/app/enrichAlert';
import { parseAlert } from '../../lib/alerts/parseAlert';
import { loadConfig } from '../../lib/config/loadConfig';
import { silentLogger } from '../../lib/common/logger';
import { handleEventGridRequest } from '../../lib/intake/handleEventGridRequest';
import type { HandlerResponse } from '../../lib/intake/httpResult';
import type { PostReceipt } from '../../lib/notify/httpDelivery';
import type { MessageFormat, Notifier } from '../../lib/notify/notifier';
import {
  InMemoryCheckQueue,
  InMemoryConnectionStates,
} from '../../lib/state/memory/memoryConnections';
import { InMemoryActivityLedger } from '../../lib/state/memory/memoryActivityLedger';
import { repoPath } from './fixtures';
import { HUB } from './scenario';

export { HUB };

class RecordingNotifier implements Notifier {
  readonly sent: string[] = [];
  constructor(
    readonly name: string,
    readonly format: MessageFormat,
  ) {}
  post(body: string): Promise<PostReceipt> {
    this.sent.push(body);
    return Promise.resolve({ status: 202, posts: 1, unknownOutcomes: 0 });
  }
}

export interface PostedEvent {
  readonly event: string;
  readonly data: Record<string, unknown> & {
    alert?: Record<string, unknown>;
    original?: Record<string, unknown> | null;
  };
}

export class ConnectionHarness {
  readonly checks: InMemoryCheckQueue;
  readonly states = new InMemoryConnectionStates();
  readonly activity = new InMemoryActivityLedger();
  readonly webhook = new RecordingNotifier('webhook', 'webhook');
  readonly teams = new RecordingNotifier('teams', 'teams');
  readonly provider: ServiceProvider;
  private time: number;

  constructor(start: string, env: Record<string, string> = {}) {
    this.time = Date.parse(start);
    const now = (): Date => new Date(this.time);
    this.checks = new InMemoryCheckQueue({ clock: now, retryDelayMs: 1 });
    const config = loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: repoPath('samples', 'workspace'),
      EXPORT_METRICS_PATH: repoPath('samples', 'metrics'),
      WEBHOOK_URL: 'https://receiver.example/hook',
      STATE_STORE: 'memory',
      IOTHUB_RESOURCE_IDS: HUB,
      ...env,
    });
    this.provider = createServiceProvider(config, {
      notifiers: [this.webhook, this.teams],
      connectionStates: this.states,
      connectionCheckQueue: this.checks,
      activity: this.activity,
      log: silentLogger,
      now,
    });
    this.checks.consume(async (check, id) => {
      await runConnectionCheck(check, id, await this.provider.connectionChecks());
    });
  }

  get now(): Date {
    return new Date(this.time);
  }

  /** One Event Grid delivery, as the webhook endpoint receives it. */
  async deliver(events: readonly unknown[]): Promise<HandlerResponse> {
    const bytes = new TextEncoder().encode(JSON.stringify(events));
    return handleEventGridRequest(
      { eventType: 'Notification', readBody: () => Promise.resolve(bytes) },
      await this.provider.connectionIntake(),
    );
  }

  /** Moves the clock, running every check at its due time on the way (and what they schedule). */
  async advanceTo(iso: string): Promise<void> {
    const target = Date.parse(iso);
    if (target < this.time) throw new Error(`the clock cannot go back to ${iso}`);
    for (
      let due = this.checks.nextDueAt;
      due !== undefined && due <= target;
      due = this.checks.nextDueAt
    ) {
      this.time = Math.max(this.time, due);
      await this.checks.fireDue();
    }
    this.time = target;
  }

  /** An Azure Monitor alert through the same pipeline (the other intake). */
  async alert(payload: unknown): Promise<void> {
    const alert = parseAlert(payload, { deviceIdDimension: 'DeviceId' });
    await enrichAlert(alert, await this.provider.enrichment());
  }

  get posted(): PostedEvent[] {
    return this.webhook.sent.map((body) => JSON.parse(body) as PostedEvent);
  }
}
