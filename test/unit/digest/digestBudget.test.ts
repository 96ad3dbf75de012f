/**
 * The digest at scale and over time: a 100,000-device hub's digest still fits the Teams budget
 * (lists cut with "and N more"), and the trend compares the day with the week before.
 */

import { buildDigestReport } from '../../../lib/digest/digestReport';
import type { GatheredDigest } from '../../../lib/digest/gatherDigest';
import { gatherDigest } from '../../../lib/digest/gatherDigest';
import type { Diagnosis } from '../../../lib/diagnose/diagnosis';
import {
  DIGEST_LIST_ROWS,
  DIGEST_SDK_ROWS,
  planDigestQueries,
} from '../../../lib/digest/digestKql';
import { ExportDigestSource } from '../../../lib/digest/digestSource';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { renderDigestTeamsMessage } from '../../../lib/render/digestCard';
import { byteSize, TEAMS_MAX_BYTES } from '../../../lib/render/adaptiveCard';
import { validateAdaptiveCard } from '../../support/adaptiveCardSchema';
import { adaptiveCardsParserProblems } from '../../support/adaptiveCardsParser';
import { repoPath } from '../../support/fixtures';

const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
const UNTIL = new Date('2026-11-20T08:00:00Z');

/** The longest device ID IoT Hub allows (128 characters), with Markdown characters in it. */
function longId(i: number): string {
  return `dev_[${i}]*(site)-`.padEnd(128, 'x');
}

function hugeFleet(): GatheredDigest {
  const plan = planDigestQueries(HUB, UNTIL);
  const at = '2026-11-20T05:12:00.000Z';
  const diagnosis: Diagnosis = {
    cause: 'device-or-network',
    scope: 'device',
    confidence: 0.8,
    devices: [],
    summary: '',
    evidence: [],
    actions: [],
  };
  const ids = Array.from({ length: DIGEST_LIST_ROWS }, (_, i) => longId(i));
  return {
    plan,
    figures: {
      day: {
        activeDevices: 100_000,
        families: [
          { family: 'sas-token-expiry', drops: 1_100_000, devices: 50_000 },
          { family: 'device-or-network', drops: 90_000, devices: 20_000 },
          { family: 'iot-hub-transient', drops: 60_000, devices: 60_000 },
          { family: 'duplicate-identity', drops: 500, devices: 40 },
          { family: 'credential-rejected', drops: 300, devices: 300 },
        ],
      },
      week: { activeDevices: 100_000, families: [] },
      flapping: {
        rows: ids.map((deviceId) => ({
          deviceId,
          drops: 99,
          unexplainedDrops: 98,
          slowestReturnMinutes: 600,
          notBack: 1,
          lastDrop: at,
        })),
        total: 20_000,
      },
      sdks: {
        rows: Array.from({ length: DIGEST_SDK_ROWS }, (_, i) => ({
          sdk: `azure-iot-device/1.${i % 18}.${i}`,
          devices: 2000,
          droppingDevices: 1000,
          drops: 3000,
        })),
        total: 400,
        devices: 100_000,
        drops: 1_250_800,
      },
      sites: {
        rows: Array.from({ length: DIGEST_LIST_ROWS }, (_, i) => ({
          site: `10.${i}.255.XXX`,
          drops: 5000,
          unexplainedDrops: 4000,
          devices: 100,
          droppingDevices: 100,
        })),
        total: 5000,
      },
      stopped: {
        rows: ids.map((deviceId) => ({
          deviceId,
          lastConnect: at,
          lastDisconnect: at,
          lastResult: '404104',
          failedConnects: 500,
        })),
        total: 12_345,
      },
      bursts: {
        rows: Array.from({ length: DIGEST_LIST_ROWS }, (_, i) => ({
          start: new Date(Date.parse('2026-11-19T09:00:00Z') + i * 20 * 60_000).toISOString(),
          droppedDevices: 60_000,
          drops: 60_000,
          serverErrors: 90_000,
          fleetDevices: 100_000,
        })),
        total: 31,
      },
    },
    causes: new Map(ids.map((id) => [id, diagnosis])),
    activity: { alertsReceived: 250_000, cardsPosted: 1000 },
    activityWindow: plan.day,
    gaps: [],
    rowsRead: 0,
  };
}

test('a 100,000-device digest fits the Teams budget, valid, with "and N more"', () => {
  const message = renderDigestTeamsMessage(buildDigestReport(hugeFleet(), UNTIL));
  expect(byteSize(message)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
  const card = message.attachments[0]!.content;
  expect(validateAdaptiveCard(card).errors).toEqual([]);
  expect(adaptiveCardsParserProblems(card)).toEqual([]);
  const json = JSON.stringify(card);
  expect(json).toMatch(/and 19,9\d\d more/); // flapping devices
  expect(json).toMatch(/and 12,3\d\d more/); // stopped devices
  // Markdown characters in device IDs are shown, not interpreted.
  expect(json).toContain('dev\\\\_\\\\[0\\\\]\\\\*(site)');
});

test('the trend compares the day with the daily average of the week before', async () => {
  const sample = await ExportFileSource.fromPath(repoPath('samples', 'workspace'));
  // The same fleet on two days of the week before: 2/7 of a day's drops per day on average.
  const shifted = [2, 4].flatMap((days) =>
    sample.events.map((e) => ({
      ...e,
      time: new Date(Date.parse(e.time) - days * 24 * 60 * 60_000).toISOString(),
    })),
  );
  const events = [...sample.events, ...shifted];
  const gathered = await gatherDigest(HUB, UNTIL, {
    digest: new ExportDigestSource(events),
    evidence: ExportFileSource.fromEvents(events),
  });
  const families = buildDigestReport(gathered, UNTIL).sections[0]!;
  const renewals = families.lines.find((l) => l.data.family === 'sas-token-expiry')!;
  const drops = Number(renewals.data.drops);
  expect(renewals.data.weeklyAverage).toBeCloseTo((2 * drops) / 7, 0);
  expect(renewals.data.trend).toBe('up');
  expect(renewals.text).toMatch(/↑ 3\.5× the [\d.,]+\/day of the week before/);
  expect(families.summary).toMatch(/↑ 3\.5×/);
});
