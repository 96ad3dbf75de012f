/**
 * The digest of the sample workspace (contoso-fleet-hub, 2026-11-20): it names what an expert
 * would, every rendering validates, and the card stays within the Teams budget.
 */

import { buildDigestReport, type DigestReport } from '../../../lib/digest/digestReport';
import { gatherDigest, type GatheredDigest } from '../../../lib/digest/gatherDigest';
import { ExportDigestSource } from '../../../lib/digest/digestSource';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { renderDigestTeamsMessage } from '../../../lib/render/digestCard';
import { renderDigestText } from '../../../lib/render/digestText';
import { renderDigestWebhookEvent } from '../../../lib/render/digestWebhook';
import { InMemoryActivityLedger } from '../../../lib/state/memory/memoryActivityLedger';
import { validateAdaptiveCard, teamsEnvelopeProblems } from '../../support/adaptiveCardSchema';
import { adaptiveCardsParserProblems } from '../../support/adaptiveCardsParser';
import { repoPath } from '../../support/fixtures';
import { validateWebhookEvent } from '../../support/webhookSchema';

const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
const UNTIL = new Date('2026-11-20T08:00:00Z');

let gathered: GatheredDigest;
let report: DigestReport;
let text: string;

beforeAll(async () => {
  const evidence = await ExportFileSource.fromPath(repoPath('samples', 'workspace'));
  const activity = new InMemoryActivityLedger();
  await activity.record({
    kind: 'alert-received',
    hubResourceId: HUB,
    at: '2026-11-20T06:08:10.000Z',
    key: 'a|Fired',
  });
  gathered = await gatherDigest(HUB, UNTIL, {
    digest: new ExportDigestSource(evidence.events),
    evidence,
    activity,
  });
  report = buildDigestReport(gathered, UNTIL);
  text = renderDigestText(report);
});

function section(id: string): DigestReport['sections'][number] {
  const found = report.sections.find((s) => s.id === id);
  if (!found) throw new Error(`no ${id} section`);
  return found;
}

describe('the sample digest names', () => {
  test('the flaky pump station first among the flapping devices, as a device or network problem', () => {
    const first = section('flapping').lines[0]!;
    expect(first.data).toMatchObject({
      deviceId: 'pump-station-7',
      unexplainedDrops: 9,
      likelyCause: 'device-or-network',
    });
    expect(first.text).toMatch(/slowest return 25 min/);
  });

  test('each flapping device with its own history: recurring, over the 8 hours the sample holds', () => {
    const first = section('flapping').lines[0]!;
    expect(first.data).toMatchObject({ history: 'recurring', dropsIn30Days: 9, dropsIn7Days: 9 });
    expect(first.text).toMatch(/ · Recurring: 9 drops in the 8 h of logs read$/);
    expect(gathered.histories?.size).toBe(gathered.figures.flapping?.rows.length);
    for (const line of section('flapping').lines) {
      expect(line.data.history).toMatch(/^(first-in-30-days|rare|recurring)$/);
    }
  });

  test('the renewal noise of the .NET/Java devices as the largest, harmless family', () => {
    const families = section('families').lines.map((l) => l.data);
    const renewals = families.find((f) => f.family === 'sas-token-expiry')!;
    expect(renewals.devices).toBe(62); // 48 + 12 MQTT sensors, thermostat-0042, meter-19
    expect(Math.max(...families.map((f) => Number(f.drops)))).toBe(renewals.drops);
    expect(section('families').summary).toMatch(/7\d% are harmless token renewals/);
  });

  test('the outdated Node SDK with its share of the drops', () => {
    const node = section('sdks').lines.find((l) => l.data.sdk === 'azure-iot-device/1.17.1');
    expect(node?.data).toMatchObject({ devices: 1, drops: 9, minimum: '1.18' });
    expect(node?.text).toMatch(/Node\.js device SDK 1\.17\.1 \(below 1\.18\)/);
  });

  test('the duplicate-identity gateway', () => {
    const families = section('families').lines.map((l) => l.data);
    expect(families.find((f) => f.family === 'duplicate-identity')).toMatchObject({
      drops: 2,
      devices: 1,
    });
    const gateway = section('flapping').lines.find((l) => l.data.deviceId === 'gateway-dup-3');
    expect(gateway?.data.likelyCause).toBe('duplicate-identity');
  });

  test('the device with rejected credentials, gone and not back', () => {
    const stopped = section('stopped');
    expect(stopped.lines.map((l) => l.data.deviceId)).toEqual(['meter-19']);
    expect(stopped.lines[0]!.data).toMatchObject({
      lastResult: '404104',
      failedConnects: 80,
      likelyCause: 'credential-rejected',
    });
    const families = section('families').lines.map((l) => l.data);
    expect(families.find((f) => f.family === 'credential-rejected')).toMatchObject({ drops: 1 });
  });

  test('the hub incident', () => {
    const incidents = section('incidents');
    expect(incidents.lines).toHaveLength(1);
    expect(incidents.lines[0]!.text).toMatch(
      /^05:10–05:15 UTC: 125 of \d+ devices dropped at once/,
    );
    const families = section('families').lines.map((l) => l.data);
    expect(families.find((f) => f.family === 'iot-hub-transient')).toMatchObject({ devices: 125 });
  });

  test('what the enricher did, saying which figures are not tracked', () => {
    expect(section('activity').summary).toMatch(/the 24 hours to 2026-11-20 08:00 UTC/);
    expect(section('activity').lines.map((l) => l.text)).toEqual([
      'Alerts received: 1',
      'Incidents opened: 0',
      'Cards posted: 0',
      'Renewals kept quiet: 0',
      'Connection events: back within the reconnect grace: 0',
      'Connection events: blips between snapshots: 0',
      'Held back by silences and maintenance windows: 0',
      'Dead letters waiting for replay: not tracked by this deployment',
    ]);
  });

  test('no trend it cannot know: the sample has no week before', () => {
    expect(section('families').summary).toMatch(/no logs the week before to compare/);
  });
});

