/**
 * The fault matrix's Event Grid half: connection events through the real intake
 * (`handleEventGridRequest`), the reconnect-grace checks through the real `runConnectionCheck`
 * and pipeline (export-file evidence over the sample workspace, Teams and webhook stand-ins over
 * HTTP), and every piece of state (identity records, check queue, lease, delivery ledger,
 * incidents, activity) in Azurite behind the fault proxies.
 *
 * Time is simulated, as in test/support/connectionHarness.ts. The check queue is the real one, but
 * its messages are sent visible at once: a stand-in for the Functions queue trigger receives them
 * and runs each when the simulated clock reaches the time the check asked for. (That the real
 * adapter's delay is the message's visibility is shown on Azurite by
 * test/integration/connectionStorage.test.ts.) It retries as the host does (host.json): a check
 * that throws comes back after `visibilityTimeout`, one whose worker died comes back after the
 * 10 minutes a crashed invocation's message stays invisible, and one that failed
 * `maxDequeueCount` times goes to the poison queue.
 */

import { readFileSync } from 'node:fs';

import type { TokenCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';

import { runConnectionCheck } from '../../lib/app/runConnectionCheck';
import { createServiceProvider, type ServiceProvider } from '../../lib/app/services';
import { silentLogger } from '../../lib/common/logger';
import { loadConfig } from '../../lib/config/loadConfig';
import type { ConnectionCheck } from '../../lib/connections/identityState';
import type { EvidenceSource, MetricsSource } from '../../lib/evidence/evidenceSource';
import { handleEventGridRequest } from '../../lib/intake/handleEventGridRequest';
import type { DeliveryOptions } from '../../lib/notify/httpDelivery';
import { TeamsNotifier } from '../../lib/notify/teamsNotifier';
import { IDEMPOTENCY_KEY_HEADER, WebhookNotifier } from '../../lib/notify/webhookNotifier';
import { createStorageClients } from '../../lib/state/azure/azureStorageState';
import {
  StorageConnectionCheckQueue,
  TableConnectionStates,
} from '../../lib/state/azure/connectionStorage';
import { TableDeadLetters, TableLedger } from '../../lib/state/azure/tableLedger';
import { parseConnectionCheck } from '../../lib/state/connectionCheckMessage';
import {
  CONNECTION_CHECK_POISON_QUEUE_NAME,
  CONNECTION_CHECK_QUEUE_NAME,
  type ConnectionCheckQueue,
  type ConnectionStateStore,
} from '../../lib/state/connectionStates';
import type { WorkerState } from '../../lib/state/workerState';
import type { Azurite } from '../support/azurite';
import { connectionStringWith, type FaultProxy } from '../support/faultProxy';
import { repoPath } from '../support/fixtures';
import { type HttpReceiver, startHttpReceiver, wasTaken } from '../support/httpReceiver';
import { HUB } from '../support/scenario';
import { emptyStorage } from './emptyStorage';
import type { StorageFault } from './harness';

/** Where a worker can die: after the step named, before the next. */
export type ConnectionKillPoint =
  /** Intake: the check is queued, the identity's record not written. */
  | 'after-check-scheduled'
  /** The check: the drop is marked with its alert id, nothing posted yet. */
  | 'after-drop-marked'
  /** The check: every channel took the card and the ledger says so; the lease is not finished. */
  | 'after-card-delivered'
  /** The follow-up: every channel took it; its lease is not finished. */
  | 'after-follow-up-delivered';

export interface ConnectionScenario {
  readonly name: string;
  /** Storage fault during the drop batch's first delivery; healed for Event Grid's retries. */
  readonly dropFault?: StorageFault;
  /** Storage fault during the staying device's grace check, for this many runs (default 1). */
  readonly checkFault?: StorageFault & { readonly runs?: number };
  /** Storage fault during the return's first delivery (with `returns`). */
  readonly returnFault?: StorageFault;
  readonly kill?: ConnectionKillPoint;
  /**
   * Event Grid delivers the drop batch again: `answer-lost` at once although it was answered 200;
   * `after-grace` its retries of a failed delivery all come after the grace has ended.
   */
  readonly redeliver?: 'answer-lost' | 'after-grace';
  /** The device that stayed away comes back 40 s after its card is due: a follow-up is owed. */
  readonly returns?: boolean;
  /** The operator moves the poison queue's checks back to the queue at the end. */
  readonly replayPoison?: boolean;
}

export interface ConnectionRow {
  readonly scenario: string;
  /** Answers to the drop batch's deliveries, in order (`none`: the worker died). */
  readonly dropAnswers: string;
  /** Answers to the return's deliveries, when it came back. */
  readonly returnAnswers: string;
  /** Check messages that reached the queue (grace checks, follow-ups and their re-schedules). */
  readonly checksQueued: number;
  /** Invocations of the check worker, retries included. */
  readonly checkRuns: number;
  /** Offline cards about the device that stayed away (webhook: distinct Idempotency-Key). */
  readonly cards: number;
  /** Follow-ups ("back") about it. */
  readonly followUps: number;
  /** Any message about the device that came back within its grace. */
  readonly quickReturnMessages: number;
  /** Any other message (an incident, say). */
  readonly otherMessages: number;
  readonly teamsTaken: number;
  readonly webhookTaken: number;
  /** Checks moved to the poison queue (before any replay). */
  readonly poisoned: number;
  /** With `redeliver: 'after-grace'`: cards posted before Event Grid's late retry came. */
  readonly cardsBeforeLateRetry?: number;
}

/** The drop of pump-station-7 the sample workspace holds: 404104 at 06:14:27, back 06:18:34. */
export const AWAY = 'pump-station-7';
/** A device that drops in the same batch and comes back within its grace. */
export const QUICK = 'quick-return-1';
const START = '2026-11-20T06:15:10Z';
const DROP_EVENT_AT = '2026-11-20T06:14:50Z';
const QUICK_RETURN_AT = '2026-11-20T06:15:30Z';
/** The grace (180 s) counts from receipt: 06:15:10 + 180 s. */
const GRACE_ENDS = '2026-11-20T06:18:10Z';
const AWAY_RETURN_AT = '2026-11-20T06:18:50Z';
/** Late enough for every retry, re-schedule and crashed message of a row to have run. */
const END = '2026-11-20T07:00:00Z';

/** Event Grid retries a failed delivery after 10 s, then longer; a few tries fit in the grace. */
const EVENT_GRID_RETRY_MS = 10_000;
const EVENT_GRID_TRIES = 6;
/** A crashed invocation's message stays invisible this long (the queue trigger's lease). */
const CRASH_INVISIBLE_MS = 10 * 60_000;

const DELIVERY: DeliveryOptions = { timeoutMs: 400, baseDelayMs: 20, maxDelayMs: 2000 };

/** The queue trigger's retry settings, from host.json. */
function hostQueueSettings(): { retryMs: number; maxDequeueCount: number } {
  const host = JSON.parse(readFileSync(repoPath('host.json'), 'utf8')) as {
    extensions: { queues: { maxDequeueCount: number; visibilityTimeout: string } };
  };
  const { maxDequeueCount, visibilityTimeout } = host.extensions.queues;
  const [h, m, s] = visibilityTimeout.split(':').map(Number) as [number, number, number];
  return { retryMs: ((h * 60 + m) * 60 + s) * 1000, maxDequeueCount };
}

const noCredential = (): TokenCredential => {
  throw new Error('connection-string storage must not ask for a credential');
};

class WorkerKilled extends Error {
  override name = 'WorkerKilled';
}

/** One invocation (an Event Grid delivery, a check): once killed, it does nothing more. */
class Invocation {
  killed = false;
  /** Checks this invocation scheduled. */
  scheduled = 0;

  constructor(private readonly plan: { at?: ConnectionKillPoint; armed: boolean }) {}

  alive(): void {
    if (this.killed) throw new WorkerKilled('a killed worker does nothing more');
  }

  killAt(point: ConnectionKillPoint): void {
    if (!this.plan.armed || this.plan.at !== point) return;
    this.plan.armed = false;
    this.killed = true;
    throw new WorkerKilled(`worker killed ${point}`);
  }
}

function killableStates(
  inner: ConnectionStateStore,
  invocation: Invocation,
  phase: 'intake' | 'check',
): ConnectionStateStore {
  return {
    read: async (identity) => {
      invocation.alive();
      return inner.read(identity);
    },
    write: async (state, etag) => {
      invocation.alive();
      // Intake writes an event's record after scheduling its check.
      if (phase === 'intake' && invocation.scheduled > 0) {
        invocation.killAt('after-check-scheduled');
      }
      const written = await inner.write(state, etag);
      // The check writes the record once: the drop marked with its alert id.
      if (phase === 'check' && written) invocation.killAt('after-drop-marked');
      return written;
    },
  };
}

function killableWorker(
  ledger: TableLedger,
  letters: TableDeadLetters,
  invocation: Invocation,
): WorkerState {
  return {
    processing: {
      startProcessing: async (key, holder, now) => {
        invocation.alive();
        return ledger.startProcessing(key, holder, now);
      },
      finishProcessing: async (key, holder, now) => {
        invocation.alive();
        invocation.killAt(
          key.endsWith('|Resolved') ? 'after-follow-up-delivered' : 'after-card-delivered',
        );
        await ledger.finishProcessing(key, holder, now);
      },
      wasProcessed: (key) => ledger.wasProcessed(key),
      abandonProcessing: async (key, holder, now) => {
        invocation.alive();
        await ledger.abandonProcessing(key, holder, now);
      },
    },
    deliveries: {
      getDelivery: (ref) => ledger.getDelivery(ref),
      putDelivery: async (ref, record) => {
        invocation.alive();
        await ledger.putDelivery(ref, record);
      },
    },
    deadLetters: letters,
  };
}

let sequence = 0x5000;

/** One IoT Hub connection event in the Event Grid schema, with a fresh sequence number. */
function connectionEvent(
  state: 'connected' | 'disconnected',
  deviceId: string,
  at: string,
): Record<string, unknown> {
  sequence += 7;
  return {
    id: `fault-${deviceId}-${sequence}`,
    topic: HUB.toUpperCase(),
    subject: `devices/${deviceId}`,
    eventType:
      state === 'connected'
        ? 'Microsoft.Devices.DeviceConnected'
        : 'Microsoft.Devices.DeviceDisconnected',
    eventTime: at,
    data: {
      deviceConnectionStateEventInfo: { sequenceNumber: sequence.toString(16).padStart(64, '0') },
      hubName: 'contoso-fleet-hub',
      deviceId,
    },
    dataVersion: '1',
    metadataVersion: '1',
  };
}

interface Held {
  readonly messageId: string;
  readonly popReceipt: string;
  readonly messageText: string;
  readonly dequeueCount: number;
  readonly due: number;
}

/**
 * One row's world: a fresh provider over the proxied storage, a simulated clock, and the stand-in
 * for the check queue's trigger.
 */
class ConnectionRun {
  private time = Date.parse(START);
  private readonly plan: { at?: ConnectionKillPoint; armed: boolean };
  private readonly provider: ServiceProvider;
  private readonly states: TableConnectionStates;
  private readonly checks: StorageConnectionCheckQueue;
  private readonly ledger: TableLedger;
  private readonly letters: TableDeadLetters;
  private readonly queue: QueueClient;
  private readonly poison: QueueClient;
  /** When each scheduled check asked to run (simulated ms), by message text, oldest first. */
  private readonly asked = new Map<string, number[]>();
  /** When a failed message is to be retried (simulated ms), by message id. */
  private readonly retryAt = new Map<string, number>();
  private readonly held: Held[] = [];
  private checkFaultRuns: number;
  checkRuns = 0;
  poisoned = 0;
  cardsBeforeLateRetry: number | undefined;

  constructor(
    private readonly scenario: ConnectionScenario,
    private readonly matrix: ConnectionFaultMatrix,
    teams: HttpReceiver,
    private readonly webhook: HttpReceiver,
  ) {
    this.plan = { ...(scenario.kill && { at: scenario.kill }), armed: scenario.kill !== undefined };
    this.checkFaultRuns = scenario.checkFault ? (scenario.checkFault.runs ?? 1) : 0;
    const proxied = matrix.proxiedConnectionString();
    // The clients the worker builds (retry options included), behind the fault proxies.
    const clients = createStorageClients({ connectionString: proxied }, noCredential);
    this.states = new TableConnectionStates(clients.connections);
    this.checks = new StorageConnectionCheckQueue(clients.connectionChecks);
    this.ledger = new TableLedger(clients.table);
    this.letters = new TableDeadLetters(clients.deadLetters);
    const env = {
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: repoPath('samples', 'workspace'),
      EXPORT_METRICS_PATH: repoPath('samples', 'metrics'),
      STATE_STORE: 'azure-storage',
      AzureWebJobsStorage: proxied,
      IOTHUB_RESOURCE_IDS: HUB,
      TEAMS_WORKFLOW_URL: `${teams.origin}/teams`,
      WEBHOOK_URL: `${webhook.origin}/hook`,
    };
    this.provider = createServiceProvider(loadConfig(env), {
      notifiers: [
        new TeamsNotifier(`${teams.origin}/teams`, DELIVERY),
        new WebhookNotifier(`${webhook.origin}/hook`, undefined, DELIVERY),
      ],
      evidence: matrix.evidence,
      metrics: matrix.metrics,
      connectionStates: this.states,
      connectionCheckQueue: this.checks,
      state: { processing: this.ledger, deliveries: this.ledger, deadLetters: this.letters },
      log: silentLogger,
      now: () => new Date(this.time),
    });
    // The Functions host's own client: not behind the fault proxies.
    this.queue = new QueueClient(matrix.azurite.connectionString, CONNECTION_CHECK_QUEUE_NAME);
    this.poison = new QueueClient(
      matrix.azurite.connectionString,
      CONNECTION_CHECK_POISON_QUEUE_NAME,
    );
  }

  /** The check queue as intake and the checks see it: the real adapter, sent visible at once. */
  private checkQueue(invocation: Invocation): ConnectionCheckQueue {
    return {
      schedule: async (check, delaySeconds) => {
        invocation.alive();
        // Noted before sending: the message can be received before this call returns.
        const text = JSON.stringify(check);
        const due = this.time + Math.max(0, delaySeconds) * 1000;
        const asked = this.asked.get(text) ?? [];
        this.asked.set(text, asked);
        asked.push(due);
        try {
          await this.checks.schedule(check, 0);
        } catch (error: unknown) {
          asked.splice(asked.lastIndexOf(due), 1);
          throw error;
        }
        invocation.scheduled++;
      },
    };
  }

  /** One Event Grid delivery of a batch; `none` when the worker died before answering. */
  async deliver(events: readonly unknown[], fault?: StorageFault): Promise<string> {
    const invocation = new Invocation(this.plan);
    const services = await this.provider.connectionIntake();
    const bytes = new TextEncoder().encode(JSON.stringify(events));
    this.matrix.fault(fault);
    try {
      const response = await handleEventGridRequest(
        { eventType: 'Notification', readBody: () => Promise.resolve(bytes) },
        {
          ...services,
          states: killableStates(this.states, invocation, 'intake'),
          checks: this.checkQueue(invocation),
        },
      );
      return invocation.killed ? 'none' : String(response.status);
    } finally {
      this.matrix.heal();
    }
  }

  /** Event Grid: delivers until a 2xx, retrying a failed delivery a little later. */
  async eventGrid(events: readonly unknown[], fault?: StorageFault): Promise<string[]> {
    const answers = [await this.deliver(events, fault)];
    while (answers.at(-1) !== '200' && answers.length < EVENT_GRID_TRIES) {
      await this.advanceTo(this.time + EVENT_GRID_RETRY_MS);
      answers.push(await this.deliver(events));
    }
    return answers;
  }

  /** The queue trigger, up to `target`: runs every check due by then, in order, with retries. */
  async advanceTo(target: number | string): Promise<void> {
    const until = typeof target === 'string' ? Date.parse(target) : target;
    for (;;) {
      await this.receiveVisible();
      this.held.sort((a, b) => a.due - b.due);
      const next = this.held[0];
      if (next === undefined || next.due > until) break;
      this.held.shift();
      this.time = Math.max(this.time, next.due);
      await this.invoke(next);
    }
    this.time = Math.max(this.time, until);
  }

  /** Takes every visible message, holding it (invisible) until its simulated time comes. */
  private async receiveVisible(): Promise<void> {
    await this.queue.createIfNotExists();
    for (;;) {
      const { receivedMessageItems } = await this.queue.receiveMessages({
        numberOfMessages: 32,
        visibilityTimeout: 300,
      });
      if (receivedMessageItems.length === 0) return;
      for (const item of receivedMessageItems) {
        const text = Buffer.from(item.messageText, 'base64').toString('utf8');
        const retry = this.retryAt.get(item.messageId);
        const due = retry ?? this.asked.get(text)?.shift() ?? this.time;
        this.held.push({ ...item, due });
      }
    }
  }

  private async invoke(item: Held): Promise<void> {
    this.checkRuns++;
    const invocation = new Invocation(this.plan);
    try {
      const check = parseConnectionCheck(
        JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')),
      );
      await this.runCheck(check, item.messageId, invocation);
      await this.queue.deleteMessage(item.messageId, item.popReceipt);
    } catch {
      const { retryMs, maxDequeueCount } = this.matrix.host;
      if (item.dequeueCount >= maxDequeueCount) {
        await this.poison.createIfNotExists();
        await this.poison.sendMessage(item.messageText);
        await this.queue.deleteMessage(item.messageId, item.popReceipt);
        this.poisoned++;
        return;
      }
      this.retryAt.set(
        item.messageId,
        this.time + (invocation.killed ? CRASH_INVISIBLE_MS : retryMs),
      );
      await this.queue.updateMessage(item.messageId, item.popReceipt, item.messageText, 0);
    }
  }

  private async runCheck(
    check: ConnectionCheck,
    messageId: string,
    invocation: Invocation,
  ): Promise<void> {
    const services = await this.provider.connectionChecks();
    const faulty = this.checkFaultRuns > 0 && check.kind === 'grace' && check.deviceId === AWAY;
    if (faulty) {
      this.checkFaultRuns--;
      this.matrix.fault(this.scenario.checkFault);
    }
    try {
      await runConnectionCheck(check, messageId, {
        ...services,
        state: killableWorker(this.ledger, this.letters, invocation),
        connections: {
          states: killableStates(this.states, invocation, 'check'),
          checks: this.checkQueue(invocation),
        },
      });
    } finally {
      if (faulty) this.matrix.heal();
    }
  }

  /** The operator: every check in the poison queue goes back to the queue. */
  async replayPoison(): Promise<void> {
    await this.poison.createIfNotExists();
    for (;;) {
      const { receivedMessageItems } = await this.poison.receiveMessages({ numberOfMessages: 32 });
      if (receivedMessageItems.length === 0) return;
      for (const item of receivedMessageItems) {
        await this.queue.sendMessage(item.messageText);
        await this.poison.deleteMessage(item.messageId, item.popReceipt);
      }
    }
  }

  async play(): Promise<{ dropAnswers: string[]; returnAnswers: string[] }> {
    const { scenario } = this;
    const drop = [
      connectionEvent('disconnected', AWAY, DROP_EVENT_AT),
      connectionEvent('disconnected', QUICK, DROP_EVENT_AT),
    ];
    const dropAnswers =
      scenario.redeliver === 'after-grace'
        ? [await this.deliver(drop, scenario.dropFault)]
        : await this.eventGrid(drop, scenario.dropFault);
    if (scenario.redeliver === 'answer-lost') dropAnswers.push(await this.deliver(drop));

    await this.advanceTo(Date.parse(QUICK_RETURN_AT) + 10_000);
    await this.eventGrid([connectionEvent('connected', QUICK, QUICK_RETURN_AT)]);

    if (scenario.redeliver === 'after-grace') {
      await this.advanceTo(Date.parse(GRACE_ENDS) + 10_000);
      this.cardsBeforeLateRetry = cardsAbout(distinctWebhookMessages(this.webhook), AWAY);
      dropAnswers.push(...(await this.eventGrid(drop)));
    }
    let returnAnswers: string[] = [];
    if (scenario.returns === true) {
      await this.advanceTo(Date.parse(AWAY_RETURN_AT) + 10_000);
      returnAnswers = await this.eventGrid(
        [connectionEvent('connected', AWAY, AWAY_RETURN_AT)],
        scenario.returnFault,
      );
    }
    await this.advanceTo(END);
    if (scenario.replayPoison === true) {
      await this.replayPoison();
      await this.advanceTo(this.time + 60_000);
    }
    return { dropAnswers, returnAnswers };
  }
}

export class ConnectionFaultMatrix {
  readonly rows: ConnectionRow[] = [];
  readonly host = hostQueueSettings();

  constructor(
    readonly azurite: Azurite,
    private readonly queueProxy: FaultProxy,
    private readonly tableProxy: FaultProxy,
    readonly evidence: EvidenceSource,
    readonly metrics: MetricsSource,
  ) {}

  proxiedConnectionString(): string {
    return connectionStringWith(this.azurite.connectionString, {
      queue: this.queueProxy.url,
      table: this.tableProxy.url,
    });
  }

  fault(fault: StorageFault | undefined): void {
    if (fault === undefined) return;
    this.queueProxy.mode = fault.queue ?? 'pass';
    this.tableProxy.mode = fault.table ?? 'pass';
    this.queueProxy.only = fault.only;
    this.tableProxy.only = fault.only;
  }

  heal(): void {
    for (const proxy of [this.queueProxy, this.tableProxy]) {
      proxy.mode = 'pass';
      proxy.only = undefined;
    }
  }

  async run(scenario: ConnectionScenario): Promise<ConnectionRow> {
    this.heal();
    await emptyStorage(this.azurite);
    const teams = await startHttpReceiver();
    const webhook = await startHttpReceiver();
    const seenFrom = this.queueProxy.seen.length;
    try {
      const run = new ConnectionRun(scenario, this, teams, webhook);
      const { dropAnswers, returnAnswers } = await run.play();
      const messages = distinctWebhookMessages(webhook);
      const about = (deviceId: string) =>
        messages.filter((m) => m.data.alert?.deviceIds?.includes(deviceId) === true);
      const away = about(AWAY);
      const late = run.cardsBeforeLateRetry;
      const row: ConnectionRow = {
        scenario: scenario.name,
        dropAnswers: dropAnswers.join(' '),
        returnAnswers: returnAnswers.join(' '),
        checksQueued: this.queueProxy.seen
          .slice(seenFrom)
          .filter(
            (r) =>
              r.method === 'POST' &&
              !r.faulted &&
              r.path.includes(`/${CONNECTION_CHECK_QUEUE_NAME}/messages`),
          ).length,
        checkRuns: run.checkRuns,
        cards: cardsAbout(messages, AWAY),
        followUps: away.filter((m) => m.event === 'alert.resolved').length,
        quickReturnMessages: about(QUICK).length,
        otherMessages: messages.length - away.length - about(QUICK).length,
        teamsTaken: teams.requests.filter(wasTaken).length,
        webhookTaken: webhook.requests.filter(wasTaken).length,
        poisoned: run.poisoned,
        ...(late !== undefined && { cardsBeforeLateRetry: late }),
      };
      this.rows.push(row);
      return row;
    } finally {
      this.heal();
      await teams.close();
      await webhook.close();
    }
  }
}

interface WebhookMessage {
  readonly event: string;
  readonly data: { readonly alert?: { readonly deviceIds?: readonly string[] } };
}

function cardsAbout(messages: readonly WebhookMessage[], deviceId: string): number {
  return messages.filter(
    (m) => m.event === 'alert.enriched' && m.data.alert?.deviceIds?.includes(deviceId) === true,
  ).length;
}

/** The webhook posts taken, one per Idempotency-Key (a retry of one delivery counts once). */
function distinctWebhookMessages(webhook: HttpReceiver): WebhookMessage[] {
  const byKey = new Map<string, WebhookMessage>();
  for (const request of webhook.requests.filter(wasTaken)) {
    byKey.set(
      request.headers[IDEMPOTENCY_KEY_HEADER] ?? request.text,
      request.json as WebhookMessage,
    );
  }
  return [...byKey.values()];
}

export function renderConnectionTable(rows: readonly ConnectionRow[]): string {
  const header = [
    'scenario',
    'drop batch answers',
    'return answers',
    'checks queued',
    'check runs',
    'cards',
    'follow-ups',
    'quick return msgs',
    'Teams taken',
    'webhook taken',
    'poison',
  ];
  const lines = rows.map((r) => [
    r.scenario,
    r.dropAnswers,
    r.returnAnswers || '-',
    String(r.checksQueued),
    String(r.checkRuns),
    String(r.cards),
    String(r.followUps),
    String(r.quickReturnMessages),
    String(r.teamsTaken),
    String(r.webhookTaken),
    String(r.poisoned),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join(
    '\n',
  );
}
