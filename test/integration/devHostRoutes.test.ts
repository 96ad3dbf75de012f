import { readdirSync, readFileSync } from 'node:fs';

import type { DevHost } from '../../lib/tools/devhost/devHost';
import { cardKind, cardNames } from '../../lib/tools/devhost/inboxCards';
import type { InboxMessage } from '../../lib/tools/devhost/inboxRoutes';
import { withRoutesFlag } from '../../lib/tools/devhost/main';
import { devHostEnvironment } from '../../lib/tools/devhost/sampleEnvironment';
import { REPO_ROOT, repoPath } from '../support/fixtures';
import { startInboxDevHost } from '../support/inboxDevHost';

// samples/routes.json: hub-side incidents → platform (and, by the next route, teams); duplicate
// identity and rejected credentials → provisioning (a signed webhook); the rest → teams.
const ROUTES_FILE = repoPath('samples/routes.json');
const env = devHostEnvironment({ ROUTES_FILE }, REPO_ROOT, 7071);
const logged: string[] = [];
const record = (...args: unknown[]): void => {
  logged.push(args.map(String).join(' '));
};
let host: DevHost;

beforeAll(async () => {
  host = await startInboxDevHost(env, {
    incidentTimerMs: 0,
    log: { info: record, warn: record, error: record },
  });
});

afterAll(async () => {
  await host.close();
});

async function inbox(query = ''): Promise<InboxMessage[]> {
  return (await (await fetch(`${host.url}/inbox/messages${query}`)).json()) as InboxMessage[];
}

/** What a message is about, for the assertions: its card kind, or the webhook's device. */
function names(message: InboxMessage, device: string): boolean {
  return message.channel === 'teams'
    ? cardNames(message.body, device)
    : JSON.stringify(message.body).includes(`"${device}"`);
}

describe('npm start with a routes file', () => {
  test('each receiver of the route list posts to its own inbox; a signed one gets a throwaway secret', () => {
    expect(env).toMatchObject({
      ROUTES_FILE,
      TEAMS_WORKFLOW_URL: 'http://localhost:7071/dev/inbox/teams',
      RECEIVER_PLATFORM_URL: 'http://localhost:7071/dev/inbox/platform',
      RECEIVER_PROVISIONING_URL: 'http://localhost:7071/dev/inbox/provisioning',
      RECEIVER_PROVISIONING_SECRET: expect.stringMatching(/^[\w-]{43}$/) as unknown,
    });
    // The route list names no `webhook`, so the dev host invents no URL for it.
    expect(env.WEBHOOK_URL).toBeUndefined();
    // A receiver's URL set in the environment wins, and so does its secret.
    const custom = devHostEnvironment(
      {
        ROUTES_FILE,
        RECEIVER_PROVISIONING_URL: 'https://hooks.example/provisioning',
        RECEIVER_PROVISIONING_SECRET: 'kept',
      },
      REPO_ROOT,
      8080,
    );
    expect(custom).toMatchObject({
      RECEIVER_PLATFORM_URL: 'http://localhost:8080/dev/inbox/platform',
      RECEIVER_PROVISIONING_URL: 'https://hooks.example/provisioning',
      RECEIVER_PROVISIONING_SECRET: 'kept',
    });
    // Without a route list, Teams posts to the one inbox as before.
    expect(devHostEnvironment({}, REPO_ROOT, 7071).TEAMS_WORKFLOW_URL).toBe(
      'http://localhost:7071/inbox/teams',
    );
  });

  test('npm start -- --routes FILE is ROUTES_FILE', () => {
    expect(withRoutesFlag({ PORT: '7072' }, ['--routes', 'samples/routes.json'])).toEqual({
      PORT: '7072',
      ROUTES_FILE: 'samples/routes.json',
    });
    expect(withRoutesFlag({ PORT: '7072' }, [])).toEqual({ PORT: '7072' });
    expect(() => withRoutesFlag({}, ['--nope'])).toThrow(/nope/);
  });
});

