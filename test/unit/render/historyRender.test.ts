/**
 * "Is this new for this device?" on every message: the History fact on the Teams card (still a
 * valid Adaptive Card 1.5 under 26 KB), the text render, and `data.history` of the webhook event
 * (valid against schemas/webhook-v4.schema.json). A failed history read is a stated gap that
 * leaves the verdict alone.
 */

import type { Alert } from '../../../lib/alerts/alert';
import { parseAlert } from '../../../lib/alerts/parseAlert';
import { labelDeviceHistory } from '../../../lib/diagnose/deviceHistory';
import { buildReport } from '../../../lib/app/enrichAlert';
import type { EnrichedAlert } from '../../../lib/diagnose/enrichedAlert';
import type { DeviceHistory } from '../../../lib/evidence/evidence';
import type { EvidenceSource } from '../../../lib/evidence/evidenceSource';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { alertMessage } from '../../../lib/incidents/outgoingMessage';
import { byteSize, TEAMS_MAX_BYTES } from '../../../lib/render/adaptiveCard';
import { renderAlertCard } from '../../../lib/render/teamsCards';
import { renderText } from '../../../lib/render/text';
import { renderWebhookEvent } from '../../../lib/render/webhookPayload';
import { validateAdaptiveCard } from '../../support/adaptiveCardSchema';
import { adaptiveCardsParserProblems } from '../../support/adaptiveCardsParser';
import { readJson, repoPath } from '../../support/fixtures';
import { validateWebhookEvent } from '../../support/webhookSchema';

const END = '2026-11-20T06:15:47.000Z';
const DAY_MS = 24 * 60 * 60_000;

let source: ExportFileSource;
let alert: Alert;
let report: EnrichedAlert;

async function reportWith(evidence: EvidenceSource): Promise<EnrichedAlert> {
  return buildReport(alert, {
    sources: { evidence },
    lookbackMinutes: 360,
    now: () => new Date('2026-11-20T09:00:00Z'),
  });
}

beforeAll(async () => {
  source = await ExportFileSource.fromPath(repoPath('samples/workspace'));
  alert = parseAlert(readJson('samples/alerts', 'flaky-network-pump-station-7.json'), {
    deviceIdDimension: 'DeviceId',
  });
  report = await reportWith(source);
});

/** A device that drops every night at 02:xx, most of the month. */
function nightly(deviceId: string, drops = 38): DeviceHistory {
  const dropsByHourUtc = Array<number>(24).fill(0);
  dropsByHourUtc[2] = drops - 2;
  dropsByHourUtc[14] = 2;
  return {
    deviceId,
    dropsIn30Days: drops,
    dropsIn7Days: drops,
    firstDrop: new Date(Date.parse(END) - 6 * DAY_MS).toISOString(),
    lastDrop: new Date(Date.parse(END) - 60_000).toISOString(),
    dropsByHourUtc,
    period: { start: new Date(Date.parse(END) - 30 * DAY_MS).toISOString(), end: END },
  };
}

function withHistories(histories: DeviceHistory[]): EnrichedAlert {
  return { ...report, history: histories.map(labelDeviceHistory) };
}

function facts(message: ReturnType<typeof renderAlertCard>): { title: string; value: string }[] {
  const body = (message.attachments[0]?.content.body ?? []) as { type: string; facts?: [] }[];
  return body.find((element) => element.type === 'FactSet')?.facts ?? [];
}

function webhookData(value: EnrichedAlert): Record<string, unknown> {
  const event = JSON.parse(
    JSON.stringify(renderWebhookEvent(alertMessage(value), '2026-11-20T06:20:00.000Z')),
  ) as { data: Record<string, unknown> };
  expect(validateWebhookEvent(event)).toBe(true);
  expect(validateWebhookEvent.errors ?? []).toEqual([]);
  return event.data;
}

describe('the report', () => {
  test('labels each alerted device against the history the export holds', () => {
    expect(report.history).toEqual([
      expect.objectContaining({
        deviceId: 'pump-station-7',
        label: 'recurring',
        text: 'Recurring: 8 drops in the 6 h of logs read',
        dropsIn30Days: 8,
      }),
    ]);
  });

  test('a failed history read is a gap of its own; the verdict does not change', async () => {
    const failing: EvidenceSource = {
      deviceTimeline: (q) => source.deviceTimeline(q),
      fleetActivity: (q) => source.fleetActivity(q),
      fleetSize: (q) => source.fleetSize(q),
      disconnectedDevices: (q) => source.disconnectedDevices(q),
      deviceHistory: () => Promise.reject(new Error('HTTP 503 ServiceUnavailable')),
    };
    const failed = await reportWith(failing);
    expect(failed.diagnosis).toEqual(report.diagnosis);
    expect(failed.history).toBeUndefined();
    expect(failed.evidence?.historyGaps).toEqual([
      'deviceHistory: query failed (HTTP 503 ServiceUnavailable)',
    ]);
    expect(facts(renderAlertCard(failed))).toContainEqual({
      title: 'History',
      value: 'not read (deviceHistory: query failed (HTTP 503 ServiceUnavailable))',
    });
    expect(webhookData(failed).history).toEqual({
      devices: [],
      gap: 'deviceHistory: query failed (HTTP 503 ServiceUnavailable)',
    });
  });
});

