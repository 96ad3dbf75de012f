import { readFileSync } from 'node:fs';

import { CONFIG_KEYS } from '../../lib/config/configKeys';
import { ConfigError, devHostPort, loadConfig } from '../../lib/config/loadConfig';
import { renderConfigTable } from '../../lib/config/configTable';
import { reportConfig } from '../../lib/config/healthReport';
import { handleHealthRequest } from '../../lib/intake/handleHealthRequest';
import { repoPath } from '../support/fixtures';

const valid = {
  LOG_ANALYTICS_WORKSPACE_ID: 'b3f5e7a1-42c8-4d19-8e6a-7c0d2f9a41b6',
  TEAMS_WORKFLOW_URL: 'https://prod-01.example.logic.azure.com/workflows/abc?sig=SECRETSIG',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.key);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  test('defaults fill every optional key and the result is frozen', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      evidenceSource: 'log-analytics',
      logAnalyticsEndpoint: 'https://api.loganalytics.io/v1',
      deviceIdDimension: 'DeviceId',
      evidenceLookbackMinutes: 360,
      notifyTimeoutMs: 10_000,
      stateStore: 'azure-storage',
      incidentUpdateMinutes: 15,
      incidentQuietMinutes: 30,
      renewalPolicy: 'compact',
      port: 7071,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('reads the incident settings', () => {
    expect(
      loadConfig({
        ...valid,
        INCIDENT_UPDATE_MINUTES: '5',
        INCIDENT_QUIET_MINUTES: '45',
        RENEWAL_POLICY: 'suppress',
      }),
    ).toMatchObject({
      incidentUpdateMinutes: 5,
      incidentQuietMinutes: 45,
      renewalPolicy: 'suppress',
    });
  });

  test('lists every missing key at once', () => {
    expect(problemsOf({})).toEqual([
      'LOG_ANALYTICS_WORKSPACE_ID',
      'TEAMS_WORKFLOW_URL',
      'AzureWebJobsStorage',
    ]);
  });

  test('lists every invalid key at once, by name, without values', () => {
    const env = {
      ...valid,
      EVIDENCE_SOURCE: 'kusto',
      LOG_ANALYTICS_WORKSPACE_ID: 'not-a-guid',
      WEBHOOK_URL: 'ftp://x',
      EVIDENCE_LOOKBACK_MINUTES: '5',
      NOTIFY_TIMEOUT_MS: 'soon',
      DEFAULT_IOTHUB_RESOURCE_ID:
        '/subscriptions/x/resourceGroups/y/providers/Microsoft.Web/sites/z',
      STATE_STORE: 'redis',
      PORT: '99999',
      INCIDENT_UPDATE_MINUTES: '0',
      INCIDENT_QUIET_MINUTES: 'half an hour',
      RENEWAL_POLICY: 'hide',
    };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (thrown: unknown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).problems.map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'EVIDENCE_SOURCE',
        'WEBHOOK_URL',
        'EVIDENCE_LOOKBACK_MINUTES',
        'NOTIFY_TIMEOUT_MS',
        'DEFAULT_IOTHUB_RESOURCE_ID',
        'STATE_STORE',
        'PORT',
        'INCIDENT_UPDATE_MINUTES',
        'INCIDENT_QUIET_MINUTES',
        'RENEWAL_POLICY',
      ]),
    );
    expect((error as Error).message).not.toContain('ftp://x');
    expect((error as Error).message).not.toContain('SECRETSIG');
  });

  test('export-files needs EXPORT_LOGS_PATH and no workspace', () => {
    expect(
      problemsOf({
        EVIDENCE_SOURCE: 'export-files',
        WEBHOOK_URL: 'http://localhost/x',
        STATE_STORE: 'memory',
      }),
    ).toEqual(['EXPORT_LOGS_PATH']);
  });

  test('identity-based storage needs both service URIs', () => {
    const withoutStorage = { ...valid, AzureWebJobsStorage: '' };
    expect(
      problemsOf({
        ...withoutStorage,
        AzureWebJobsStorage__queueServiceUri: 'https://st.queue.core.windows.net',
      }),
    ).toEqual(['AzureWebJobsStorage']);
    expect(
      problemsOf({
        ...withoutStorage,
        AzureWebJobsStorage__queueServiceUri: 'https://st.queue.core.windows.net',
        AzureWebJobsStorage__tableServiceUri: 'https://st.table.core.windows.net',
      }),
    ).toEqual([]);
  });

  test('entra-id reads the client ID beside the identifier URI, lower-cased and checked', () => {
    const entra = {
      ...valid,
      INTAKE_AUTH: 'entra-id',
      ENTRA_TENANT_ID: '7d1e2a35-0c4b-4f51-9a8e-3b6c2d1f0e99',
      ENTRA_AUDIENCE: 'api://iothub-alert-enricher',
    };
    expect(
      loadConfig({ ...entra, ENTRA_CLIENT_ID: '3F0C9A52-8B7D-4E16-A2C4-9D5E1B7F6A08' }).entra,
    ).toMatchObject({
      audience: 'api://iothub-alert-enricher',
      clientId: '3f0c9a52-8b7d-4e16-a2c4-9d5e1b7f6a08',
    });
    expect(loadConfig({ ...entra, ENTRA_CLIENT_ID: ' ' }).entra).not.toHaveProperty('clientId');
    expect(problemsOf({ ...entra, ENTRA_CLIENT_ID: 'api://iothub-alert-enricher' })).toEqual([
      'ENTRA_CLIENT_ID',
    ]);
    // Ignored unless INTAKE_AUTH is entra-id.
    expect(problemsOf({ ...valid, ENTRA_CLIENT_ID: 'nope' })).toEqual([]);
  });

  test('blank values count as unset', () => {
    expect(problemsOf({ ...valid, TEAMS_WORKFLOW_URL: '  ' })).toEqual(['TEAMS_WORKFLOW_URL']);
  });

  test('devHostPort reads PORT alone', () => {
    expect(devHostPort({})).toBe(7071);
    expect(devHostPort({ PORT: '8080' })).toBe(8080);
    expect(() => devHostPort({ PORT: 'eighty' })).toThrow(ConfigError);
  });
});

