/**
 * The fault matrix's routed rows (issue 20, `npm run test:faults`): a route list (`ROUTES`) with
 * two named receivers on two local servers, `plant-a` (Teams type) and `provisioning` (a signed
 * webhook), and a route that sends the alert to both (`continue: true`). The dev host runs the
 * function app's own code: services from the config, the notifiers `createNotifiers` builds for
 * the receivers (their real HTTP delivery), the ledger and dead letters in Azurite, the queue's
 * retries by its poller. One receiver answers 2xx; the other fails. Each row must show the healthy
 * receiver posted exactly once over every queue attempt, the failing one dead-lettered on its own
 * (or delivered once when it recovers), and a receiver the route does not name posted nothing.
 */

import { readFileSync } from 'node:fs';

import { TableClient } from '@azure/data-tables';

import { createNotifiers } from '../../lib/app/adapterFactories';
import type { Logger } from '../../lib/common/logger';
import { loadConfig } from '../../lib/config/loadConfig';
import { MAX_FAILED_ROUNDS, replayDeadLetter } from '../../lib/notify/deliver';
import { IDEMPOTENCY_KEY_HEADER } from '../../lib/notify/webhookNotifier';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../lib/notify/webhookSignature';
import { IDEMPOTENCY_TABLE_NAME } from '../../lib/state/alertStore';
import { TableDeadLetters, TableLedger } from '../../lib/state/azure/tableLedger';
import { DEAD_LETTER_TABLE_NAME } from '../../lib/state/deadLetters';
import { runReplay } from '../../lib/tools/cli/replay';
import { type DevHost, startDevHost } from '../../lib/tools/devhost/devHost';
import { startAzurite, type Azurite } from '../support/azurite';
import { repoPath } from '../support/fixtures';
import {
  type Answer,
  distinctTaken,
  type HttpReceiver,
  startHttpReceiver,
} from '../support/httpReceiver';
import { emptyStorage } from './emptyStorage';
import { formatTable, withTimeout } from './harness';

type ReceiverName = 'plant-a' | 'provisioning';
const NAMES: readonly ReceiverName[] = ['plant-a', 'provisioning'];
/** The header a receiver deduplicates on: the webhook's; Teams has none. */
const KEY_HEADER: Record<ReceiverName, string | undefined> = {
  'plant-a': undefined,
  provisioning: IDEMPOTENCY_KEY_HEADER,
};
const SECRET = 'routed-faults-signing-secret-0123456789';

const RECEIVERS = [
  { name: 'plant-a', type: 'teams' },
  { name: 'provisioning', type: 'webhook', signed: true },
];
/** The thermostat's drop goes to provisioning and, by `continue`, to plant A as well. */
const TO_BOTH = {
  receivers: RECEIVERS,
  routes: [
    {
      name: 'thermostats to provisioning',
      matchers: ['device=thermostat-0042'],
      receivers: ['provisioning'],
      continue: true,
    },
    { name: 'plant A', matchers: ['device=~thermostat-*'], receivers: ['plant-a'] },
  ],
  default: { receivers: ['plant-a'] },
};
/** Provisioning takes only pumps: the thermostat's drop goes to plant A alone (the default). */
const TO_PLANT_A_ONLY = {
  receivers: RECEIVERS,
  routes: [
    { name: 'pumps to provisioning', matchers: ['device=~pump-*'], receivers: ['provisioning'] },
  ],
  default: { receivers: ['plant-a'] },
};

const SAMPLE = readFileSync(repoPath('samples/alerts/sas-renewal-thermostat-0042.json'), 'utf8');
const SAMPLE_ID = (JSON.parse(SAMPLE) as { data: { essentials: { alertId: string } } }).data
  .essentials.alertId;

/** One attempt's deadline (the setting's floor); a late answer is a time-out. */
const NOTIFY_TIMEOUT_MS = 500;
const late: Answer = { status: 202, delayMs: 1200 };

interface RoutedScenario {
  readonly name: string;
  readonly routes: 'both' | 'plant-a only';
  /** Scripted answers per receiver, then `always` (default 202). */
  readonly answers?: Partial<Record<ReceiverName, readonly Answer[]>>;
  readonly always?: Partial<Record<ReceiverName, Answer>>;
  /** The operator replays with `enricher replay --channel <receiver>` before anything else. */
  readonly replayWithCli?: boolean;
}

