/**
 * The timer's use case and settings: the schedule (default, off, invalid), the watched hubs,
 * one digest per hub to every channel over real HTTP (the webhook body signed), and failures
 * that are stated, not hidden.
 */

import { DEFAULT_DIGEST_SCHEDULE, digestScheduleOf } from '../../../lib/config/configKeys';
import { loadConfig, watchedHubs } from '../../../lib/config/loadConfig';
import { reportConfig } from '../../../lib/config/healthReport';
import { runDailyDigests, DigestFailedError } from '../../../lib/app/runDigest';
import { ExportDigestSource } from '../../../lib/digest/digestSource';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { silentLogger, type Logger } from '../../../lib/common/logger';
import type { Notifier } from '../../../lib/notify/notifier';
import { TeamsNotifier } from '../../../lib/notify/teamsNotifier';
import { WebhookNotifier } from '../../../lib/notify/webhookNotifier';
import { verifyWebhookSignature } from '../../../lib/notify/webhookSignature';
import { teamsEnvelopeProblems } from '../../support/adaptiveCardSchema';
import { repoPath } from '../../support/fixtures';
import { startHttpReceiver, type HttpReceiver } from '../../support/httpReceiver';

const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
const LAB = HUB.replace('iot-prod', 'iot-lab').replace('contoso-fleet-hub', 'contoso-lab-hub');
const BASE = {
  EVIDENCE_SOURCE: 'export-files',
  EXPORT_LOGS_PATH: '/tmp/x',
  STATE_STORE: 'memory',
  WEBHOOK_URL: 'https://hooks.example/x',
};

describe('settings', () => {
  test('DIGEST_SCHEDULE: daily at 07:00 UTC by default, off when empty or off', () => {
    expect(DEFAULT_DIGEST_SCHEDULE).toBe('0 0 7 * * *');
    expect(digestScheduleOf({})).toEqual({ value: '0 0 7 * * *', invalid: false });
    expect(digestScheduleOf({ DIGEST_SCHEDULE: '' })).toEqual({ invalid: false });
    expect(digestScheduleOf({ DIGEST_SCHEDULE: ' off ' })).toEqual({ invalid: false });
    expect(digestScheduleOf({ DIGEST_SCHEDULE: '0  30 6 * * 1-5' })).toEqual({
      value: '0 30 6 * * 1-5',
      invalid: false,
    });
    expect(loadConfig(BASE).digestSchedule).toBe('0 0 7 * * *');
    expect(loadConfig({ ...BASE, DIGEST_SCHEDULE: '' }).digestSchedule).toBeUndefined();
  });

  test.each(['daily', '0 7 * * *', '0 0 7 * * * *', '0 0 7 * * MON; rm'])(
    'DIGEST_SCHEDULE %j is refused by name, never echoed',
    (value) => {
      expect(() => loadConfig({ ...BASE, DIGEST_SCHEDULE: value })).toThrow(/DIGEST_SCHEDULE/);
      const report = reportConfig({ ...BASE, DIGEST_SCHEDULE: value });
      expect(report.keys.find((k) => k.name === 'DIGEST_SCHEDULE')?.status).toBe('invalid');
      expect(JSON.stringify(report)).not.toContain(value);
    },
  );

  test('IOTHUB_RESOURCE_IDS and DEFAULT_IOTHUB_RESOURCE_ID make the watched hubs, once each', () => {
    const config = loadConfig({
      ...BASE,
      IOTHUB_RESOURCE_IDS: ` ${HUB.toUpperCase()} ,${LAB},, ${HUB}`,
      DEFAULT_IOTHUB_RESOURCE_ID: HUB,
    });
    expect(config.iotHubResourceIds).toEqual([HUB, LAB]);
    expect(watchedHubs(config)).toEqual([HUB, LAB]);
    expect(() => loadConfig({ ...BASE, IOTHUB_RESOURCE_IDS: `${HUB},not-a-hub` })).toThrow(
      /IOTHUB_RESOURCE_IDS/,
    );
  });
});

