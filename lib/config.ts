/**
 * Every setting the enricher reads, validated once. This is the only module that touches
 * `process.env`; everything else receives a frozen `Config`.
 *
 * `CONFIG_KEYS` is the single table of keys: the README's configuration table and
 * `GET /api/health` are both generated from it, so they cannot drift.
 */

import { withoutUndefined } from './objects';

export type EvidenceSourceKind = 'log-analytics' | 'export-files';
export type StateStoreKind = 'azure-storage' | 'memory';
export type IntakeAuthKind = 'function-key' | 'entra-id';

/** Microsoft's "AZNS AAD Webhook" application: the caller of every action group secure webhook. */
export const ACTION_GROUP_APP_ID = '461e8683-5575-4561-ac7f-899cc907d62a';
export type RenewalPolicyKind = 'post' | 'compact' | 'suppress';

export interface ConfigKey {
  readonly name: string;
  /** `true`, `false`, or a sentence naming the condition under which the key is required. */
  readonly required: boolean | string;
  readonly default?: string;
  readonly secret: boolean;
  readonly description: string;
}

/** Daily at 07:00 UTC (NCRONTAB: second minute hour day month day-of-week). */
export const DEFAULT_DIGEST_SCHEDULE = '0 0 7 * * *';

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'EVIDENCE_SOURCE',
    required: false,
    default: 'log-analytics',
    secret: false,
    description:
      'Where evidence comes from: `log-analytics` (the workspace, via managed identity) or `export-files` (Log Analytics export files on disk, for local runs and replay).',
  },
  {
    name: 'LOG_ANALYTICS_WORKSPACE_ID',
    required: 'when EVIDENCE_SOURCE is log-analytics',
    secret: false,
    description:
      'Workspace ID (the GUID in the workspace `customerId`, not its ARM resource ID) holding the IoT hub `Connections` logs.',
  },
  {
    name: 'LOG_ANALYTICS_ENDPOINT',
    required: false,
    default: 'https://api.loganalytics.io/v1',
    secret: false,
    description: 'Log Analytics query endpoint including `/v1`; change it for sovereign clouds.',
  },
  {
    name: 'AZURE_RESOURCE_MANAGER_ENDPOINT',
    required: false,
    default: 'https://management.azure.com',
    secret: false,
    description:
      'Azure Resource Manager endpoint for the `connectedDeviceCount` metric (with `log-analytics` evidence); change it for sovereign clouds.',
  },
  {
    name: 'EXPORT_LOGS_PATH',
    required: 'when EVIDENCE_SOURCE is export-files',
    secret: false,
    description:
      'A Log Analytics export (query API JSON, JSON array of rows, or portal CSV), or a folder of them.',
  },
  {
    name: 'EXPORT_METRICS_PATH',
    required: false,
    secret: false,
    description:
      'Azure Monitor metrics REST response for `connectedDeviceCount` (file, or a folder of them); when set it is read instead of the metrics API.',
  },
  {
    name: 'TEAMS_WORKFLOW_URL',
    required: 'unless WEBHOOK_URL is set',
    secret: true,
    description:
      'Teams Workflows webhook URL ("When a Teams webhook request is received"); the URL carries its own signature, so it is a secret.',
  },
  {
    name: 'WEBHOOK_URL',
    required: 'unless TEAMS_WORKFLOW_URL is set',
    secret: true,
    description: 'Generic webhook that receives the enriched alert as versioned JSON.',
  },
  {
    name: 'WEBHOOK_SECRET',
    required: false,
    secret: true,
    description:
      'When set, webhook bodies are signed with HMAC-SHA256 over `timestamp.body` (headers `X-Enricher-Timestamp`, `X-Enricher-Signature`).',
  },
  {
    name: 'DEVICE_ID_DIMENSION',
    required: false,
    default: 'DeviceId',
    secret: false,
    description:
      'Alert dimension that carries the device ID when a log search alert is split by device.',
  },
  {
    name: 'DEFAULT_IOTHUB_RESOURCE_ID',
    required: false,
    secret: false,
    description:
      'IoT hub ARM resource ID used when an alert names no hub (no `_ResourceId` dimension, no IotHubs target, no configuration item).',
  },
  {
    name: 'IOTHUB_RESOURCE_IDS',
    required: false,
    secret: false,
    description:
      'Comma-separated ARM resource IDs of the IoT hubs this deployment watches (set by the Bicep template). Alerts naming only other hubs are refused (422); other hubs named beside a listed one are dropped. Empty = any hub, with a warning on `/api/health`.',
  },
  {
    name: 'DIGEST_SCHEDULE',
    required: false,
    default: DEFAULT_DIGEST_SCHEDULE,
    secret: false,
    description:
      'When the daily fleet-health digest is posted for each watched hub (`IOTHUB_RESOURCE_IDS` and `DEFAULT_IOTHUB_RESOURCE_ID`): an NCRONTAB expression with six fields, in UTC. Set it to `off` (or to an empty value) to turn the digest off.',
  },
  {
    name: 'EVIDENCE_LOOKBACK_MINUTES',
    required: false,
    default: '360',
    secret: false,
    description:
      'How far before the alert window evidence is read: long enough to see several hourly SAS-token renewals.',
  },
  {
    name: 'NOTIFY_TIMEOUT_MS',
    required: false,
    default: '10000',
    secret: false,
    description:
      'Total deadline of one delivery attempt to Teams or the webhook (connect, headers and body); a time-out counts as an unknown outcome.',
  },
  {
    name: 'INTAKE_AUTH',
    required: false,
    default: 'function-key',
    secret: false,
    description:
      "`function-key` (the Functions host checks the key alone) or `entra-id` (the intake also requires a valid Entra ID bearer token from the action group's secure webhook: issuer, audience, signature, expiry, not-before, caller app).",
  },
  {
    name: 'ENTRA_TENANT_ID',
    required: 'when INTAKE_AUTH is entra-id',
    secret: false,
    description: 'Directory (tenant) ID whose tokens the intake accepts.',
  },
  {
    name: 'ENTRA_AUDIENCE',
    required: 'when INTAKE_AUTH is entra-id',
    secret: false,
    description:
      "Expected token audience: the Application ID URI of the intake's app registration (e.g. `api://iothub-alert-enricher`), or its client ID.",
  },
  {
    name: 'ENTRA_AUTHORITY_HOST',
    required: false,
    default: 'https://login.microsoftonline.com',
    secret: false,
    description:
      'Entra ID authority; the signing keys are read from `{host}/{tenant}/discovery/v2.0/keys`. Change it for sovereign clouds.',
  },
  {
    name: 'ENTRA_ALLOWED_APP_IDS',
    required: false,
    default: ACTION_GROUP_APP_ID,
    secret: false,
    description:
      'Comma-separated client IDs allowed to call the intake (the token\'s `appid`/`azp`); the default is Microsoft\'s action group application ("AZNS AAD Webhook").',
  },
  {
    name: 'INCIDENT_UPDATE_MINUTES',
    required: false,
    default: '15',
    secret: false,
    description:
      'While devices keep joining an open incident, at most one update card per this many minutes (new count, new devices and sites, the drop curve).',
  },
  {
    name: 'INCIDENT_QUIET_MINUTES',
    required: false,
    default: '30',
    secret: false,
    description:
      'An incident closes after this many minutes without a new alert, once its devices are back (connected devices near the baseline, or the hub-level alert resolved).',
  },
  {
    name: 'RENEWAL_POLICY',
    required: false,
    default: 'compact',
    secret: false,
    description:
      'SAS token renewals whose devices came back: `post` (the full card), `compact` (a one-line card) or `suppress` (no message). Either way they are logged with their verdict and counted per hub and day; a renewal whose device did not come back always gets the full card.',
  },
  {
    name: 'STATE_STORE',
    required: false,
    default: 'azure-storage',
    secret: false,
    description:
      '`azure-storage` (alert queue, idempotency and incident tables in the function app storage) or `memory` (one process, local runs only).',
  },
  {
    name: 'AzureWebJobsStorage',
    required:
      'when STATE_STORE is azure-storage, unless the identity-based AzureWebJobsStorage__* URIs are set',
    secret: true,
    description:
      'Storage connection string for the alert queue and idempotency table (`UseDevelopmentStorage=true` for Azurite).',
  },
  {
    name: 'AzureWebJobsStorage__queueServiceUri',
    required: false,
    secret: false,
    description: 'Identity-based storage: the queue endpoint (used with the managed identity).',
  },
  {
    name: 'AzureWebJobsStorage__tableServiceUri',
    required: false,
    secret: false,
    description: 'Identity-based storage: the table endpoint (used with the managed identity).',
  },
  {
    name: 'AZURE_CLIENT_ID',
    required: false,
    secret: false,
    description:
      'Client ID of the user-assigned managed identity used for Log Analytics and Storage.',
  },
  {
    name: 'PORT',
    required: false,
    default: '7071',
    secret: false,
    description: 'Port of the local dev host (`npm start`); ignored in Azure.',
  },
];

