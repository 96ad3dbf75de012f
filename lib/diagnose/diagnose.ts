/**
 * Evidence → Diagnosis, the way an expert reads the Connections logs (Microsoft's 404104 and
 * 401003 guidance). Pure and deterministic: the same evidence always gives the same verdict.
 */

import type { Alert } from '../alerts/alert';
import type { Evidence } from '../evidence/evidence';
import { actionsFor } from './actions';
import { COHORT_CONFIDENCE, cohortAround, cohortSentence } from './cohorts';
import { diagnoseDeviceOrNetwork, diagnoseDuplicateIdentity } from './deviceRules';
import { codeEvidence } from './codeEvidence';
import { diagnoseHubLimits } from './limitRules';
import { diagnoseCredentialRejected, diagnoseDeviceRemoved } from './refusalRules';
import { widenToTwins } from './twins';
import { type DeviceSignals, signalsOfDevices } from './deviceSignals';
import {
  type AssessedDevice,
  type Cause,
  clampConfidence,
  type Diagnosis,
  LOW_CONFIDENCE,
  type Scope,
  type Verdict,
} from './diagnosis';
import { diagnoseFleetWithoutIncident, diagnoseHubIncident, diagnoseSiteDrop } from './fleetRules';
import { type FleetSignals, fleetSignals, usualDropsPerMinute } from './fleetSignals';
import { percent, plural, usually } from './format';
import { diagnoseWaves } from './renewalWaves';
import { diagnoseSasTokenExpiry, diagnoseTokenExpiryWithoutReturn } from './tokenRules';

function finish(
  verdict: Verdict,
  evidence: Evidence,
  devices: readonly DeviceSignals[] = [],
): Diagnosis {
  const gaps = evidence.gaps.map((gap) => ({ signal: 'gap', text: gap }));
  const codes = codeEvidence(devices);
  // A gap in the evidence makes any verdict less certain.
  const confidence = clampConfidence(verdict.confidence - Math.min(0.15, gaps.length * 0.05));
  const { wouldChange, ...rest } = verdict;
  return {
    ...rest,
    confidence,
    evidence: [...verdict.evidence, ...codes, ...gaps],
    actions: actionsFor(verdict, verdict.evidence),
    ...(wouldChange && confidence < LOW_CONFIDENCE && { wouldChange }),
  };
}

function unknown(
  summary: string,
  devices: readonly string[],
  evidence: Evidence,
  scope: Scope,
  wouldChange: string,
): Diagnosis {
  return finish(
    { cause: 'unknown', scope, confidence: 0.2, devices, summary, evidence: [], wouldChange },
    evidence,
  );
}

/** Faults of one device that stand even during a hub incident: a hub blip does not revoke keys. */
function assessSpecific(device: DeviceSignals): AssessedDevice | undefined {
  return (
    diagnoseDuplicateIdentity(device) ??
    diagnoseDeviceRemoved(device) ??
    diagnoseCredentialRejected(device) ??
    diagnoseTokenExpiryWithoutReturn(device)
  );
}

/** The verdict for one device without a specific fault, without regard to the rest of the fleet. */
function assessDevice(device: DeviceSignals): AssessedDevice | undefined {
  return diagnoseSasTokenExpiry(device) ?? diagnoseDeviceOrNetwork(device);
}

/** What the rest of the hub did, said plainly for a single device's network verdict. */
function elsewhere(fleet: FleetSignals, alerted: number): string {
  const others = Math.max(0, fleet.droppedInWindow - alerted);
  return others === 0
    ? ' No other device on the hub dropped in the window.'
    : ` Elsewhere on the hub ${plural(others, 'other device')} dropped in the window (${usually(fleet.expectedInWindow)}), with nothing in common with it.`;
}

/** A device-or-network verdict widened to the cohort that dropped with it, when there is one. */
function withCohort(
  assessed: AssessedDevice,
  device: DeviceSignals,
  fleet: FleetSignals,
  evidence: Evidence,
): Verdict {
  // A device on its own clock keeps that clock: only a shared address (a site) widens it, not
  // the SDK or protocol it shares with half the hub.
  const onItsOwnClock = device.periodicity?.regular === true;
  const cohort = cohortAround(
    device,
    evidence,
    usualDropsPerMinute(fleet, evidence),
    onItsOwnClock,
  );
  if (!cohort) {
    return {
      ...toVerdict(assessed, 1),
      summary: `${assessed.summary}${elsewhere(fleet, 1)}`,
    };
  }
  return {
    ...toVerdict(assessed, 1),
    scope: 'subset',
    confidence: Math.max(assessed.confidence, COHORT_CONFIDENCE[cohort.kind]),
    devices: cohort.deviceIds,
    summary: `${cohortSentence(cohort)} (${device.deviceId} among them) while the rest of the hub stayed up (${percent(fleet.share)} of ${fleet.fleetSize} devices dropped): what they share, not the hub and not ${device.deviceId} alone. ${assessed.summary}`,
    evidence: [
      {
        signal: 'cohort',
        text: `${cohortSentence(cohort)}: ${cohort.deviceIds.slice(0, 8).join(', ')}${cohort.deviceIds.length > 8 ? ', …' : ''}`,
      },
      ...assessed.evidence,
    ],
  };
}