describe('runDailyDigests', () => {
  let receiver: HttpReceiver;
  let source: ExportFileSource;
  const now = new Date('2026-11-20T08:00:00Z');

  beforeAll(async () => {
    receiver = await startHttpReceiver(202);
    source = await ExportFileSource.fromPath(repoPath('samples', 'workspace'));
  });
  afterAll(async () => {
    await receiver.close();
  });

  function services(notifiers: readonly Notifier[], hubs: string[], log: Logger = silentLogger) {
    return {
      sources: { digest: new ExportDigestSource(source.events), evidence: source },
      notifiers,
      hubResourceIds: hubs,
      log,
      now: () => now,
    };
  }

  test('posts one digest per hub to Teams and to the webhook, signed', async () => {
    const before = receiver.requests.length;
    const outcomes = await runDailyDigests(
      services(
        [
          new TeamsNotifier(`${receiver.origin}/teams`, { timeoutMs: 5000 }),
          new WebhookNotifier(`${receiver.origin}/hook`, 's3cret', { timeoutMs: 5000 }, () => now),
        ],
        [HUB, LAB],
      ),
    );
    expect(outcomes.map((o) => [o.hubResourceId, o.delivered])).toEqual([
      [HUB, ['teams', 'webhook']],
      [LAB, ['teams', 'webhook']],
    ]);
    const received = receiver.requests.slice(before);
    expect(received.map((r) => r.path)).toEqual(['/teams', '/hook', '/teams', '/hook']);
    expect(teamsEnvelopeProblems(received[0]!.json)).toEqual([]);
    const hook = received[1]!;
    expect(hook.json).toMatchObject({
      event: 'digest.daily',
      version: 4,
      sentAt: now.toISOString(),
      data: { hub: { resourceId: HUB } },
    });
    const { id } = hook.json as { id: string };
    expect(id).toMatch(/^digest-contoso-fleet-hub-/);
    expect(hook.headers['idempotency-key']).toBe(id);
    expect(
      verifyWebhookSignature(
        's3cret',
        hook.headers['x-enricher-timestamp']!,
        hook.text,
        hook.headers['x-enricher-signature']!,
        { now },
      ),
    ).toBe(true);
  });

  test("with a route list, each hub's digest goes to the receivers its route names", async () => {
    const routing = loadConfig({
      ...BASE,
      RECEIVER_LAB_URL: `${receiver.origin}/lab`,
      ROUTES: JSON.stringify({
        receivers: [{ name: 'lab', type: 'teams' }],
        routes: [{ matchers: ['kind=digest', 'hub=contoso-lab-hub'], receivers: ['lab'] }],
        default: { receivers: ['webhook'] },
      }),
    }).routing;
    const before = receiver.requests.length;
    const outcomes = await runDailyDigests({
      ...services(
        [
          new TeamsNotifier(`${receiver.origin}/lab`, { timeoutMs: 5000 }, 'lab'),
          new WebhookNotifier(`${receiver.origin}/hook`, undefined, { timeoutMs: 5000 }),
        ],
        [HUB, LAB],
      ),
      routing,
    });
    expect(outcomes.map((o) => [o.hubResourceId, o.delivered])).toEqual([
      [HUB, ['webhook']],
      [LAB, ['lab']],
    ]);
    expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(['/hook', '/lab']);
  });

  test('a channel that fails is reported; nothing delivered at all is an error', async () => {
    const errors: unknown[] = [];
    const log = { ...silentLogger, error: (...args: unknown[]) => errors.push(...args) };
    const broken: Notifier = {
      name: 'broken',
      format: 'teams',
      post: () => Promise.reject(new Error('HTTP 500')),
    };
    const ok = new TeamsNotifier(`${receiver.origin}/teams`, { timeoutMs: 5000 });
    const partial = await runDailyDigests(services([broken, ok], [HUB], log));
    expect(partial[0]).toMatchObject({ delivered: ['teams'], failures: ['broken: HTTP 500'] });
    expect(String(errors[0])).toContain('broken: HTTP 500');
    await expect(runDailyDigests(services([broken], [HUB, LAB], log))).rejects.toThrow(
      DigestFailedError,
    );
  });

  test('no hub to report on: a warning, no posts', async () => {
    const warnings: unknown[] = [];
    const before = receiver.requests.length;
    const outcomes = await runDailyDigests(
      services([new TeamsNotifier(`${receiver.origin}/teams`, { timeoutMs: 5000 })], [], {
        ...silentLogger,
        warn: (...args: unknown[]) => warnings.push(...args),
      }),
    );
    expect(outcomes).toEqual([]);
    expect(receiver.requests.length).toBe(before);
    expect(String(warnings[0])).toMatch(/IOTHUB_RESOURCE_IDS/);
  });
});