export interface StorageSettings {
  readonly connectionString?: string;
  readonly queueServiceUri?: string;
  readonly tableServiceUri?: string;
}

export interface EntraSettings {
  readonly tenantId: string;
  readonly audience: string;
  readonly authorityHost: string;
  readonly allowedAppIds: readonly string[];
}

export interface Config {
  readonly evidenceSource: EvidenceSourceKind;
  readonly logAnalyticsWorkspaceId?: string;
  readonly logAnalyticsEndpoint: string;
  readonly resourceManagerEndpoint: string;
  readonly exportLogsPath?: string;
  readonly exportMetricsPath?: string;
  readonly teamsWorkflowUrl?: string;
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  readonly deviceIdDimension: string;
  readonly defaultIotHubResourceId?: string;
  /** Lower-cased, without duplicates (`IOTHUB_RESOURCE_IDS`). */
  readonly iotHubResourceIds: readonly string[];
  /** The digest's NCRONTAB schedule; absent when the digest is off. */
  readonly digestSchedule?: string;
  readonly evidenceLookbackMinutes: number;
  readonly notifyTimeoutMs: number;
  readonly intakeAuth: IntakeAuthKind;
  /** Set when `intakeAuth` is `entra-id`. */
  readonly entra?: EntraSettings;
  readonly incidentUpdateMinutes: number;
  readonly incidentQuietMinutes: number;
  readonly renewalPolicy: RenewalPolicyKind;
  readonly stateStore: StateStoreKind;
  readonly storage: StorageSettings;
  readonly azureClientId?: string;
  readonly port: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** One problem per key, by key name only: values are never echoed, since some are secrets. */
export interface ConfigProblem {
  readonly key: string;
  readonly problem: string;
}

export class ConfigError extends Error {
  readonly status = 500;
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.key} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IOTHUB_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.devices\/iothubs\/[^/]+$/i;

/** Reads the process environment. Entry points call this; tests call `loadConfig` directly. */
export function processEnvironment(): Environment {
  return process.env;
}

function defaultOf(name: string): string | undefined {
  return CONFIG_KEYS.find((key) => key.name === name)?.default;
}

/** Reads a key, treating blank values as unset, and falling back to the table default. */
function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? defaultOf(name) : value;
}

