/**
 * The digest on the dev host: `POST /api/digest` (what `npm run demo -- --digest` calls) runs the
 * timer's use case over the sample workspace and delivers one card per watched hub to the inbox,
 * counting the alerts the dev host received and the cards it posted.
 */

import { readFileSync } from 'node:fs';

import type { DevHost } from '../../lib/tools/devhost/devHost';
import { devHostEnvironment, SAMPLE_HUB } from '../../lib/tools/devhost/sampleEnvironment';
import { TeamsNotifier } from '../../lib/notify/teamsNotifier';
import { teamsEnvelopeProblems, validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { REPO_ROOT, repoPath } from '../support/fixtures';
import { startInboxDevHost, TEST_DELIVERY } from '../support/inboxDevHost';

let host: DevHost;

beforeAll(async () => {
  const env = devHostEnvironment({}, REPO_ROOT, 7071);
  host = await startInboxDevHost(env, {
    overrides: (url) => ({
      notifiers: [new TeamsNotifier(`${url}/inbox/teams`, TEST_DELIVERY)],
    }),
  });
});

afterAll(async () => {
  await host.close();
});

test('the dev host watches the sample hub', async () => {
  expect((await host.services.digest()).hubResourceIds).toEqual([SAMPLE_HUB]);
});

test('POST /api/digest delivers the sample digest to the inbox as a valid card', async () => {
  const alert = readFileSync(repoPath('samples/alerts/flaky-network-pump-station-7.json'), 'utf8');
  const accepted = await fetch(`${host.url}/api/alerts`, { method: 'POST', body: alert });
  expect(accepted.status).toBe(202);
  await host.drain();

  const response = await fetch(`${host.url}/api/digest`, { method: 'POST' });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    digests: [{ hubResourceId: SAMPLE_HUB, delivered: ['teams'], failures: [] }],
  });
  const [latest] = host.inbox.list();
  expect(latest?.channel).toBe('teams');
  expect(teamsEnvelopeProblems(latest?.body)).toEqual([]);
  const card = (latest?.body as { attachments: { content: unknown }[] }).attachments[0]!.content;
  expect(validateAdaptiveCard(card).errors).toEqual([]);
  const json = JSON.stringify(card);
  expect(json).toContain('Fleet health of contoso-fleet-hub, 24 h to 2026-11-20 08:00 UTC');
  expect(json).toContain('pump-station-7');
  expect(json).toContain('Alerts received: 1');
  expect(json).toContain('Cards posted: 1');
});

test('a bad until is refused with 400', async () => {
  const response = await fetch(`${host.url}/api/digest?until=soon`, { method: 'POST' });
  expect(response.status).toBe(400);
});
