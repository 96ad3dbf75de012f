/**
 * The fault matrix's harness: the dev host over HTTP with `STATE_STORE=azure-storage` on a real
 * Azurite behind fault proxies, Teams and webhook stand-ins that misbehave on cue, an action
 * group that retries like Azure's, an optional "kill" of the worker between two steps, and an
 * operator who replays dead letters. It measures what the issue asks: alerts lost, posts taken
 * per channel, dead letters, time to answer.
 */

import { readFileSync } from 'node:fs';

import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';

import { loadConfig } from '../../lib/config/loadConfig';
import { type DevHost, startDevHost } from '../../lib/tools/devhost/devHost';
import { silentLogger } from '../../lib/common/logger';
import { replayDeadLetter } from '../../lib/notify/deliver';
import type { DeliveryOptions } from '../../lib/notify/httpDelivery';
import { TeamsNotifier } from '../../lib/notify/teamsNotifier';
import { IDEMPOTENCY_KEY_HEADER, WebhookNotifier } from '../../lib/notify/webhookNotifier';
import { POISON_QUEUE_NAME } from '../../lib/state/alertQueue';
import { IDEMPOTENCY_TABLE_NAME } from '../../lib/state/alertStore';
import { DEAD_LETTER_TABLE_NAME } from '../../lib/state/deadLetters';
import type { WorkerState } from '../../lib/state/workerState';
import { TableDeadLetters, TableLedger } from '../../lib/state/azure/tableLedger';
import type { Azurite } from '../support/azurite';
import {
  connectionStringWith,
  type FaultMode,
  type FaultProxy,
  type ProxiedRequest,
} from '../support/faultProxy';
import { repoPath } from '../support/fixtures';
import {
  type Answer,
  type HttpReceiver,
  startHttpReceiver,
  wasTaken,
} from '../support/httpReceiver';
import { emptyStorage } from './emptyStorage';

/** Where the worker can be killed: after the step named, before the next. */
export type KillPoint = 'after-lease' | 'after-teams-post' | 'after-teams-recorded' | 'before-done';

export interface StorageFault {
  readonly queue?: FaultMode;
  readonly table?: FaultMode;
  /** Only these requests get the fault (e.g. table writes only). */
  readonly only?: (request: ProxiedRequest) => boolean;
}

export interface Scenario {
  readonly name: string;
  readonly storage?: StorageFault;
  /** Storage faults heal after this many action-group posts (default 1). */
  readonly storageHealsAfter?: number;
  readonly teams?: readonly Answer[];
  readonly teamsAlways?: Answer;
  readonly webhook?: readonly Answer[];
  readonly webhookAlways?: Answer;
  /** The 2xx is lost on the way back (the intake died after answering): the action group retries. */
  readonly answerLost?: boolean;
  /** Two copies posted at once (an action-group retry racing the original). */
  readonly concurrent?: boolean;
  readonly kill?: KillPoint;
  /** The status the action group must get first (within its 10 s time-out); default 202. */
  readonly expectFirst?: number;
}

export interface Row {
  readonly scenario: string;
  /** First answer to the action group: status and milliseconds. */
  readonly firstAnswer: string;
  readonly firstAnswerMs: number;
  readonly actionGroupPosts: number;
  readonly messagesQueued: number;
  readonly teamsTaken: number;
  readonly webhookTaken: number;
  /** Distinct Idempotency-Key values among the webhook posts taken. */
  readonly webhookDistinct: number;
  readonly deadLetters: string;
  readonly teamsAfterReplay: number;
  readonly webhookAfterReplay: number;
  readonly poisoned: number;
  readonly lost: number;
}

const SAMPLE = readFileSync(repoPath('samples/alerts/sas-renewal-thermostat-0042.json'), 'utf8');
const SAMPLE_ID = (JSON.parse(SAMPLE) as { data: { essentials: { alertId: string } } }).data
  .essentials.alertId;
const ACTION_GROUP_TRIES = 6;

/** Fast channels so the matrix runs in seconds; the logic is the same as with 10 s. */
const DELIVERY: DeliveryOptions = { timeoutMs: 400, baseDelayMs: 20, maxDelayMs: 2000 };

class WorkerKilled extends Error {
  override name = 'WorkerKilled';
}