/** A comma-separated value as a list, blanks dropped. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Parses and validates every key, and throws one `ConfigError` that lists every problem. */
export function loadConfig(env: Environment): Readonly<Config> {
  const problems: ConfigProblem[] = [];
  const complain = (key: string, problem: string): void => {
    problems.push({ key, problem });
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const value = read(env, name);
    if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
    complain(name, `must be one of ${allowed.join(', ')}`);
    return allowed[0]!; // eslint-disable-line @typescript-eslint/no-non-null-assertion -- callers pass a non-empty list
  };
  const integer = (name: string, min: number, max: number): number => {
    const raw = read(env, name) ?? '';
    const value = Number(raw);
    if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
    complain(name, `must be a whole number from ${min} to ${max}`);
    return Number(defaultOf(name));
  };
  const httpUrl = (name: string): string | undefined => {
    const value = read(env, name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') return value;
    } catch {
      // reported below
    }
    complain(name, 'must be an http(s) URL');
    return undefined;
  };

  const evidenceSource = oneOf<EvidenceSourceKind>('EVIDENCE_SOURCE', [
    'log-analytics',
    'export-files',
  ]);
  const logAnalyticsWorkspaceId = read(env, 'LOG_ANALYTICS_WORKSPACE_ID');
  if (evidenceSource === 'log-analytics') {
    if (logAnalyticsWorkspaceId === undefined) complain('LOG_ANALYTICS_WORKSPACE_ID', 'is missing');
    else if (!GUID.test(logAnalyticsWorkspaceId))
      complain('LOG_ANALYTICS_WORKSPACE_ID', 'must be the workspace GUID (customerId)');
  }
  const exportLogsPath = read(env, 'EXPORT_LOGS_PATH');
  if (evidenceSource === 'export-files' && exportLogsPath === undefined)
    complain('EXPORT_LOGS_PATH', 'is missing');

  const teamsWorkflowUrl = httpUrl('TEAMS_WORKFLOW_URL');
  const webhookUrl = httpUrl('WEBHOOK_URL');
  if (read(env, 'TEAMS_WORKFLOW_URL') === undefined && read(env, 'WEBHOOK_URL') === undefined)
    complain('TEAMS_WORKFLOW_URL', 'or WEBHOOK_URL must be set');

  const defaultIotHubResourceId = read(env, 'DEFAULT_IOTHUB_RESOURCE_ID');
  if (defaultIotHubResourceId !== undefined && !IOTHUB_ID.test(defaultIotHubResourceId))
    complain('DEFAULT_IOTHUB_RESOURCE_ID', 'must be an IoT hub ARM resource ID');

  // Lower-cased, each once: the digest posts one message per watched hub.
  const iotHubResourceIds = [
    ...new Set(list(read(env, 'IOTHUB_RESOURCE_IDS')).map((id) => id.toLowerCase())),
  ];
  if (iotHubResourceIds.some((id) => !IOTHUB_ID.test(id)))
    complain('IOTHUB_RESOURCE_IDS', 'must list IoT hub ARM resource IDs, separated by commas');
  else if (
    iotHubResourceIds.length > 0 &&
    defaultIotHubResourceId !== undefined &&
    !iotHubResourceIds.includes(defaultIotHubResourceId.toLowerCase())
  )
    complain('DEFAULT_IOTHUB_RESOURCE_ID', 'must be one of IOTHUB_RESOURCE_IDS');

  const intakeAuth = oneOf<IntakeAuthKind>('INTAKE_AUTH', ['function-key', 'entra-id']);
  let entra: EntraSettings | undefined;
  if (intakeAuth === 'entra-id') {
    const tenantId = read(env, 'ENTRA_TENANT_ID');
    const audience = read(env, 'ENTRA_AUDIENCE');
    const allowedAppIds = list(read(env, 'ENTRA_ALLOWED_APP_IDS'));
    if (tenantId === undefined) complain('ENTRA_TENANT_ID', 'is missing');
    else if (!GUID.test(tenantId)) complain('ENTRA_TENANT_ID', 'must be the tenant GUID');
    if (audience === undefined) complain('ENTRA_AUDIENCE', 'is missing');
    if (allowedAppIds.length === 0 || allowedAppIds.some((id) => !GUID.test(id)))
      complain('ENTRA_ALLOWED_APP_IDS', 'must list application (client) IDs');
    const authorityHost = httpUrl('ENTRA_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com';
    if (tenantId !== undefined && audience !== undefined)
      entra = {
        tenantId: tenantId.toLowerCase(),
        audience,
        authorityHost: authorityHost.replace(/\/+$/, ''),
        allowedAppIds: allowedAppIds.map((id) => id.toLowerCase()),
      };
  }

  const schedule = digestScheduleOf(env);
  if (schedule.invalid)
    complain('DIGEST_SCHEDULE', 'must be an NCRONTAB expression with six fields, or off');

  const stateStore = oneOf<StateStoreKind>('STATE_STORE', ['azure-storage', 'memory']);
  const storage: StorageSettings = withoutUndefined({
    connectionString: read(env, 'AzureWebJobsStorage'),
    queueServiceUri: httpUrl('AzureWebJobsStorage__queueServiceUri'),
    tableServiceUri: httpUrl('AzureWebJobsStorage__tableServiceUri'),
  });
  if (
    stateStore === 'azure-storage' &&
    storage.connectionString === undefined &&
    (storage.queueServiceUri === undefined || storage.tableServiceUri === undefined)
  )
    complain(
      'AzureWebJobsStorage',
      'is missing (or set both AzureWebJobsStorage__queueServiceUri and __tableServiceUri)',
    );

  const config: Config = withoutUndefined({
    evidenceSource,
    logAnalyticsWorkspaceId,
    logAnalyticsEndpoint: httpUrl('LOG_ANALYTICS_ENDPOINT') ?? 'https://api.loganalytics.io/v1',
    resourceManagerEndpoint:
      httpUrl('AZURE_RESOURCE_MANAGER_ENDPOINT') ?? 'https://management.azure.com',
    exportLogsPath,
    exportMetricsPath: read(env, 'EXPORT_METRICS_PATH'),
    teamsWorkflowUrl,
    webhookUrl,
    webhookSecret: read(env, 'WEBHOOK_SECRET'),
    deviceIdDimension: read(env, 'DEVICE_ID_DIMENSION') ?? 'DeviceId',
    defaultIotHubResourceId,
    iotHubResourceIds,
    digestSchedule: schedule.value,
    evidenceLookbackMinutes: integer('EVIDENCE_LOOKBACK_MINUTES', 10, 7 * 24 * 60),
    notifyTimeoutMs: integer('NOTIFY_TIMEOUT_MS', 500, 120_000),
    intakeAuth,
    entra,
    incidentUpdateMinutes: integer('INCIDENT_UPDATE_MINUTES', 1, 24 * 60),
    incidentQuietMinutes: integer('INCIDENT_QUIET_MINUTES', 1, 24 * 60),
    renewalPolicy: oneOf<RenewalPolicyKind>('RENEWAL_POLICY', ['compact', 'post', 'suppress']),
    stateStore,
    storage,
    azureClientId: read(env, 'AZURE_CLIENT_ID'),
    port: integer('PORT', 1, 65_535),
  });

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Six NCRONTAB fields: digits, `*`, `,`, `-`, `/`. */
const NCRONTAB = /^[\d*,/-]+( [\d*,/-]+){5}$/;

/**
 * The digest schedule: the default when the key is absent, off when it is set but empty or
 * `off`, else the expression (invalid when it is not six NCRONTAB fields).
 */
export function digestScheduleOf(env: Environment): { value?: string; invalid: boolean } {
  const raw = env.DIGEST_SCHEDULE;
  if (raw === undefined) return { value: DEFAULT_DIGEST_SCHEDULE, invalid: false };
  const value = raw.trim().replace(/\s+/g, ' ');
  if (value === '' || value.toLowerCase() === 'off') return { invalid: false };
  return NCRONTAB.test(value) ? { value, invalid: false } : { invalid: true };
}

/** Every hub the deployment watches: `IOTHUB_RESOURCE_IDS` and `DEFAULT_IOTHUB_RESOURCE_ID`. */
export function watchedHubs(
  config: Pick<Config, 'iotHubResourceIds' | 'defaultIotHubResourceId'>,
): string[] {
  return [
    ...new Set(
      [...config.iotHubResourceIds, config.defaultIotHubResourceId ?? '']
        .map((id) => id.toLowerCase())
        .filter((id) => id !== ''),
    ),
  ];
}

export interface KeyStatus {
  readonly name: string;
  readonly status: 'set' | 'default' | 'unset' | 'invalid' | 'missing';
  readonly secret: boolean;
}

/** A setting that works but weakens a guarantee; reported by name, like problems. */
export interface ConfigWarning {
  readonly key: string;
  readonly warning: string;
}

export interface ConfigReport {
  readonly ok: boolean;
  readonly keys: readonly KeyStatus[];
  readonly problems: readonly ConfigProblem[];
  readonly warnings: readonly ConfigWarning[];
}

function warningsOf(env: Environment): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (list(read(env, 'IOTHUB_RESOURCE_IDS')).length === 0)
    warnings.push({
      key: 'IOTHUB_RESOURCE_IDS',
      warning: 'is empty: alerts naming any IoT hub, in any subscription, are queried',
    });
  return warnings;
}

/** The health view of the configuration: status by key *name*, never a value. */
export function reportConfig(env: Environment): ConfigReport {
  let problems: readonly ConfigProblem[] = [];
  try {
    loadConfig(env);
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  const keys = CONFIG_KEYS.map((key): KeyStatus => {
    const problem = problems.find((p) => p.key === key.name);
    const isSet = (env[key.name]?.trim() ?? '') !== '';
    const status: KeyStatus['status'] = problem
      ? isSet
        ? 'invalid'
        : 'missing'
      : isSet
        ? 'set'
        : key.default !== undefined
          ? 'default'
          : 'unset';
    return { name: key.name, status, secret: key.secret };
  });
  return { ok: problems.length === 0, keys, problems, warnings: warningsOf(env) };
}

/** The dev host's port alone, for tools that need nothing else (`npm run demo`). */
export function devHostPort(env: Environment): number {
  const raw = read(env, 'PORT') ?? '7071';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    throw new ConfigError([{ key: 'PORT', problem: 'must be a whole number from 1 to 65535' }]);
  }
  return port;
}

/** The README's configuration table, generated from `CONFIG_KEYS` (`npm run docs:config`). */
export function renderConfigTable(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = CONFIG_KEYS.map((key) => {
    const required = key.required === true ? 'yes' : key.required === false ? 'no' : key.required;
    const fallback = key.default === undefined ? '' : `\`${key.default}\``;
    return `| \`${key.name}\` | ${cell(required)} | ${fallback} | ${key.secret ? 'yes' : 'no'} | ${cell(key.description)} |`;
  });
  return [
    '| Key | Required | Default | Secret | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
