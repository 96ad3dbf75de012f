/**
 * Evidence → Diagnosis, the way an expert reads the Connections logs (Microsoft's 404104 and
 * 401003 guidance). Pure and deterministic: the same evidence always gives the same verdict.
 *
 * Order of precedence: device-specific faults that no hub incident explains (duplicate identity,
 * rejected credentials) first, then a hub-side incident, then the SAS-token clock, then the
 * device's own network, and "unknown" with the reason when the logs do not say.
 */

import type { Alert } from '../alerts/alert';
import type { Evidence } from '../evidence/evidence';
import { actionsFor } from './actions';
import {
  type AssessedDevice,
  diagnoseCredentialRejected,
  diagnoseDeviceOrNetwork,
  diagnoseDuplicateIdentity,
  diagnoseSasTokenExpiry,
} from './deviceRules';
import { type DeviceSignals, deviceSignals } from './deviceSignals';
import { type Cause, clampConfidence, type Diagnosis, type Scope, type Verdict } from './diagnosis';
import { diagnoseFleetWithoutIncident, diagnoseHubIncident } from './fleetRules';
import { fleetSignals } from './fleetSignals';
import { plural } from './format';

function finish(verdict: Verdict, evidence: Evidence): Diagnosis {
  const gaps = evidence.gaps.map((gap) => ({ signal: 'gap', text: gap }));
  return {
    ...verdict,
    confidence: clampConfidence(verdict.confidence),
    evidence: [...verdict.evidence, ...gaps],
    actions: actionsFor(verdict.cause, verdict.evidence),
  };
}

function unknown(
  summary: string,
  devices: readonly string[],
  evidence: Evidence,
  scope: Scope,
): Diagnosis {
  return finish(
    { cause: 'unknown', scope, confidence: 0.2, devices, summary, evidence: [] },
    evidence,
  );
}

/** The verdict for one device, without regard to the rest of the fleet. */
function assessDevice(device: DeviceSignals): AssessedDevice | undefined {
  return (
    diagnoseDuplicateIdentity(device) ??
    diagnoseCredentialRejected(device) ??
    diagnoseSasTokenExpiry(device) ??
    diagnoseDeviceOrNetwork(device)
  );
}

export function diagnose(alert: Alert, evidence: Evidence): Diagnosis {
  const scopeOfAlert: Scope =
    alert.deviceIds.length === 1 ? 'device' : alert.deviceIds.length > 1 ? 'subset' : 'fleet';
  if (evidence.hubResourceIds.length === 0) {
    return unknown(
      'The alert names no IoT hub, so no Connections logs could be read.',
      alert.deviceIds,
      evidence,
      scopeOfAlert,
    );
  }
  const fleet = fleetSignals(evidence);
  if (fleet.fleetSize === 0 && evidence.deviceEvents.length === 0) {
    return unknown(
      'No Connections logs for this hub in the workspace over the period read: the hub may have no diagnostic setting sending Connections to this workspace, or the logs are still being ingested.',
      alert.deviceIds,
      evidence,
      scopeOfAlert,
    );
  }

  const devices = alert.deviceIds.map((id) =>
    deviceSignals(id, evidence.deviceEvents, evidence.alertWindow, evidence.span.end),
  );
  const assessed = devices.map((device) => ({ device, verdict: assessDevice(device) }));

  // Device-specific faults stand even during a hub incident: a hub blip does not revoke keys.
  const specific = assessed.find(
    (a) => a.verdict?.cause === 'duplicate-identity' || a.verdict?.cause === 'credential-rejected',
  );
  if (specific?.verdict) return finish(toVerdict(specific.verdict, alert), evidence);

  if (fleet.isIncident) {
    const alerted = devices.filter((d) => d.alertDrop !== undefined).map((d) => d.deviceId);
    return finish(diagnoseHubIncident(fleet, evidence, alerted), evidence);
  }

  if (devices.length === 0) {
    const verdict = diagnoseFleetWithoutIncident(fleet, evidence, alert);
    return verdict
      ? finish(verdict, evidence)
      : unknown(
          'Connected devices changed, but no 404104 disconnects were logged in the alert window: devices may have disconnected cleanly (shutdown, deployment), or the logs are late.',
          [],
          evidence,
          'fleet',
        );
  }

  const diagnosed = assessed.filter((a) => a.verdict !== undefined);
  if (diagnosed.length === 0) {
    const ids = devices.map((d) => d.deviceId);
    const anyEvents = devices.some((d) => d.events.length > 0);
    return unknown(
      anyEvents
        ? `No 404104 disconnect of ${ids.join(', ')} in the logs read: the drop may not be ingested yet (resource logs can be minutes late).`
        : `No Connections logs for ${ids.join(', ')} over the period read, though the hub logs ${plural(fleet.fleetSize, 'other device')}: the device ID may differ in case or spelling, or its logs are late.`,
      ids,
      evidence,
      scopeOfAlert,
    );
  }
  // Several devices in one alert: the most common verdict speaks for them.
  const counts = new Map<Cause, AssessedDevice[]>();
  for (const { verdict } of diagnosed) {
    if (!verdict) continue;
    counts.set(verdict.cause, [...(counts.get(verdict.cause) ?? []), verdict]);
  }
  const group = [...counts.values()].sort((a, b) => b.length - a.length)[0];
  const lead = group?.[0];
  if (!group || !lead) {
    return unknown('No verdict could be reached.', alert.deviceIds, evidence, scopeOfAlert);
  }
  if (group.length === 1) return finish(toVerdict(lead, alert), evidence);
  return finish(
    {
      ...toVerdict(lead, alert),
      scope: 'subset',
      devices: group.map((g) => g.deviceId),
      summary: `${plural(group.length, 'device')} of ${alert.deviceIds.length} in this alert show the same pattern. ${lead.summary}`,
      confidence: group.reduce((sum, g) => sum + g.confidence, 0) / group.length,
    },
    evidence,
  );
}

function toVerdict(device: AssessedDevice, alert: Alert): Verdict {
  return {
    cause: device.cause,
    scope: alert.deviceIds.length > 1 ? 'subset' : 'device',
    confidence: device.confidence,
    devices: [device.deviceId],
    summary: device.summary,
    evidence: device.evidence,
  };
}
