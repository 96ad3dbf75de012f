/**
 * The part of the sample workspace's day (samples/README.md) that `npm run demo -- --events`
 * replays as connection events, chosen so that each thing the demo shows happens exactly once:
 *
 * - hourly renewals that post nothing: thermostat-0042 and the background sensors whose SDK
 *   renews its token hub side (.NET and Java over MQTT: the hub drops them, they are back within
 *   a minute), every drop of theirs in the window back within a minute;
 * - one device that stays away: pump-station-7 around its 06:14:27 drop (back 06:18:34), one
 *   card when its grace ends, then its follow-up;
 * - a hub incident: the sensors that dropped in its first minute, 05:12, one incident card. The
 *   05:13 snapshot publishes them together, so their graces end together; graces ending a minute
 *   apart would each add an update card, since the dev host posts incident updates every minute
 *   (INCIDENT_UPDATE_MINUTES=1, for the storm demo).
 *
 * The window, 04:00–06:30, holds two of thermostat-0042's renewals (04:59, 06:05), the incident
 * (05:12–05:29) and pump-station-7's 06:14 drop, and stops before its 07:03 drop; it starts after
 * gateway-dup-3's clone (02:01–02:56) and meter-19's refusals begin (03:44), which are other
 * demos. Pure.
 */

import type { ConnectionEvent } from '../../evidence/evidence';
import {
  changesOf,
  type DeviceSpan,
  SNAPSHOT_MS,
  snapshotEvents,
  type SnapshotEvent,
} from './connectionSnapshots';
import { stormDevices } from './stormAlerts';

export const REPLAY_FROM = '2026-11-20T04:00:00Z';
export const REPLAY_TO = '2026-11-20T06:30:00Z';

export const AWAY_DEVICE = 'pump-station-7';
/**
 * Around its 06:14:27 drop only: its 04:22 and 05:31 drops would be cards too (and the 05:31 one
 * is read as part of the hub incident).
 */
const AWAY_SPAN = { from: '2026-11-20T06:10:00Z', to: '2026-11-20T06:25:00Z' };

/** The incident's drops (samples/README.md), and the stretch its devices are replayed over. */
const INCIDENT = { from: '2026-11-20T05:12:00Z', to: '2026-11-20T05:15:00Z' };
const INCIDENT_SPAN = { from: '2026-11-20T05:10:00Z', to: '2026-11-20T05:30:00Z' };
/**
 * Incident devices back by then: the connected-devices metric is back at 05:28, after which the
 * incident timer may close the incident, and a device back after the close gets a follow-up of
 * its own (the policy's "Resolved, otherwise").
 */
const INCIDENT_BACK_BY = '2026-11-20T05:27:00Z';

/** A renewal reconnects at once; a minute keeps every return well inside the 180 s grace. */
const RENEWAL_AWAY_MS = 60_000;
/** SDKs that renew hub side (samples/README.md): .NET and Java, here over MQTT. */
const HUB_SIDE_RENEWAL_SDK = /^(\.NET\/|com\.microsoft\.azure\.sdk\.iot)/;

export interface SampleDay {
  readonly hubResourceId: string;
  readonly renewalDevices: readonly string[];
  readonly incidentDevices: readonly string[];
  readonly events: readonly SnapshotEvent[];
  /** The replay's window, epoch ms. */
  readonly from: number;
  readonly to: number;
}

const ms = Date.parse;

interface Aways {
  /** Each stretch away that began in [from, to): when, and how long (endless if never back). */
  readonly aways: readonly { readonly at: number; readonly ms: number }[];
  readonly awayAtStart: boolean;
}

function awaysOf(
  rows: readonly ConnectionEvent[],
  deviceId: string,
  from: number,
  to: number,
): Aways {
  const changes = changesOf(rows, deviceId);
  const aways: { at: number; ms: number }[] = [];
  let wasAway = false;
  let since = 0;
  for (const change of changes) {
    const away = change.state === 'disconnected';
    if (away && !wasAway) since = change.ms;
    if (!away && wasAway && since >= from && since < to) {
      aways.push({ at: since, ms: change.ms - since });
    }
    wasAway = away;
  }
  if (wasAway && since < to) aways.push({ at: since, ms: Number.POSITIVE_INFINITY });
  const awayAtStart = changes.filter((c) => c.ms < from).at(-1)?.state === 'disconnected';
  return { aways, awayAtStart };
}

function renewalDevices(rows: readonly ConnectionEvent[], exclude: ReadonlySet<string>): string[] {
  const from = ms(REPLAY_FROM);
  const to = ms(REPLAY_TO);
  const candidates = new Set(
    rows
      .filter((r) => r.protocol === 'Mqtt' && HUB_SIDE_RENEWAL_SDK.test(r.sdkVersion ?? ''))
      .map((r) => r.deviceId)
      .filter((id) => !exclude.has(id)),
  );
  return [...candidates]
    .filter((id) => {
      const { aways, awayAtStart } = awaysOf(rows, id, from, to);
      return !awayAtStart && aways.length > 0 && aways.every((a) => a.ms <= RENEWAL_AWAY_MS);
    })
    .sort();
}

/** The incident's sensors that dropped in its first minute and were back before the metric. */
function incidentDevices(rows: readonly ConnectionEvent[], hub: string): string[] {
  const firstMinute = stormDevices(rows, hub, INCIDENT.from, INCIDENT.to).filter(
    (d) => ms(d.droppedAt) < ms(INCIDENT.from) + SNAPSHOT_MS,
  );
  return firstMinute
    .filter((d) => {
      const back = changesOf(rows, d.deviceId).find(
        (c) => c.state === 'connected' && c.ms > ms(d.droppedAt),
      );
      return back !== undefined && back.ms < ms(INCIDENT_BACK_BY);
    })
    .map((d) => d.deviceId)
    .sort();
}

/** The replay of `hubResourceId` (lower case) from the sample workspace's rows. */
export function sampleDay(allRows: readonly ConnectionEvent[], hubResourceId: string): SampleDay {
  const hub = hubResourceId.toLowerCase();
  const rows = allRows.filter((r) => r.hubResourceId === hub && r.category === undefined);
  const incident = incidentDevices(rows, hub);
  const struck = stormDevices(rows, hub, INCIDENT.from, INCIDENT.to).map((d) => d.deviceId);
  const renewals = renewalDevices(rows, new Set([...struck, AWAY_DEVICE]));
  const span = (deviceId: string, from: string, to: string): DeviceSpan => ({
    deviceId,
    from: ms(from),
    to: ms(to),
  });
  const spans = [
    ...renewals.map((id) => span(id, REPLAY_FROM, REPLAY_TO)),
    span(AWAY_DEVICE, AWAY_SPAN.from, AWAY_SPAN.to),
    ...incident.map((id) => span(id, INCIDENT_SPAN.from, INCIDENT_SPAN.to)),
  ];
  return {
    hubResourceId: hub,
    renewalDevices: renewals,
    incidentDevices: incident,
    events: snapshotEvents(rows, spans),
    from: ms(REPLAY_FROM),
    to: ms(REPLAY_TO),
  };
}
