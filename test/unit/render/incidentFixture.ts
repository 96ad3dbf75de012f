/** An open incident record on the sample hub, for the render and action page tests. */

import type { IncidentRecord } from '../../../lib/incidents/incident';

export const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/rg-iot/providers/microsoft.devices/iothubs/contoso-fleet-hub';

export function incidentRecord(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: 'inc-1',
    key: 'k',
    hubResourceId: HUB,
    cause: 'iot-hub-transient',
    scope: 'fleet',
    status: 'open',
    openerAlertId: 'a-1',
    summary: 'Many devices dropped at once.',
    startedAt: '2026-11-20T05:12:00Z',
    lastFiredAt: '2026-11-20T05:15:00Z',
    openedAt: '2026-11-20T05:16:00Z',
    lastAlertAt: '2026-11-20T05:20:00Z',
    devices: ['sensor-0017', 'sensor-0018'],
    deviceCount: 125,
    sites: ['81.2.69.XXX'],
    alertCount: 3,
    resolvedCount: 0,
    dropCurve: [
      { start: '2026-11-20T05:05:00Z', devices: 0, connected: 1200 },
      { start: '2026-11-20T05:10:00Z', devices: 90, connected: 1110 },
      { start: '2026-11-20T05:15:00Z', devices: 35, connected: 1080 },
    ],
    revision: 2,
    postedRevision: 1,
    lastPostedAt: '2026-11-20T05:16:00Z',
    devicesAtLastPost: 125,
    sitesAtLastPost: 1,
    ...overrides,
  };
}
