/**
 * `enricher whatif --from-ledger DAYS` over the alerts the app kept in its own storage (Azurite,
 * the real Table adapter): the same differences as the same alerts from a folder.
 */

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseAlert } from '../../lib/alerts/parseAlert';
import { receivedAlertArchive } from '../../lib/app/adapterFactories';
import { loadConfig } from '../../lib/config/loadConfig';
import { runCli } from '../../lib/tools/cli/runCli';
import type { WhatifReport } from '../../lib/whatif/compare';
import { startAzurite, type Azurite } from '../support/azurite';
import { readJson, repoPath } from '../support/fixtures';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite.stop();
});

test('the kept alerts replay as the same alerts from a folder do', async () => {
  const env = {
    EVIDENCE_SOURCE: 'export-files',
    EXPORT_LOGS_PATH: repoPath('samples', 'workspace'),
    TEAMS_WORKFLOW_URL: 'https://teams.example.test/flow?sig=SECRET',
    STATE_STORE: 'azure-storage',
    AzureWebJobsStorage: azurite.connectionString,
    ALERT_ARCHIVE_DAYS: '90',
  };
  const archive = await receivedAlertArchive(loadConfig(env));
  for (const name of readdirSync(repoPath('samples', 'alerts'))) {
    const alert = parseAlert(readJson('samples', 'alerts', name), {
      deviceIdDimension: 'DeviceId',
    });
    await archive.keep(alert, new Date(alert.firedAt));
  }
  const dir = mkdtempSync(join(tmpdir(), 'whatif-ledger-'));
  const candidate = join(dir, 'candidate.json');
  writeFileSync(
    candidate,
    JSON.stringify({
      RENEWAL_POLICY: 'suppress',
      ROUTES: {
        receivers: [{ name: 'platform', type: 'teams' }],
        routes: [{ matchers: ['cause=iot-hub-transient'], receivers: ['platform'] }],
        default: { receivers: ['teams'] },
      },
    }),
  );
  let out = '';
  let err = '';
  const code = await runCli(
    [
      'whatif',
      '--from-ledger',
      '7',
      '--candidate',
      candidate,
      '--logs',
      repoPath('samples', 'workspace'),
      '--format',
      'json',
    ],
    {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      now: () => new Date('2026-11-21T00:00:00Z'),
      env,
    },
  );
  expect({ code, err }).toEqual({ code: 0, err: '' });
  const report = JSON.parse(out) as WhatifReport;
  expect(report.alerts).toBe(6);
  expect(report.differences.map((d) => [d.devices, d.deployed, d.candidate])).toEqual([
    [['sensor-0017'], 'incident opened → teams', 'incident opened → platform'],
    [['thermostat-0042'], 'renewal line → teams', 'nothing (renewal suppressed)'],
  ]);
  expect(out).not.toContain('SECRET');

  // A window with nothing kept: nothing to replay, exit 2.
  err = '';
  const empty = await runCli(
    [
      'whatif',
      '--from-ledger',
      '1',
      '--candidate',
      candidate,
      '--logs',
      repoPath('samples', 'workspace'),
    ],
    {
      stdout: () => undefined,
      stderr: (s) => (err += s),
      now: () => new Date('2026-12-01T00:00:00Z'),
      env,
    },
  );
  expect(empty).toBe(2);
  expect(err).toMatch(/no alert could be replayed from the last 1 day\(s\) of the app's alerts/);
});
