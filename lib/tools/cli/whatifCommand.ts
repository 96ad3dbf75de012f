/**
 * `enricher whatif`: replays recorded alerts through the deployed configuration and a candidate,
 * and prints what each would post and to whom, and the difference. Offline over a Log Analytics
 * export (`--logs`), or over the workspace the deployed settings name.
 */

import type { Environment } from '../../config/configKeys';
import { ConfigError, loadConfig } from '../../config/loadConfig';
import type { EvidenceSources } from '../../evidence/gatherEvidence';
import { ExportFileSource } from '../../evidence/exportFileSource';
import { MetricsFileSource } from '../../evidence/metricsFile';
import { formatWhatif, WHATIF_FORMATS, type WhatifFormat } from '../../whatif/formatWhatif';
import { runWhatif } from '../../whatif/runWhatif';
import {
  parseSettingsFile,
  parseSilenceList,
  whatifSide,
  WhatifSettingsError,
} from '../../whatif/whatifSettings';
import {
  ALERT_INPUT_OPTIONS,
  CliUsageError,
  type CommandIo,
  loadSource,
  lookbackMinutesOf,
  oneLine,
  parseCommandArgs,
  printedHelp,
  readText,
  settingsFileReader,
} from './cliInputs';
import { type AlertFolder, readAlertFolder } from './whatifInputs';

export const WHATIF_USAGE = `Usage:
  enricher whatif --alerts FOLDER --candidate FILE [--deployed FILE] [--logs LOGS] [--metrics M]
                  [--silences FILE] [--format text|json|md]
  enricher whatif --from-ledger DAYS --candidate FILE [--deployed FILE] [--logs LOGS] ...

Replays recorded alerts through two configurations, the deployed one and a candidate, and prints
per alert and in total what each would post and to whom, and the difference: messages per
receiver, cards that appear or disappear, renewals kept quiet, incidents opened, and what each
silence would hold back. Nothing is posted; incident clocks run on the alerts' own times.

Options:
  --alerts FOLDER               recorded alerts: .json files (one payload, or an array of them),
                                in the common alert schema; unreadable ones are reported and skipped
  --from-ledger DAYS            instead, the alerts the app received in the last DAYS days (1 to
                                90), as its storage keeps them (ALERT_ARCHIVE_DAYS); the storage
                                settings come from the environment, as for replay
  --candidate FILE              the candidate settings: a JSON object of app settings
                                ({"RENEWAL_POLICY": "suppress", "ROUTES": {...}}) or a
                                local.settings.json; "silences": [...] replaces the silences
  --deployed FILE               the deployed settings, in the same form (default: the environment)
  --logs LOGS                   the evidence: a Log Analytics export or a folder of them (default:
                                the workspace of the deployed settings, LOG_ANALYTICS_WORKSPACE_ID)
  --metrics M                   connectedDeviceCount responses (file or folder), for closing
  --silences FILE               the silences in force: a JSON list of {"id", "matchers": [...],
                                "startsAt", "endsAt"} (default: the deployed file's "silences")
  --format text|json|md         text (default), JSON, or Markdown for a pull-request comment
  --device-dimension NAME       the alert dimension that names the device (default DeviceId)
  --default-hub HUB_RESOURCE_ID the IoT hub when an alert names none
  --lookback-minutes N          how far before each alert the evidence reaches (default 360)
  -h, --help

Exit status: 0 when the alerts were replayed (some may be skipped), 2 when none could be.`;

export interface WhatifIo extends CommandIo {
  readonly env: Environment;
  readonly now?: () => Date;
}

async function evidenceOf(
  logs: string | undefined,
  metricsPath: string | undefined,
  env: Environment,
): Promise<EvidenceSources> {
  const metrics =
    metricsPath === undefined
      ? undefined
      : await MetricsFileSource.fromPath(metricsPath).catch((error: unknown) => {
          throw new CliUsageError(`cannot read metrics ${metricsPath}: ${oneLine(error)}`);
        });
  if (logs !== undefined) {
    const evidence = await loadSource('logs', logs, (p) => ExportFileSource.fromPath(p));
    return { evidence, ...(metrics && { metrics }) };
  }
  // The workspace, as the deployed app reads it (its settings, its identity).
  const config = loadConfig(env);
  const { createCredential, createEvidenceSource, createMetricsSource } =
    await import('../../app/adapterFactories.js');
  const credential = (): ReturnType<typeof createCredential> => createCredential(config);
  const evidence = await createEvidenceSource(config, credential);
  const live = metrics ?? (await createMetricsSource(config, credential));
  return { evidence, ...(live && { metrics: live }) };
}

