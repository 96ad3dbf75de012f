/**
 * The `enricher` CLI's usage texts: the general one (`enricher --help`, `enricher help`) and one
 * per command (`enricher COMMAND --help`). `replay` keeps its own in `replay.ts`.
 */

import { MESSAGE_KINDS } from '../../config/routeSettings';
import { CAUSES } from '../../diagnose/diagnosis';

/** Over exports, settings files and dead letters. */
export const OFFLINE_COMMANDS = [
  'classify',
  'queries',
  'routes',
  'whatif',
  'replay',
  'digest',
] as const;
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
  enricher routes --alert ALERT.json [--config SETTINGS.json] [--logs LOGS [--metrics METRICS.json] | --cause CAUSE [--scope SCOPE]] [--kind KIND] [--format text|json]
  enricher whatif (--alerts FOLDER | --from-ledger DAYS) --candidate SETTINGS.json [--deployed SETTINGS.json] [--logs LOGS] [--format text|json|md]
  enricher replay --receiver NAME [--alert-id ALERT_ID] [--list]   (dead letters)
  enricher digest --logs LOGS --hub HUB_RESOURCE_ID [--metrics METRICS.json] [--until ISO] --format teams|webhook|text|json
  enricher silence add --match FIELD=VALUE ... (--for 4h | --until ISO | --until-resolved incident:ID) --by NAME [--comment TEXT] [--all]
  enricher silence list [--format text|json]
  enricher silence expire ID --by NAME
  enricher ack INCIDENT_ID --by NAME
  enricher help [COMMAND]

routes reads the routes from a settings file (--config) or the environment, offline: no URL needed.
whatif replays recorded alerts through the deployed settings and a candidate, and prints the difference.
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
  Record<Exclude<Command, 'replay' | 'whatif' | 'silence' | 'ack'>, string>
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

  routes: `Usage:
  enricher routes --alert ALERT.json [--config SETTINGS.json] [--kind KIND] [--format text|json]
  enricher routes --alert ALERT.json --logs LOGS [--metrics METRICS.json] ...
  enricher routes --alert ALERT.json --cause CAUSE [--scope device|subset|fleet] ...

Prints the receivers the alert's message would reach, the route that took it (routes[i] and its
name, or default), the message kind and the cause it was routed on. Reads the routes as the app
does (ROUTES or ROUTES_FILE, RECEIVER_<NAME>_URL, TEAMS_WORKFLOW_URL, WEBHOOK_URL), offline:
receivers need no URL, nothing is posted, and no URL or secret is printed. Warnings about the
routes go to stderr (in json: the warnings field); refused settings exit 2 with every problem.

Options:
${ALERT_OPTION}
  --config SETTINGS.json        app settings as a JSON object ({"ROUTES": {...}, ...}) or a
                                local.settings.json ({"Values": {...}}); a ROUTES_FILE in it is
                                relative to the file (default: the environment's settings)
${LOGS_OPTION}
                                the cause and scope are then the verdict of enricher classify
${METRICS_OPTION}
  --cause CAUSE                 suppose this cause instead of reading logs: ${CAUSES.join(', ')}
  --scope device|subset|fleet   with --cause (default: device for one device, subset for
                                several, fleet for none)
                                without --logs or --cause the cause is unknown: only the alert's
                                hub, rule, severity and devices are routed on
  --kind KIND                   the message: ${MESSAGE_KINDS.join(', ')} (default: incident when the
                                scope is subset or fleet, else alert)
  --format text|json            text for humans (default) or JSON (--json is --format json)
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