interface ReceiverFigures {
  /** Requests it got, 2xx or not. */
  readonly posts: number;
  /** Distinct deliveries it took (per Idempotency-Key for the webhook). */
  readonly taken: number;
  /** The ledger's state for it, with its failed rounds; `-` when it has no record. */
  readonly ledger: string;
  readonly afterReplay: number;
  /** The ledger's state for it after the replay. */
  readonly ledgerAfterReplay: string;
}

interface RoutedRow {
  readonly scenario: string;
  readonly route: string;
  readonly queueAttempts: number;
  readonly receivers: Record<ReceiverName, ReceiverFigures>;
  /** `receiver status` per letter, before the replay. */
  readonly deadLetters: string;
  /** Letters replayed by the operator (the receiver did not show the message). */
  readonly replayed: number;
  /** Of those, replayed with `enricher replay --channel <receiver>`. */
  readonly replayedByCli: number;
  /** Dead letters still stored after the replay (those the operator left for a person). */
  readonly lettersLeft: number;
  readonly poisoned: number;
  /** Routed receivers that show nothing, even after the replay. */
  readonly lost: number;
  /** Posts to the signed receiver whose signature does not verify. */
  readonly badSignatures: number;
}

interface Run {
  readonly row: RoutedRow;
  readonly receivers: Record<ReceiverName, HttpReceiver>;
  /** With `replayWithCli`: the CLI's exit code and what it wrote, per receiver it replayed. */
  readonly cli: { receiver: string; code: number; stdout: string; stderr: string }[];
}

let azurite: Azurite;
const rows: RoutedRow[] = [];
let counter = 0;

beforeAll(async () => {
  azurite = await startAzurite();
}, 90_000);

afterAll(async () => {
  if (rows.length > 0) {
    process.stdout.write(
      `\nRouted fault matrix (goal: lost 0; 1 post per routed receiver; the failing one dead-lettered alone)\n${renderRoutedTable(rows)}\n\n`,
    );
  }
  await azurite.stop();
});

const tableClient = (name: string) =>
  TableClient.fromConnectionString(azurite.connectionString, name, {
    allowInsecureConnection: true,
  });

/** The delivery ledger's rows of this deployment: receiver → state and failed rounds. */
async function ledgerStates(): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  for await (const entity of tableClient(IDEMPOTENCY_TABLE_NAME).listEntities()) {
    if (!entity.rowKey?.startsWith('delivery-')) continue;
    const rounds = typeof entity.failedRounds === 'number' ? entity.failedRounds : 0;
    states.set(
      String(entity.channel),
      `${String(entity.state)}${rounds > 0 ? ` (${rounds} failed)` : ''}`,
    );
  }
  return states;
}

/**
 * One alert through a new deployment with the scenario's routes and receivers; then the operator
 * replays each dead letter whose receiver does not show the message, with the receiver's own
 * notifier (as `enricher replay --channel NAME` would).
 */
