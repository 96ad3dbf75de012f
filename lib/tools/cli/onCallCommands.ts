/**
 * `enricher silence add|list|expire` and `enricher ack`: on-call's answers from a terminal,
 * against the app's own storage (`STATE_STORE`, `AzureWebJobsStorage`), through the same
 * operations as the API, so each posts the same notice.
 */

import type { OnCallServices } from '../../app/onCall';
import { AppError } from '../../common/errors';
import type { Environment } from '../../config/configKeys';
import type { SilenceView, WindowView } from '../../intake/handleOnCallRequest';
import type { MaintenanceWindow } from '../../silences/maintenanceWindows';
import { oneLine, parseCommandArgs } from './cliInputs';

export interface OnCallCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Environment;
  /** Tests hand services in; otherwise built from the environment as the app builds them. */
  readonly onCall?: () => Promise<OnCallCliServices>;
}

export interface OnCallCliServices extends OnCallServices {
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  /** Memory state lives only as long as this process. */
  readonly inMemory: boolean;
}

export const SILENCE_USAGE = `Usage:
  enricher silence add --match FIELD=VALUE [--match ...] (--for 4h | --until ISO | --until-resolved incident:ID|alert:ID)
                       --by NAME [--comment TEXT] [--starts ISO] [--id ID] [--all]
  enricher silence list [--format text|json]
  enricher silence expire ID --by NAME

Silences what the enricher posts, in the app's own storage (STATE_STORE, AzureWebJobsStorage);
each add and expire posts a one-line notice to the channels.

Matchers: hub, device, module, site, sdk, cause, scope, alertRule, severity, with = (equals),
!= (differs) or =~ (glob: * and ?). A silence must name a hub, device, module or site, or say --all.

Options:
  --match FIELD=VALUE           a matcher (repeat for more; all must hold)
  --for DURATION                how long: 30m, 4h, 2d, 1h30m
  --until ISO                   when it ends
  --until-resolved KIND:ID      until that incident closes or that alert resolves
  --by NAME                     who (shown in the notice and the list)
  --comment TEXT                why
  --starts ISO                  when it starts (default now)
  --id ID                       its id (default a new UUID; the same id twice adds it once)
  --all                         allow a silence that matches every hub
  --format text|json            list output (default text)
  -h, --help`;

export const ACK_USAGE = `Usage:
  enricher ack INCIDENT_ID --by NAME

Acknowledges an open incident in the app's own storage: its updates collapse until it closes,
the closing card says who, and the channels get a one-line notice.

Options:
  --by NAME                     who
  -h, --help`;

class OnCallUsageError extends Error {}

async function servicesOf(io: OnCallCliIo): Promise<OnCallCliServices> {
  if (io.onCall) return io.onCall();
  // Loaded here: the offline commands never load the storage SDKs.
  const [{ loadConfig }, { createServiceProvider }] = await Promise.all([
    import('../../config/loadConfig.js'),
    import('../../app/services.js'),
  ]);
  const config = loadConfig(io.env);
  const onCall = await createServiceProvider(config, {
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  }).onCall();
  return {
    ...onCall,
    maintenanceWindows: config.maintenanceWindows,
    inMemory: config.stateStore === 'memory',
  };
}

function memoryWarning(io: OnCallCliIo, services: OnCallCliServices): void {
  if (services.inMemory) {
    io.stderr(
      'enricher: STATE_STORE=memory: this only affects this process, not a running app (set STATE_STORE and AzureWebJobsStorage as the app has them)\n',
    );
  }
}

/** Bad input (ours or the operation's 4xx) is exit 2 with one line; storage trouble is 1. */
async function guarded(io: OnCallCliIo, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error: unknown) {
    if (error instanceof OnCallUsageError) {
      io.stderr(`enricher: ${oneLine(error)}\n`);
      return 2;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`enricher: ${oneLine(error)}\n`);
      return 2;
    }
    if (error instanceof AppError && error.status < 500) {
      const where = error.path === '' ? '' : ` (${error.path})`;
      io.stderr(`enricher: ${oneLine(error)}${where}\n`);
      return error.status === 404 ? 1 : 2;
    }
    if (error instanceof Error && error.name === 'ConfigError') {
      io.stderr(`enricher: the app's settings do not load: ${oneLine(error)}\n`);
      return 2;
    }
    // Storage errors can carry SAS URLs: the name only.
    io.stderr(
      `enricher: the app's storage could not be reached (${error instanceof Error ? error.name : 'unknown error'}); nothing was changed or it is safe to retry\n`,
    );
    return 1;
  }
}

