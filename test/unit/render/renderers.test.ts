import { parseAlert } from '../../../lib/alerts/parseAlert';
import { buildReport } from '../../../lib/app/enrichAlert';
import type { EnrichedAlert } from '../../../lib/diagnose/enrichedAlert';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import { MetricsFileSource } from '../../../lib/evidence/metricsFile';
import { byteSize, TEAMS_MAX_BYTES } from '../../../lib/render/adaptiveCard';
import { renderAlertCard } from '../../../lib/render/teamsCards';
import { renderText } from '../../../lib/render/text';
import { impactOf } from '../../../lib/incidents/alertImpact';
import { alertMessage, compactAlertMessage } from '../../../lib/incidents/outgoingMessage';
import { renderWebhookEvent } from '../../../lib/render/webhookPayload';
import { teamsEnvelopeProblems, validateAdaptiveCard } from '../../support/adaptiveCardSchema';
import { adaptiveCardsParserProblems } from '../../support/adaptiveCardsParser';
import { readJson, repoPath } from '../../support/fixtures';
import { validateWebhookEvent } from '../../support/webhookSchema';

const SAMPLES = [
  'sas-renewal-thermostat-0042.json',
  'flaky-network-pump-station-7.json',
  'duplicate-identity-gateway-dup-3.json',
  'credential-rejected-meter-19.json',
  'hub-incident-sensor-0017.json',
  'hub-incident-connected-devices.json',
];

const reports = new Map<string, EnrichedAlert>();

beforeAll(async () => {
  const evidence = await ExportFileSource.fromPath(repoPath('samples/workspace'));
  const metrics = await MetricsFileSource.fromPath(repoPath('samples/metrics'));
  for (const file of SAMPLES) {
    const alert = parseAlert(readJson('samples/alerts', file), { deviceIdDimension: 'DeviceId' });
    reports.set(
      file,
      await buildReport(alert, {
        sources: { evidence, metrics },
        lookbackMinutes: 360,
        now: () => new Date('2026-11-20T09:00:00Z'),
      }),
    );
  }
  const activity = parseAlert(readJson('test/fixtures/alerts/activity-log-administrative.json'), {
    deviceIdDimension: 'DeviceId',
  });
  reports.set(
    'activity',
    await buildReport(activity, {
      sources: { evidence },
      lookbackMinutes: 360,
      now: () => new Date(),
    }),
  );
});

function report(name: string): EnrichedAlert {
  const found = reports.get(name);
  if (!found) throw new Error(`no report ${name}`);
  return found;
}

function cardOf(name: string): Record<string, unknown> {
  const content = renderAlertCard(report(name)).attachments[0]?.content;
  if (!content) throw new Error('no card');
  return content;
}

function texts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(texts);
  if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const own = typeof record.text === 'string' ? [record.text] : [];
    return [...own, ...Object.values(record).flatMap(texts)];
  }
  return [];
}

describe('Teams message', () => {
  test.each([...SAMPLES, 'activity'])(
    '%s: a valid Adaptive Card 1.5 in a Workflows envelope under 26 KB',
    (name) => {
      const message = renderAlertCard(report(name));
      expect(teamsEnvelopeProblems(message)).toEqual([]);
      const result = validateAdaptiveCard(message.attachments[0]?.content);
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
      expect(byteSize(message)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    },
  );

  test.each([...SAMPLES, 'activity'])(
    '%s: the official adaptivecards parser reports no problem (second opinion)',
    (name) => {
      expect(adaptiveCardsParserProblems(cardOf(name))).toEqual([]);
    },
  );

  test('the parser second opinion catches what a broken card gets wrong', () => {
    const broken = {
      ...cardOf('flaky-network-pump-station-7.json'),
      body: [
        { type: 'TextBlock', text: 'fine' },
        { type: 'Gauge', value: 3 },
        { type: 'TextBlock', text: 'too big', size: 'enormous' },
      ],
    };
    const problems = adaptiveCardsParserProblems(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^UnknownElementType: .*Gauge/),
        expect.stringMatching(/^InvalidPropertyValue: .*enormous/),
      ]),
    );
    expect(adaptiveCardsParserProblems('not a card')).toEqual(['the card must be an object']);
  });

  test('the card says what happened, why (evidence) and what to do', () => {
    const all = texts(cardOf('sas-renewal-thermostat-0042.json')).join('\n');
    expect(all).toContain('SAS token renewal');
    expect(all).toContain('thermostat-0042');
    expect(all).toMatch(/Evidence/);
    expect(all).toMatch(/repeats every ~6\d min/);
    expect(all).toMatch(/What to do/);
    expect(all).toMatch(/Timeline of thermostat-0042/);
  });

  test('a hub incident shows hub activity and links to the hub', () => {
    const card = cardOf('hub-incident-connected-devices.json');
    expect(texts(card).join('\n')).toMatch(/Hub activity per 5 minutes/);
    const actions = card.actions as { type: string; title: string; url: string }[];
    expect(actions.map((a) => a.title)).toEqual(
      expect.arrayContaining(['Open the IoT hub', 'Open the alert']),
    );
    expect(actions.every((a) => a.type === 'Action.OpenUrl' && a.url.startsWith('https://'))).toBe(
      true,
    );
  });

  test('the card colour follows urgency: incident attention, renewal good', () => {
    const header = (name: string) => (cardOf(name).body as { style?: string }[])[0]?.style;
    expect(header('hub-incident-sensor-0017.json')).toBe('attention');
    expect(header('sas-renewal-thermostat-0042.json')).toBe('good');
  });

  test('a non-disconnect alert is passed on without a diagnosis', () => {
    const all = texts(cardOf('activity')).join('\n');
    expect(all).toMatch(/not a device-disconnect alert/);
    expect(all).not.toMatch(/What to do/);
  });

  test('an enormous report is trimmed to fit, and stays valid', () => {
    const base = report('flaky-network-pump-station-7.json');
    const diagnosis = base.diagnosis;
    if (!diagnosis) throw new Error('no diagnosis');
    const huge: EnrichedAlert = {
      ...base,
      alert: { ...base.alert, rule: 'r'.repeat(5000) },
      diagnosis: {
        ...diagnosis,
        summary: 's'.repeat(20_000),
        devices: Array.from({ length: 500 }, (_, i) => `device-${i}-${'x'.repeat(100)}`),
        evidence: Array.from({ length: 200 }, (_, i) => ({
          signal: 'x',
          text: `${i} ${'e'.repeat(2000)}`,
        })),
      },
    };
    const message = renderAlertCard(huge);
    expect(byteSize(message)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(validateAdaptiveCard(message.attachments[0]?.content).valid).toBe(true);
    expect(adaptiveCardsParserProblems(message.attachments[0]?.content)).toEqual([]);
  });
});

