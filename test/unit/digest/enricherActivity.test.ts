/**
 * "What the enricher did" in the digest is fed by the use case itself: alerts received, cards
 * posted, incidents opened and renewals kept quiet go to the activity ledger as they happen, and
 * the dead letters waiting are read from the dead-letter store.
 */

import { parseAlert } from '../../../lib/alerts/parseAlert';
import { enrichAlert, type EnrichmentServices } from '../../../lib/app/enrichAlert';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { MetricsFileSource } from '../../../lib/evidence/metricsFile';
import { silentLogger } from '../../../lib/common/logger';
import type { PostReceipt } from '../../../lib/notify/httpDelivery';
import type { Notifier } from '../../../lib/notify/notifier';
import { recordAlertActivity } from '../../../lib/app/recordAlertActivity';
import { InMemoryActivityLedger } from '../../../lib/state/memory/memoryActivityLedger';
import { InMemoryIncidentStore } from '../../../lib/state/memory/memoryIncidentStore';
import { inMemoryWorkerState } from '../../../lib/state/memory/memoryState';
import { readJson, repoPath } from '../../support/fixtures';

const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';

const accepting: Notifier = {
  name: 'webhook',
  format: 'webhook',
  post: (): Promise<PostReceipt> => Promise.resolve({ status: 202, posts: 1, unknownOutcomes: 0 }),
};

test('the use case records cards, incidents opened and quiet renewals for the digest', async () => {
  const activity = new InMemoryActivityLedger();
  const services: EnrichmentServices = {
    sources: {
      evidence: await ExportFileSource.fromPath(repoPath('samples/workspace')),
      metrics: await MetricsFileSource.fromPath(repoPath('samples/metrics')),
    },
    notifiers: [accepting],
    lookbackMinutes: 360,
    log: silentLogger,
    now: () => new Date('2026-11-20T09:00:00Z'),
    state: inMemoryWorkerState(),
    activity,
    incidents: {
      store: new InMemoryIncidentStore(),
      settings: { updateMinutes: 15, quietMinutes: 30, renewalPolicy: 'compact' },
    },
  };
  for (const file of ['sas-renewal-thermostat-0042.json', 'hub-incident-sensor-0017.json']) {
    const alert = parseAlert(readJson('samples/alerts', file), { deviceIdDimension: 'DeviceId' });
    await recordAlertActivity(activity, 'alert-received', alert, services.now(), silentLogger);
    await enrichAlert(alert, services);
  }
  const summary = await activity.summarise(
    HUB,
    '2026-11-20T00:00:00.000Z',
    '2026-11-21T00:00:00.000Z',
  );
  expect(summary).toEqual({
    alertsReceived: 2,
    cardsPosted: 2,
    incidentsOpened: 1,
    renewalsKeptQuiet: 1,
    // Tracked, and nothing came through Event Grid here.
    reconnectsInGrace: 0,
    connectionBlips: 0,
    heldBySilences: 0,
  });
});
