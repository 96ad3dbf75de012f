/**
 * `enricher replay --receiver NAME [--alert-id ID] [--list]`: posts one receiver's dead letters
 * again, with their exact body and the same idempotency key, from the function app's Azure
 * Storage (the settings come from the environment, as in the app). A receiver is a built-in
 * (`teams`, `webhook`) or one the route list declares (`RECEIVER_<NAME>_URL`); a dead letter's
 * `channel` is its receiver's name. On success the delivery ledger records the receiver as
 * accepted and the letter is removed; a failure leaves it in place. `--channel` is the old name
 * of `--receiver`.
 */

import type { Environment } from '../../config/configKeys';
import { loadConfig } from '../../config/loadConfig';
import { replayDeadLetter } from '../../notify/deliver';
import { createNotifiers } from '../../app/adapterFactories';
import { CliUsageError, type CommandIo, parseCommandArgs, printedHelp } from './cliInputs';

export const REPLAY_USAGE = `Usage:
  enricher replay --receiver NAME [--alert-id ALERT_ID] [--list]

Reads the dead letters of one receiver from the function app's storage (AzureWebJobsStorage or
the AzureWebJobsStorage__* URIs, STATE_STORE=azure-storage) and posts them again to that receiver
alone, with the app's settings: teams (TEAMS_WORKFLOW_URL), webhook (WEBHOOK_URL), or a receiver
of the route list (ROUTES or ROUTES_FILE, its URL in RECEIVER_<NAME>_URL). --list only prints
them. A letter whose outcome was unknown (a time-out) may already be in the channel: check before
replaying it.

Options:
  --receiver NAME               the receiver whose dead letters to post again (teams, webhook,
                                or a route list's receiver)
  --channel NAME                the old name of --receiver
  --alert-id ALERT_ID           only that alert's letters
  --list                        print the letters (one JSON line each), post nothing
  -h, --help`;

export interface ReplayIo extends CommandIo {
  readonly env: Environment;
}

/** The settings of the built-in receivers, to say which one is missing. */
const BUILT_IN_SETTINGS: Readonly<Record<string, string>> = {
  teams: 'TEAMS_WORKFLOW_URL',
  webhook: 'WEBHOOK_URL',
};

export async function runReplay(argv: readonly string[], io: ReplayIo): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(argv, {
      receiver: { type: 'string' },
      channel: { type: 'string' },
      'alert-id': { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (printedHelp(io, values.help, positionals, REPLAY_USAGE)) return 0;
    if (
      values.receiver !== undefined &&
      values.channel !== undefined &&
      values.receiver !== values.channel
    ) {
      throw new CliUsageError('--channel is the old name of --receiver: give one of them');
    }
    const receiver = values.receiver ?? values.channel;
    if (receiver === undefined || receiver.trim() === '') {
      throw new CliUsageError(
        '--receiver NAME is required (teams, webhook, or a route list receiver)',
      );
    }
    // Replay needs storage and the receivers, not evidence: stand in for the evidence settings.
    const config = loadConfig({
      ...io.env,
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: '.',
    });
    if (config.stateStore !== 'azure-storage') {
      throw new CliUsageError('replay reads Azure Storage: set STATE_STORE=azure-storage');
    }
    // Names only: a receiver's URL is a secret.
    const configured = config.routing.receivers.map((r) => r.name);
    if (!configured.includes(receiver)) {
      const setting = Object.hasOwn(BUILT_IN_SETTINGS, receiver)
        ? BUILT_IN_SETTINGS[receiver]
        : undefined;
      throw new CliUsageError(
        `unknown receiver ${JSON.stringify(receiver.slice(0, 40))}${setting === undefined ? '' : ` (${setting} is not set)`}; configured receivers: ${configured.length > 0 ? configured.join(', ') : 'none'}`,
      );
    }
    const notifier = (await createNotifiers(config)).find((n) => n.name === receiver);
    if (notifier === undefined) throw new Error(`no notifier was built for ${receiver}`);
    // The Storage and identity SDKs load here, not when the CLI starts.
    const [{ createStorageClients }, { TableDeadLetters, TableLedger }, { createCredential }] =
      await Promise.all([
        import('../../state/azure/azureStorageState.js'),
        import('../../state/azure/tableLedger.js'),
        import('../../app/credential.js'),
      ]);
    const clients = createStorageClients(config.storage, () =>
      createCredential(config.azureClientId),
    );
    const deadLetters = new TableDeadLetters(clients.deadLetters);
    const ledger = new TableLedger(clients.table);
    const alertId = values['alert-id']?.toLowerCase();
    const letters = (await deadLetters.listDeadLetters(receiver)).filter(
      (l) => alertId === undefined || l.ref.sourceKey.startsWith(`${alertId}|`),
    );
    let failed = 0;
    for (const letter of letters) {
      const summary = {
        channel: letter.ref.channel,
        alert: letter.ref.sourceKey,
        messageId: letter.ref.messageId,
        deadLetteredAt: letter.deadLetteredAt,
        ...(letter.status !== undefined && { status: letter.status }),
        error: letter.error,
        bytes: Buffer.byteLength(letter.payload),
      };
      if (values.list) {
        io.stdout(`${JSON.stringify(summary)}\n`);
        continue;
      }
      try {
        const outcome = await replayDeadLetter(letter, notifier, {
          ledger,
          deadLetters,
          now: () => new Date(),
        });
        io.stdout(`${JSON.stringify({ ...summary, replayed: true, answer: outcome.status })}\n`);
      } catch (error: unknown) {
        failed++;
        const reason = error instanceof Error ? error.message : 'failed';
        io.stdout(`${JSON.stringify({ ...summary, replayed: false, reason })}\n`);
      }
    }
    io.stderr(
      `enricher: ${letters.length} dead letter(s) for ${receiver}${values.list ? '' : `, ${letters.length - failed} replayed`}\n`,
    );
    return failed > 0 ? 1 : 0;
  } catch (error: unknown) {
    const usage =
      error instanceof CliUsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true ||
      (error as { name?: string }).name === 'ConfigError';
    const text = error instanceof Error ? error.message : String(error);
    io.stderr(`enricher replay: ${text.replace(/\s+/g, ' ').slice(0, 500)}\n`);
    return usage ? 2 : 1;
  }
}
