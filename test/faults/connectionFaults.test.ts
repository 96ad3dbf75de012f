/**
 * The fault matrix of the connection-event path (`npm run test:faults`): Event Grid batches
 * through the real intake, the reconnect-grace checks through the real pipeline, all state in
 * Azurite behind fault proxies, storage refusing or hung at each step and the worker killed
 * between steps. Every row: one device drops and stays away past its grace (exactly one card,
 * and exactly one follow-up when it comes back after it), another drops in the same batch and
 * comes back within its grace (no message). See docs/reliability.md, "The connection-event path".
 */

import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { MetricsFileSource } from '../../lib/evidence/metricsFile';
import { startAzurite, type Azurite } from '../support/azurite';
import { type FaultProxy, isWrite, startFaultProxy } from '../support/faultProxy';
import { repoPath } from '../support/fixtures';
import {
  ConnectionFaultMatrix,
  type ConnectionRow,
  type ConnectionScenario,
  renderConnectionTable,
} from './eventGridHarness';

let azurite: Azurite;
let queueProxy: FaultProxy;
let tableProxy: FaultProxy;
let matrix: ConnectionFaultMatrix;

beforeAll(async () => {
  const [started, evidence, metrics] = await Promise.all([
    startAzurite(),
    ExportFileSource.fromPath(repoPath('samples', 'workspace')),
    MetricsFileSource.fromPath(repoPath('samples', 'metrics')),
  ]);
  azurite = started;
  queueProxy = await startFaultProxy(azurite.queueServiceUri);
  tableProxy = await startFaultProxy(azurite.tableServiceUri);
  matrix = new ConnectionFaultMatrix(azurite, queueProxy, tableProxy, evidence, metrics);
}, 90_000);

afterAll(async () => {
  if (matrix.rows.length > 0) {
    process.stdout.write(
      `\nConnection-event fault matrix (goal: 1 card, a follow-up only when back after it, nothing for the quick return)\n${renderConnectionTable(matrix.rows)}\n\n`,
    );
  }
  await queueProxy.close();
  await tableProxy.close();
  await azurite.stop();
});

const writes = (r: { method: string; path: string }) => isWrite(r);

/** Rows where the storage fault or the kill hits the drop batch's intake: Event Grid retries. */
const duringIntake: (ConnectionScenario & {
  readonly firstAnswer: string;
  /** What else the row shows. */
  readonly also?: (row: ConnectionRow) => void;
})[] = [
  { name: 'no fault', firstAnswer: '200' },
  {
    name: 'storage refusing during intake',
    dropFault: { queue: 'reset', table: 'reset' },
    firstAnswer: '503',
  },
  { name: 'table hung during intake', dropFault: { table: 'hang' }, firstAnswer: '503' },
  { name: 'queue hung during intake', dropFault: { queue: 'hang' }, firstAnswer: '503' },
  { name: 'queue answering 503 during intake', dropFault: { queue: 'busy' }, firstAnswer: '503' },
  {
    name: 'record write refused after the check is queued',
    dropFault: { table: 'reset', only: writes },
    firstAnswer: '503',
  },
  {
    name: '200 lost, Event Grid delivers the batch again',
    redeliver: 'answer-lost',
    firstAnswer: '200',
  },
  {
    name: 'killed after the check is queued, before the record',
    kill: 'after-check-scheduled',
    firstAnswer: 'none',
    also: (row) => {
      // No record, so the retry scheduled the check again: two checks, one card.
      expect(row.checksQueued).toBeGreaterThan(2);
    },
  },
  {
    name: 'killed after the check is queued; Event Grid retries only after the grace',
    kill: 'after-check-scheduled',
    redeliver: 'after-grace',
    firstAnswer: 'none',
    also: (row) => {
      // The check posted from a drop with no record, before any retry could write one.
      expect(row.cardsBeforeLateRetry).toBe(1);
    },
  },
];

/** Rows where the fault or the kill hits the grace check: the queue retries it. */
const duringCheck: ConnectionScenario[] = [
  { name: 'storage refusing while the check runs', checkFault: { queue: 'reset', table: 'reset' } },
  {
    name: 'table writes refused while the check runs',
    checkFault: { table: 'reset', only: writes },
  },
  { name: 'table hung while the check runs', checkFault: { table: 'hang' } },
  { name: 'killed after the drop is marked, before delivery', kill: 'after-drop-marked' },
  { name: 'killed after the card, before the lease is finished', kill: 'after-card-delivered' },
];

/** Rows where the device comes back after its card: exactly one follow-up. */
const afterTheCard: ConnectionScenario[] = [
  { name: 'back after its card', returns: true },
  {
    name: 'back after its card; storage refusing during the return intake',
    returns: true,
    returnFault: { queue: 'reset', table: 'reset' },
  },
  {
    name: 'back after its card; killed after the follow-up, before its lease is finished',
    returns: true,
    kill: 'after-follow-up-delivered',
  },
  {
    name: 'back before the retry of a check killed after marking the drop',
    returns: true,
    kill: 'after-drop-marked',
  },
  {
    name: 'back before the retry of a check killed after the card',
    returns: true,
    kill: 'after-card-delivered',
  },
];

function expectOneCard(row: ConnectionRow, followUps: number): void {
  expect(row.cards).toBe(1);
  expect(row.followUps).toBe(followUps);
  expect(row.quickReturnMessages).toBe(0);
  expect(row.otherMessages).toBe(0);
  // Teams has no idempotency key: a second post of a message would show here.
  expect(row.teamsTaken).toBe(1 + followUps);
  expect(row.poisoned).toBe(0);
}

// A hang guard, not a timing assertion: a row takes a few seconds alone.
jest.setTimeout(120_000);

describe('connection-event fault matrix', () => {
  test.each(duringIntake.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const row = await matrix.run(scenario);
    expect(row.dropAnswers.split(' ')[0]).toBe(scenario.firstAnswer);
    expect(row.dropAnswers.split(' ').at(-1)).toBe('200');
    expectOneCard(row, 0);
    scenario.also?.(row);
  });

  test.each(duringCheck.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const row = await matrix.run(scenario);
    expect(row.dropAnswers).toBe('200');
    // The away device's check ran again after its failure.
    expect(row.checkRuns).toBeGreaterThan(2);
    expectOneCard(row, 0);
  });

  test.each(afterTheCard.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const row = await matrix.run(scenario);
    expect(row.returnAnswers.split(' ').at(-1)).toBe('200');
    expectOneCard(row, 1);
  });

  test('storage down for every try of the check: poison, and the replay posts once', async () => {
    const row = await matrix.run({
      name: 'storage refusing for every try of the check; poison replayed',
      checkFault: { queue: 'reset', table: 'reset', runs: 5 },
      replayPoison: true,
    });
    expect(row.cards).toBe(1);
    expect(row.teamsTaken).toBe(1);
    expect(row.quickReturnMessages).toBe(0);
    expect(row.poisoned).toBe(1);
  });
});
