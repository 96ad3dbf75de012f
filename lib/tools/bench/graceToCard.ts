/**
 * From a `DeviceDisconnected` to the card, for devices that stay away: each drop is one Event Grid
 * delivery to the dev host on Azurite, whose check waits in the real `connection-checks` queue for
 * the grace (the visibility time-out, in real time), is taken by the dev host's poller, reads its
 * evidence from the Log Analytics stand-in (the drop row is there, so the first check posts) and
 * posts to a local receiver, which notes when each card arrives.
 */

import { awayDeviceId, awayDevicesWorkspace, GRACE_HUB } from './awayDevicesData';
import type { CardReceiver } from './cardReceiver';
import { answeredAfter } from './delayedHandler';
import { deliver, type DeliveryAnswer, handledLater, HubEvents } from './eventGridDeliveries';
import type { LocalLogAnalyticsServer } from './localLogAnalyticsServer';
import { quantile } from './quantile';
import { answerFromEvents } from './workspaceHandler';

export interface GraceRun {
  readonly devices: number;
  /** Between two devices' drops. */
  readonly spacingMs: number;
  readonly graceSeconds: number;
  readonly queryDelayMs: number;
}

export interface GraceFigures {
  readonly run: GraceRun;
  /** Per device that got its card: event sent → card received. */
  readonly latenciesMs: readonly number[];
  /** Everything posted meanwhile (a card per device is expected, nothing else). */
  readonly posts: number;
  readonly queries: number;
  readonly throttled: number;
}

/** After the last drop's grace, how long to wait for its card before giving up. */
const PATIENCE_MS = 120_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchGraceToCard(
  baseUrl: string,
  logAnalytics: LocalLogAnalyticsServer,
  receiver: CardReceiver,
  run: GraceRun,
): Promise<GraceFigures> {
  const first = Date.now() + 2000;
  const dropsAt = Array.from({ length: run.devices }, (_, i) => first + i * run.spacingMs);
  logAnalytics.handle(
    answeredAfter(answerFromEvents(awayDevicesWorkspace(dropsAt)), run.queryDelayMs),
  );
  logAnalytics.reset();
  const hub = new HubEvents(GRACE_HUB);
  const ids = dropsAt.map((_, i) => awayDeviceId(i));
  // Known devices: each connected once before it drops.
  const connected = ids.map(
    (deviceId) => hub.of({ deviceId, state: 'connected', at: Date.now() }).event,
  );
  if ((await deliver(baseUrl, JSON.stringify(connected))).status !== 200) {
    throw new Error('grace bench: the connected events were refused');
  }
  const postsBefore = receiver.posts.length;
  const sentAt: number[] = [];
  const answers: Promise<DeliveryAnswer>[] = [];
  for (const [i, at] of dropsAt.entries()) {
    await sleep(at - Date.now());
    const event = hub.of({ deviceId: ids[i] ?? '', state: 'disconnected', at }).event;
    sentAt.push(Date.now());
    answers.push(handledLater(deliver(baseUrl, JSON.stringify([event]))));
  }
  const refused = (await Promise.all(answers)).find((answer) => answer.status !== 200);
  if (refused) throw new Error(`grace bench: a drop was answered ${refused.status}`);
  const cardAt = (deviceId: string): number | undefined =>
    receiver.posts.slice(postsBefore).find((post) => post.body.includes(deviceId))?.at;
  const deadline = Date.now() + run.graceSeconds * 1000 + PATIENCE_MS;
  while (ids.some((id) => cardAt(id) === undefined) && Date.now() < deadline) await sleep(200);
  const latenciesMs = ids.flatMap((id, i) => {
    const at = cardAt(id);
    return at === undefined ? [] : [at - (sentAt[i] ?? at)];
  });
  const stats = logAnalytics.stats();
  return {
    run,
    latenciesMs,
    posts: receiver.posts.length - postsBefore,
    queries: stats.queries,
    throttled: stats.throttled,
  };
}

export function describeGraceToCard(figures: GraceFigures): string {
  const { run, latenciesMs } = figures;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const goalMs = (run.graceSeconds + 15) * 1000;
  return [
    `connection events, drop to card: ${run.devices} devices of one quiet hub that stay away, a drop every ${run.spacingMs / 1000} s, grace ${run.graceSeconds} s in real time (the check waits in Azurite's queue), evidence from the Log Analytics stand-in at ${run.queryDelayMs} ms per query (drop rows present), cards to a local receiver`,
    `  DeviceDisconnected sent → card received: median ${seconds(quantile(latenciesMs, 0.5))}, p95 ${seconds(quantile(latenciesMs, 0.95))}, max ${seconds(quantile(latenciesMs, 1))} (goal ≤ grace + 15 s = ${seconds(goalMs)}); cards ${latenciesMs.length} of ${run.devices}, posts ${figures.posts}; Log Analytics queries ${figures.queries} (429 answered: ${figures.throttled})`,
  ].join('\n');
}
