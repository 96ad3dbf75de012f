/**
 * The `enricher` CLI's usage texts: the general one (`enricher --help`, `enricher help`) and one
 * per command (`enricher COMMAND --help`). `replay` keeps its own in `replay.ts`.
 */

/** Over exports and dead letters. */
export const OFFLINE_COMMANDS = ['classify', 'queries', 'replay', 'digest'] as const;
/** Against the app's own storage. */
export const ON_CALL_COMMANDS = ['silence', 'ack'] as const;
export const COMMANDS = [...OFFLINE_COMMANDS, ...ON_CALL_COMMANDS] as const;
export type Command = (typeof COMMANDS)[number];

export function isCommand(name: string): name is Command {
  return (COMMANDS as readonly string[]).includes(name);
}

export const USAGE = `Usage:
  enricher classify --alert ALERT.json --logs LOGS [--metrics METRICS.json] (--json | --format teams|webhook|text)
  enricher queries --alert ALERT.json
  enricher replay --receiver NAME [--alert-id ALERT_ID] [--list]   (dead letters)
  enricher digest --logs LOGS --hub HUB_RESOURCE_ID [--metrics METRICS.json] [--until ISO] --format teams|webhook|text|json
  enricher silence add --match FIELD=VALUE ... (--for 4h | --until ISO | --until-resolved incident:ID) --by NAME [--comment TEXT] [--all]
  enricher silence list [--format text|json]
  enricher silence expire ID --by NAME
  enricher ack INCIDENT_ID --by NAME
  enricher help [COMMAND]

silence and ack act on the app's own storage (STATE_STORE, AzureWebJobsStorage).
LOGS is a Log Analytics export (query API JSON, JSON array of rows, or portal CSV), or a folder of them.
Options: --device-dimension NAME (default DeviceId), --default-hub HUB_RESOURCE_ID,
         --lookback-minutes N (default 360), --help
Each command has its own help: enricher COMMAND --help.`;

const ALERT_OPTION = `  --alert ALERT.json            the alert, in the common alert schema (as the action group posts it)`;
const TUNING_OPTIONS = `  --device-dimension NAME       the alert dimension that names the device (default DeviceId)
  --default-hub HUB_RESOURCE_ID the IoT hub when the alert names none
  --lookback-minutes N          how far before the alert the evidence reaches: 10 to 10080
                                (default 360)`;
const LOGS_OPTION = `  --logs LOGS                   a Log Analytics export (query API JSON, JSON array of rows, or
                                portal CSV), or a folder of them`;
const METRICS_OPTION = `  --metrics METRICS.json        the Azure Monitor metrics REST response for connectedDeviceCount,
                                or a folder of them`;

export const COMMAND_USAGE: Readonly<
  Record<Exclude<Command, 'replay' | 'silence' | 'ack'>, string>
> = {
  classify: `Usage:
  enricher classify --alert ALERT.json --logs LOGS [--metrics METRICS.json] --json
  enricher classify --alert ALERT.json --logs LOGS [--metrics METRICS.json] --format teams|webhook|text

Diagnoses one alert from exports, as the function app would, and prints the diagnosis (--json)
or exactly what would be posted (--format).

Options:
${ALERT_OPTION}
${LOGS_OPTION}
${METRICS_OPTION}
  --json                        the diagnosis as JSON: { cause, scope, confidence, devices, ... }
  --format teams|webhook|text   the Workflows body, the webhook event, or text for humans
${TUNING_OPTIONS}
  -h, --help`,

  queries: `Usage:
  enricher queries --alert ALERT.json [--lookback-minutes N]

Prints a JSON array of { name, query, timespan }: every KQL query the function app would send to
the workspace for that alert.

Options:
${ALERT_OPTION}
${TUNING_OPTIONS}
  -h, --help`,

  digest: `Usage:
  enricher digest --logs LOGS --hub HUB_RESOURCE_ID [--metrics METRICS.json] [--until ISO] --format teams|webhook|text|json

Prints the daily fleet-health digest of one hub over an export, exactly as the timer would post it.

Options:
${LOGS_OPTION}
  --hub HUB_RESOURCE_ID         the IoT hub's ARM resource ID
${METRICS_OPTION}
  --until ISO                   the end of the day the digest covers (default: the export's last
                                event of that hub)
  --format teams|webhook|text|json
                                the Workflows body, the digest.daily event, text, or the digest with
                                every line's query (--json is --format json)
  -h, --help`,
};
