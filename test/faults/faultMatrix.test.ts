/**
 * The fault matrix (`npm run test:faults`): every fault the issue lists, end to end over HTTP
 * through the dev host on Azurite, with the figures printed as a table. Each row must lose
 * nothing; posts per channel are exactly one, or none plus a dead letter that replays to one,
 * except where a row says why (see docs/reliability.md, "Limits").
 */

import { startAzurite, type Azurite } from '../support/azurite';
import { type FaultProxy, isWrite, startFaultProxy } from '../support/faultProxy';
import { FaultMatrix, renderTable, type Row, type Scenario } from './harness';

let azurite: Azurite;
let queueProxy: FaultProxy;
let tableProxy: FaultProxy;
let matrix: FaultMatrix;

beforeAll(async () => {
  azurite = await startAzurite();
  queueProxy = await startFaultProxy(azurite.queueServiceUri);
  tableProxy = await startFaultProxy(azurite.tableServiceUri);
  matrix = new FaultMatrix(azurite, queueProxy, tableProxy);
}, 90_000);

afterAll(async () => {
  if (matrix.rows.length > 0) {
    process.stdout.write(
      `\nFault matrix (goal: lost 0; 1 post per channel)\n${renderTable(matrix.rows)}\n\n`,
    );
  }
  await queueProxy.close();
  await tableProxy.close();
  await azurite.stop();
});

const late = { status: 202, delayMs: 1200 };
const tableWrites = (r: { method: string; path: string }) => isWrite(r);

/** Rows where every channel ends with exactly one post, without any replay. */
const exactlyOnce: Scenario[] = [
  { name: 'no fault' },
  {
    name: 'storage refusing (connection reset)',
    storage: { queue: 'reset', table: 'reset' },
    expectFirst: 503,
  },
  { name: 'queue hung, table up', storage: { queue: 'hang' }, expectFirst: 503 },
  { name: 'table hung, queue up', storage: { table: 'hang' } },
  { name: 'queue answering 503', storage: { queue: 'busy' }, expectFirst: 503 },
  {
    name: 'record write fails after enqueue',
    storage: { table: 'reset', only: tableWrites },
  },
  {
    name: 'record write fails, 202 lost, AG retries',
    storage: { table: 'reset', only: tableWrites },
    answerLost: true,
  },
  { name: '202 lost after the record, AG retries', answerLost: true },
  { name: 'two posts racing', concurrent: true },
  { name: 'Teams 500 twice', teams: [{ status: 500 }, { status: 500 }] },
  {
    name: 'Teams 429 Retry-After 1',
    teams: [{ status: 429, headers: { 'retry-after': '1' } }],
  },
  { name: 'webhook 500 for a round', webhook: [{ status: 500 }, { status: 500 }, { status: 500 }] },
  {
    name: 'webhook 429 Retry-After 1',
    webhook: [{ status: 429, headers: { 'retry-after': '1' } }],
  },
  { name: 'webhook late 202 (unknown, same key)', webhook: [late] },
  { name: 'webhook reset (unknown, same key)', webhook: [{ status: 202, reset: true }] },
  {
    name: 'Teams 503 dripping body',
    teams: [{ status: 503, dripMs: 100, dripBytes: 100 }],
  },
  {
    name: 'webhook 202 dripping body',
    webhook: [{ status: 202, dripMs: 200, dripBytes: 100 }],
  },
  { name: 'worker killed after lease', kill: 'after-lease' },
  { name: 'worker killed after Teams recorded', kill: 'after-teams-recorded' },
  { name: 'worker killed before done', kill: 'before-done' },
];

/** Rows where a channel gets a dead letter; the operator replays it when the channel lacks it. */
const viaDeadLetter: Scenario[] = [
  { name: 'Teams 400', teams: [{ status: 400 }] },
  { name: 'webhook 400', webhook: [{ status: 400 }] },
  { name: 'webhook 500 always', webhookAlways: { status: 500 } },
  { name: 'Teams reset (unknown, no key)', teams: [{ status: 202, reset: true }] },
];

// A hang guard, not a timing assertion: a scenario takes seconds alone, but a loaded CI machine
// running the other suites beside it has made one take over the default 30 s.
jest.setTimeout(180_000);

describe('fault matrix', () => {
  test.each(exactlyOnce.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const row: Row = await matrix.run(scenario);
    // A status at all means an answer inside the action group's 10 s (the harness's time-out).
    expect(row.firstAnswer).toBe(String(scenario.expectFirst ?? 202));
    expect(row.lost).toBe(0);
    expect(row.deadLetters).toBe('');
    expect(row.teamsTaken).toBe(1);
    expect(row.webhookDistinct).toBe(1);
    expect(row.poisoned).toBe(0);
  });

  test.each(viaDeadLetter.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const row = await matrix.run(scenario);
    expect(row.lost).toBe(0);
    expect(row.deadLetters).not.toBe('');
    expect(row.teamsAfterReplay).toBe(1);
    expect(row.webhookAfterReplay).toBe(1);
    expect(row.teamsTaken + row.webhookDistinct).toBe(1);
    expect(row.poisoned).toBe(0);
  });

  test('Teams late 202: taken once, its unknown outcome dead-lettered for a person, not re-posted', async () => {
    const row = await matrix.run({ name: 'Teams late 202 (unknown, no key)', teams: [late] });
    expect(row.lost).toBe(0);
    expect(row.teamsTaken).toBe(1);
    expect(row.deadLetters).toBe('teams');
    expect(row.teamsAfterReplay).toBe(1);
  });

  test('every channel slow but successful: one post each, not fifteen', async () => {
    const row = await matrix.run({
      name: 'both channels always late 202',
      teamsAlways: late,
      webhookAlways: { status: 202, delayMs: 500 },
    });
    expect(row.lost).toBe(0);
    expect(row.teamsTaken).toBe(1);
    expect(row.webhookDistinct).toBe(1);
  });

  test('worker killed between the Teams post and its ledger record: the known duplicate', async () => {
    const row = await matrix.run({
      name: 'killed after Teams post, before record',
      kill: 'after-teams-post',
    });
    expect(row.lost).toBe(0);
    // The one window the ledger cannot close for a channel without an idempotency key.
    expect(row.teamsTaken).toBe(2);
    expect(row.webhookDistinct).toBe(1);
  });
});