/** The real Table ledger, with a kill switch between two steps; a killed worker writes nothing. */
function killable(inner: TableLedger, letters: TableDeadLetters, at: KillPoint | undefined) {
  let armed = at !== undefined;
  let dead = false;
  const kill = (): never => {
    armed = false;
    dead = true;
    throw new WorkerKilled(`worker killed ${at ?? ''}`);
  };
  const alive = (): void => {
    if (dead) throw new WorkerKilled('a killed worker writes nothing');
  };
  const state: WorkerState = {
    processing: {
      startProcessing: async (key, holder, now) => {
        dead = false; // the queue's retry is a new invocation
        const result = await inner.startProcessing(key, holder, now);
        if (armed && at === 'after-lease' && result === 'go') kill();
        return result;
      },
      finishProcessing: async (key, holder, now) => {
        alive();
        if (armed && at === 'before-done') kill();
        await inner.finishProcessing(key, holder, now);
      },
      wasProcessed: (key) => inner.wasProcessed(key),
      abandonProcessing: async (key, holder, now) => {
        alive();
        await inner.abandonProcessing(key, holder, now);
      },
    },
    deliveries: {
      getDelivery: (ref) => inner.getDelivery(ref),
      putDelivery: async (ref, record) => {
        alive();
        if (armed && at === 'after-teams-post' && ref.channel === 'teams') kill();
        await inner.putDelivery(ref, record);
        if (armed && at === 'after-teams-recorded' && ref.channel === 'teams') kill();
      },
    },
    deadLetters: letters,
  };
  return state;
}

export class FaultMatrix {
  readonly rows: Row[] = [];
  private counter = 0;

  constructor(
    private readonly azurite: Azurite,
    private readonly queueProxy: FaultProxy,
    private readonly tableProxy: FaultProxy,
  ) {}

  private heal(): void {
    for (const proxy of [this.queueProxy, this.tableProxy]) {
      proxy.mode = 'pass';
      proxy.only = undefined;
    }
  }

