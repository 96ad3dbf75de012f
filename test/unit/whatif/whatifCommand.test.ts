/**
 * `enricher whatif` over the bundled samples and the sample hub's storm: a candidate with
 * RENEWAL_POLICY=suppress and a route for iot-hub-transient shows exactly the expected
 * differences; silences are counted; bad input is reported and never crashes; nothing secret is
 * printed; the replay is deterministic.
 */

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { deviceAlertPayload, resolvedPayload } from '../../../lib/tools/devhost/stormAlerts';
import { runWhatifCommand } from '../../../lib/tools/cli/whatifCommand';
import type { WhatifReport } from '../../../lib/whatif/compare';
import { loadSample } from '../../support/incidentHarness';
import { repoPath } from '../../support/fixtures';

const TEAMS_URL = 'https://teams.example.test/flow?sig=TEAMS-SECRET';

const DEPLOYED = { TEAMS_WORKFLOW_URL: TEAMS_URL, RENEWAL_POLICY: 'compact' };
const CANDIDATE = {
  RENEWAL_POLICY: 'suppress',
  ROUTES: {
    receivers: [{ name: 'platform', type: 'teams' }],
    routes: [{ name: 'hub side', matchers: ['cause=iot-hub-transient'], receivers: ['platform'] }],
    default: { receivers: ['teams'] },
  },
};

let dir: string;
let samplesDir: string;
let stormDir: string;

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function whatif(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runWhatifCommand(
    [
      '--logs',
      repoPath('samples', 'workspace'),
      '--metrics',
      repoPath('samples', 'metrics'),
      ...args,
    ],
    { stdout: (s) => (out += s), stderr: (s) => (err += s), env },
  );
  return { code, out, err };
}

async function report(args: string[]): Promise<WhatifReport> {
  const run = await whatif([...args, '--format', 'json']);
  expect(run).toMatchObject({ code: 0, err: '' });
  return JSON.parse(run.out) as WhatifReport;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'whatif-'));
  file('deployed.json', DEPLOYED);
  file('candidate.json', CANDIDATE);
  samplesDir = join(dir, 'samples');
  stormDir = join(dir, 'storm');
  mkdirSync(samplesDir);
  mkdirSync(stormDir);
  for (const name of readdirSync(repoPath('samples', 'alerts')))
    copyFileSync(repoPath('samples', 'alerts', name), join(samplesDir, name));
  // The sample hub's storm: one alert per device that dropped, and each one's Resolved.
  const sample = await loadSample();
  const fired = sample.devices.map((d) => deviceAlertPayload(sample.template, d, 'Fired'));
  const resolved = sample.devices.map((d) =>
    resolvedPayload(deviceAlertPayload(sample.template, d, 'Fired'), '2026-11-20T05:40:00Z'),
  );
  writeFileSync(join(stormDir, 'fired.json'), JSON.stringify(fired));
  writeFileSync(join(stormDir, 'resolved.json'), JSON.stringify(resolved));
}, 120_000);

function sides(): string[] {
  return ['--deployed', join(dir, 'deployed.json'), '--candidate', join(dir, 'candidate.json')];
}