describe('GET /api/health', () => {
  test('200 with the status of every key by name, never a value', () => {
    const response = handleHealthRequest({ ...valid, WEBHOOK_SECRET: 'hmac-secret-value' });
    expect(response.status).toBe(200);
    const text = JSON.stringify(response.body);
    expect(text).not.toContain('SECRETSIG');
    expect(text).not.toContain('hmac-secret-value');
    expect(text).not.toContain('b3f5e7a1');
    const body = response.body as { keys: { name: string; status: string }[] };
    expect(body.keys.map((k) => k.name)).toEqual(CONFIG_KEYS.map((k) => k.name));
    expect(body.keys.find((k) => k.name === 'WEBHOOK_SECRET')?.status).toBe('set');
    expect(body.keys.find((k) => k.name === 'NOTIFY_TIMEOUT_MS')?.status).toBe('default');
  });

  test('503 naming the missing and invalid keys', () => {
    const response = handleHealthRequest({ TEAMS_WORKFLOW_URL: 'not a url' });
    expect(response.status).toBe(503);
    const body = response.body as { status: string; keys: { name: string; status: string }[] };
    expect(body.status).toBe('misconfigured');
    expect(body.keys.find((k) => k.name === 'LOG_ANALYTICS_WORKSPACE_ID')?.status).toBe('missing');
    expect(body.keys.find((k) => k.name === 'TEAMS_WORKFLOW_URL')?.status).toBe('invalid');
    expect(JSON.stringify(body)).not.toContain('not a url');
  });

  test('reportConfig agrees with loadConfig', () => {
    expect(reportConfig(valid).ok).toBe(true);
    expect(reportConfig({}).ok).toBe(false);
  });
});

describe('README', () => {
  test('the configuration table is the one generated from CONFIG_KEYS', () => {
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
    // Compare cell by cell, so that Prettier's column alignment does not matter.
    const cells = (markdown: string): string[][] =>
      markdown
        .split('\n')
        .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
        .map((line) =>
          line
            .split(/(?<!\\)\|/)
            .slice(1, -1)
            .map((cell) => cell.trim()),
        );
    expect(cells(section)).toEqual(cells(renderConfigTable()));
  });
});
