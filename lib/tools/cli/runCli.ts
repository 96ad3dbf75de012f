/**
 * `enricher`: the offline CLI for replay, tuning and scripting. Same parsing, queries, diagnosis
 * and rendering as the function app; evidence comes from export files instead of the workspace.
 */

import type { Environment } from '../../config/configKeys';
import { buildReport } from '../../app/enrichAlert';
import {
  ALERT_INPUT_OPTIONS,
  CliUsageError,
  type CommandIo,
  loadSource,
  lookbackMinutesOf,
  oneLine,
  parseCommandArgs,
  readAlertFile,
} from './cliInputs';
import { runDigestCommand } from './digestCommand';
import type { EnrichedAlert } from '../../diagnose/enrichedAlert';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { planEvidenceQueries } from '../../evidence/kql';
import { MetricsFileSource } from '../../evidence/metricsFile';
import { renderAlertCard } from '../../render/teamsCards';
import { renderText } from '../../render/text';
import { REPLAY_USAGE, runReplay } from './replay';
import { runRoutes } from './routesCommand';
import { runWhatifCommand, WHATIF_USAGE } from './whatifCommand';
import { renderWebhookEvent } from '../../render/webhookPayload';
import { alertMessage } from '../../incidents/outgoingMessage';
import {
  ACK_USAGE,
  type OnCallCliServices,
  runAck,
  runSilence,
  SILENCE_USAGE,
} from './onCallCommands';
import {
  type Command,
  COMMAND_USAGE,
  COMMANDS,
  isCommand,
  OFFLINE_COMMANDS,
  ON_CALL_COMMANDS,
  USAGE,
} from './usage';

export { USAGE } from './usage';

export interface CliIo extends CommandIo {
  readonly now: () => Date;
  /** The settings `replay` reads (storage, channel URLs); the other commands need none. */
  readonly env?: Environment;
  /** `silence` and `ack`: services handed in by tests (otherwise built from `env`). */
  readonly onCall?: () => Promise<OnCallCliServices>;
}

const FORMATS = ['json', 'teams', 'webhook', 'text'] as const;
type Format = (typeof FORMATS)[number];

function diagnosisJson(report: EnrichedAlert): unknown {
  const d = report.diagnosis;
  if (!d) {
    return {
      cause: 'unknown',
      scope: 'fleet',
      confidence: 0,
      devices: [],
      summary: `Not a device-disconnect alert (${report.alert.monitoringService}); passed on without diagnosis.`,
      evidence: [],
      actions: [],
    };
  }
  return {
    cause: d.cause,
    scope: d.scope,
    confidence: d.confidence,
    devices: d.devices,
    summary: d.summary,
    evidence: d.evidence,
    actions: d.actions,
    ...(d.reconnected !== undefined && { reconnected: d.reconnected }),
    ...(d.wouldChange !== undefined && { wouldChange: d.wouldChange }),
  };
}