async function runRow(scenario: RoutedScenario): Promise<Run> {
  await emptyStorage(azurite);
  const alertId = `${SAMPLE_ID}-routed-${++counter}`;
  const body = SAMPLE.replace(SAMPLE_ID, alertId);
  const receivers: Record<ReceiverName, HttpReceiver> = {
    'plant-a': await startHttpReceiver(),
    provisioning: await startHttpReceiver(),
  };
  for (const name of NAMES) {
    receivers[name].script.push(...(scenario.answers?.[name] ?? []));
    receivers[name].fallback = scenario.always?.[name];
  }
  const env: Record<string, string> = {
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: repoPath('samples/workspace'),
    EXPORT_METRICS_PATH: repoPath('samples/metrics'),
    STATE_STORE: 'azure-storage',
    AzureWebJobsStorage: azurite.connectionString,
    ROUTES: JSON.stringify(scenario.routes === 'both' ? TO_BOTH : TO_PLANT_A_ONLY),
    RECEIVER_PLANT_A_URL: `${receivers['plant-a'].origin}/plant-a`,
    RECEIVER_PROVISIONING_URL: `${receivers.provisioning.origin}/provisioning`,
    RECEIVER_PROVISIONING_SECRET: SECRET,
    NOTIFY_TIMEOUT_MS: String(NOTIFY_TIMEOUT_MS),
  };
  const retries: string[] = [];
  const poison: string[] = [];
  const log: Logger = {
    info: () => undefined,
    warn: (...args) => {
      const line = args.map(String).join(' ');
      if (/^Message \S+ failed; retrying/.test(line)) retries.push(line);
    },
    error: (...args) => {
      const line = args.map(String).join(' ');
      if (/moved to .*poison/.test(line)) poison.push(line);
    },
  };
  const config = loadConfig(env);
  // No overrides: the notifiers, ledger and dead letters are the ones the config makes.
  const host: DevHost = await startDevHost({
    config,
    env,
    port: 0,
    log,
    retryDelayMs: 0,
    incidentTimerMs: 0,
  });
  try {
    const response = await fetch(`${host.url}/api/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    expect(response.status).toBe(202);
    await withTimeout(host.drain(), 60_000, `${scenario.name}: the queue did not drain`);

    const deadLetters = new TableDeadLetters(tableClient(DEAD_LETTER_TABLE_NAME));
    const letters = await deadLetters.listDeadLetters();
    const ledgerBefore = await ledgerStates();
    const before = Object.fromEntries(
      NAMES.map((name) => [
        name,
        {
          posts: receivers[name].requests.length,
          taken: distinctTaken(receivers[name], KEY_HEADER[name]),
        },
      ]),
    ) as Record<ReceiverName, { posts: number; taken: number }>;

    // The operator: the receivers are healthy again; replay what a receiver does not show.
    for (const name of NAMES) {
      receivers[name].script.length = 0;
      receivers[name].fallback = { status: 202 };
    }
    const cli: Run['cli'] = [];
    if (scenario.replayWithCli === true) {
      for (const receiver of new Set(letters.map((l) => l.ref.channel))) {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runReplay(['--channel', receiver], {
          env,
          stdout: (text) => out.push(text),
          stderr: (text) => err.push(text),
        });
        cli.push({ receiver, code, stdout: out.join(''), stderr: err.join('') });
      }
    }
    const notifiers = await createNotifiers(config);
    const ports = {
      ledger: new TableLedger(tableClient(IDEMPOTENCY_TABLE_NAME)),
      deadLetters,
      now: () => new Date(),
    };
    let replayed = cli.reduce(
      (sum, run) => sum + (run.stdout.match(/"replayed":true/g) ?? []).length,
      0,
    );
    const replayedByCli = replayed;
    for (const letter of letters) {
      const name = letter.ref.channel as ReceiverName;
      if (distinctTaken(receivers[name], KEY_HEADER[name]) > 0) continue;
      const notifier = notifiers.find((n) => n.name === name);
      if (notifier === undefined) throw new Error(`no notifier for the receiver ${name}`);
      await replayDeadLetter(letter, notifier, ports);
      replayed++;
    }
    // Every post to the signed receiver, replays included (signed afresh), verifies.
    const badSignatures = receivers.provisioning.requests.filter(
      (r) =>
        !verifyWebhookSignature(
          SECRET,
          r.headers[TIMESTAMP_HEADER] ?? '',
          r.text,
          r.headers[SIGNATURE_HEADER] ?? '',
        ),
    ).length;
    const ledgerAfter = await ledgerStates();
    const lettersLeft = (await deadLetters.listDeadLetters()).length;
    const routed: readonly ReceiverName[] =
      scenario.routes === 'both' ? ['plant-a', 'provisioning'] : ['plant-a'];
    const after = (name: ReceiverName) => distinctTaken(receivers[name], KEY_HEADER[name]);
    const row: RoutedRow = {
      scenario: scenario.name,
      route: scenario.routes,
      queueAttempts: 1 + retries.length,
      receivers: Object.fromEntries(
        NAMES.map((name) => [
          name,
          {
            ...before[name],
            ledger: ledgerBefore.get(name) ?? '-',
            afterReplay: after(name),
            ledgerAfterReplay: ledgerAfter.get(name) ?? '-',
          },
        ]),
      ) as Record<ReceiverName, ReceiverFigures>,
      deadLetters: letters
        .map((l) => `${l.ref.channel}${l.status === undefined ? '' : ` ${l.status}`}`)
        .join(', '),
      replayed,
      replayedByCli,
      lettersLeft,
      poisoned: poison.length,
      lost: routed.filter((name) => after(name) === 0).length,
      badSignatures,
    };
    rows.push(row);
    return { row, receivers, cli };
  } finally {
    await host.close();
    await receivers['plant-a'].close();
    await receivers.provisioning.close();
  }
}

function renderRoutedTable(list: readonly RoutedRow[]): string {
  const header = [
    'scenario',
    'route',
    'queue attempts',
    'plant-a posts (taken)',
    'provisioning posts (distinct key)',
    'ledger plant-a / provisioning',
    'dead letters',
    'replayed',
    'after replay plant-a/provisioning',
    'poison',
    'lost',
  ];
  const lines = list.map((r) => [
    r.scenario,
    r.route,
    String(r.queueAttempts),
    `${r.receivers['plant-a'].posts} (${r.receivers['plant-a'].taken})`,
    `${r.receivers.provisioning.posts} (${r.receivers.provisioning.taken})`,
    `${r.receivers['plant-a'].ledger} / ${r.receivers.provisioning.ledger}`,
    r.deadLetters || '-',
    r.replayedByCli > 0 ? `${r.replayed} (CLI)` : String(r.replayed),
    `${r.receivers['plant-a'].afterReplay}/${r.receivers.provisioning.afterReplay}`,
    String(r.poisoned),
    String(r.lost),
  ]);
  return formatTable(header, lines);
}

/** What a row must show, besides lost 0, poison 0 and valid signatures. */
interface Expected {
  readonly queueAttempts: number;
  readonly posts: Record<ReceiverName, number>;
  readonly ledger: Record<ReceiverName, string>;
  readonly deadLetters: string;
  readonly replayed: number;
}

const rounds = MAX_FAILED_ROUNDS;
/** postJson's attempts per queue attempt (its default). */
const ATTEMPTS = 3;

const matrix: readonly (readonly [RoutedScenario, Expected])[] = [
  [
    { name: 'provisioning 503 always', routes: 'both', always: { provisioning: { status: 503 } } },
    {
      queueAttempts: rounds,
      posts: { 'plant-a': 1, provisioning: ATTEMPTS * rounds },
      ledger: { 'plant-a': 'accepted', provisioning: `dead-lettered (${rounds} failed)` },
      deadLetters: 'provisioning 503',
      replayed: 1,
    },
  ],
  [
    { name: 'provisioning 400', routes: 'both', answers: { provisioning: [{ status: 400 }] } },
    {
      queueAttempts: 1,
      posts: { 'plant-a': 1, provisioning: 1 },
      ledger: { 'plant-a': 'accepted', provisioning: 'dead-lettered (1 failed)' },
      deadLetters: 'provisioning 400',
      replayed: 1,
    },
  ],
  [
    { name: 'plant-a 400', routes: 'both', answers: { 'plant-a': [{ status: 400 }] } },
    {
      queueAttempts: 1,
      posts: { 'plant-a': 1, provisioning: 1 },
      ledger: { 'plant-a': 'dead-lettered (1 failed)', provisioning: 'accepted' },
      deadLetters: 'plant-a 400',
      replayed: 1,
    },
  ],
  [
    // Teams has no idempotency key: a time-out is not re-posted; the letter is for a person,
    // and the operator does not replay it, since plant A shows the card.
    { name: 'plant-a late 202 (time-out, no key)', routes: 'both', answers: { 'plant-a': [late] } },
    {
      queueAttempts: 1,
      posts: { 'plant-a': 1, provisioning: 1 },
      ledger: { 'plant-a': 'dead-lettered (1 failed)', provisioning: 'accepted' },
      deadLetters: 'plant-a',
      replayed: 0,
    },
  ],
  [
    // The webhook retries a time-out with the same key: two posts, one delivery.
    {
      name: 'provisioning late 202 (time-out, same key)',
      routes: 'both',
      answers: { provisioning: [late] },
    },
    {
      queueAttempts: 1,
      posts: { 'plant-a': 1, provisioning: 2 },
      ledger: { 'plant-a': 'accepted', provisioning: 'accepted' },
      deadLetters: '',
      replayed: 0,
    },
  ],
  [
    {
      name: 'plant-a 503 twice, then 202',
      routes: 'both',
      answers: { 'plant-a': [{ status: 503 }, { status: 503 }] },
    },
    {
      queueAttempts: 1,
      posts: { 'plant-a': 3, provisioning: 1 },
      ledger: { 'plant-a': 'accepted', provisioning: 'accepted' },
      deadLetters: '',
      replayed: 0,
    },
  ],
  [
    // A whole round fails: the queue's retry posts to provisioning only, plant A already has it.
    {
      name: 'provisioning 503 for a round, then 202',
      routes: 'both',
      answers: { provisioning: Array.from({ length: ATTEMPTS }, () => ({ status: 503 })) },
    },
    {
      queueAttempts: 2,
      posts: { 'plant-a': 1, provisioning: ATTEMPTS + 1 },
      ledger: { 'plant-a': 'accepted', provisioning: 'accepted (1 failed)' },
      deadLetters: '',
      replayed: 0,
    },
  ],
  [
    // The route names plant A alone: provisioning, failing or not, is never asked.
    {
      name: 'routed to plant-a only; provisioning would 503',
      routes: 'plant-a only',
      always: { provisioning: { status: 503 } },
    },
    {
      queueAttempts: 1,
      posts: { 'plant-a': 1, provisioning: 0 },
      ledger: { 'plant-a': 'accepted', provisioning: '-' },
      deadLetters: '',
      replayed: 0,
    },
  ],
];

// A hang guard, as in the fault matrix: a row takes seconds alone.
jest.setTimeout(120_000);

describe('routed fault matrix: two receivers, one failing', () => {
  test.each(matrix.map(([s, e]) => [s.name, s, e] as const))(
    '%s',
    async (_name, scenario, expected) => {
      const { row, receivers } = await runRow(scenario);
      expect(row.lost).toBe(0);
      expect(row.poisoned).toBe(0);
      expect(row.badSignatures).toBe(0);
      expect(row.queueAttempts).toBe(expected.queueAttempts);
      expect(row.deadLetters).toBe(expected.deadLetters);
      expect(row.replayed).toBe(expected.replayed);
      for (const name of NAMES) {
        expect({ name, posts: row.receivers[name].posts }).toEqual({
          name,
          posts: expected.posts[name],
        });
        expect({ name, ledger: row.receivers[name].ledger }).toEqual({
          name,
          ledger: expected.ledger[name],
        });
      }
      // The healthy receiver took one post over every queue attempt and the replay; a routed
      // receiver that recovered (or was replayed) shows exactly one delivery.
      const routed = scenario.routes === 'both' ? NAMES : (['plant-a'] as const);
      for (const name of routed) {
        expect({ name, afterReplay: row.receivers[name].afterReplay }).toEqual({
          name,
          afterReplay: 1,
        });
      }
      // A replayed letter is gone and its receiver's ledger says accepted; the time-out's letter
      // (not replayed: plant A shows the card) stays for a person.
      expect(row.lettersLeft).toBe(row.deadLetters === '' ? 0 : 1 - row.replayed);
      for (const name of NAMES) {
        const replayedHere = row.deadLetters.startsWith(name) && row.replayed > 0;
        if (replayedHere) expect(row.receivers[name].ledgerAfterReplay).toMatch(/^accepted/);
        else expect(row.receivers[name].ledgerAfterReplay).toBe(row.receivers[name].ledger);
      }
      if (scenario.routes === 'plant-a only') {
        expect(receivers.provisioning.requests).toHaveLength(0);
      }
    },
  );
});

describe('enricher replay --channel <receiver>', () => {
  // What deliver.ts tells the operator for a named receiver's dead letter: the CLI posts it to
  // that receiver alone, signed, and the other receiver hears nothing more.
  test("replays a named receiver's dead letter to that receiver alone", async () => {
    const { row, receivers, cli } = await runRow({
      name: 'provisioning 400, replayed by the CLI',
      routes: 'both',
      answers: { provisioning: [{ status: 400 }] },
      replayWithCli: true,
    });
    expect(cli.map(({ receiver, code, stderr }) => ({ receiver, code, stderr }))).toEqual([
      {
        receiver: 'provisioning',
        code: 0,
        stderr: 'enricher: 1 dead letter(s) for provisioning, 1 replayed\n',
      },
    ]);
    expect(row.deadLetters).toBe('provisioning 400');
    expect(row.replayed).toBe(1);
    expect(row.replayedByCli).toBe(1);
    expect(row.badSignatures).toBe(0);
    expect(row.receivers.provisioning.afterReplay).toBe(1);
    expect(receivers.provisioning.requests).toHaveLength(2);
    expect(receivers['plant-a'].requests).toHaveLength(1);
    expect(row.lost).toBe(0);
  });
});