describe('dev host with samples/routes.json', () => {
  test('the sample alerts reach the receivers their routes name, each in its own inbox', async () => {
    const files = readdirSync(repoPath('samples/alerts')).filter((f) => f.endsWith('.json'));
    for (const file of files) {
      const response = await fetch(`${host.url}/api/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: readFileSync(repoPath('samples/alerts', file), 'utf8'),
      });
      expect(response.status).toBe(202);
    }
    await host.drain();
    expect(host.queue?.deadLetters).toEqual([]);
    const messages = await inbox();
    const to = (receiver: string) => messages.filter((m) => m.receiver === receiver);

    // Identity and credential problems: the signed provisioning webhook only.
    const provisioning = to('provisioning');
    expect(provisioning).toHaveLength(2);
    for (const message of provisioning) {
      expect(message).toMatchObject({ channel: 'webhook', signature: 'valid' });
    }
    for (const device of ['gateway-dup-3', 'meter-19']) {
      expect(messages.filter((m) => names(m, device)).map((m) => m.receiver)).toEqual([
        'provisioning',
      ]);
    }

    // The hub-side incident (two alerts, one card): platform, and teams by the next route.
    const platform = to('platform');
    expect(platform.map((m) => cardKind(m.body))).toEqual(['incident-opened']);
    expect(platform[0]?.channel).toBe('teams');
    const incidentCards = messages.filter((m) => cardKind(m.body) === 'incident-opened');
    expect(incidentCards.map((m) => m.receiver).sort()).toEqual(['platform', 'teams']);

    // Everything else (the flaky link, the SAS renewal): the default, teams.
    const teams = to('teams');
    expect(teams.map((m) => cardKind(m.body)).sort()).toEqual([
      'alert',
      'incident-opened',
      'renewal-line',
    ]);
    expect(teams.some((m) => names(m, 'pump-station-7'))).toBe(true);
    expect(messages).toHaveLength(6);
    for (const message of messages.filter((m) => m.receiver !== 'provisioning')) {
      expect(message.signature).toBeUndefined();
    }

    // The API keeps one receiver's messages when asked.
    expect((await inbox('?receiver=platform')).map((m) => m.id)).toEqual(platform.map((m) => m.id));
    expect(await inbox('?receiver=nobody')).toEqual([]);
  });

  test("the inbox page offers the receivers as filters and each message's receiver, never a URL or secret", async () => {
    const page = await (await fetch(`${host.url}/`)).text();
    const config = JSON.parse(
      /<script type="application\/json" id="inbox-config">(.*?)<\/script>/s.exec(page)?.[1] ?? '{}',
    ) as { receivers?: unknown };
    expect(config.receivers).toEqual([
      { name: 'teams', type: 'teams' },
      { name: 'platform', type: 'teams' },
      { name: 'provisioning', type: 'webhook' },
    ]);
    expect(page).toContain('data-testid="receivers"');
    const script = await (await fetch(`${host.url}/inbox/receivers.js`)).text();
    expect(script).toContain('createReceiverFilter');
    const secret = env.RECEIVER_PROVISIONING_SECRET ?? '';
    const health = await (await fetch(`${host.url}/api/health`)).text();
    const everything = [page, health, JSON.stringify(await inbox()), ...logged].join('\n');
    expect(everything).not.toContain(secret);
    // The receivers' URLs (cards do carry the host's own action links, /api/act).
    expect(everything).not.toContain('/dev/inbox/');
    // The log names the receivers each message went to, and the route that took it.
    expect(logged).toContainEqual(expect.stringMatching(/^Message inc-\S+ → platform, teams \(/));
    expect(logged).toContainEqual(
      expect.stringMatching(/→ provisioning \(routes\[2\] "identity and credential problems/),
    );
  });

  test('a receiver inbox takes posts only for a configured receiver and checks signatures', async () => {
    const post = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${host.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ hello: 'world' }),
      });
    expect((await post('/dev/inbox/nobody')).status).toBe(404);
    expect((await post('/dev/inbox/Bad_Name')).status).toBe(404);
    expect((await post('/dev/inbox/provisioning')).status).toBe(202);
    expect(
      (
        await post('/dev/inbox/provisioning', {
          'x-enricher-timestamp': String(Math.floor(Date.now() / 1000)),
          'x-enricher-signature': 'sha256=00',
        })
      ).status,
    ).toBe(202);
    const [forged, unsigned] = await inbox('?receiver=provisioning');
    expect(forged).toMatchObject({ channel: 'webhook', signature: 'bad-signature' });
    expect(unsigned).toMatchObject({ channel: 'webhook', signature: 'missing' });
    // The one-inbox endpoints still take posts, as their receiver.
    expect((await post('/inbox/webhook')).status).toBe(202);
    expect((await inbox())[0]).toMatchObject({ channel: 'webhook', receiver: 'webhook' });
    expect((await fetch(`${host.url}/inbox/messages`, { method: 'DELETE' })).status).toBe(200);
    expect(await inbox()).toEqual([]);
  });
});
