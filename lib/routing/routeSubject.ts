/**
 * What a message is about, in the routes' terms: its kind and the fields a route can match
 * (the silences' fields: hub, devices, sites, SDKs, cause, scope, alert rule, severity). Pure.
 */

import type { MessageKind } from '../config/routeSettings';
import { impactOf } from '../incidents/alertImpact';
import { alertSubject, incidentSubject } from '../incidents/holdBack';
import type { OutgoingMessage } from '../incidents/outgoingMessage';
import type { SilenceSubject } from '../silences/silenceMatching';

export interface RouteSubject extends SilenceSubject {
  readonly kind: MessageKind;
}

const NOTHING: SilenceSubject = { devices: [], modules: [], sites: [], sdks: [] };

/** The route subject of an outgoing message. */
export function messageSubject(message: OutgoingMessage): RouteSubject {
  switch (message.kind) {
    case 'alert':
      return {
        ...alertSubject(message.report, impactOf(message.report)),
        kind: message.presentation === 'compact' ? 'renewal' : 'alert',
      };
    case 'resolved':
      return { ...alertSubject(message.report, impactOf(message.report)), kind: 'resolved' };
    case 'incident': {
      const opener = message.report?.alert;
      return {
        ...incidentSubject(message.incident),
        ...(opener && { alertRule: opener.rule, severity: opener.severity.toLowerCase() }),
        kind: 'incident',
      };
    }
    case 'notice':
      return { ...NOTHING, kind: 'notice' };
  }
}

/** A hub's daily digest. */
export function digestSubject(hubResourceId: string): RouteSubject {
  return { ...NOTHING, hub: hubResourceId.toLowerCase(), kind: 'digest' };
}