  async run(scenario: Scenario): Promise<Row> {
    // Each row is one alert through a new deployment: the rows post the same device's drop.
    this.heal();
    await emptyStorage(this.azurite);
    const alertId = `${SAMPLE_ID}-fault-${++this.counter}`;
    const body = SAMPLE.replace(SAMPLE_ID, alertId);
    const sourceKey = `${alertId.toLowerCase()}|Fired`;
    const teams = await startHttpReceiver();
    const webhook = await startHttpReceiver();
    teams.script.push(...(scenario.teams ?? []));
    teams.fallback = scenario.teamsAlways;
    webhook.script.push(...(scenario.webhook ?? []));
    webhook.fallback = scenario.webhookAlways;
    const proxied = connectionStringWith(this.azurite.connectionString, {
      queue: this.queueProxy.url,
      table: this.tableProxy.url,
    });
    const tables = (name: string) =>
      TableClient.fromConnectionString(proxied, name, { allowInsecureConnection: true });
    const state = killable(
      new TableLedger(tables(IDEMPOTENCY_TABLE_NAME)),
      new TableDeadLetters(tables(DEAD_LETTER_TABLE_NAME)),
      scenario.kill,
    );
    const env = {
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: repoPath('samples/workspace'),
      EXPORT_METRICS_PATH: repoPath('samples/metrics'),
      STATE_STORE: 'azure-storage',
      AzureWebJobsStorage: proxied,
      TEAMS_WORKFLOW_URL: `${teams.origin}/teams`,
      WEBHOOK_URL: `${webhook.origin}/hook`,
    };
    const notifiers = [
      new TeamsNotifier(`${teams.origin}/teams`, DELIVERY),
      new WebhookNotifier(`${webhook.origin}/hook`, undefined, DELIVERY),
    ];
    const host: DevHost = await startDevHost({
      config: loadConfig(env),
      env,
      port: 0,
      log: silentLogger,
      retryDelayMs: 0,
      overrides: () => ({ notifiers, state }),
    });
    const poisonReader = new QueueClient(this.azurite.connectionString, POISON_QUEUE_NAME);
    await poisonReader.createIfNotExists();
    const poisonedBefore = (await poisonReader.getProperties()).approximateMessagesCount ?? 0;
    const seenFrom = this.queueProxy.seen.length;
    try {
      this.heal();
      if (scenario.storage) {
        this.queueProxy.mode = scenario.storage.queue ?? 'pass';
        this.tableProxy.mode = scenario.storage.table ?? 'pass';
        this.queueProxy.only = scenario.storage.only;
        this.tableProxy.only = scenario.storage.only;
      }
      const post = async (): Promise<{ status: number; ms: number }> => {
        const started = Date.now();
        const response = await fetch(`${host.url}/api/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000), // the action group's webhook time-out
        }).catch(() => undefined);
        await response?.arrayBuffer();
        return { status: response?.status ?? 0, ms: Date.now() - started };
      };

      // The action group: retries 408/429/503/504 and time-outs, a few times.
      let posts = 0;
      const first = scenario.concurrent ? (await Promise.all([post(), post()]))[0] : await post();
      posts += scenario.concurrent ? 2 : 1;
      let last = first;
      while (![200, 202].includes(last.status) && posts < ACTION_GROUP_TRIES) {
        if (posts >= (scenario.storageHealsAfter ?? 1)) this.heal();
        last = await post();
        posts++;
      }
      if (scenario.answerLost === true) {
        last = await post();
        posts++;
      }
      this.heal();
      await withTimeout(host.drain(), 60_000, `${scenario.name}: the queue did not drain`);

      const letters = (
        await new TableDeadLetters(
          TableClient.fromConnectionString(this.azurite.connectionString, DEAD_LETTER_TABLE_NAME, {
            allowInsecureConnection: true,
          }),
        ).listDeadLetters()
      ).filter((l) => l.ref.sourceKey === sourceKey);
      const taken = (receiver: HttpReceiver) => receiver.requests.filter(wasTaken);
      const teamsTaken = taken(teams).length;
      const webhookTaken = taken(webhook).length;
      const webhookDistinct = new Set(taken(webhook).map((r) => r.headers[IDEMPOTENCY_KEY_HEADER]))
        .size;

      // The operator: replays each dead letter whose channel does not show the message yet.
      teams.script.length = 0;
      webhook.script.length = 0;
      teams.fallback = { status: 202 };
      webhook.fallback = { status: 202 };
      const direct = TableClient.fromConnectionString(
        this.azurite.connectionString,
        IDEMPOTENCY_TABLE_NAME,
        { allowInsecureConnection: true },
      );
      const ports = {
        ledger: new TableLedger(direct),
        deadLetters: new TableDeadLetters(
          TableClient.fromConnectionString(this.azurite.connectionString, DEAD_LETTER_TABLE_NAME, {
            allowInsecureConnection: true,
          }),
        ),
        now: () => new Date(),
      };
      for (const letter of letters) {
        const receiver = letter.ref.channel === 'teams' ? teams : webhook;
        const shows =
          letter.ref.channel === 'teams'
            ? taken(receiver).length > 0
            : new Set(taken(receiver).map((r) => r.headers[IDEMPOTENCY_KEY_HEADER])).size > 0;
        if (shows) continue;
        const notifier = notifiers.find((n) => n.name === letter.ref.channel);
        if (notifier) await replayDeadLetter(letter, notifier, ports);
      }
      const poisoned =
        ((await poisonReader.getProperties()).approximateMessagesCount ?? 0) - poisonedBefore;
      const teamsAfterReplay = taken(teams).length;
      const webhookAfterReplay = new Set(
        taken(webhook).map((r) => r.headers[IDEMPOTENCY_KEY_HEADER]),
      ).size;
      const row: Row = {
        scenario: scenario.name,
        firstAnswer: String(first.status || 'none'),
        firstAnswerMs: first.ms,
        actionGroupPosts: posts,
        messagesQueued: countQueued(this.queueProxy, seenFrom),
        teamsTaken,
        webhookTaken,
        webhookDistinct,
        deadLetters: letters
          .map((l) => `${l.ref.channel}${l.status ? ` ${l.status}` : ''}`)
          .join(', '),
        teamsAfterReplay,
        webhookAfterReplay,
        poisoned,
        lost: Number(teamsAfterReplay === 0 || webhookAfterReplay === 0),
      };
      this.rows.push(row);
      return row;
    } finally {
      this.heal();
      await host.close();
      await teams.close();
      await webhook.close();
    }
  }
}

/** Messages intake wrote: the queue POSTs that reached Azurite (not the poison queue's). */
function countQueued(proxy: FaultProxy, from: number): number {
  return proxy.seen
    .slice(from)
    .filter(
      (r) => r.method === 'POST' && !r.faulted && r.path.includes('/alert-enrichment/messages'),
    ).length;
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(message));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function renderTable(rows: readonly Row[]): string {
  const header = [
    'scenario',
    'first answer',
    'ms',
    'AG posts',
    'queued',
    'Teams taken',
    'webhook taken (distinct key)',
    'dead letters',
    'after replay T/W',
    'poison',
    'lost',
  ];
  const lines = rows.map((r) => [
    r.scenario,
    r.firstAnswer,
    String(r.firstAnswerMs),
    String(r.actionGroupPosts),
    String(r.messagesQueued),
    String(r.teamsTaken),
    `${r.webhookTaken} (${r.webhookDistinct})`,
    r.deadLetters || '-',
    `${r.teamsAfterReplay}/${r.webhookAfterReplay}`,
    String(r.poisoned),
    String(r.lost),
  ]);
  return formatTable(header, lines);
}

/** A Markdown table, each column as wide as its widest cell: how the fault matrices print. */
export function formatTable(header: readonly string[], lines: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join(
    '\n',
  );
}