/** The alerts the app kept (the received-alert archive in its storage), over the last days. */
async function fromLedger(daysText: string, io: WhatifIo): Promise<AlertFolder> {
  const days = Number(daysText);
  if (!/^\d+$/.test(daysText) || days < 1 || days > 90)
    throw new CliUsageError('--from-ledger must be a whole number of days from 1 to 90');
  const config = loadConfig(io.env);
  if (config.stateStore === 'memory')
    throw new CliUsageError(
      "--from-ledger reads the app's storage: set STATE_STORE=azure-storage and AzureWebJobsStorage",
    );
  const { receivedAlertArchive } = await import('../../app/adapterFactories.js');
  const archive = await receivedAlertArchive(config);
  const until = (io.now ?? (() => new Date()))();
  const page = await archive.list(new Date(until.getTime() - days * 86_400_000), until);
  if (page.truncated)
    io.stderr(
      `whatif: the app kept more alerts than one replay takes; the oldest ${page.alerts.length} are replayed\n`,
    );
  return {
    alerts: page.alerts.map((kept) => ({
      alert: kept.alert,
      receivedAt: new Date(kept.receivedAt),
      source: `the alert ${kept.alert.id} received at ${kept.receivedAt}`,
    })),
    skipped: [],
  };
}

export async function runWhatifCommand(argv: readonly string[], io: WhatifIo): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(argv, {
      alerts: { type: 'string' },
      'from-ledger': { type: 'string' },
      candidate: { type: 'string' },
      deployed: { type: 'string' },
      silences: { type: 'string' },
      ...ALERT_INPUT_OPTIONS,
    });
    if (printedHelp(io, values.help, positionals, WHATIF_USAGE)) return 0;
    const format = (values.format ?? 'text') as WhatifFormat;
    if (!WHATIF_FORMATS.includes(format))
      throw new CliUsageError(`--format must be one of ${WHATIF_FORMATS.join(', ')}`);
    if ((values.alerts === undefined) === (values['from-ledger'] === undefined))
      throw new CliUsageError('give one of --alerts FOLDER and --from-ledger DAYS');
    if (values.candidate === undefined) throw new CliUsageError('--candidate FILE is required');
    const lookbackMinutes = lookbackMinutesOf(values['lookback-minutes']);

    const deployedFile =
      values.deployed === undefined
        ? undefined
        : parseSettingsFile(await readText('settings', values.deployed), values.deployed);
    const candidateFile = parseSettingsFile(
      await readText('settings', values.candidate),
      values.candidate,
    );
    const deployedEnv: Environment = deployedFile?.env ?? io.env;
    // The candidate changes the deployed settings: keys it does not name stay as deployed.
    // A candidate's route list replaces the deployed one, whichever of ROUTES and ROUTES_FILE.
    const inherited = { ...deployedEnv };
    if ('ROUTES' in candidateFile.env || 'ROUTES_FILE' in candidateFile.env) {
      delete inherited.ROUTES;
      delete inherited.ROUTES_FILE;
    }
    const candidateEnv: Environment = { ...inherited, ...candidateFile.env };
    const silences =
      values.silences === undefined
        ? (deployedFile?.silences ?? [])
        : parseSilenceList(await readText('silences', values.silences), values.silences);
    const deployed = whatifSide(
      'deployed',
      deployedEnv,
      settingsFileReader(values.deployed),
      silences,
    );
    // A candidate's own ROUTES_FILE is read beside it; one it inherits, beside the deployed file.
    const candidate = whatifSide(
      'candidate',
      candidateEnv,
      settingsFileReader('ROUTES_FILE' in candidateFile.env ? values.candidate : values.deployed),
      candidateFile.silences,
    );

    const folder =
      values.alerts !== undefined
        ? await readAlertFolder(values.alerts, {
            deviceIdDimension: values['device-dimension'] ?? 'DeviceId',
            ...(values['default-hub'] !== undefined && {
              defaultIotHubResourceId: values['default-hub'],
            }),
          })
        : await fromLedger(values['from-ledger'] ?? '', io);
    for (const { source, problem } of folder.skipped)
      io.stderr(`whatif: skipped ${source}: ${problem}\n`);
    if (folder.alerts.length === 0) {
      io.stderr(
        `whatif: no alert could be replayed from ${values.alerts ?? `the last ${values['from-ledger'] ?? ''} day(s) of the app's alerts`}\n`,
      );
      return 2;
    }
    const sources = await evidenceOf(values.logs, values.metrics, deployedEnv);
    const report = await runWhatif({
      alerts: folder.alerts,
      sources,
      lookbackMinutes,
      deployed,
      candidate,
      skipped: folder.skipped,
    });
    io.stdout(formatWhatif(report, format));
    return 0;
  } catch (error: unknown) {
    if (
      error instanceof CliUsageError ||
      error instanceof WhatifSettingsError ||
      error instanceof ConfigError ||
      (error instanceof TypeError && 'code' in error)
    ) {
      io.stderr(`whatif: ${oneLine(error)}\n`);
      return 2;
    }
    throw error;
  }
}