function render(report: EnrichedAlert, format: Format): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(diagnosisJson(report), null, 2)}\n`;
    case 'teams':
      return `${JSON.stringify(renderAlertCard(report), null, 2)}\n`;
    case 'webhook':
      return `${JSON.stringify(renderWebhookEvent(alertMessage(report), report.enrichedAt), null, 2)}\n`;
    case 'text':
      return renderText(report);
  }
}

function help(io: CliIo, text: string): number {
  io.stdout(`${text}\n`);
  return 0;
}

function usageOf(command: Command): string {
  switch (command) {
    case 'replay':
      return REPLAY_USAGE;
    case 'whatif':
      return WHATIF_USAGE;
    case 'silence':
      return SILENCE_USAGE;
    case 'ack':
      return ACK_USAGE;
    default:
      return COMMAND_USAGE[command];
  }
}

function unknownCommand(name: string): CliUsageError {
  return new CliUsageError(
    `unknown command: ${name} (commands: ${OFFLINE_COMMANDS.join(', ')}; on call: ${ON_CALL_COMMANDS.join(', ')}; enricher --help for usage)`,
  );
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const first = argv[0];
  if (first === 'replay') return runReplay(argv.slice(1), { ...io, env: io.env ?? {} });
  // Its own options (--config, --cause, --kind, ...): parsed in routesCommand.ts.
  if (first === 'routes') return runRoutes(argv.slice(1), { ...io, env: io.env ?? {} });
  // Its own options (--alerts, --candidate, ...): parsed in whatifCommand.ts.
  if (first === 'whatif') return runWhatifCommand(argv.slice(1), { ...io, env: io.env ?? {} });
  // Their own options (--match, --by, ...): parsed in onCallCommands.ts.
  if (first === 'silence') return runSilence(argv.slice(1), { ...io, env: io.env ?? {} });
  if (first === 'ack') return runAck(argv.slice(1), { ...io, env: io.env ?? {} });
  try {
    // Before the options, so that `enricher bogus --foo` is about the command.
    if (first !== undefined && /^[^-]/.test(first) && first !== 'help' && !isCommand(first)) {
      throw unknownCommand(first);
    }
    const { values, positionals } = parseCommandArgs(argv, {
      alert: { type: 'string' },
      json: { type: 'boolean' },
      hub: { type: 'string' },
      until: { type: 'string' },
      ...ALERT_INPUT_OPTIONS,
    });
    const [command, ...extra] = positionals;
    if (command === 'help') {
      const topic = extra[0];
      if (topic === undefined) return help(io, USAGE);
      if (extra.length > 1) throw new CliUsageError(`unexpected argument: ${extra[1] ?? ''}`);
      if (!isCommand(topic)) throw unknownCommand(topic);
      return help(io, usageOf(topic));
    }
    if (command !== undefined && !isCommand(command)) throw unknownCommand(command);
    if (values.help) return help(io, command === undefined ? USAGE : usageOf(command));
    if (command === undefined) {
      throw new CliUsageError(`missing command: ${COMMANDS.join(', ')} (enricher --help)`);
    }
    if (
      command === 'replay' ||
      command === 'routes' ||
      command === 'whatif' ||
      command === 'silence' ||
      command === 'ack'
    ) {
      throw new CliUsageError(`${command} comes first: enricher ${command} --help`);
    }
    if (extra.length > 0) throw new CliUsageError(`unexpected argument: ${extra[0] ?? ''}`);
    if (command === 'digest') {
      const output = await runDigestCommand(
        {
          logs: values.logs,
          hub: values.hub,
          metrics: values.metrics,
          format: values.json ? 'json' : values.format,
          until: values.until,
        },
        { usage: (message) => new CliUsageError(message), source: loadSource, now: io.now },
      );
      io.stdout(output);
      return 0;
    }
    if (values.alert === undefined) throw new CliUsageError('--alert is required');
    const lookbackMinutes = lookbackMinutesOf(values['lookback-minutes']);
    const alert = await readAlertFile(
      values.alert,
      values['device-dimension'] ?? 'DeviceId',
      values['default-hub'],
    );

    if (command === 'queries') {
      const plan = planEvidenceQueries(alert, { lookbackMinutes });
      const queries = plan.queries.map((q) => ({
        name: q.name,
        query: q.query,
        timespan: `${q.timespan.start}/${q.timespan.end}`,
      }));
      io.stdout(`${JSON.stringify(queries, null, 2)}\n`);
      return 0;
    }

    if (values.json && values.format !== undefined && values.format !== 'json') {
      throw new CliUsageError('use either --json or --format, not both');
    }
    const format = values.json ? 'json' : values.format;
    if (format === undefined)
      throw new CliUsageError('choose an output: --json or --format teams|webhook|text');
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new CliUsageError(`--format must be one of teams, webhook, text (got ${format})`);
    }
    if (values.logs === undefined) throw new CliUsageError('--logs is required');
    const evidence = await loadSource('logs', values.logs, (p) => ExportFileSource.fromPath(p));
    const metrics =
      values.metrics === undefined
        ? undefined
        : await loadSource('metrics', values.metrics, (p) => MetricsFileSource.fromPath(p));
    const report = await buildReport(alert, {
      sources: { evidence, ...(metrics && { metrics }) },
      lookbackMinutes,
      now: io.now,
    });
    io.stdout(render(report, format as Format));
    return 0;
  } catch (error: unknown) {
    const usage =
      error instanceof CliUsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.stderr(`enricher: ${oneLine(error)}${usage ? '' : ' (unexpected error)'}\n`);
    return 2;
  }
}