test('a failed history read is a stated gap; the flapping devices are listed without it', async () => {
  const evidence = await ExportFileSource.fromPath(repoPath('samples', 'workspace'));
  const failing = Object.assign(Object.create(evidence) as ExportFileSource, {
    deviceHistory: () => Promise.reject(new Error('HTTP 500 InternalServerError')),
  });
  const without = await gatherDigest(HUB, UNTIL, {
    digest: new ExportDigestSource(evidence.events),
    evidence: failing,
  });
  expect(without.gaps).toEqual(['device history: HTTP 500 InternalServerError']);
  const flapping = buildDigestReport(without, UNTIL).sections.find((s) => s.id === 'flapping');
  expect(flapping?.lines.map((l) => l.text)).toEqual(
    section('flapping').lines.map((l) => l.text.replace(/ · (First drop|Rare|Recurring).*$/, '')),
  );
  expect(flapping?.lines[0]?.data.history).toBeNull();
});

test('the lab hub in the same workspace is not counted', () => {
  expect(text).not.toMatch(/lab-sim-01/);
  expect(gathered.gaps).toEqual([]);
});

test('every line but the enricher’s own activity links to a Log Analytics query', () => {
  for (const s of report.sections.filter((x) => x.id !== 'activity')) {
    for (const line of s.lines) {
      expect(line.link?.url).toMatch(
        /^https:\/\/portal\.azure\.com\/#blade\/Microsoft_Azure_Monitoring_Logs\/LogsBlade\/scope\//,
      );
      expect(line.link?.query).toContain('AzureDiagnostics');
    }
  }
});

describe('every device the card lists', () => {
  test('comes with its likely cause, in the flapping and the stopped sections', () => {
    // The card lists at most 8 lines per section; the digest diagnoses as many.
    for (const id of ['flapping', 'stopped']) {
      const lines = section(id).lines.slice(0, 8);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.data.likelyCause).toEqual(expect.any(String));
        expect(line.text).toMatch(/ · likely /);
      }
    }
  });
});

describe('renderings', () => {
  test('the Teams card is valid Adaptive Card 1.5, parses, and fits the budget', () => {
    const message = renderDigestTeamsMessage(report);
    expect(teamsEnvelopeProblems(message)).toEqual([]);
    const card = message.attachments[0]!.content;
    expect(validateAdaptiveCard(card).errors).toEqual([]);
    expect(adaptiveCardsParserProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('pump-station-7');
  });

  test('the webhook event is digest.daily in the v4 envelope of schemas/webhook-v4.schema.json', () => {
    const validate = validateWebhookEvent;
    const event = renderDigestWebhookEvent(report, '2026-11-21T07:00:03.000Z');
    expect(validate(event) ? [] : validate.errors).toEqual([]);
    expect(event).toMatchObject({
      event: 'digest.daily',
      version: 4,
      sentAt: '2026-11-21T07:00:03.000Z',
    });
    expect(event.id).toMatch(/^digest-contoso-fleet-hub-\d{4}-\d{2}-\d{2}$/);
    // Stable per hub and day: a retry carries the same id.
    expect(renderDigestWebhookEvent(report, '2026-11-21T07:05:00.000Z').id).toBe(event.id);
    // The digest's data is checked as a digest, not as another event's.
    expect(validate({ ...event, event: 'incident.opened' })).toBe(false);
    expect(validate({ ...event, version: 1 })).toBe(false);
    expect(validate({ ...event, data: { ...event.data, sections: 'none' } })).toBe(false);
  });

  test('the text names every section', () => {
    for (const s of report.sections) expect(text).toContain(s.title);
  });
});
