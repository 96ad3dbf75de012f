/**
 * `npm run demo`: posts the sample alerts to a running dev host and waits for the messages.
 * `npm run demo -- --storm`: the sample hub incident as the per-device rule sends it (one alert
 * per device, in two evaluations, then their Resolved), to show one incident card and its
 * follow-ups instead of a hundred cards.
 * `npm run demo -- --events`: a sample day of connection events through the Event Grid webhook,
 * on the dev host's movable clock (demoEvents.ts).
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { devHostPort, processEnvironment } from '../../config/loadConfig';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { repoRoot } from './repoRoot';
import { deviceAlertPayload, resolvedPayload, stormDevices } from './stormAlerts';

interface Posted {
  readonly file: string;
  readonly status: number;
  readonly duplicate: boolean;
}

const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

interface InboxEntry {
  readonly channel?: string;
  readonly receiver?: string;
  readonly body: {
    attachments?: { content?: { body?: { text?: string; items?: { text?: string }[] }[] } }[];
    /** A webhook message's title. */
    title?: string;
  };
}

async function inbox(base: string): Promise<InboxEntry[]> {
  return (await (await fetch(`${base}/inbox/messages`)).json()) as InboxEntry[];
}

/** The first line of a card, for the console. */
function headlineOf(entry: InboxEntry): string {
  return entry.body.attachments?.[0]?.content?.body?.[0]?.items?.[0]?.text ?? '(a card)';
}

/** What each receiver's inbox got, when the dev host has more than one (a route list). */
function perReceiver(entries: readonly InboxEntry[]): string[] {
  const receivers = [...new Set(entries.map((e) => e.receiver ?? e.channel ?? '?'))].sort();
  if (receivers.length < 2) return [];
  return receivers.flatMap((receiver) => {
    const mine = entries.filter((e) => (e.receiver ?? e.channel ?? '?') === receiver).reverse();
    return [
      `  ${receiver} (${mine.length}):`,
      ...mine.map((e) => {
        const first = e.body.attachments?.[0]?.content?.body?.[0];
        const line = e.body.title ?? first?.items?.[0]?.text ?? first?.text ?? '(a card)';
        return `    - ${line.length > 110 ? `${line.slice(0, 109)}…` : line}`;
      }),
    ];
  });
}

async function postAll(base: string, bodies: readonly unknown[]): Promise<number> {
  let accepted = 0;
  const pending = [...bodies];
  // A few in flight, as action groups deliver.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let body = pending.shift(); body !== undefined; body = pending.shift()) {
        const response = await fetch(`${base}/api/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (response.status === 202) accepted++;
        await response.text();
      }
    }),
  );
  return accepted;
}

async function waitFor(
  base: string,
  done: (entries: InboxEntry[]) => boolean,
  seconds: number,
): Promise<InboxEntry[]> {
  const deadline = Date.now() + seconds * 1000;
  let entries = await inbox(base);
  while (!done(entries) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    entries = await inbox(base);
  }
  return entries;
}

async function storm(base: string, before: number): Promise<void> {
  const root = repoRoot();
  const workspace = await ExportFileSource.fromPath(join(root, 'samples', 'workspace'));
  const read = async (name: string): Promise<unknown> =>
    JSON.parse(await readFile(join(root, 'samples', 'alerts', name), 'utf8')) as unknown;
  const template = await read('hub-incident-sensor-0017.json');
  const metricAlert = await read('hub-incident-connected-devices.json');
  const devices = stormDevices(
    workspace.events,
    HUB,
    '2026-11-20T05:12:00Z',
    '2026-11-20T05:15:00Z',
  );
  const firstEvaluation = devices.filter((d) => d.droppedAt <= '2026-11-20T05:14:03Z');
  const secondEvaluation = devices.filter((d) => d.droppedAt > '2026-11-20T05:14:03Z');
  const fresh = (entries: InboxEntry[]): InboxEntry[] => entries.slice(0, entries.length - before);

  console.log(
    `Storm: ${devices.length} devices of contoso-fleet-hub dropped between 05:12 and 05:15 on 2026-11-20.`,
  );
  let accepted = await postAll(base, [
    ...firstEvaluation.map((d) => deviceAlertPayload(template, d, 'Fired')),
    metricAlert,
  ]);
  console.log(
    `Evaluation 05:14: ${accepted} alerts accepted (one per device, and the connectedDeviceCount alert).`,
  );
  let entries = await waitFor(base, (e) => fresh(e).length >= 1, 60);
  console.log(
    `  inbox: ${fresh(entries).length} new card(s): ${fresh(entries).map(headlineOf).join(' | ')}`,
  );

  // The next evaluation comes 5 minutes later in Azure; the dev host's INCIDENT_UPDATE_MINUTES=1.
  console.log('Waiting 65 s (the dev host posts at most one update a minute)...');
  await new Promise((resolve) => setTimeout(resolve, 65_000));
  accepted = await postAll(
    base,
    secondEvaluation.map((d) => deviceAlertPayload(template, d, 'Fired')),
  );
  console.log(`Evaluation 05:19: ${accepted} more alerts accepted.`);
  entries = await waitFor(base, (e) => fresh(e).length >= 2, 60);
  console.log(`  inbox: ${fresh(entries).length} new card(s).`);

  accepted = await postAll(base, [
    ...devices.map((d) => deviceAlertPayload(template, d, 'Resolved')),
    resolvedPayload(metricAlert, '2026-11-20T05:31:34Z'),
  ]);
  console.log(`Resolved: ${accepted} alerts accepted; they fold into the incident.`);
  console.log('Waiting for the closing card (INCIDENT_QUIET_MINUTES=1 on the dev host)...');
  entries = await waitFor(
    base,
    (e) => fresh(e).some((entry) => headlineOf(entry).startsWith('Incident closed')),
    180,
  );
  const cards = fresh(entries).reverse();
  console.log(`${devices.length * 2 + 2} alerts, ${cards.length} cards:`);
  for (const card of cards) console.log(`  - ${headlineOf(card)}`);
  console.log(`Open ${base}/ to read them.`);
  if (!cards.some((card) => headlineOf(card).startsWith('Incident closed'))) {
    console.log('No closing card yet: is the dev host running with INCIDENT_QUIET_MINUTES=1?');
    process.exitCode = 1;
  }
}

/** `npm run demo -- --digest`: asks the dev host for the daily digest of the sample hub. */
async function digest(base: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${base}/api/digest`, { method: 'POST' });
  } catch {
    throw new Error(`No dev host at ${base}: start it with \`npm start\` first`);
  }
  const text = await response.text();
  console.log(`POST /api/digest → ${response.status} ${text}`);
  if (response.status !== 200) {
    process.exitCode = 1;
    return;
  }
  console.log(`The digest is in the inbox: open ${base}/ to read it.`);
}

