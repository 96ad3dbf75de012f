import { randomBytes } from 'node:crypto';

import {
  type ActionKind,
  type SigningKeys,
  verifyActionToken,
} from '../../../lib/actions/actionToken';
import { parseAlert } from '../../../lib/alerts/parseAlert';
import { buildReport } from '../../../lib/app/enrichAlert';
import { loadConfig } from '../../../lib/config/loadConfig';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { MetricsFileSource } from '../../../lib/evidence/metricsFile';
import type { IncidentRecord } from '../../../lib/incidents/incident';
import {
  alertMessage,
  compactAlertMessage,
  type IncidentMessage,
  type OutgoingMessage,
} from '../../../lib/incidents/outgoingMessage';
import { createActionLinkSigner } from '../../../lib/intake/actionLinkSigner';
import { actionLinksFor, DEVICE_MUTE_MINUTES } from '../../../lib/render/actionLinks';
import { TEAMS_MAX_BYTES } from '../../../lib/render/adaptiveCard';
import { renderMessageBody } from '../../../lib/render/messageBody';
import { HUB, incidentRecord } from './incidentFixture';
import { validateAdaptiveCard } from '../../support/adaptiveCardSchema';
import { adaptiveCardsParserProblems } from '../../support/adaptiveCardsParser';
import { readJson, repoPath } from '../../support/fixtures';
import { validateWebhookEvent } from '../../support/webhookSchema';

const NOW = new Date('2026-11-20T06:00:00Z');
const keys: SigningKeys = { currentKeyId: 'k1', keys: { k1: randomBytes(32) } };
const sign = createActionLinkSigner(
  { signingKeys: keys, baseUrl: 'https://enricher.example', hours: 72 },
  () => NOW,
);

function incidentMessage(
  event: IncidentMessage['event'],
  overrides: Partial<IncidentRecord> = {},
): IncidentMessage {
  const incident = incidentRecord(overrides);
  return { kind: 'incident', id: `${incident.id}-r2`, event, incident };
}

function tokenOf(url: string): string {
  return new URL(url).searchParams.get('token') ?? '';
}

function card(message: OutgoingMessage): Record<string, unknown> {
  const body = JSON.parse(renderMessageBody('teams', message, NOW.toISOString(), sign)) as {
    attachments: { content: Record<string, unknown> }[];
  };
  return body.attachments[0]?.content ?? {};
}

async function report(file: string) {
  const evidence = await ExportFileSource.fromPath(repoPath('samples/workspace'));
  const metrics = await MetricsFileSource.fromPath(repoPath('samples/metrics'));
  const alert = parseAlert(readJson('samples/alerts', file), { deviceIdDimension: 'DeviceId' });
  return buildReport(alert, {
    sources: { evidence, metrics },
    lookbackMinutes: 360,
    now: () => new Date('2026-11-20T09:00:00Z'),
  });
}