function clock(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export async function runSilence(argv: readonly string[], io: OnCallCliIo): Promise<number> {
  return guarded(io, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      match: { type: 'string', multiple: true },
      for: { type: 'string' },
      until: { type: 'string' },
      'until-resolved': { type: 'string' },
      starts: { type: 'string' },
      by: { type: 'string' },
      comment: { type: 'string' },
      id: { type: 'string' },
      all: { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(`${SILENCE_USAGE}\n`);
      return 0;
    }
    const [sub, ...rest] = positionals;
    const { readSilenceBody } = await import('../../intake/silenceBody.js');
    switch (sub) {
      case 'add': {
        if (rest.length > 0) throw new OnCallUsageError(`unexpected argument: ${rest[0] ?? ''}`);
        const spans = [values.for, values.until, values['until-resolved']].filter(
          (v) => v !== undefined,
        );
        if (spans.length === 0) {
          throw new OnCallUsageError(
            'say how long: --for 4h, --until ISO or --until-resolved incident:ID',
          );
        }
        if (values.for !== undefined && values.until !== undefined) {
          throw new OnCallUsageError('use either --for or --until, not both');
        }
        if (values.by === undefined) throw new OnCallUsageError('--by NAME is required');
        const services = await servicesOf(io);
        let parsed;
        try {
          parsed = readSilenceBody(
            {
              matchers: values.match ?? [],
              createdBy: values.by,
              ...(values.for !== undefined && { duration: values.for }),
              ...(values.until !== undefined && { endsAt: values.until }),
              ...(values.starts !== undefined && { startsAt: values.starts }),
              ...(values['until-resolved'] !== undefined && {
                untilResolved: values['until-resolved'],
              }),
              ...(values.comment !== undefined && { comment: values.comment }),
              ...(values.id !== undefined && { id: values.id }),
              ...(values.all === true && { all: true }),
            },
            services.now(),
          );
        } catch (error: unknown) {
          throw new OnCallUsageError(cliWords(error));
        }
        memoryWarning(io, services);
        const { addSilence } = await import('../../app/onCall.js');
        const { randomUUID } = await import('node:crypto');
        let result;
        try {
          result = await addSilence(parsed.request, services, parsed.id ?? randomUUID());
        } catch (error: unknown) {
          if (error instanceof AppError && error.status === 400) {
            throw new OnCallUsageError(cliWords(error));
          }
          throw error;
        }
        const s = result.silence;
        io.stdout(
          `${result.created ? 'Silence added' : 'Silence already there'}: ${s.id}\n` +
            `  ${s.matchers.map((m) => `${m.field}${m.op}${m.value}`).join(', ')}\n` +
            `  ${clock(s.startsAt)} to ${clock(s.endsAt)}${s.untilResolved ? ` or until ${s.untilResolved.kind} ${s.untilResolved.id} resolves` : ''}\n`,
        );
        return 0;
      }
      case 'list': {
        if (rest.length > 0) throw new OnCallUsageError(`unexpected argument: ${rest[0] ?? ''}`);
        const format = values.format ?? 'text';
        if (format !== 'text' && format !== 'json') {
          throw new OnCallUsageError(`--format must be text or json (got ${format})`);
        }
        const services = await servicesOf(io);
        memoryWarning(io, services);
        const [{ listSilences }, { silenceView, windowView }] = await Promise.all([
          import('../../app/onCall.js'),
          import('../../intake/handleOnCallRequest.js'),
        ]);
        const now = services.now();
        const silences = (await listSilences(services)).map((s) => silenceView(s, now));
        const windows = services.maintenanceWindows.map((w) => windowView(w, now));
        if (format === 'json') {
          io.stdout(`${JSON.stringify({ silences, maintenanceWindows: windows }, null, 2)}\n`);
          return 0;
        }
        io.stdout(textList(silences, windows));
        return 0;
      }
      case 'expire': {
        const [id, ...more] = rest;
        if (id === undefined)
          throw new OnCallUsageError('which silence? enricher silence expire ID --by NAME');
        if (more.length > 0) throw new OnCallUsageError(`unexpected argument: ${more[0] ?? ''}`);
        if (values.by === undefined || values.by.trim() === '') {
          throw new OnCallUsageError('--by NAME is required');
        }
        const services = await servicesOf(io);
        memoryWarning(io, services);
        const { expireSilence } = await import('../../app/onCall.js');
        const ended = await expireSilence(id, values.by.trim().slice(0, 100), services);
        io.stdout(`Silence ${id} ended; it held back ${ended.held} message(s)\n`);
        return 0;
      }
      case undefined:
        throw new OnCallUsageError(
          'missing subcommand: add, list or expire (enricher silence --help)',
        );
      default:
        throw new OnCallUsageError(`unknown subcommand: ${sub} (add, list or expire)`);
    }
  });
}

