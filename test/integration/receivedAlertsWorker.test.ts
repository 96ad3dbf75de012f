/**
 * The worker keeps each alert it takes in the received-alert archive (for `enricher whatif`):
 * queued alerts through processQueuedAlert, and the connection-event path's offline alerts,
 * which go through it too. Keeping is best effort: a failing archive never fails a delivery.
 */

import type { EnrichmentServices } from '../../lib/app/enrichAlert';
import { processQueuedAlert } from '../../lib/app/processQueuedAlert';
import { createServiceProvider } from '../../lib/app/services';
import { type Logger, silentLogger } from '../../lib/common/logger';
import { loadConfig } from '../../lib/config/loadConfig';
import type { EvidenceSource } from '../../lib/evidence/evidenceSource';
import type { PostReceipt } from '../../lib/notify/httpDelivery';
import type { Notifier } from '../../lib/notify/notifier';
import type { QueuedAlert } from '../../lib/state/alertQueue';
import { inMemoryWorkerState } from '../../lib/state/memory/memoryState';
import { InMemoryReceivedAlerts } from '../../lib/state/memory/memoryReceivedAlerts';
import type { ReceivedAlertArchive } from '../../lib/state/receivedAlerts';
import { ConnectionHarness, HUB } from '../support/connectionHarness';
import { repoPath } from '../support/fixtures';
import { deviceAlert } from '../support/scenario';

const NOW = '2026-11-20T00:16:00.000Z';
const queued: QueuedAlert = {
  version: 1,
  alert: deviceAlert(['d1'], 0, 15),
  receivedAt: '2026-11-20T00:15:30.000Z',
};

function setup(log: Logger = silentLogger) {
  const evidence: EvidenceSource = {
    deviceTimeline: () => Promise.resolve({ value: [] }),
    fleetActivity: () => Promise.resolve({ value: [] }),
    fleetSize: () => Promise.resolve({ value: 0 }),
    disconnectedDevices: () => Promise.resolve({ value: { rows: [], total: 0 } }),
    deviceHistory: () => Promise.resolve({ value: [] }),
  };
  const posts: string[] = [];
  const notifier: Notifier = {
    name: 'webhook',
    format: 'webhook',
    post: (body): Promise<PostReceipt> => {
      posts.push(body);
      return Promise.resolve({ status: 202, posts: 1, unknownOutcomes: 0 });
    },
  };
  const services: EnrichmentServices = {
    sources: { evidence },
    notifiers: [notifier],
    lookbackMinutes: 60,
    log,
    now: () => new Date(NOW),
    state: inMemoryWorkerState(),
  };
  return { services, posts };
}

describe('the worker keeps the alerts it takes', () => {
  test('processQueuedAlert keeps the alert it processes, once over duplicates', async () => {
    const { services, posts } = setup();
    const archive = new InMemoryReceivedAlerts({ retentionDays: 14, now: () => new Date(NOW) });
    expect(await processQueuedAlert(queued, 'message-1', { ...services, archive })).toBe(
      'processed',
    );
    expect(await processQueuedAlert(queued, 'message-2', { ...services, archive })).toBe('done');
    expect(posts).toHaveLength(1);
    const page = await archive.list(new Date('2026-11-19T00:00:00Z'), new Date(NOW));
    expect(page).toEqual({ alerts: [], truncated: false }); // [since, until): taken at NOW
    const through = await archive.list(new Date('2026-11-19T00:00:00Z'), new Date('2026-11-21'));
    expect(through).toEqual({
      alerts: [{ alert: queued.alert, receivedAt: NOW }],
      truncated: false,
    });
  });

  test('a failing archive is logged and the alert is delivered all the same', async () => {
    const warnings: string[] = [];
    const { services, posts } = setup({
      ...silentLogger,
      warn: (...args: unknown[]) => warnings.push(args.join(' ')),
    });
    const archive: ReceivedAlertArchive = {
      keep: () => Promise.reject(new Error('storage down')),
      list: () => Promise.reject(new Error('unused')),
    };
    expect(await processQueuedAlert(queued, 'message-1', { ...services, archive })).toBe(
      'processed',
    );
    expect(posts).toHaveLength(1);
    expect(warnings).toEqual([expect.stringContaining('could not keep alert')]);
  });

  test('the composition root wires an override, or the configured archive (memory here)', async () => {
    const config = loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: repoPath('samples', 'workspace'),
      WEBHOOK_URL: 'https://receiver.example/hook',
      STATE_STORE: 'memory',
      ALERT_ARCHIVE_DAYS: '3',
    });
    expect(config.alertArchiveDays).toBe(3);
    const receivedAlerts = new InMemoryReceivedAlerts({ retentionDays: 3 });
    const given = createServiceProvider(config, { receivedAlerts, log: silentLogger });
    expect((await given.enrichment()).archive).toBe(receivedAlerts);
    const built = createServiceProvider(config, { log: silentLogger });
    expect((await built.enrichment()).archive).toBeInstanceOf(InMemoryReceivedAlerts);
  });

  test("the connection-event path's offline alert and its follow-up are kept", async () => {
    const harness = new ConnectionHarness('2026-11-20T06:15:10Z');
    const sequence = (n: number): string => n.toString(16).padStart(64, '0');
    const event = (state: 'connected' | 'disconnected', at: string, n: number) => ({
      id: `ev-${n}`,
      topic: HUB.toUpperCase(),
      subject: 'devices/pump-station-7',
      eventType: `Microsoft.Devices.Device${state === 'connected' ? 'Connected' : 'Disconnected'}`,
      eventTime: at,
      data: {
        deviceConnectionStateEventInfo: { sequenceNumber: sequence(n) },
        hubName: 'contoso-fleet-hub',
        deviceId: 'pump-station-7',
      },
      dataVersion: '1',
      metadataVersion: '1',
    });
    await harness.deliver([event('disconnected', '2026-11-20T06:14:50Z', 0x1001)]);
    await harness.advanceTo('2026-11-20T06:18:10Z');
    expect(harness.posted.map((p) => p.event)).toEqual(['alert.enriched']);
    await harness.deliver([event('connected', '2026-11-20T06:18:50Z', 0x1008)]);
    await harness.advanceTo('2026-11-20T06:19:01Z');
    expect(harness.posted.map((p) => p.event)).toEqual(['alert.enriched', 'alert.resolved']);
    const { archive } = await harness.provider.enrichment();
    const page = await archive?.list(new Date('2026-11-20T00:00:00Z'), new Date('2026-11-21'));
    expect(
      page?.alerts.map((r) => [r.alert.signal, r.alert.condition, r.alert.deviceIds, r.receivedAt]),
    ).toEqual([
      ['connection-event', 'Fired', ['pump-station-7'], '2026-11-20T06:18:10.000Z'],
      // The return is delivered at the harness's 06:18:10 and followed up at once.
      ['connection-event', 'Resolved', ['pump-station-7'], '2026-11-20T06:18:10.000Z'],
    ]);
  });
});
