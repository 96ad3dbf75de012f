/**
 * Route matching over the bundled samples, diagnosed by the real pipeline: order, `continue`,
 * the default route, the digest per hub, and an incident keeping the receivers of its opening
 * card when the routes change.
 */

import { deviceAlertPayload } from '../../../lib/tools/devhost/stormAlerts';
import { loadConfig } from '../../../lib/config/loadConfig';
import type { RoutingSettings } from '../../../lib/config/routeSettings';
import type { EnrichedAlert } from '../../../lib/diagnose/enrichedAlert';
import { type IncidentServices, tickIncidents } from '../../../lib/incidents/incidentFlow';
import type { IncidentMessage, OutgoingMessage } from '../../../lib/incidents/outgoingMessage';
import { alertMessage, compactAlertMessage } from '../../../lib/incidents/outgoingMessage';
import { silentLogger } from '../../../lib/common/logger';
import { notifiersForDigest, notifiersForMessage } from '../../../lib/routing/deliveryRoute';
import { messageRoute } from '../../../lib/routing/messageReceivers';
import { routeOf } from '../../../lib/routing/router';
import { messageSubject } from '../../../lib/routing/routeSubject';
import { InMemoryIncidentStore } from '../../../lib/state/memory/memoryIncidentStore';
import {
  loadSample,
  processReport,
  reportOf,
  type Sample,
  sampleAlertBody,
} from '../../support/incidentHarness';
import { HUB } from '../../support/scenario';

const HUB_NAME = HUB.split('/').pop() ?? '';

function routingOf(
  routes: object[],
  receivers: string[] = ['platform', 'provisioning', 'plant-a'],
) {
  const env: Record<string, string> = {
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: 'logs.json',
    STATE_STORE: 'memory',
    TEAMS_WORKFLOW_URL: 'https://teams.example.test/flow',
    ROUTES: JSON.stringify({
      receivers: receivers.map((name) => ({ name, type: 'teams' })),
      routes,
      default: { receivers: ['teams'] },
    }),
  };
  for (const name of receivers)
    env[`RECEIVER_${name.toUpperCase().replace(/-/g, '_')}_URL`] = `https://${name}.example.test/`;
  return loadConfig(env).routing;
}

let sample: Sample;
let duplicate: EnrichedAlert;
let renewal: EnrichedAlert;
let flaky: EnrichedAlert;
let storm: EnrichedAlert[];

beforeAll(async () => {
  sample = await loadSample();
  [duplicate, renewal, flaky] = (await Promise.all(
    [
      'duplicate-identity-gateway-dup-3.json',
      'sas-renewal-thermostat-0042.json',
      'flaky-network-pump-station-7.json',
    ].map((name) => reportOf(sampleAlertBody(name), sample)),
  )) as [EnrichedAlert, EnrichedAlert, EnrichedAlert];
  storm = await Promise.all(
    sample.devices
      .slice(0, 12)
      .map((d) => reportOf(deviceAlertPayload(sample.template, d, 'Fired'), sample)),
  );
}, 180_000);

function receiversOf(routing: RoutingSettings, message: OutgoingMessage): readonly string[] {
  return messageRoute(message, routing).receivers;
}

describe('route matching', () => {
  test('the first matching route takes the message and stops the walk', () => {
    const routing = routingOf([
      { matchers: ['cause=duplicate-identity|credential-rejected'], receivers: ['provisioning'] },
      { matchers: [`hub=${HUB_NAME}`], receivers: ['plant-a'] },
    ]);
    expect(duplicate.diagnosis?.cause).toBe('duplicate-identity');
    const decision = routeOf(routing, messageSubject(alertMessage(duplicate)));
    expect(decision.receivers).toEqual(['provisioning']);
    expect(decision.matched.map((r) => r.path)).toEqual(['routes[0]']);
    expect(receiversOf(routing, alertMessage(flaky))).toEqual(['plant-a']);
  });

  test('continue lets a message go on down the list; each receiver once', () => {
    const routing = routingOf([
      { matchers: [`hub=~${HUB_NAME.slice(0, 4)}*`], receivers: ['plant-a'], continue: true },
      { matchers: ['cause=duplicate-identity'], receivers: ['provisioning', 'plant-a'] },
      { matchers: [], receivers: ['platform'] },
    ]);
    const decision = routeOf(routing, messageSubject(alertMessage(duplicate)));
    expect(decision.receivers).toEqual(['plant-a', 'provisioning']);
    expect(decision.matched.map((r) => r.path)).toEqual(['routes[0]', 'routes[1]']);
    // Not a duplicate identity: it continues past routes[1] to the catch-all.
    expect(receiversOf(routing, alertMessage(flaky))).toEqual(['plant-a', 'platform']);
  });

  test('a message no route takes goes to the default receivers', () => {
    const routing = routingOf([{ matchers: ['hub=some-other-hub'], receivers: ['plant-a'] }]);
    const decision = routeOf(routing, messageSubject(alertMessage(flaky)));
    expect(decision).toEqual({ receivers: ['teams'], matched: [] });
  });

  test('kind tells a renewal line from a card; != excludes', () => {
    const routing = routingOf([
      { matchers: ['kind=renewal'], receivers: ['platform'] },
      { matchers: ['kind=alert', 'cause!=sas-token-expiry'], receivers: ['plant-a'] },
    ]);
    expect(renewal.diagnosis?.cause).toBe('sas-token-expiry');
    expect(receiversOf(routing, compactAlertMessage(renewal, []))).toEqual(['platform']);
    expect(receiversOf(routing, alertMessage(renewal))).toEqual(['teams']);
    expect(receiversOf(routing, alertMessage(flaky))).toEqual(['plant-a']);
  });

  test('matchers on sites and SDKs match when any device does', () => {
    const subject = messageSubject(alertMessage(flaky));
    const site = subject.sites[0];
    const sdk = subject.sdks[0];
    expect(site).toBeDefined();
    expect(sdk).toBeDefined();
    const routing = routingOf([
      { matchers: [`site=${site ?? ''}`, `sdk=~${sdk?.family ?? ''}`], receivers: ['plant-a'] },
    ]);
    expect(receiversOf(routing, alertMessage(flaky))).toEqual(['plant-a']);
  });

  test('the digest is routed per hub', () => {
    const routing = routingOf([
      { matchers: ['kind=digest', `hub=${HUB_NAME}`], receivers: ['platform'] },
    ]);
    const notifiers = ['teams', 'platform', 'plant-a'].map((name) => ({ name }));
    expect(notifiersForDigest(HUB, notifiers, routing).targets).toEqual([{ name: 'platform' }]);
    expect(
      notifiersForDigest(HUB.replace(HUB_NAME, 'elsewhere'), notifiers, routing).targets,
    ).toEqual([{ name: 'teams' }]);
  });

  test('without a route list every notifier takes every message, as before', () => {
    const routing = loadConfig({
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: 'l.json',
      STATE_STORE: 'memory',
      TEAMS_WORKFLOW_URL: 'https://t.example.test/',
      WEBHOOK_URL: 'https://w.example.test/',
    }).routing;
    const notifiers = [{ name: 'teams' }, { name: 'webhook' }];
    expect(notifiersForMessage(alertMessage(duplicate), notifiers, routing).targets).toEqual(
      notifiers,
    );
  });
});