export async function runAck(argv: readonly string[], io: OnCallCliIo): Promise<number> {
  return guarded(io, async () => {
    const { values, positionals } = parseCommandArgs(argv, {
      by: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(`${ACK_USAGE}\n`);
      return 0;
    }
    const [id, ...more] = positionals;
    if (id === undefined)
      throw new OnCallUsageError('which incident? enricher ack INCIDENT_ID --by NAME');
    if (more.length > 0) throw new OnCallUsageError(`unexpected argument: ${more[0] ?? ''}`);
    if (values.by === undefined) throw new OnCallUsageError('--by NAME is required');
    const services = await servicesOf(io);
    memoryWarning(io, services);
    const { acknowledgeIncident } = await import('../../app/onCall.js');
    const record = await acknowledgeIncident(id, values.by, services);
    io.stdout(
      `Incident ${record.id} acknowledged by ${record.acknowledged?.by ?? values.by} at ${clock(record.acknowledged?.at ?? '')}\n`,
    );
    return 0;
  });
}

/** A refusal in the CLI's words: the API's field names become its options. */
function cliWords(error: unknown): string {
  const message = oneLine(error);
  const path = error instanceof AppError ? error.path : '';
  const option: Record<string, string> = {
    matchers: '--match',
    createdBy: '--by',
    endsAt: '--until/--for',
    duration: '--for',
    startsAt: '--starts',
    'untilResolved.kind': '--until-resolved',
    'untilResolved.id': '--until-resolved',
    comment: '--comment',
    id: '--id',
  };
  const indexed = /^matchers\[(\d+)\]$/.exec(path);
  const name = indexed
    ? `--match #${Number(indexed[1]) + 1}`
    : (option[path] ?? (path === '' ? '' : path));
  return name === '' ? message : `${name}: ${message}`;
}

function textList(silences: readonly SilenceView[], windows: readonly WindowView[]): string {
  const lines: string[] = [];
  if (silences.length === 0) lines.push('No silences.');
  for (const s of silences) {
    const state = s.active ? 'active' : s.endedAt !== undefined ? 'ended' : 'not active';
    const why = s.comment === '' ? '' : ` (“${s.comment}”)`;
    const ended =
      s.endedAt === undefined ? '' : `; ended ${clock(s.endedAt)} by ${s.endedBy ?? 'someone'}`;
    lines.push(
      `${s.id}  [${state}]  ${s.matchers.join(', ')}`,
      `  ${clock(s.startsAt)} to ${clock(s.endsAt)}; by ${s.createdBy}${why}; held ${s.held}${ended}`,
    );
  }
  for (const w of windows) {
    lines.push(
      `maintenance ${w.name}  [${w.active ? 'active' : 'not active'}]  ${w.matchers.join(', ')}; ${w.days.join(',')} ${w.start}-${w.end} UTC`,
    );
  }
  return `${lines.join('\n')}\n`;
}
