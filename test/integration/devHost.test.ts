import { readdirSync, readFileSync } from 'node:fs';

import type { DevHost } from '../../lib/tools/devhost/devHost';
import { repoRoot } from '../../lib/tools/devhost/repoRoot';
import { devHostEnvironment } from '../../lib/tools/devhost/sampleEnvironment';
import { teamsEnvelopeProblems, validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { REPO_ROOT, repoPath } from '../support/fixtures';
import { startInboxDevHost } from '../support/inboxDevHost';

const env = devHostEnvironment({}, REPO_ROOT, 7071);
let host: DevHost;

beforeAll(async () => {
  host = await startInboxDevHost(env);
});

afterAll(async () => {
  await host.close();
});

async function post(body: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${host.url}/api/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('npm start defaults', () => {
  test('the dev host reads the sample workspace and delivers to its own inbox', () => {
    expect(env).toMatchObject({
      EVIDENCE_SOURCE: 'export-files',
      STATE_STORE: 'memory',
      TEAMS_WORKFLOW_URL: 'http://localhost:7071/inbox/teams',
    });
    expect(repoRoot()).toBe(REPO_ROOT);
  });

  test('settings in the environment win, and a configured channel replaces the inbox', () => {
    const custom = devHostEnvironment(
      { WEBHOOK_URL: 'https://hooks.example/x', EVIDENCE_SOURCE: 'log-analytics' },
      REPO_ROOT,
      8080,
    );
    expect(custom.TEAMS_WORKFLOW_URL).toBeUndefined();
    expect(custom.EVIDENCE_SOURCE).toBe('log-analytics');
  });
});

describe('dev host', () => {
  test('every sample alert becomes a card in the inbox, newest first; the two alerts of the hub incident share one', async () => {
    const files = readdirSync(repoPath('samples/alerts')).filter((f) => f.endsWith('.json'));
    for (const file of files) {
      const response = await post(readFileSync(repoPath('samples/alerts', file), 'utf8'));
      expect(response.status).toBe(202);
    }
    // The same deliveries again, as action-group retries: no second card.
    for (const file of files) {
      expect(
        (await post(readFileSync(repoPath('samples/alerts', file), 'utf8'))).body,
      ).toMatchObject({
        duplicate: true,
      });
    }
    await host.drain();
    const messages = (await (await fetch(`${host.url}/inbox/messages`)).json()) as {
      channel: string;
      receivedAt: string;
      body: { attachments: { content: unknown }[] };
    }[];
    expect(messages).toHaveLength(files.length - 1);
    expect(host.queue?.deadLetters).toEqual([]);
    const headlines = messages.map((m) => JSON.stringify(m.body));
    expect(headlines.filter((h) => h.includes('Incident opened: inc-'))).toHaveLength(1);
    expect(
      headlines.filter((h) => h.includes('SAS token renewal (expected, harmless)')),
    ).toHaveLength(1);
    const times = messages.map((m) => m.receivedAt);
    expect(times).toEqual([...times].sort().reverse());
    for (const message of messages) {
      expect(message.channel).toBe('teams');
      expect(teamsEnvelopeProblems(message.body)).toEqual([]);
      expect(validateAdaptiveCard(message.body.attachments[0]?.content).valid).toBe(true);
    }
  });

  test('GET / serves the inbox page, /vendor/adaptivecards.js the renderer and /inbox/inbox.js its script', async () => {
    const page = await fetch(`${host.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('/vendor/adaptivecards.js');
    expect(html).toContain('/inbox/inbox.js');
    const bundle = await fetch(`${host.url}/vendor/adaptivecards.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    for (let twice = 0; twice < 2; twice++) {
      const script = await fetch(`${host.url}/inbox/inbox.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await script.text()).toContain("getElementById('inbox-config')");
    }
  });

  test('GET /api/health reports the configuration by key name', async () => {
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; keys: { name: string }[] };
    expect(body.status).toBe('ok');
    expect(JSON.stringify(body)).not.toContain('inbox/teams');
  });

  test('bad input gets 4xx JSON and the host keeps serving', async () => {
    expect(await post('not json')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/JSON/) as unknown },
    });
    expect((await post('a'.repeat(1024 * 1024 + 10))).status).toBe(413);
    const legacy = readFileSync(
      repoPath('test/fixtures/alerts/reference-legacy-log-analytics.json'),
      'utf8',
    );
    expect((await post(legacy)).status).toBe(422);
    expect((await fetch(`${host.url}/nope`)).status).toBe(404);
    const inboxBad = await fetch(`${host.url}/inbox/teams`, { method: 'POST', body: '{' });
    expect(inboxBad.status).toBe(400);
    expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
  });

  test('DELETE /inbox/messages empties the inbox', async () => {
    expect((await fetch(`${host.url}/inbox/messages`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(`${host.url}/inbox/messages`)).json()).toEqual([]);
  });
});
