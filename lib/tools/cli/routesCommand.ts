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

import type { Alert } from '../../alerts/alert';
import { buildReport } from '../../app/enrichAlert';
import { type Environment, readKey } from '../../config/configKeys';
import { readPolicySettings } from '../../config/policySettings';
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
import {
  ALERT_INPUT_OPTIONS,
  CliUsageError,
  type CommandIo,
  loadSource,
  lookbackMinutesOf,
  oneLine,
  parseCommandArgs,
  printedHelp,
  readAlertFile,
  readConfigFile,
  settingsFileReader,
} from './cliInputs';
import { COMMAND_USAGE } from './usage';

export interface RoutesIo extends CommandIo {
  readonly now: () => Date;
  /** The app's settings, when no `--config` file is given. */
  readonly env: Environment;
}

const SCOPES: readonly Scope[] = ['device', 'subset', 'fleet'];
const FORMATS = ['text', 'json'] as const;

/** Where the verdict came from: the logs, a supposition, or nowhere (the alert alone). */
type Basis = 'logs' | 'supposed' | 'alert' | 'not-diagnosed';

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
  const { values, positionals } = parseCommandArgs(argv, {
    alert: { type: 'string' },
    config: { type: 'string' },
    cause: { type: 'string' },
    scope: { type: 'string' },
    kind: { type: 'string' },
    json: { type: 'boolean' },
    ...ALERT_INPUT_OPTIONS,
  });
  if (printedHelp(io, values.help, positionals, COMMAND_USAGE.routes)) return 0;
  if (values.json && values.format !== undefined && values.format !== 'json')
    throw new CliUsageError('use either --json or --format, not both');
  const format = values.json ? 'json' : (values.format ?? 'text');
  if (!(FORMATS as readonly string[]).includes(format))
    throw new CliUsageError(`--format must be text or json (got ${format})`);
  if (values.alert === undefined) throw new CliUsageError('--alert is required');
  const cause = values.cause?.toLowerCase();
  if (cause !== undefined && !(CAUSES as readonly string[]).includes(cause))
    throw new CliUsageError(`--cause must be one of ${CAUSES.join(', ')}`);
  const scope = values.scope?.toLowerCase();
  if (scope !== undefined && !(SCOPES as readonly string[]).includes(scope))
    throw new CliUsageError(`--scope must be one of ${SCOPES.join(', ')}`);
  if (scope !== undefined && cause === undefined)
    throw new CliUsageError('--scope goes with --cause (a supposed verdict)');
  if (cause !== undefined && values.logs !== undefined)
    throw new CliUsageError('use either --logs (the verdict of the logs) or --cause, not both');
  if (values.metrics !== undefined && values.logs === undefined)
    throw new CliUsageError('--metrics goes with --logs');
  const kindOption = values.kind?.toLowerCase();
  if (kindOption !== undefined && !(MESSAGE_KINDS as readonly string[]).includes(kindOption))
    throw new CliUsageError(`--kind must be one of ${MESSAGE_KINDS.join(', ')}`);
  const lookbackMinutes = lookbackMinutesOf(values['lookback-minutes']);

  // The settings first: a refused configuration is the answer, whatever the alert.
  const env = values.config === undefined ? io.env : await readConfigFile(values.config);
  const problems: { key: string; problem: string }[] = [];
  const policy = readPolicySettings(
    env,
    settingsFileReader(values.config),
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
      error instanceof CliUsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    io.stderr(`enricher: ${oneLine(error)}${usage ? '' : ' (unexpected error)'}\n`);
    return 2;
  }
}