describe('which links each message offers', () => {
  test('an open incident: Acknowledge and, with one site, Mute this site until resolved', () => {
    const links = actionLinksFor(incidentMessage('updated'), sign);
    expect(links.map((l) => [l.kind, l.title])).toEqual([
      ['ack-incident', 'Acknowledge'],
      ['mute-site', 'Mute this site until resolved'],
    ]);
    for (const link of links) {
      expect(link.url.startsWith('https://enricher.example/api/act?token=')).toBe(true);
    }
    const ack = verifyActionToken(tokenOf(links[0]?.url ?? ''), keys, NOW, {
      action: 'ack-incident',
      target: 'inc-1',
    });
    expect(ack).toMatchObject({ hub: HUB.toLowerCase(), cause: 'iot-hub-transient' });
    expect(ack.expiresAt).toBe(NOW.getTime() / 1000 + 72 * 3600);
    const mute = verifyActionToken(tokenOf(links[1]?.url ?? ''), keys, NOW, {
      action: 'mute-site',
      target: 'inc-1',
    });
    expect(mute).toMatchObject({ site: '81.2.69.XXX', untilResolved: true });
    // A token is for exactly its action.
    expect(() =>
      verifyActionToken(tokenOf(links[0]?.url ?? ''), keys, NOW, { action: 'mute-site' }),
    ).toThrow(expect.objectContaining({ problem: 'wrong-action' }) as Error);
    expect(() =>
      verifyActionToken(tokenOf(links[0]?.url ?? ''), keys, NOW, { target: 'inc-2' }),
    ).toThrow(expect.objectContaining({ problem: 'wrong-target' }) as Error);
  });

  test('several sites: no site mute; a closed incident, or no signer: no links', () => {
    const many = actionLinksFor(incidentMessage('opened', { sites: ['a.XXX', 'b.XXX'] }), sign);
    expect(many.map((l) => l.kind)).toEqual(['ack-incident']);
    expect(actionLinksFor(incidentMessage('closed'), sign)).toEqual([]);
    expect(actionLinksFor(incidentMessage('updated'), undefined)).toEqual([]);
  });

  test('a device alert: Acknowledge, Mute this device 4 h, and the site when known', async () => {
    const message = alertMessage(await report('flaky-network-pump-station-7.json'));
    const links = actionLinksFor(message, sign);
    const kinds: ActionKind[] = links.map((l) => l.kind);
    expect(kinds.slice(0, 2)).toEqual(['ack-alert', 'mute-device']);
    expect(links[1]?.title).toBe('Mute this device 4 h');
    const mute = verifyActionToken(tokenOf(links[1]?.url ?? ''), keys, NOW, {
      action: 'mute-device',
      target: message.report.alert.id,
    });
    expect(mute).toMatchObject({
      device: message.report.alert.deviceIds[0],
      minutes: DEVICE_MUTE_MINUTES,
      cause: message.report.diagnosis?.cause,
    });
    if (kinds.includes('mute-site')) {
      expect(links[2]?.title).toBe('Mute this site until resolved');
    }
  });

  test('a quiet renewal line has none', async () => {
    const renewal = await report('sas-renewal-thermostat-0042.json');
    expect(actionLinksFor(compactAlertMessage(renewal, []), sign)).toEqual([]);
  });
});

describe('the card on a phone', () => {
  test('the links sit right under the summary, before any fact or table', () => {
    const body = card(incidentMessage('updated')).body as Record<string, unknown>[];
    const types = body.map((e) => e.type);
    const actionsAt = types.indexOf('ActionSet');
    expect(actionsAt).toBeGreaterThan(0);
    expect(actionsAt).toBeLessThan(types.indexOf('FactSet'));
    expect(actionsAt).toBeLessThan(types.indexOf('Chart.VerticalBar'));
  });

  test('an alert card: summary, buttons and what to do come before the facts', async () => {
    const body = card(alertMessage(await report('flaky-network-pump-station-7.json')))
      .body as Record<string, unknown>[];
    const texts = body.map((e) => (typeof e.text === 'string' ? e.text : String(e.type)));
    const actionsAt = texts.indexOf('ActionSet');
    expect(actionsAt).toBeGreaterThan(0);
    expect(texts.indexOf('What to do')).toBeGreaterThan(actionsAt);
    expect(texts.indexOf('What to do')).toBeLessThan(texts.indexOf('FactSet'));
    // The timeline table sits further down.
    expect(texts.indexOf('Table')).toBeGreaterThan(texts.indexOf('FactSet'));
  });

  test('an acknowledged incident says who is on it', () => {
    const text = JSON.stringify(
      card(incidentMessage('updated', { acknowledged: { by: 'Ana', at: '2026-11-20T05:30:00Z' } })),
    );
    expect(text).toContain('Acknowledged by Ana at 05:30 UTC');
  });

  test('the webhook event carries the same action URLs', () => {
    const event = JSON.parse(
      renderMessageBody('webhook', incidentMessage('updated'), NOW.toISOString(), sign),
    ) as { data: { actions: { kind: string; title: string; url: string }[] } };
    expect(validateWebhookEvent(event) ? [] : validateWebhookEvent.errors).toEqual([]);
    expect(event.data.actions.map((a) => a.kind)).toEqual(['ack-incident', 'mute-site']);
    expect(event.data.actions[0]?.url).toMatch(/^https:\/\/enricher\.example\/api\/act\?token=/);
  });
});

describe('the 26 KB budget', () => {
  test.each([
    'flaky-network-pump-station-7.json',
    'duplicate-identity-gateway-dup-3.json',
    'hub-incident-sensor-0017.json',
  ])('%s with its links stays under the Teams limit', async (file) => {
    const body = renderMessageBody(
      'teams',
      alertMessage(await report(file)),
      NOW.toISOString(),
      sign,
    );
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(body).toContain('/api/act?token=');
  });

  test('an incident card with a long drop curve and its links', () => {
    const dropCurve = Array.from({ length: 288 }, (_, i) => ({
      start: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 300_000).toISOString(),
      devices: i % 7,
      connected: 1000 + i,
    }));
    const message = incidentMessage('updated', { dropCurve, startedAt: '2026-11-20T00:30:00Z' });
    const body = renderMessageBody('teams', message, NOW.toISOString(), sign);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
  });
});