describe('Teams card', () => {
  test('shows the label as the History fact', () => {
    const message = renderAlertCard(withHistories([nightly('pump-station-7')]));
    expect(facts(message)).toContainEqual({
      title: 'History',
      value: 'Recurring: 38 drops in 7 days, most between 02:00 and 03:00 UTC',
    });
    expect(validateAdaptiveCard(message.attachments[0]?.content).errors).toEqual([]);
    expect(adaptiveCardsParserProblems(message.attachments[0]?.content)).toEqual([]);
  });

  test('50 devices: the most telling three, the count of the rest; valid and under 26 KB', () => {
    const histories = Array.from({ length: 50 }, (_, i) =>
      i === 7
        ? nightly(`device-${i}-${'x'.repeat(100)}`)
        : { ...nightly(`device-${i}-${'x'.repeat(100)}`, 1), dropsByHourUtc: Array(24).fill(0) },
    );
    const message = renderAlertCard(withHistories(histories));
    const history = facts(message).find((f) => f.title === 'History')?.value ?? '';
    expect(history.startsWith(`device-7-${'x'.repeat(100)}: Recurring: 38 drops in 7 days`)).toBe(
      true,
    );
    expect(history.length).toBeLessThanOrEqual(300);
    expect(byteSize(message)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(validateAdaptiveCard(message.attachments[0]?.content).valid).toBe(true);
  });
});

describe('text', () => {
  test('one History line for one device', () => {
    const text = renderText(withHistories([nightly('pump-station-7')]));
    expect(text).toContain(
      '\nHistory: Recurring: 38 drops in 7 days, most between 02:00 and 03:00 UTC\n',
    );
    expect(text).not.toContain('History per device');
  });

  test('every device listed when the fact names only some', () => {
    const histories = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ ...nightly(id, 1) }));
    const text = renderText(withHistories(histories));
    expect(text).toMatch(/\nHistory: a: First drop in 30 days; b: .*; and 2 more\n/);
    expect(text).toContain('History per device:\n  - a: First drop in 30 days\n');
    expect(text).toContain('  - e: First drop in 30 days\n');
  });
});

describe('webhook event, version 3', () => {
  test('data.history: the label and its figures per device', () => {
    const data = webhookData(withHistories([nightly('pump-station-7')]));
    expect(data.history).toEqual({
      devices: [
        {
          deviceId: 'pump-station-7',
          label: 'recurring',
          text: 'Recurring: 38 drops in 7 days, most between 02:00 and 03:00 UTC',
          dropsIn30Days: 38,
          dropsIn7Days: 38,
          firstDrop: '2026-11-14T06:15:47.000Z',
          lastDrop: '2026-11-20T06:14:47.000Z',
          busiestHours: { startHour: 2, endHour: 3, share: 0.95 },
          dropsByHourUtc: nightly('x').dropsByHourUtc,
          period: { start: '2026-10-21T06:15:47.000Z', end: END },
        },
      ],
      gap: null,
    });
  });

  test('null when the alert names no device; the sample export gives a valid history', () => {
    const noDevices: EnrichedAlert = { alert: report.alert, enrichedAt: report.enrichedAt };
    expect(webhookData(noDevices).history).toBeNull();
    expect(webhookData(report).history).toMatchObject({
      devices: [{ deviceId: 'pump-station-7', label: 'recurring', busiestHours: null }],
    });
  });

  test('the schema refuses an unknown label and accepts the three new causes', () => {
    const event = JSON.parse(
      JSON.stringify(renderWebhookEvent(alertMessage(report), '2026-11-20T06:20:00.000Z')),
    ) as {
      data: { history: { devices: { label: string }[] }; diagnosis: { cause: string } };
    };
    for (const cause of ['quota-exceeded', 'throttled', 'device-removed']) {
      event.data.diagnosis.cause = cause;
      expect(validateWebhookEvent(event)).toBe(true);
    }
    event.data.history.devices[0]!.label = 'weekly';
    expect(validateWebhookEvent(event)).toBe(false);
  });

  test('version 2 stays in the repository for existing receivers', () => {
    const v2 = readJson('schemas', 'webhook-v2.schema.json') as { properties: object };
    expect(v2.properties).toMatchObject({ version: { const: 2 } });
  });
});