describe('notices', () => {
  const notice = {
    kind: 'notice' as const,
    id: 'notice-1',
    event: 'incident.acknowledged' as const,
    text: 'Ada acknowledged the incident',
    subject: 'inc-1',
    by: 'Ada',
    at: '2026-11-20T05:20:00Z',
  };

  test("an incident's acknowledgement goes to the incident's receivers", () => {
    const routing = routingOf([{ matchers: ['kind=notice'], receivers: ['platform'] }]);
    expect(messageRoute({ ...notice, receivers: ['plant-a'] }, routing)).toMatchObject({
      receivers: ['plant-a'],
      kept: true,
    });
  });

  test('other notices are routed as kind=notice, else to the default', () => {
    expect(
      receiversOf(routingOf([{ matchers: ['kind=notice'], receivers: ['platform'] }]), notice),
    ).toEqual(['platform']);
    expect(
      receiversOf(routingOf([{ matchers: ['kind=alert'], receivers: ['platform'] }]), notice),
    ).toEqual(['teams']);
  });
});

describe('an incident keeps its receivers', () => {
  test('its updates and closing card go where its opening card went, though the routes changed', async () => {
    const before = routingOf([
      { matchers: ['kind=incident', 'scope=fleet'], receivers: ['platform'], continue: true },
      { matchers: [`hub=${HUB_NAME}`], receivers: ['plant-a'] },
    ]);
    const after = routingOf([{ matchers: [], receivers: ['provisioning'] }]);
    let now = new Date('2026-11-20T05:16:00Z');
    const store = new InMemoryIncidentStore();
    const sent: OutgoingMessage[] = [];
    const settings = {
      updateMinutes: 1,
      quietMinutes: 30,
      renewalPolicy: 'compact' as const,
      receiversOf: (message: IncidentMessage) => messageRoute(message, before).receivers,
    };
    const services: IncidentServices = { store, settings, log: silentLogger, now: () => now };
    for (const report of storm) await processReport(report, services, sent);
    const opening = sent.find((m): m is IncidentMessage => m.kind === 'incident');
    expect(opening?.event).toBe('opened');
    expect(opening?.incident.receivers).toEqual(['platform', 'plant-a']);

    // The routes change (a redeploy): the timer's later cards keep the opening card's receivers.
    const later: OutgoingMessage[] = [];
    const timer = {
      ...services,
      settings: {
        ...settings,
        receiversOf: (m: IncidentMessage) => messageRoute(m, after).receivers,
      },
      metrics: sample.metrics,
      deliver: (message: OutgoingMessage) => {
        later.push(message);
        return Promise.resolve();
      },
    };
    for (const minutes of [5, 40, 90, 24 * 60 + 60]) {
      now = new Date(Date.parse('2026-11-20T05:16:00Z') + minutes * 60_000);
      await tickIncidents(timer);
    }
    const incidentCards = later.filter((m): m is IncidentMessage => m.kind === 'incident');
    expect(incidentCards.map((m) => m.event)).toContain('closed');
    for (const card of incidentCards) {
      const route = messageRoute(card, after);
      expect(route).toMatchObject({ receivers: ['platform', 'plant-a'], kept: true });
    }
    // A receiver removed from the configuration: the card is routed afresh, never posted nowhere.
    const removed = routingOf([{ matchers: [], receivers: ['provisioning'] }], ['provisioning']);
    const closing = incidentCards[incidentCards.length - 1];
    expect(closing && messageRoute(closing, removed)).toMatchObject({
      receivers: ['provisioning'],
      kept: false,
    });
  });
});
