/**
 * The action links a message offers (Acknowledge, Mute): which actions fit which message, and
 * their claims. Signing is injected: the caller holds the keys and the clock, so rendering stays
 * pure and free of secrets.
 */

import type { ActionClaims, ActionKind } from '../actions/actionToken';
import { impactOf } from '../incidents/alertImpact';
import type { IncidentRecord } from '../incidents/incident';
import type { OutgoingMessage } from '../incidents/outgoingMessage';

/** What a link asks for, before its expiry is set and it is signed. */
export type ActionRequestClaims = Omit<ActionClaims, 'expiresAt'>;

/** Turns an action's claims into the URL of its page (`…/api/act?token=…`). */
export type ActionLinkSigner = (claims: ActionRequestClaims) => string;

export interface ActionLink {
  readonly kind: ActionKind;
  readonly title: string;
  readonly url: string;
}

/** How long "Mute this device" lasts. */
export const DEVICE_MUTE_MINUTES = 4 * 60;

interface Planned {
  readonly title: string;
  readonly claims: ActionRequestClaims;
}

function incidentActions(incident: IncidentRecord): Planned[] {
  const base = { target: incident.id, hub: incident.hubResourceId.toLowerCase() };
  const planned: Planned[] = [
    { title: 'Acknowledge', claims: { ...base, action: 'ack-incident', cause: incident.cause } },
  ];
  // One site (or an address cohort) is something to mute; several sites are the incident itself.
  const site =
    incident.cohort?.kind === 'site'
      ? incident.cohort.value
      : incident.sites.length === 1
        ? incident.sites[0]
        : undefined;
  if (site !== undefined) {
    planned.push({
      title: 'Mute this site until resolved',
      claims: { ...base, action: 'mute-site', site, cause: incident.cause, untilResolved: true },
    });
  }
  return planned;
}

function alertActions(message: Extract<OutgoingMessage, { kind: 'alert' }>): Planned[] {
  const { alert, diagnosis } = message.report;
  const hub = alert.hubResourceIds[0]?.toLowerCase();
  if (hub === undefined) return [];
  const cause = diagnosis?.cause;
  const base = { target: alert.id, hub, ...(cause !== undefined && { cause }) };
  const planned: Planned[] = [{ title: 'Acknowledge', claims: { ...base, action: 'ack-alert' } }];
  const device = alert.deviceIds.length === 1 ? alert.deviceIds[0] : undefined;
  if (device !== undefined) {
    planned.push({
      title: `Mute this device ${DEVICE_MUTE_MINUTES / 60} h`,
      claims: { ...base, action: 'mute-device', device, minutes: DEVICE_MUTE_MINUTES },
    });
  }
  const sites = impactOf(message.report).sites;
  const site = sites.length === 1 ? sites[0] : undefined;
  if (site !== undefined) {
    planned.push({
      title: 'Mute this site until resolved',
      claims: { ...base, action: 'mute-site', site, untilResolved: true },
    });
  }
  return planned;
}

/**
 * The links a message offers: an open incident's card and a full alert card get them; a closed
 * incident, a renewal line, a Resolved and a notice have nothing left to do.
 */
export function actionLinksFor(
  message: OutgoingMessage,
  sign: ActionLinkSigner | undefined,
): ActionLink[] {
  if (sign === undefined) return [];
  let planned: Planned[] = [];
  if (message.kind === 'incident' && message.event !== 'closed') {
    planned = incidentActions(message.incident);
  } else if (message.kind === 'alert' && message.presentation === 'full') {
    if (message.report.alert.condition !== 'Resolved') planned = alertActions(message);
  }
  return planned.map((p) => ({ kind: p.claims.action, title: p.title, url: sign(p.claims) }));
}
