/**
 * The settings that decide what is posted and to whom, read on their own: the incident policy's
 * (`INCIDENT_UPDATE_MINUTES`, `INCIDENT_QUIET_MINUTES`, `RENEWAL_POLICY`), the maintenance
 * windows and the routes. `loadConfig` reads them for the app; `enricher routes` and
 * `enricher whatif` read them from a settings file, offline, where receivers need no URL.
 */

import { type Environment, keyReader, listOf, readKey } from './configKeys';
import { type MaintenanceWindow, parseMaintenanceWindows } from '../silences/maintenanceWindows';
import { parseRouting, type RoutingSettings } from './routeSettings';

export type RenewalPolicyKind = 'post' | 'compact' | 'suppress';

export interface PolicySettings {
  readonly incidentUpdateMinutes: number;
  readonly incidentQuietMinutes: number;
  readonly renewalPolicy: RenewalPolicyKind;
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  readonly routing: RoutingSettings;
  /** Lower-cased, without duplicates (`IOTHUB_RESOURCE_IDS`). */
  readonly iotHubResourceIds: readonly string[];
}

/** Reads a file's text: a seam for tests, the file system otherwise. */
export type ReadText = (path: string) => string;

/** The route list's text, from `ROUTES` or the file `ROUTES_FILE` names (not both). */
function routesTextOf(
  read: (name: string) => string | undefined,
  readText: ReadText,
  complain: (key: string, problem: string) => void,
): { key: 'ROUTES' | 'ROUTES_FILE'; text: string } | undefined {
  const inline = read('ROUTES');
  const file = read('ROUTES_FILE');
  if (inline !== undefined && file !== undefined) {
    complain('ROUTES_FILE', 'and ROUTES are both set: keep one');
    return undefined;
  }
  if (inline !== undefined) return { key: 'ROUTES', text: inline };
  if (file === undefined) return undefined;
  try {
    return { key: 'ROUTES_FILE', text: readText(file) };
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    complain('ROUTES_FILE', `cannot be read (${code})`);
    return { key: 'ROUTES_FILE', text: '{}' };
  }
}

export function readPolicySettings(
  env: Environment,
  readText: ReadText,
  complain: (key: string, problem: string) => void,
  options: { readonly offline?: boolean } = {},
): PolicySettings {
  const read = (name: string): string | undefined => readKey(env, name);
  const { oneOf, integer } = keyReader(env, complain);
  const routesText = routesTextOf(read, readText, complain);
  if (
    options.offline !== true &&
    routesText === undefined &&
    read('TEAMS_WORKFLOW_URL') === undefined &&
    read('WEBHOOK_URL') === undefined
  )
    complain('TEAMS_WORKFLOW_URL', 'or WEBHOOK_URL (or a route list, ROUTES) must be set');
  const routing = parseRouting(env, routesText, options);
  for (const { path, problem } of routing.problems) {
    complain(routesText?.key ?? 'ROUTES', `${path === '' ? '' : `${path} `}${problem}`);
  }
  const windows = parseMaintenanceWindows(read('MAINTENANCE_WINDOWS'));
  for (const { path, problem } of windows.problems) {
    complain('MAINTENANCE_WINDOWS', `${path === '' ? '' : `${path} `}${problem}`);
  }
  return {
    incidentUpdateMinutes: integer('INCIDENT_UPDATE_MINUTES', 1, 24 * 60),
    incidentQuietMinutes: integer('INCIDENT_QUIET_MINUTES', 1, 24 * 60),
    renewalPolicy: oneOf<RenewalPolicyKind>('RENEWAL_POLICY', ['compact', 'post', 'suppress']),
    maintenanceWindows: windows.windows,
    routing: routing.routing,
    // Lower-cased, each once: the digest posts one message per watched hub.
    iotHubResourceIds: [
      ...new Set(listOf(read('IOTHUB_RESOURCE_IDS')).map((id) => id.toLowerCase())),
    ],
  };
}
