/**
 * Every setting the enricher reads, validated once into a frozen `Config`, with every problem
 * listed at once. The only module that touches `process.env`; everything else receives a `Config`.
 */

import { readFileSync } from 'node:fs';

import type { SigningKeys } from '../actions/actionToken';
import type { MaintenanceWindow } from '../silences/maintenanceWindows';
import { withoutUndefined } from '../common/withoutUndefined';
import { digestScheduleOf, type Environment, keyReader, listOf, readKey } from './configKeys';
import type { RoutingSettings } from './routeSettings';
import { type ReadText, readPolicySettings, type RenewalPolicyKind } from './policySettings';

export type EvidenceSourceKind = 'log-analytics' | 'export-files';
export type StateStoreKind = 'azure-storage' | 'memory';
export type IntakeAuthKind = 'function-key' | 'entra-id';
export type { RenewalPolicyKind } from './policySettings';

export interface StorageSettings {
  readonly connectionString?: string;
  readonly queueServiceUri?: string;
  readonly tableServiceUri?: string;
}

export interface EntraSettings {
  readonly tenantId: string;
  /** The Application ID URI: the `aud` of v1 tokens requested for it (what action groups send). */
  readonly audience: string;
  /** The app registration's application (client) ID, lower-cased: the `aud` of v2 tokens. */
  readonly clientId?: string;
  readonly authorityHost: string;
  readonly allowedAppIds: readonly string[];
}

export interface ActionLinkSettings {
  readonly signingKeys: SigningKeys;
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly hours: number;
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
  /** Receivers and routes: which receivers each message goes to (`ROUTES`, `ROUTES_FILE`). */
  readonly routing: RoutingSettings;
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
  /** Connection events: the default reconnect grace, in seconds. */
  readonly reconnectGraceSeconds: number;
  /** Per-hub graces, by lower-cased hub name. */
  readonly reconnectGraceByHub: Readonly<Record<string, number>>;
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  readonly silenceMaxDays: number;
  /** `ALERT_ARCHIVE_DAYS`: how long received alerts are kept for `enricher whatif` (0: not kept). */
  readonly alertArchiveDays: number;
  /** The cards' action links; absent when no signing keys or base URL are configured. */
  readonly actionLinks?: ActionLinkSettings;
  readonly stateStore: StateStoreKind;
  readonly storage: StorageSettings;
  readonly azureClientId?: string;
  readonly port: number;
}

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

const MIN_GRACE_SECONDS = 30;
const MAX_GRACE_SECONDS = 3600;
const HUB_NAME = /^[a-z0-9-]{3,50}$/i;

/** `{"hub-name": seconds}`; a problem names the key and the hub, never another value. */
function graceByHub(
  text: string | undefined,
  complain: (key: string, problem: string) => void,
): Record<string, number> {
  const key = 'RECONNECT_GRACE_SECONDS_BY_HUB';
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    complain(key, 'must be a JSON object from hub name to seconds');
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    complain(key, 'must be a JSON object from hub name to seconds');
    return {};
  }
  const graces: Record<string, number> = {};
  for (const [hub, seconds] of Object.entries(value)) {
    if (!HUB_NAME.test(hub)) complain(key, `names an invalid hub name (${hub.slice(0, 50)})`);
    else if (
      typeof seconds !== 'number' ||
      !Number.isInteger(seconds) ||
      seconds < MIN_GRACE_SECONDS ||
      seconds > MAX_GRACE_SECONDS
    )
      complain(
        key,
        `${hub} must be whole seconds from ${MIN_GRACE_SECONDS} to ${MAX_GRACE_SECONDS}`,
      );
    else graces[hub.toLowerCase()] = seconds;
  }
  return graces;
}

