/**
 * The configuration keys: one table of names, defaults, secrecy and descriptions, from which the
 * loader, `GET /api/health` and the README's table are all built, so they cannot drift; and how
 * a single key's value is read.
 */

/** The settings as read from the process environment (or a test's object). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Microsoft's "AZNS AAD Webhook" application: the caller of every action group secure webhook. */
export const ACTION_GROUP_APP_ID = '461e8683-5575-4561-ac7f-899cc907d62a';

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
    required: 'unless WEBHOOK_URL or ROUTES is set',
    secret: true,
    description:
      'Teams Workflows webhook URL ("When a Teams webhook request is received"); the URL carries its own signature, so it is a secret.',
  },
  {
    name: 'WEBHOOK_URL',
    required: 'unless TEAMS_WORKFLOW_URL or ROUTES is set',
    secret: true,
    description:
      'Generic webhook that receives the enriched alert as versioned JSON (the built-in receiver `webhook`).',
  },
  {
    name: 'WEBHOOK_SECRET',
    required: false,
    secret: true,
    description:
      'When set, webhook bodies are signed with HMAC-SHA256 over `timestamp.body` (headers `X-Enricher-Timestamp`, `X-Enricher-Signature`).',
  },
  {
    name: 'ROUTES',
    required: false,
    secret: false,
    description:
      'Receivers and routes as JSON: `{"receivers": [{"name", "type": "teams"|"webhook", "signed"}], "routes": [{"matchers": ["hub=~plant-a-*"], "receivers": [...], "continue"}], "default": {"receivers": [...]}}`. Without it every message goes to `teams` and `webhook`. See "Routes and receivers" in the README.',
  },
  {
    name: 'ROUTES_FILE',
    required: false,
    secret: false,
    description: 'A file holding the route list (the same JSON as `ROUTES`); set one of the two.',
  },
  {
    name: 'RECEIVER_<NAME>_URL',
    required: 'for each receiver the route list declares',
    secret: true,
    description:
      "The URL of the receiver `<name>` (upper-cased, `-` as `_`: `plant-a` is `RECEIVER_PLANT_A_URL`); a Key Vault reference in Azure. `RECEIVER_<NAME>_SECRET` signs a `signed` webhook receiver's bodies.",
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
      "Expected token audience: the Application ID URI of the intake's app registration (e.g. `api://iothub-alert-enricher`), the `aud` of the v1 tokens action groups send.",
  },
  {
    name: 'ENTRA_CLIENT_ID',
    required: false,
    secret: false,
    description:
      'Application (client) ID of that app registration: the `aud` of v2 tokens (`requestedAccessTokenVersion: 2`, which Microsoft advises). The intake accepts a token for either audience (unset: the identifier URI alone). The template sets it.',
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
    name: 'MAINTENANCE_WINDOWS',
    required: false,
    secret: false,
    description:
      'Weekly maintenance windows in UTC, held like silences while they last: JSON `[{"name": "sunday patching", "matchers": ["hub=contoso-fleet-hub"], "days": ["sun"], "start": "02:00", "end": "04:00"}]`. Each must name a hub, device, module or site.',
  },
  {
    name: 'SILENCE_MAX_DAYS',
    required: false,
    default: '30',
    secret: false,
    description: 'The longest a silence may last, in days (1 to 90).',
  },
  {
    name: 'ALERT_ARCHIVE_DAYS',
    required: false,
    default: '14',
    secret: false,
    description:
      'How many days the worker keeps each alert it received (table `enricheralerts`, at most 20,000 per UTC day), for `enricher whatif` to replay; older days are removed. 0 keeps none. 0 to 90.',
  },
  {
    name: 'ACTION_SIGNING_KEYS',
    required: false,
    secret: true,
    description:
      'The keys that sign the cards\' action links (Acknowledge, Mute), as JSON from key id to a base64 secret of at least 32 bytes, e.g. `{"2026-12": "…"}`; in Azure a Key Vault reference. Keep an old key listed until its links expire. Links are shown only with this and `PUBLIC_BASE_URL`.',
  },
  {
    name: 'ACTION_SIGNING_KEY_ID',
    required: 'with ACTION_SIGNING_KEYS',
    secret: false,
    description: 'Which key of `ACTION_SIGNING_KEYS` signs new links.',
  },
  {
    name: 'PUBLIC_BASE_URL',
    required: 'with ACTION_SIGNING_KEYS',
    secret: false,
    description:
      "The function app's https URL the action links point at (`https://<app>.azurewebsites.net`); the dev host uses its own URL.",
  },
  {
    name: 'ACTION_LINK_HOURS',
    required: false,
    default: '72',
    secret: false,
    description: 'How long an action link works, in hours (1 to 720).',
  },
  {
    name: 'RECONNECT_GRACE_SECONDS',
    required: false,
    default: '180',
    secret: false,
    description:
      "Connection events: how long a disconnected device (or module) may stay away before it becomes an alert. 180 s covers a SAS renewal, the SDKs' first retries and IoT Hub's 60-second snapshots (docs/connection-events.md). 30 to 3600.",
  },
  {
    name: 'RECONNECT_GRACE_SECONDS_BY_HUB',
    required: false,
    secret: false,
    description:
      'Connection events: the grace per hub, as JSON from hub name to seconds, e.g. `{"plant-a-hub": 300}`; other hubs use `RECONNECT_GRACE_SECONDS`.',
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

function defaultOf(name: string): string | undefined {
  return CONFIG_KEYS.find((key) => key.name === name)?.default;
}

/** Reads a key, treating blank values as unset, and falling back to the table default. */
export function readKey(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? defaultOf(name) : value;
}

/** A comma-separated value as a list, blanks dropped. */
export function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Typed reads of single keys; each tells `complain` what is wrong, by key name only. */
export interface KeyReader {
  readonly oneOf: <T extends string>(name: string, allowed: readonly T[]) => T;
  readonly integer: (name: string, min: number, max: number) => number;
  readonly httpUrl: (name: string) => string | undefined;
}

export function keyReader(
  env: Environment,
  complain: (key: string, problem: string) => void,
): KeyReader {
  return {
    oneOf: <T extends string>(name: string, allowed: readonly T[]): T => {
      const value = readKey(env, name);
      if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
      complain(name, `must be one of ${allowed.join(', ')}`);
      return allowed[0]!; // eslint-disable-line @typescript-eslint/no-non-null-assertion -- callers pass a non-empty list
    },
    integer: (name: string, min: number, max: number): number => {
      const raw = readKey(env, name) ?? '';
      const value = Number(raw);
      if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
      complain(name, `must be a whole number from ${min} to ${max}`);
      return Number(defaultOf(name));
    },
    httpUrl: (name: string): string | undefined => {
      const value = readKey(env, name);
      if (value === undefined) return undefined;
      try {
        const url = new URL(value);
        if (url.protocol === 'https:' || url.protocol === 'http:') return value;
      } catch {
        // reported below
      }
      complain(name, 'must be an http(s) URL');
      return undefined;
    },
  };
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