/** `npm run demo -- --events`: the sample day's connection events, replayed in seconds. */
async function events(base: string): Promise<void> {
  const { replayConnectionDay, replaySummary } = await import('./demoEvents.js');
  console.log(
    'Replaying contoso-fleet-hub on 2026-11-20 as IoT Hub connection events (its 60-second snapshots of the sample workspace), one Event Grid delivery per minute, on the dev host clock:',
  );
  const outcome = await replayConnectionDay(base);
  console.log(
    [
      `  hourly renewals: ${outcome.day.renewalDevices.join(', ')}`,
      '  stays away:      pump-station-7 (drops 06:14:27, back 06:18:34)',
      `  hub incident:    the ${outcome.day.incidentDevices.length} sensors that dropped at 05:12`,
      '',
      ...replaySummary(outcome, base),
    ].join('\n'),
  );
  if (!outcome.ok) process.exitCode = 1;
}

async function main(): Promise<void> {
  const base = `http://localhost:${devHostPort(processEnvironment())}`;
  if (process.argv.includes('--digest')) {
    await digest(base);
    return;
  }
  if (process.argv.includes('--events')) {
    await events(base);
    return;
  }
  const folder = join(repoRoot(), 'samples', 'alerts');
  const files = (await readdir(folder)).filter((f) => f.endsWith('.json')).sort();
  let before: number;
  try {
    before = ((await (await fetch(`${base}/inbox/messages`)).json()) as unknown[]).length;
  } catch {
    throw new Error(`No dev host at ${base}: start it with \`npm start\` first`);
  }
  if (process.argv.includes('--storm')) {
    await storm(base, before);
    return;
  }
  const posted: Posted[] = [];
  for (const file of files) {
    const response = await fetch(`${base}/api/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: await readFile(join(folder, file)),
    });
    const text = await response.text();
    posted.push({ file, status: response.status, duplicate: text.includes('"duplicate":true') });
    console.log(`POST ${file} → ${response.status} ${text}`);
  }
  const expected = posted.filter((p) => p.status === 202 && !p.duplicate).length;
  const duplicates = posted.filter((p) => p.duplicate).length;
  if (duplicates > 0) {
    console.log(
      `${duplicates} alert(s) were already accepted by this dev host and are not posted twice (restart it to replay them).`,
    );
  }
  // Alerts of one hub incident share its card, so wait until the inbox stops changing.
  const deadline = Date.now() + 30_000;
  let count = before;
  let stableSince = Date.now();
  while (Date.now() < deadline && (count === before || Date.now() - stableSince < 5000)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = (await inbox(base)).length;
    if (now !== count) stableSince = Date.now();
    count = now;
  }
  console.log(
    [
      `${expected} alerts accepted, ${count - before} messages delivered (the two hub-incident alerts share one incident card). Open ${base}/ to read them.`,
      ...perReceiver((await inbox(base)).slice(0, count - before)),
    ].join('\n'),
  );
  if (expected > 0 && count === before) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