/**
 * Order of precedence: device-specific faults that no hub incident explains (duplicate identity,
 * rejected credentials, a token that expired without a way back) first; then what the fleet
 * shows (synchronised renewal waves, one site's drop, a hub-side incident); then the device's
 * own SAS-token clock, its network (alone or with a cohort), and "unknown" with the reason when
 * the logs do not say.
 */
export function diagnose(alert: Alert, evidence: Evidence): Diagnosis {
  const scopeOfAlert: Scope =
    alert.deviceIds.length === 1 ? 'device' : alert.deviceIds.length > 1 ? 'subset' : 'fleet';
  if (evidence.hubResourceIds.length === 0) {
    return unknown(
      'The alert names no IoT hub, so no Connections logs could be read.',
      alert.deviceIds,
      evidence,
      scopeOfAlert,
      'A `_ResourceId` dimension on the alert, or DEFAULT_IOTHUB_RESOURCE_ID, would let the logs be read.',
    );
  }
  const fleet = fleetSignals(evidence);
  if (fleet.fleetSize === 0 && evidence.deviceEvents.length === 0) {
    return unknown(
      'No Connections logs for this hub in the workspace over the period read: the hub may have no diagnostic setting sending Connections to this workspace, or the logs are still being ingested.',
      alert.deviceIds,
      evidence,
      scopeOfAlert,
      'Connections logs for the hub in this workspace would let the drop be diagnosed.',
    );
  }

  const devices = signalsOfDevices(
    evidence.deviceEvents,
    alert.deviceIds,
    evidence.alertWindow,
    evidence.span.end,
  );

  // The first device with a specific fault speaks for the alert; later devices are not assessed.
  // Identities that fail the same way at the same moment are one cause on several identities.
  for (const device of devices) {
    const specific = assessSpecific(device);
    if (specific) {
      const verdict = toVerdict(specific, alert.deviceIds.length);
      return finish(widenToTwins(verdict, device, fleet, evidence), evidence, devices);
    }
  }

  // The hub's limits (quota, throttling) explain drops that read as a hub incident, a renewal wave
  // or a network idle time-out; a device's own lasting fault (a clone, a removed identity, a
  // rejected credential) still comes first, as in the digest.
  const limits = diagnoseHubLimits(devices, fleet, evidence);
  if (limits) return finish(limits, evidence, devices);

  const waves = diagnoseWaves(fleet, evidence, devices);
  if (waves) return finish(waves, evidence, devices);

  if (fleet.isIncident) {
    const alerted = devices.filter((d) => d.alertDrop !== undefined).map((d) => d.deviceId);
    const site = diagnoseSiteDrop(fleet, evidence, alerted);
    return finish(site ?? diagnoseHubIncident(fleet, evidence, alerted), evidence, devices);
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
          '404104 rows in the window would show which devices dropped; a deeper dip in connected devices would make it a hub incident.',
        );
  }

  const assessed = devices.flatMap((device) => {
    const verdict = assessDevice(device);
    return verdict ? [{ device, verdict }] : [];
  });
  if (assessed.length === 0) {
    const ids = devices.map((d) => d.deviceId);
    const anyEvents = devices.some((d) => d.eventCount > 0);
    return unknown(
      anyEvents
        ? `No 404104 disconnect of ${ids.join(', ')} in the logs read: the drop may not be ingested yet (resource logs can be minutes late).`
        : `No Connections logs for ${ids.join(', ')} over the period read, though the hub logs ${plural(fleet.fleetSize, 'other device')}: the device ID may differ in case or spelling, or its logs are late.`,
      ids,
      evidence,
      scopeOfAlert,
      'The 404104 row of the drop, once ingested, would let the device be diagnosed: replay the alert later.',
    );
  }
  // Several devices in one alert: the most common verdict speaks for them.
  const counts = new Map<Cause, typeof assessed>();
  for (const entry of assessed) {
    const group = counts.get(entry.verdict.cause);
    if (group) group.push(entry);
    else counts.set(entry.verdict.cause, [entry]);
  }
  const group = [...counts.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const lead = group[0];
  if (!lead) {
    return unknown('No verdict could be reached.', alert.deviceIds, evidence, scopeOfAlert, '');
  }
  if (group.length === 1) {
    const single =
      lead.verdict.cause === 'device-or-network' && alert.deviceIds.length === 1
        ? withCohort(lead.verdict, lead.device, fleet, evidence)
        : toVerdict(lead.verdict, alert.deviceIds.length);
    return finish(single, evidence, devices);
  }
  return finish(
    {
      ...toVerdict(lead.verdict, alert.deviceIds.length),
      scope: 'subset',
      devices: group.map((g) => g.device.deviceId),
      summary: `${plural(group.length, 'device')} of ${alert.deviceIds.length} in this alert show the same pattern. ${lead.verdict.summary}`,
      confidence: group.reduce((sum, g) => sum + g.verdict.confidence, 0) / group.length,
    },
    evidence,
    devices,
  );
}

function toVerdict(device: AssessedDevice, alertedDevices: number): Verdict {
  return {
    cause: device.cause,
    scope: alertedDevices > 1 ? 'subset' : 'device',
    confidence: device.confidence,
    devices: [device.deviceId],
    summary: device.summary,
    evidence: device.evidence,
    ...(device.reconnected !== undefined && { reconnected: device.reconnected }),
    ...(device.wouldChange !== undefined && { wouldChange: device.wouldChange }),
  };
}