const MIN_SIGNING_KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** `ACTION_SIGNING_KEYS` and friends; problems name the key (and a key id), never a secret. */
function actionLinksOf(
  read: (name: string) => string | undefined,
  hours: number,
  httpUrl: (name: string) => string | undefined,
  complain: (key: string, problem: string) => void,
): ActionLinkSettings | undefined {
  const text = read('ACTION_SIGNING_KEYS');
  const currentKeyId = read('ACTION_SIGNING_KEY_ID');
  const baseUrl = httpUrl('PUBLIC_BASE_URL');
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    complain('ACTION_SIGNING_KEYS', 'must be a JSON object from key id to a base64 secret');
    return undefined;
  }
  const keys: Record<string, Buffer> = {};
  for (const [id, secret] of Object.entries(value)) {
    const bytes =
      typeof secret === 'string' && BASE64.test(secret) ? Buffer.from(secret, 'base64') : undefined;
    if (bytes === undefined || bytes.length < MIN_SIGNING_KEY_BYTES)
      complain(
        'ACTION_SIGNING_KEYS',
        `key ${id.slice(0, 40)} must be base64 of at least ${MIN_SIGNING_KEY_BYTES} bytes`,
      );
    else keys[id] = bytes;
  }
  if (currentKeyId === undefined) complain('ACTION_SIGNING_KEY_ID', 'is missing');
  else if (!(currentKeyId in value))
    complain('ACTION_SIGNING_KEY_ID', 'must name a key of ACTION_SIGNING_KEYS');
  if (read('PUBLIC_BASE_URL') === undefined) complain('PUBLIC_BASE_URL', 'is missing');
  if (currentKeyId === undefined || keys[currentKeyId] === undefined || baseUrl === undefined)
    return undefined;
  return { signingKeys: { currentKeyId, keys }, baseUrl: baseUrl.replace(/\/+$/, ''), hours };
}

/** The reconnect grace of a hub, by its ARM resource ID. */
export function graceSecondsOf(
  config: Pick<Config, 'reconnectGraceSeconds' | 'reconnectGraceByHub'>,
  hubResourceId: string,
): number {
  const name = hubResourceId.split('/').pop()?.toLowerCase() ?? '';
  return config.reconnectGraceByHub[name] ?? config.reconnectGraceSeconds;
}

const readTextFile: ReadText = (path) => readFileSync(path, 'utf8');