describe('the bundled samples', () => {
  test('suppressing renewals and routing hub-side incidents: exactly those differences', async () => {
    const r = await report(['--alerts', samplesDir, ...sides()]);
    expect(r.alerts).toBe(6);
    expect(r.differences.map((d) => [d.devices, d.cause, d.deployed, d.candidate])).toEqual([
      [
        ['sensor-0017'],
        'iot-hub-transient',
        'incident opened → teams',
        'incident opened → platform',
      ],
      [
        ['thermostat-0042'],
        'sas-token-expiry',
        'renewal line → teams',
        'nothing (renewal suppressed)',
      ],
    ]);
    expect(r.messagesPerReceiver).toEqual({
      platform: { deployed: 0, candidate: 2 },
      teams: { deployed: 6, candidate: 3 },
    });
    expect(r.messages).toEqual({ deployed: 6, candidate: 5 });
    expect(r.incidentsOpened).toEqual({ deployed: 1, candidate: 1 });
    expect(r.renewalsAsOneLine).toEqual({ deployed: 1, candidate: 0 });
    expect(r.renewalsNotPosted).toEqual({ deployed: 0, candidate: 1 });
    expect(r.cardsAppearing.map((c) => [c.kind, c.receivers])).toEqual([
      ['incident opened', ['platform']],
      ['incident closed', ['platform']],
    ]);
    expect(r.cardsDisappearing.map((c) => [c.kind, c.receivers])).toEqual([
      ['incident opened', ['teams']],
      ['renewal', ['teams']],
      ['incident closed', ['teams']],
    ]);
    expect(r.heldBySilence).toEqual({});
    expect(r.skipped).toEqual([]);
  });

  test('the same configuration on both sides: no difference at all', async () => {
    const same = file('same.json', {});
    const r = await report([
      '--alerts',
      samplesDir,
      '--deployed',
      join(dir, 'deployed.json'),
      '--candidate',
      same,
    ]);
    expect(r.differences).toEqual([]);
    expect(r.cardsAppearing).toEqual([]);
    expect(r.cardsDisappearing).toEqual([]);
    expect(r.messages.deployed).toBe(r.messages.candidate);
  });

  test('text and Markdown say the same, and name no URL or secret', async () => {
    const text = await whatif(['--alerts', samplesDir, ...sides()]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/What-if over 6 alert\(s\): deployed vs candidate/);
    expect(text.out).toMatch(/to platform\s+0\s+2\s+\+2/);
    expect(text.out).toMatch(/thermostat-0042 \(Fired, sas-token-expiry\)/);
    expect(text.out).toMatch(/candidate: nothing \(renewal suppressed\)/);
    const md = await whatif(['--alerts', samplesDir, ...sides(), '--format', 'md']);
    expect(md.out).toMatch(/^### What-if: deployed vs candidate over 6 alert\(s\)/);
    expect(md.out).toContain('| to platform | 0 | 2 | +2 |');
    expect(md.out).toContain('<details><summary>Alerts handled differently (2)</summary>');
    for (const output of [text.out, md.out, text.err]) {
      expect(output).not.toContain('TEAMS-SECRET');
      expect(output).not.toContain('example.test');
    }
  });

  test('deterministic: the same input gives the same report', async () => {
    const first = await whatif(['--alerts', samplesDir, ...sides(), '--format', 'json']);
    const second = await whatif(['--alerts', samplesDir, ...sides(), '--format', 'json']);
    expect(second.out).toBe(first.out);
  });
});

describe('the storm', () => {
  test('one incident, routed elsewhere; the folded alerts are handled the same', async () => {
    const r = await report(['--alerts', stormDir, ...sides()]);
    expect(r.alerts).toBeGreaterThan(200);
    expect(r.incidentsOpened).toEqual({ deployed: 1, candidate: 1 });
    // Only the opening alert differs (its card's receiver); the rest fold into the incident.
    expect(r.differences).toHaveLength(1);
    expect(r.differences[0]).toMatchObject({
      deployed: 'incident opened → teams',
      candidate: 'incident opened → platform',
    });
    expect(r.messagesPerReceiver.teams?.candidate).toBe(0);
    expect(r.messagesPerReceiver.platform?.deployed).toBe(0);
    // Every incident message moves from teams to platform, updates and closing included.
    expect(r.messagesPerReceiver.platform?.candidate).toBe(r.messagesPerReceiver.teams?.deployed);
    expect(r.cardsAppearing.map((c) => c.kind)).toEqual(['incident opened', 'incident closed']);
  });

  test('what each silence would hold back', async () => {
    const candidate = file('silenced.json', {
      silences: [
        { id: 'hub-work', matchers: ['hub=contoso-fleet-hub', 'cause=iot-hub-transient'] },
        { id: 'elsewhere', matchers: ['hub=other-hub'] },
      ],
    });
    const r = await report([
      '--alerts',
      stormDir,
      '--deployed',
      join(dir, 'deployed.json'),
      '--candidate',
      candidate,
    ]);
    expect(r.heldBySilence.elsewhere).toEqual({ deployed: 0, candidate: 0 });
    expect(r.heldBySilence['hub-work']?.deployed).toBe(0);
    expect(r.heldBySilence['hub-work']?.candidate).toBeGreaterThan(0);
    expect(r.messages.candidate).toBe(0);
    expect(r.differences[0]?.candidate).toMatch(/^nothing \(held by hub-work\)/);
  });
});

describe('bad input', () => {
  test('unreadable alerts are reported one by one and the rest replayed', async () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    copyFileSync(
      repoPath('samples', 'alerts', 'flaky-network-pump-station-7.json'),
      join(mixed, 'a.json'),
    );
    writeFileSync(join(mixed, 'broken.json'), '{ not json');
    writeFileSync(join(mixed, 'other.json'), JSON.stringify({ hello: 'world' }));
    const run = await whatif(['--alerts', mixed, ...sides()]);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/whatif: skipped .*broken\.json: is not valid JSON/);
    expect(run.err).toMatch(/whatif: skipped .*other\.json: /);
    expect(run.out).toMatch(/What-if over 1 alert\(s\)/);
    expect(run.out).toMatch(/Not replayed \(2\)/);
  });

  test('exit 2 only when nothing could be replayed', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'broken.json'), '[');
    const run = await whatif(['--alerts', bad, ...sides()]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/no alert could be replayed/);
    const none = await whatif(['--alerts', join(dir, 'nowhere'), ...sides()]);
    expect(none.code).toBe(2);
  });

  test('a refused candidate names the key and path; no URL is echoed', async () => {
    const wrong = file('wrong.json', {
      ROUTES: {
        routes: [{ matchers: ['cause=throttled'], receivers: ['plant-z'] }],
        default: { receivers: ['teams'] },
      },
    });
    const run = await whatif([
      '--alerts',
      samplesDir,
      '--deployed',
      join(dir, 'deployed.json'),
      '--candidate',
      wrong,
    ]);
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      'whatif: The candidate settings are refused: ROUTES routes[0].receivers[0] names an unknown receiver "plant-z"\n',
    );
    const missing = await whatif(['--alerts', samplesDir, '--candidate', join(dir, 'absent.json')]);
    expect(missing).toMatchObject({ code: 2, out: '' });
    expect(missing.err).toMatch(/cannot read settings .*absent\.json: ENOENT/);
    const notJson = file('notjson.json', 'RENEWAL_POLICY=suppress');
    expect((await whatif(['--alerts', samplesDir, '--candidate', notJson])).err).toMatch(
      /is not JSON/,
    );
    expect(
      (await whatif(['--alerts', samplesDir, '--candidate', notJson, '--format', 'html'])).err,
    ).toMatch(/--format must be one of text, md, json/);
  });
});

describe("the README's worked example", () => {
  test('samples/whatif: routes file, suppressed renewals and a silence, as the README shows', async () => {
    const r = await report([
      '--alerts',
      repoPath('samples', 'alerts'),
      '--deployed',
      repoPath('samples', 'whatif', 'deployed.json'),
      '--candidate',
      repoPath('samples', 'whatif', 'candidate.json'),
    ]);
    expect(r.messagesPerReceiver).toEqual({
      platform: { deployed: 0, candidate: 2 },
      provisioning: { deployed: 0, candidate: 2 },
      teams: { deployed: 6, candidate: 2 },
    });
    expect(r.heldBySilence).toEqual({ 'pump-station-work': { deployed: 0, candidate: 1 } });
    expect(r.differences.map((d) => [d.devices[0], d.candidate])).toEqual([
      ['gateway-dup-3', 'card → provisioning'],
      ['meter-19', 'card → provisioning'],
      ['sensor-0017', 'incident opened → platform, teams'],
      ['thermostat-0042', 'nothing (renewal suppressed)'],
      ['pump-station-7', 'nothing (held by pump-station-work)'],
    ]);
  });
});
