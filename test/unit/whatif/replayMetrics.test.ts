/** A replay's metrics: one read per incident window, the same answers, nothing past their end. */

import { MetricsFileSource } from '../../../lib/evidence/metricsFile';
import type { MetricsSource } from '../../../lib/evidence/evidenceSource';
import { replayMetrics } from '../../../lib/whatif/replayMetrics';
import { repoPath } from '../../support/fixtures';
import { HUB } from '../../support/scenario';

test('reads from one start are answered from one fetch, exactly as the source answers them', async () => {
  const file = await MetricsFileSource.fromPath(repoPath('samples', 'metrics'));
  let reads = 0;
  const counting: MetricsSource = {
    connectedDeviceCount: (hubs, span) => {
      reads++;
      return file.connectedDeviceCount(hubs, span);
    },
  };
  const replay = replayMetrics(counting);
  const start = '2026-11-20T04:45:00.000Z';
  for (const end of [
    '2026-11-20T05:20:00.000Z',
    '2026-11-20T05:21:00.000Z',
    '2026-11-20T06:10:00.000Z',
  ]) {
    const span = { start, end };
    const direct = await file.connectedDeviceCount([HUB], span);
    const replayed = await replay.connectedDeviceCount([HUB.toUpperCase()], span);
    expect(replayed).toEqual(direct);
    expect(replayed.value.every((p) => p.time < end)).toBe(true);
    expect(replayed.value.length).toBeGreaterThan(0);
  }
  expect(reads).toBe(1);
  // Another start is another window.
  await replay.connectedDeviceCount([HUB], {
    start: '2026-11-20T05:00:00Z',
    end: '2026-11-20T05:30:00Z',
  });
  expect(reads).toBe(2);
});

test('a failed read is not kept: the next read asks again', async () => {
  let calls = 0;
  const flaky: MetricsSource = {
    connectedDeviceCount: () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('throttled')) : Promise.resolve({ value: [] });
    },
  };
  const replay = replayMetrics(flaky);
  const span = { start: '2026-11-20T05:00:00Z', end: '2026-11-20T05:30:00Z' };
  await expect(replay.connectedDeviceCount([HUB], span)).rejects.toThrow('throttled');
  await expect(replay.connectedDeviceCount([HUB], span)).resolves.toEqual({ value: [] });
  expect(calls).toBe(2);
});