/** Parses and validates every key, and throws one `ConfigError` that lists every problem. */
export function loadConfig(env: Environment, readText: ReadText = readTextFile): Readonly<Config> {
  const problems: ConfigProblem[] = [];
  const complain = (key: string, problem: string): void => {
    problems.push({ key, problem });
  };
  const read = (name: string): string | undefined => readKey(env, name);
  const { oneOf, integer, httpUrl } = keyReader(env, complain);

  const evidenceSource = oneOf<EvidenceSourceKind>('EVIDENCE_SOURCE', [
    'log-analytics',
    'export-files',
  ]);
  const logAnalyticsWorkspaceId = read('LOG_ANALYTICS_WORKSPACE_ID');
  if (evidenceSource === 'log-analytics') {
    if (logAnalyticsWorkspaceId === undefined) complain('LOG_ANALYTICS_WORKSPACE_ID', 'is missing');
    else if (!GUID.test(logAnalyticsWorkspaceId))
      complain('LOG_ANALYTICS_WORKSPACE_ID', 'must be the workspace GUID (customerId)');
  }
  const exportLogsPath = read('EXPORT_LOGS_PATH');
  if (evidenceSource === 'export-files' && exportLogsPath === undefined)
    complain('EXPORT_LOGS_PATH', 'is missing');

  const teamsWorkflowUrl = httpUrl('TEAMS_WORKFLOW_URL');
  const webhookUrl = httpUrl('WEBHOOK_URL');
  const policy = readPolicySettings(env, readText, complain);

  const defaultIotHubResourceId = read('DEFAULT_IOTHUB_RESOURCE_ID');
  if (defaultIotHubResourceId !== undefined && !IOTHUB_ID.test(defaultIotHubResourceId))
    complain('DEFAULT_IOTHUB_RESOURCE_ID', 'must be an IoT hub ARM resource ID');

  const { iotHubResourceIds } = policy;
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
    const tenantId = read('ENTRA_TENANT_ID');
    const audience = read('ENTRA_AUDIENCE');
    const clientId = read('ENTRA_CLIENT_ID');
    const allowedAppIds = listOf(read('ENTRA_ALLOWED_APP_IDS'));
    if (tenantId === undefined) complain('ENTRA_TENANT_ID', 'is missing');
    else if (!GUID.test(tenantId)) complain('ENTRA_TENANT_ID', 'must be the tenant GUID');
    if (audience === undefined) complain('ENTRA_AUDIENCE', 'is missing');
    if (clientId !== undefined && !GUID.test(clientId))
      complain('ENTRA_CLIENT_ID', 'must be the application (client) ID GUID');
    if (allowedAppIds.length === 0 || allowedAppIds.some((id) => !GUID.test(id)))
      complain('ENTRA_ALLOWED_APP_IDS', 'must list application (client) IDs');
    const authorityHost = httpUrl('ENTRA_AUTHORITY_HOST') ?? 'https://login.microsoftonline.com';
    if (tenantId !== undefined && audience !== undefined)
      entra = withoutUndefined({
        tenantId: tenantId.toLowerCase(),
        audience,
        clientId: clientId?.toLowerCase(),
        authorityHost: authorityHost.replace(/\/+$/, ''),
        allowedAppIds: allowedAppIds.map((id) => id.toLowerCase()),
      });
  }

  const schedule = digestScheduleOf(env);
  if (schedule.invalid)
    complain('DIGEST_SCHEDULE', 'must be an NCRONTAB expression with six fields, or off');

  const reconnectGraceByHub = graceByHub(read('RECONNECT_GRACE_SECONDS_BY_HUB'), complain);

  const stateStore = oneOf<StateStoreKind>('STATE_STORE', ['azure-storage', 'memory']);
  const storage: StorageSettings = withoutUndefined({
    connectionString: read('AzureWebJobsStorage'),
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
    exportMetricsPath: read('EXPORT_METRICS_PATH'),
    teamsWorkflowUrl,
    webhookUrl,
    webhookSecret: read('WEBHOOK_SECRET'),
    routing: policy.routing,
    deviceIdDimension: read('DEVICE_ID_DIMENSION') ?? 'DeviceId',
    defaultIotHubResourceId,
    iotHubResourceIds,
    digestSchedule: schedule.value,
    evidenceLookbackMinutes: integer('EVIDENCE_LOOKBACK_MINUTES', 10, 7 * 24 * 60),
    notifyTimeoutMs: integer('NOTIFY_TIMEOUT_MS', 500, 120_000),
    intakeAuth,
    entra,
    incidentUpdateMinutes: policy.incidentUpdateMinutes,
    incidentQuietMinutes: policy.incidentQuietMinutes,
    renewalPolicy: policy.renewalPolicy,
    reconnectGraceSeconds: integer('RECONNECT_GRACE_SECONDS', MIN_GRACE_SECONDS, MAX_GRACE_SECONDS),
    reconnectGraceByHub,
    maintenanceWindows: policy.maintenanceWindows,
    silenceMaxDays: integer('SILENCE_MAX_DAYS', 1, 90),
    alertArchiveDays: integer('ALERT_ARCHIVE_DAYS', 0, 90),
    actionLinks: actionLinksOf(read, integer('ACTION_LINK_HOURS', 1, 720), httpUrl, complain),
    stateStore,
    storage,
    azureClientId: read('AZURE_CLIENT_ID'),
    port: integer('PORT', 1, 65_535),
  });

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
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

/** The dev host's port alone, for tools that need nothing else (`npm run demo`). */
export function devHostPort(env: Environment): number {
  const raw = readKey(env, 'PORT') ?? '7071';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    throw new ConfigError([{ key: 'PORT', problem: 'must be a whole number from 1 to 65535' }]);
  }
  return port;
}
