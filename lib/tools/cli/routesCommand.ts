/**
 * `enricher routes --alert A.json [--config FILE] [--logs LOGS [--metrics M]] [--cause CAUSE]
 * [--scope SCOPE] [--kind KIND] [--format text|json]`: which receivers an alert would reach, and
 * which route took it (or the default). Offline: the routes are read as the app reads them, but
 * receivers need no URL, and nothing is posted.
 *
 * The verdict comes from the logs (`--logs`, the same report as `enricher classify`), is supposed
 * (`--cause`, `--scope`), or is unknown: then only what the alert itself says is routed on (hub,
 * alert rule, severity, devices), and routes that match on cause or scope do not take it.
 *
 * What is printed holds receiver and route names only, never a URL or a secret.
 */

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { Alert } from '../../alerts/alert';
import { parseAlert } from '../../alerts/parseAlert';
import { buildReport } from '../../app/enrichAlert';
import { type Environment, readKey } from '../../config/configKeys';
import { readPolicySettings, type ReadText } from '../../config/policySettings';
import { MESSAGE_KINDS, type MessageKind } from '../../config/routeSettings';
import { type Cause, CAUSES, type Diagnosis, type Scope } from '../../diagnose/diagnosis';
import type { EnrichedAlert } from '../../diagnose/enrichedAlert';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { MetricsFileSource } from '../../evidence/metricsFile';
import { impactOf } from '../../incidents/alertImpact';
import { alertSubject } from '../../incidents/holdBack';
import { routeOf } from '../../routing/router';
import type { RouteSubject } from '../../routing/routeSubject';
import { type RouteWarning, routeWarnings } from '../../routing/routeWarnings';
import { COMMAND_USAGE } from './usage';

export interface RoutesIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly now: () => Date;
  /** The app's settings, when no `--config` file is given. */
  readonly env: Environment;
}

const SCOPES: readonly Scope[] = ['device', 'subset', 'fleet'];
const FORMATS = ['text', 'json'] as const;

/** Where the verdict came from: the logs, a supposition, or nowhere (the alert alone). */
type Basis = 'logs' | 'supposed' | 'alert' | 'not-diagnosed';

