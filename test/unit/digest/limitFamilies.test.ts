/**
 * The digest's families for the hub's limits and removed identities, over export files (the JS
 * mirror of the KQL, `digestComputation.ts`): a quota drop, a throttled drop and a removed device each
 * counted in its family, with the near misses left to the device or its network, the order of
 * precedence of the KQL `case`, and the titles the families section shows.
 */

import { isRemovedRefusal, NOT_IN_HUB_WORDS } from '../../../lib/diagnose/thresholds';
import { buildDigestReport, type DigestReport } from '../../../lib/digest/digestReport';
import { gatherDigest, type GatheredDigest } from '../../../lib/digest/gatherDigest';
import { DIGEST_FAMILIES, planDigestQueries } from '../../../lib/digest/digestKql';
import { DigestComputation } from '../../../lib/digest/digestComputation';
import { ExportDigestSource } from '../../../lib/digest/digestSource';
import { toConnectionEvents } from '../../../lib/evidence/connectionEvents';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import {
  LIMIT_DAY_DEVICES,
  LIMIT_DAY_FAMILIES,
  LIMIT_DAY_HUB,
  LIMIT_DAY_ROWS,
  LIMIT_DAY_UNTIL,
} from './limitDay';

const events = toConnectionEvents(LIMIT_DAY_ROWS);
const plan = planDigestQueries(LIMIT_DAY_HUB, LIMIT_DAY_UNTIL);
const filter = plan.queries[0]!.filter;

let gathered: GatheredDigest;
let report: DigestReport;

beforeAll(async () => {
  gathered = await gatherDigest(LIMIT_DAY_HUB, LIMIT_DAY_UNTIL, {
    digest: new ExportDigestSource(events),
    evidence: ExportFileSource.fromEvents(events),
  });
  report = buildDigestReport(gathered, LIMIT_DAY_UNTIL);
});

function section(id: string): DigestReport['sections'][number] {
  const found = report.sections.find((s) => s.id === id);
  if (!found) throw new Error(`no ${id} section`);
  return found;
}

test('reads the DeviceTelemetry error rows beside the Connections rows', () => {
  expect(events.filter((e) => e.category === 'DeviceTelemetry').map((e) => e.resultType)).toEqual([
    '403002',
    '403002',
    '403002',
    '429001',
    '429001',
    '429001',
  ]);
});

test('counts each drop of the day in its family', () => {
  expect(gathered.gaps).toEqual([]);
  const day = gathered.figures.day!;
  expect(day.activeDevices).toBe(15);
  expect(day.families).toEqual(
    DIGEST_FAMILIES.map((family) => ({
      family,
      drops: LIMIT_DAY_FAMILIES[family]?.drops ?? 0,
      devices: LIMIT_DAY_FAMILIES[family]?.devices ?? 0,
    })),
  );
});

test.each(Object.entries(LIMIT_DAY_DEVICES))('%s: every drop is %s', (deviceId, family) => {
  // One device alone (no mass drop on this day, so nothing of the others changes its family).
  const mine = events.filter((e) => e.deviceId === deviceId);
  const rows = new DigestComputation(mine, filter, plan.day.end)
    .rows('digestFamilies')
    .filter((r) => r.Row === 'family');
  expect(rows.map((r) => r.Family)).toEqual([family]);
});

test('the families section names the new families, the hub-side ones after the hub incidents', () => {
  const lines = section('families').lines;
  expect(lines.map((l) => l.data.family)).toEqual([
    'sas-token-expiry',
    'device-or-network',
    'iot-hub-transient',
    'quota-exceeded',
    'throttled',
    'duplicate-identity',
    'credential-rejected',
    'device-removed',
  ]);
  const text = (family: string): string => lines.find((l) => l.data.family === family)!.text;
  expect(text('quota-exceeded')).toMatch(/^Hub quota used up: 2 drops from 1 device \(17%\)/);
  expect(text('throttled')).toMatch(/^Throttled by the hub: 2 drops from 1 device \(17%\)/);
  expect(text('device-removed')).toMatch(
    /^Identity removed or disabled: 2 drops from 2 devices \(17%\)/,
  );
});

test('quota, throttling and removed identities need action: their devices are listed as flapping', () => {
  const flapping = gathered.figures.flapping!;
  const unexplained = Object.entries(LIMIT_DAY_DEVICES)
    .filter(([, family]) => family !== 'sas-token-expiry')
    .map(([deviceId]) => deviceId);
  expect(flapping.total).toBe(unexplained.length);
  expect(flapping.rows.map((d) => d.deviceId).sort()).toEqual(unexplained.sort());
  const meter = flapping.rows.find((d) => d.deviceId === 'meter-17')!;
  expect(meter).toMatchObject({ drops: 2, unexplainedDrops: 2, notBack: 0 });
  const gateway = flapping.rows.find((d) => d.deviceId === 'gateway-04')!;
  expect(gateway).toMatchObject({ drops: 1, unexplainedDrops: 1, notBack: 1 });
});

test('the per-device diagnosis of the devices it names agrees with the family', () => {
  // gateway-04 has a 403002 beside its drop and then 404001 refusals: a removed identity in both,
  // since a device's lasting fault comes before the hub's limits.
  const causes = Object.fromEntries(
    ['meter-17', 'sensor-31', 'gateway-04', 'gateway-05', 'pump-09'].map((id) => [
      id,
      gathered.causes.get(id)?.cause,
    ]),
  );
  expect(causes).toEqual({
    'meter-17': 'quota-exceeded',
    'sensor-31': 'throttled',
    'gateway-04': 'device-removed',
    'gateway-05': 'device-removed',
    'pump-09': 'credential-rejected',
  });
});

test('the KQL words for a removed identity are the ones the per-alert rule reads', () => {
  expect(
    isRemovedRefusal({
      resultType: '401003',
      errorMessage: `IotHub 'h' ${NOT_IN_HUB_WORDS.toUpperCase()} 'd'`,
    }),
  ).toBe(true);
});
