import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';

import type { Alert } from '../../../lib/alerts/alert';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { ExportFormatError, parseExport, readExport } from '../../../lib/evidence/exportRows';
import { planEvidenceQueries } from '../../../lib/evidence/kql';
import { MetricsFileSource } from '../../../lib/evidence/metricsFile';
import { repoPath } from '../../support/fixtures';
import { testAlert } from '../../support/testAlert';

const FORMATS = ['small.query-response.json', 'small.rows.json', 'small.csv'];
const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

function alertFor(deviceIds: string[], start: string, end: string): Alert {
  return testAlert({ firedAt: end, window: { start, end }, hubResourceIds: [HUB], deviceIds });
}

async function timelineFrom(file: string, deviceIds: string[]) {
  const source = await ExportFileSource.fromPath(repoPath('test/fixtures/logs', file));
  const plan = planEvidenceQueries(
    alertFor(deviceIds, '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z'),
    {
      lookbackMinutes: 1440,
    },
  );
  const query = plan.queries.find((q) => q.name === 'deviceTimeline');
  if (!query) throw new Error('no timeline query');
  return (await source.deviceTimeline(query)).value;
}

describe('ExportFileSource', () => {
  test.each(FORMATS)(
    '%s: keeps Connections events only; the hub filter drops the other hub',
    async (file) => {
      const source = await ExportFileSource.fromPath(repoPath('test/fixtures/logs', file));
      expect(source.events.length).toBeGreaterThan(0);
      expect(
        source.events.every((e) => ['deviceConnect', 'deviceDisconnect'].includes(e.operation)),
      ).toBe(true);
      expect(source.events.some((e) => e.hubResourceId !== HUB)).toBe(true);
      const timeline = await timelineFrom(file, [...new Set(source.events.map((e) => e.deviceId))]);
      expect(timeline.length).toBeGreaterThan(0);
      expect(timeline.every((e) => e.hubResourceId === HUB)).toBe(true);
    },
  );

  test('the three export formats give identical events', async () => {
    const [json, rows, csv] = await Promise.all(
      FORMATS.map(async (file) => {
        return (await ExportFileSource.fromPath(repoPath('test/fixtures/logs', file))).events;
      }),
    );
    expect(rows).toEqual(json);
    expect(csv).toEqual(json);
  });

  test('duplicates are removed and events come oldest first', async () => {
    const rows = await parseExport(
      readFileSync(repoPath('test/fixtures/logs/small.rows.json'), 'utf8'),
      'x',
    );
    const source = await ExportFileSource.fromPath(repoPath('test/fixtures/logs/small.rows.json'));
    expect(source.events.length).toBeLessThan(rows.length);
    const times = source.events.map((e) => e.time);
    expect(times).toEqual([...times].sort());
  });

  test('the device filter and the time span apply like the KQL', async () => {
    const all = await timelineFrom('small.query-response.json', [
      'thermostat-0042',
      'pump-station-7',
    ]);
    const one = await timelineFrom('small.query-response.json', ['pump-station-7']);
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((e) => e.deviceId === 'pump-station-7')).toBe(true);
    expect(all.length).toBeGreaterThan(one.length);
    expect(await timelineFrom('small.query-response.json', ['no-such-device'])).toEqual([]);
  });

  test('fleet aggregation over the sample workspace finds the hub incident bin', async () => {
    const source = await ExportFileSource.fromPath(repoPath('samples/workspace'));
    const plan = planEvidenceQueries(alertFor([], '2026-11-20T05:10:00Z', '2026-11-20T05:15:00Z'), {
      lookbackMinutes: 60,
    });
    const fleet = plan.queries.find((q) => q.name === 'fleetActivity');
    const size = plan.queries.find((q) => q.name === 'fleetSize');
    const dropped = plan.queries.find((q) => q.name === 'disconnectedDevices');
    if (!fleet || !size || !dropped) throw new Error('missing query');
    const bins = (await source.fleetActivity(fleet)).value;
    const peak = bins.reduce((a, b) => (b.disconnectedDevices > a.disconnectedDevices ? b : a));
    expect(peak.start).toBe('2026-11-20T05:10:00.000Z');
    expect(peak.disconnectedDevices).toBeGreaterThan(100);
    expect(peak.serverErrors).toBeGreaterThan(50);
    expect((await source.fleetSize(size)).value).toBeGreaterThan(140);
    const { rows: devices, total } = (await source.disconnectedDevices(dropped)).value;
    expect(devices.length).toBeGreaterThan(100);
    expect(total).toBe(devices.length);
    expect(devices[0]?.disconnects).toBeGreaterThanOrEqual(
      devices[devices.length - 1]?.disconnects ?? 0,
    );
  });

  test('unreadable input fails with the file name', async () => {
    await expect(ExportFileSource.fromPath(repoPath('no/such/path'))).rejects.toThrow(/ENOENT/);
    await expect(parseExport('{"nope": 1}', 'bad.json')).rejects.toThrow(ExportFormatError);
    await expect(parseExport('{"tables": [{"name": "x"}]}', 'bad.json')).rejects.toThrow(
      /tables\[0\]/,
    );
    await expect(parseExport('a,b\n1,2', 'bad.csv')).rejects.toThrow(/TimeGenerated/);
    await expect(parseExport('a,b\n1,2', 'bad.csv')).rejects.toThrow(ExportFormatError);
    await expect(parseExport('[1, 2]', 'bad.json')).rejects.toThrow(/row objects/);
    await expect(parseExport('{"tables": ', 'bad.json')).rejects.toThrow(
      /bad.json: not valid JSON/,
    );
    await expect(parseExport('[{"a": 1}] [', 'bad.json')).rejects.toThrow(/bad.json/);
  });
});