class RoutesUsageError extends Error {}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? oneLine(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A settings file: a JSON object of app settings, or `local.settings.json` (`{"Values": {...}}`).
 * A value that is an object or a list (`"ROUTES": {...}`) stands for its JSON text.
 */
async function readSettingsFile(path: string): Promise<Environment> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new RoutesUsageError(`cannot read config ${path}: ${errorCode(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new RoutesUsageError(`config ${path} is not valid JSON`);
  }
  if (!isObject(json)) {
    throw new RoutesUsageError(`config ${path} must be a JSON object of app settings`);
  }
  const values = isObject(json.Values) ? json.Values : json;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    // Numbers and booleans as their text; objects and lists as their JSON text.
    env[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return env;
}

async function readAlertFile(
  path: string,
  deviceIdDimension: string,
  defaultHub: string | undefined,
): Promise<Alert> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new RoutesUsageError(`cannot read alert ${path}: ${errorCode(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new RoutesUsageError(`${path} is not valid JSON`);
  }
  try {
    return parseAlert(json, {
      deviceIdDimension,
      ...(defaultHub !== undefined && { defaultIotHubResourceId: defaultHub }),
    });
  } catch (error: unknown) {
    throw new RoutesUsageError(`${path}: ${oneLine(error)}`);
  }
}

async function loadSource<T>(
  what: string,
  path: string,
  load: (p: string) => Promise<T>,
): Promise<T> {
  try {
    return await load(path);
  } catch (error: unknown) {
    throw new RoutesUsageError(`cannot read ${what} ${path}: ${errorCode(error)}`);
  }
}

/** A verdict supposed on the command line: no evidence behind it, and it says so. */
function supposedDiagnosis(alert: Alert, cause: Cause, scope: Scope | undefined): Diagnosis {
  const devices = alert.deviceIds;
  return {
    cause,
    // Without --scope: what the alert names (one device, several, or none: the hub).
    scope: scope ?? (devices.length === 1 ? 'device' : devices.length === 0 ? 'fleet' : 'subset'),
    confidence: 0,
    devices,
    summary: 'Supposed for routing (enricher routes --cause); not diagnosed from evidence.',
    evidence: [],
    actions: [],
  };
}

const NOTHING = { devices: [], modules: [], sites: [], sdks: [] } as const;

/** The route subject of the message of this kind about this alert, as the app builds it. */
function subjectOf(report: EnrichedAlert, kind: MessageKind): RouteSubject {
  const about = alertSubject(report, impactOf(report));
  switch (kind) {
    case 'alert':
    case 'renewal':
    case 'resolved':
      return { ...about, kind };
    case 'incident':
      // An incident's subject: its hub, devices, sites, cause, scope, and the opener's rule and
      // severity; no modules or SDKs.
      return { ...about, modules: [], sdks: [], kind };
    case 'digest':
      return { ...NOTHING, ...(about.hub !== undefined && { hub: about.hub }), kind };
    case 'notice':
      return { ...NOTHING, kind };
  }
}

function settingsReader(configPath: string | undefined): ReadText {
  // ROUTES_FILE in a settings file is relative to that file; in the environment, to the cwd.
  const base = configPath === undefined ? process.cwd() : dirname(resolve(configPath));
  return (path) => readFileSync(isAbsolute(path) ? path : resolve(base, path), 'utf8');
}

interface RoutesResult {
  readonly alert: {
    readonly id: string;
    readonly rule: string;
    readonly severity: string;
    readonly hub: string | null;
    readonly devices: readonly string[];
  };
  readonly basis: Basis;
  readonly cause: string;
  readonly scope: string | null;
  readonly kind: MessageKind;
  readonly source: string;
  readonly route: 'default' | readonly { readonly path: string; readonly name?: string }[];
  readonly receivers: readonly string[];
  readonly warnings: readonly RouteWarning[];
}

const BASIS_TEXT: Readonly<Record<Basis, string>> = {
  logs: 'from the logs',
  supposed: 'supposed (--cause), not diagnosed',
  alert: 'no --logs or --cause: routes on cause or scope do not match',
  'not-diagnosed': 'not a device-disconnect alert: the app passes it on undiagnosed',
};

function renderText(result: RoutesResult): string {
  const route =
    result.route === 'default'
      ? 'default (no route matched)'
      : result.route
          .map((r) => (r.name === undefined ? r.path : `${r.path} "${r.name}"`))
          .join(', ');
  const lines = [
    `alert      ${result.alert.id}`,
    `rule       ${result.alert.rule} (${result.alert.severity})`,
    `hub        ${result.alert.hub ?? '(none named)'}`,
    `devices    ${result.alert.devices.length > 0 ? result.alert.devices.join(', ') : '(none: a hub-level alert)'}`,
    result.basis === 'alert' || result.basis === 'not-diagnosed'
      ? `cause      unknown (${BASIS_TEXT[result.basis]})`
      : `cause      ${result.cause}, scope ${result.scope ?? 'unknown'} (${BASIS_TEXT[result.basis]})`,
    `kind       ${result.kind}`,
    `routes     ${result.source}`,
    `route      ${route}`,
    `receivers  ${result.receivers.length > 0 ? result.receivers.join(', ') : '(none)'}`,
  ];
  return `${lines.join('\n')}\n`;
}

async function routes(argv: readonly string[], io: RoutesIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      alert: { type: 'string' },
      config: { type: 'string' },
      logs: { type: 'string' },
      metrics: { type: 'string' },
      cause: { type: 'string' },
      scope: { type: 'string' },
      kind: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
      'device-dimension': { type: 'string' },
      'default-hub': { type: 'string' },
      'lookback-minutes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(`${COMMAND_USAGE.routes}\n`);
    return 0;
  }
  if (positionals.length > 0)
    throw new RoutesUsageError(`unexpected argument: ${positionals[0] ?? ''}`);
  if (values.json && values.format !== undefined && values.format !== 'json')
    throw new RoutesUsageError('use either --json or --format, not both');
  const format = values.json ? 'json' : (values.format ?? 'text');
  if (!(FORMATS as readonly string[]).includes(format))
    throw new RoutesUsageError(`--format must be text or json (got ${format})`);
  if (values.alert === undefined) throw new RoutesUsageError('--alert is required');
  const cause = values.cause?.toLowerCase();
  if (cause !== undefined && !(CAUSES as readonly string[]).includes(cause))
    throw new RoutesUsageError(`--cause must be one of ${CAUSES.join(', ')}`);
  const scope = values.scope?.toLowerCase();
  if (scope !== undefined && !(SCOPES as readonly string[]).includes(scope))
    throw new RoutesUsageError(`--scope must be one of ${SCOPES.join(', ')}`);
  if (scope !== undefined && cause === undefined)
    throw new RoutesUsageError('--scope goes with --cause (a supposed verdict)');
  if (cause !== undefined && values.logs !== undefined)
    throw new RoutesUsageError('use either --logs (the verdict of the logs) or --cause, not both');
  if (values.metrics !== undefined && values.logs === undefined)
    throw new RoutesUsageError('--metrics goes with --logs');
  const kindOption = values.kind?.toLowerCase();
  if (kindOption !== undefined && !(MESSAGE_KINDS as readonly string[]).includes(kindOption))
    throw new RoutesUsageError(`--kind must be one of ${MESSAGE_KINDS.join(', ')}`);
  const lookbackText = values['lookback-minutes'] ?? '360';
  const lookbackMinutes = Number(lookbackText);
  if (!/^\d+$/.test(lookbackText) || lookbackMinutes < 10 || lookbackMinutes > 10_080)
    throw new RoutesUsageError('--lookback-minutes must be a whole number from 10 to 10080');

  // The settings first: a refused configuration is the answer, whatever the alert.
  const env = values.config === undefined ? io.env : await readSettingsFile(values.config);
  const problems: { key: string; problem: string }[] = [];
  const policy = readPolicySettings(
    env,
    settingsReader(values.config),
    (key, problem) => problems.push({ key, problem }),
    { offline: true },
  );
  if (problems.length > 0) {
    const where = values.config === undefined ? 'the settings' : `the settings in ${values.config}`;
    for (const { key, problem } of problems) io.stderr(`enricher: ${key} ${problem}\n`);
    io.stderr(`enricher: ${where} are refused (${problems.length} problem(s))\n`);
    return 2;
  }
  const routing = policy.routing;
  const hubNames = policy.iotHubResourceIds.map((id) => id.split('/').pop() ?? id);
  const warnings = routeWarnings(routing, hubNames);

  // The alert is parsed as the app parses it: its device dimension and default hub.
  const alert = await readAlertFile(
    values.alert,
    values['device-dimension'] ?? readKey(env, 'DEVICE_ID_DIMENSION') ?? 'DeviceId',
    values['default-hub'] ?? readKey(env, 'DEFAULT_IOTHUB_RESOURCE_ID'),
  );
  let report: EnrichedAlert;
  let basis: Basis;
  if (values.logs !== undefined) {
    const evidence = await loadSource('logs', values.logs, (p) => ExportFileSource.fromPath(p));
    const metrics =
      values.metrics === undefined
        ? undefined
        : await loadSource('metrics', values.metrics, (p) => MetricsFileSource.fromPath(p));
    report = await buildReport(alert, {
      sources: { evidence, ...(metrics && { metrics }) },
      lookbackMinutes,
      now: io.now,
    });
    basis = report.diagnosis === undefined ? 'not-diagnosed' : 'logs';
  } else if (cause !== undefined) {
    report = {
      alert,
      diagnosis: supposedDiagnosis(alert, cause as Cause, scope as Scope | undefined),
      enrichedAt: io.now().toISOString(),
    };
    basis = 'supposed';
  } else {
    report = { alert, enrichedAt: io.now().toISOString() };
    basis = 'alert';
  }

  const diagnosis = report.diagnosis;
  const kind: MessageKind =
    (kindOption as MessageKind | undefined) ??
    (diagnosis?.scope === 'subset' || diagnosis?.scope === 'fleet' ? 'incident' : 'alert');
  const subject = subjectOf(report, kind);
  const decision = routeOf(routing, subject);
  const result: RoutesResult = {
    alert: {
      id: alert.id,
      rule: alert.rule,
      severity: alert.severity.toLowerCase(),
      hub: impactOf(report).hubResourceId?.toLowerCase() ?? null,
      devices: alert.deviceIds,
    },
    basis,
    cause: diagnosis?.cause ?? 'unknown',
    scope: diagnosis?.scope ?? null,
    kind,
    source: routing.source,
    route:
      decision.matched.length === 0
        ? 'default'
        : decision.matched.map((r) => ({
            path: r.path,
            ...(r.name !== undefined && { name: r.name }),
          })),
    receivers: decision.receivers,
    warnings,
  };
  if (format === 'json') {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    for (const w of warnings) io.stderr(`enricher: warning: ${w.path} ${w.warning}\n`);
    io.stdout(renderText(result));
  }
  return 0;
}

export async function runRoutes(argv: readonly string[], io: RoutesIo): Promise<number> {
  try {
    return await routes(argv, io);
  } catch (error: unknown) {
    const usage =
      error instanceof RoutesUsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    io.stderr(`enricher: ${oneLine(error)}${usage ? '' : ' (unexpected error)'}\n`);
    return 2;
  }
}