describe('the drop curve as a Teams chart, the table its fallback', () => {
  test('the schema and the renderer accept the card; the renderer shows the fallback', () => {
    const content = card(incidentMessage('updated'));
    expect(validateAdaptiveCard(content)).toEqual({ valid: true, errors: [] });
    expect(adaptiveCardsParserProblems(content)).toEqual([]);
    const body = content.body as Record<string, unknown>[];
    const chart = body.find((e) => e.type === 'Chart.VerticalBar');
    expect(chart).toMatchObject({
      data: [
        { x: '05:05', y: 0 },
        { x: '05:10', y: 90 },
        { x: '05:15', y: 35 },
      ],
      fallback: { type: 'Table', fallback: { type: 'FactSet' } },
    });
    // What the adaptivecards renderer builds: the chart's place holds the fallback table.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the UMD build, as in the parser support
    const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');
    const parsed = new AC.AdaptiveCard();
    parsed.parse(content, new AC.SerializationContext());
    if (chart === undefined) throw new Error('no chart');
    const at = body.indexOf(chart);
    expect(parsed.getItemAt(at).getJsonTypeName()).toBe('Table');
  });

  test('every table carries a fallback with the same rows', () => {
    const chart = (card(incidentMessage('updated')).body as Record<string, unknown>[]).find(
      (e) => e.type === 'Chart.VerticalBar',
    ) as { fallback: { rows: unknown[]; fallback: { facts: { title: string; value: string }[] } } };
    expect(chart.fallback.fallback.facts).toHaveLength(chart.fallback.rows.length - 1);
    expect(chart.fallback.fallback.facts[1]).toEqual({
      title: '05:10 UTC',
      value: 'Devices dropped: 90 · Connected: 1110',
    });
  });
});

describe('ACTION_SIGNING_KEYS and friends', () => {
  const base = {
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: '/tmp',
    WEBHOOK_URL: 'https://example.test/hook',
    STATE_STORE: 'memory',
  };
  const secret = randomBytes(32).toString('base64');

  test('links are configured with keys, the current id and the base URL', () => {
    const config = loadConfig({
      ...base,
      ACTION_SIGNING_KEYS: JSON.stringify({ k1: secret }),
      ACTION_SIGNING_KEY_ID: 'k1',
      PUBLIC_BASE_URL: 'https://enricher.example/',
    });
    expect(config.actionLinks?.baseUrl).toBe('https://enricher.example');
    expect(config.actionLinks?.hours).toBe(72);
    expect(config.actionLinks?.signingKeys.keys.k1?.length).toBe(32);
    expect(loadConfig(base).actionLinks).toBeUndefined();
  });

  test.each([
    ['not json', { ACTION_SIGNING_KEYS: '{', ACTION_SIGNING_KEY_ID: 'k1' }, 'ACTION_SIGNING_KEYS'],
    [
      'a short key',
      { ACTION_SIGNING_KEYS: '{"k1":"c2hvcnQ="}', ACTION_SIGNING_KEY_ID: 'k1' },
      'ACTION_SIGNING_KEYS',
    ],
    [
      'an unknown current id',
      { ACTION_SIGNING_KEYS: JSON.stringify({ k1: secret }), ACTION_SIGNING_KEY_ID: 'k2' },
      'ACTION_SIGNING_KEY_ID',
    ],
  ])('%s is a problem naming the key, never the value', (_, env, key) => {
    let message = '';
    try {
      loadConfig({ ...base, PUBLIC_BASE_URL: 'https://enricher.example', ...env });
    } catch (error: unknown) {
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toContain(key);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('c2hvcnQ=');
  });

  test('keys without a base URL are a problem', () => {
    expect(() =>
      loadConfig({
        ...base,
        ACTION_SIGNING_KEYS: JSON.stringify({ k1: secret }),
        ACTION_SIGNING_KEY_ID: 'k1',
      }),
    ).toThrow(/PUBLIC_BASE_URL is missing/);
  });
});