describe('CSV exports (csv-parse)', () => {
  const header = 'TimeGenerated [UTC],A,B';
  test.each([
    ['plain', `${header}\nt,1,2`, [{ TimeGenerated: 't', A: '1', B: '2' }]],
    [
      'CRLF and trailing newline',
      `${header}\r\nt,1,2\r\n`,
      [{ TimeGenerated: 't', A: '1', B: '2' }],
    ],
    [
      'quoted comma and doubled quote',
      `${header}\nt,"x, ""y""",2`,
      [{ TimeGenerated: 't', A: 'x, "y"', B: '2' }],
    ],
    ['newline inside quotes', `${header}\nt,"1\n2",3`, [{ TimeGenerated: 't', A: '1\n2', B: '3' }]],
    ['empty fields', `${header}\n,,`, [{ TimeGenerated: '', A: '', B: '' }]],
    ['byte-order mark', `\uFEFF${header}\nt,1,2`, [{ TimeGenerated: 't', A: '1', B: '2' }]],
    ['a short row', `${header}\nt,1`, [{ TimeGenerated: 't', A: '1' }]],
  ])('%s', async (_name, text, rows) => {
    expect(await parseExport(text, 'x.csv')).toEqual(rows);
  });

  test('an unterminated quote is an error naming the file', async () => {
    await expect(parseExport(`${header}\n"open`, 'bad.csv')).rejects.toThrow(
      /bad\.csv: .*[Qq]uote/,
    );
  });

  test('a CSV split across chunks at any point reads the same', async () => {
    const text = `${header}\nt1,"a,\n""b""",c\r\nt2,d,e\n`;
    const whole = await parseExport(text, 'x.csv');
    expect(whole).toHaveLength(2);
    for (let cut = 1; cut < text.length; cut++) {
      const rows: unknown[] = [];
      await readExport(Readable.from([text.slice(0, cut), text.slice(cut)]), 'x.csv', (row) =>
        rows.push(row),
      );
      expect(rows).toEqual(whole);
    }
  });
});

describe('MetricsFileSource', () => {
  test('reads connectedDeviceCount for the hub, case-insensitively, within the span', async () => {
    const source = await MetricsFileSource.fromPath(repoPath('samples/metrics'));
    const points = (
      await source.connectedDeviceCount([HUB], {
        start: '2026-11-20T05:00:00Z',
        end: '2026-11-20T05:30:00Z',
      })
    ).value;
    expect(points).toHaveLength(30);
    const lowest = Math.min(...points.map((p) => p.minimum ?? Infinity));
    expect(lowest).toBeLessThan(60);
    expect(
      (
        await source.connectedDeviceCount(
          ['/subscriptions/x/resourcegroups/y/providers/microsoft.devices/iothubs/other'],
          {
            start: '2026-11-20T05:00:00Z',
            end: '2026-11-20T05:30:00Z',
          },
        )
      ).value,
    ).toEqual([]);
  });

  test('a point with only a timestamp is kept without values', async () => {
    const source = await MetricsFileSource.fromPath(repoPath('test/fixtures/metrics/small.json'));
    const points = (
      await source.connectedDeviceCount([HUB], {
        start: '2026-11-20T00:00:00Z',
        end: '2026-11-21T00:00:00Z',
      })
    ).value;
    expect(points.length).toBeGreaterThan(1);
    expect(points.some((p) => p.average === undefined)).toBe(true);
  });
});