describe('webhook payload', () => {
  const validate = validateWebhookEvent;
  // A compact renewal carries its devices' return as the incident policy reads it.
  const messageOf = (value: EnrichedAlert, presentation: 'full' | 'compact') =>
    presentation === 'compact'
      ? compactAlertMessage(value, impactOf(value).away)
      : alertMessage(value);
  const event = (name: string, presentation: 'full' | 'compact' = 'full') =>
    renderWebhookEvent(messageOf(report(name), presentation), '2026-11-20T06:10:00.000Z');

  test.each([...SAMPLES, 'activity'])(
    '%s: an alert.enriched event valid against schemas/webhook-v4.schema.json',
    (name) => {
      const payload = JSON.parse(JSON.stringify(event(name))) as unknown;
      const valid = validate(payload);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    },
  );

  test('carries the event, a stable id, the diagnosis and the alert identity', () => {
    const payload = event('duplicate-identity-gateway-dup-3.json');
    expect(payload).toMatchObject({ version: 4, event: 'alert.enriched' });
    expect(payload.id).toBe(event('duplicate-identity-gateway-dup-3.json').id);
    const data = payload.data as {
      diagnosis: { cause: string };
      alert: { deviceIds: string[] };
      timeline: { rows: unknown[] };
    };
    expect(data.diagnosis.cause).toBe('duplicate-identity');
    expect(data.alert.deviceIds).toEqual(['gateway-dup-3']);
    expect(data.timeline.rows.length).toBeGreaterThan(0);
  });

  test('a compact renewal is one line, still valid', () => {
    const payload = event('sas-renewal-thermostat-0042.json', 'compact');
    expect(payload.title).toMatch(/^SAS token renewal.*thermostat-0042 back after \d+ s/);
    expect(validate(JSON.parse(JSON.stringify(payload)))).toBe(true);
  });

  test('the schema rejects a payload with an unknown cause', () => {
    const payload = JSON.parse(JSON.stringify(event('duplicate-identity-gateway-dup-3.json'))) as {
      data: { diagnosis: { cause: string } };
    };
    payload.data.diagnosis.cause = 'gremlins';
    expect(validate(payload)).toBe(false);
  });
});

describe('text', () => {
  test('headline, summary, facts, evidence, actions and timeline', () => {
    const text = renderText(report('credential-rejected-meter-19.json'));
    expect(text.split('\n')[0]).toBe('Device credentials rejected');
    expect(text).toMatch(/Cause: credential-rejected \(\d+% confidence\)/);
    expect(text).toMatch(/Evidence:\n {2}- /);
    expect(text).toMatch(/What to do:\n {2}1\. /);
    expect(text).toMatch(/Timeline of meter-19/);
  });

  test('a Resolved alert says so first', () => {
    const base = report('sas-renewal-thermostat-0042.json');
    const text = renderText({ ...base, alert: { ...base.alert, condition: 'Resolved' } });
    expect(text.startsWith('Resolved: ')).toBe(true);
  });
});
