/** The verdict the enricher reaches, and the fixed vocabulary it uses. */

export const CAUSES = [
  'sas-token-expiry',
  'device-or-network',
  'iot-hub-transient',
  'duplicate-identity',
  'credential-rejected',
  'quota-exceeded',
  'throttled',
  'device-removed',
  'unknown',
] as const;
export type Cause = (typeof CAUSES)[number];

export type Scope = 'device' | 'subset' | 'fleet';

/** One observed fact behind the verdict. `signal` is a stable id for machines. */
export interface EvidenceItem {
  readonly signal: string;
  readonly text: string;
}

/**
 * What the devices of a `subset` verdict share: one site (masked address), one SDK version, or
 * one protocol. Optional: incidents key on it when present and fall back to hub + cause.
 */
export interface Cohort {
  readonly kind: 'site' | 'sdk' | 'protocol';
  readonly value: string;
}

export interface Diagnosis {
  readonly cause: Cause;
  readonly scope: Scope;
  readonly cohort?: Cohort;
  /** 0..1: how strongly the evidence supports the cause. */
  readonly confidence: number;
  readonly devices: readonly string[];
  /** One or two sentences an on-call engineer can act on. */
  readonly summary: string;
  readonly evidence: readonly EvidenceItem[];
  readonly actions: readonly string[];
  /**
   * Whether the device came back after the drop: `false` when the logs show no successful
   * reconnect (a token that expired without a way back is then urgent, not harmless). Absent for
   * verdicts about many devices or when the logs do not say.
   */
  readonly reconnected?: boolean;
  /** Only when confidence is low: the signal that would have changed the verdict. */
  readonly wouldChange?: string;
}

/** A diagnosis before the advice for its cause is attached. */
export type Verdict = Omit<Diagnosis, 'actions'>;

/** The verdict about one device, before the fleet is taken into account. */
export interface AssessedDevice {
  readonly deviceId: string;
  readonly cause: Cause;
  readonly confidence: number;
  readonly summary: string;
  readonly evidence: readonly EvidenceItem[];
  readonly reconnected?: boolean;
  readonly wouldChange?: string;
}

/** Below this confidence the message says which signal would have changed the verdict. */
export const LOW_CONFIDENCE = 0.6;

export type Urgency = 'info' | 'warning' | 'critical';

/** Short human titles, used as message headlines. */
export const CAUSE_TITLES: Readonly<Record<Cause, string>> = {
  'sas-token-expiry': 'SAS token renewal (expected, harmless)',
  'device-or-network': 'Device or network problem',
  'iot-hub-transient': 'IoT Hub incident (many devices at once)',
  'duplicate-identity': 'Duplicate device identity',
  'credential-rejected': 'Device credentials rejected',
  'quota-exceeded': "IoT Hub's daily message quota used up",
  throttled: 'IoT Hub throttling the device',
  'device-removed': 'Device identity removed or disabled',
  unknown: 'Cause unknown',
};

/** How urgent each cause is for the person on call. */
export const CAUSE_URGENCY: Readonly<Record<Cause, Urgency>> = {
  'sas-token-expiry': 'info',
  'device-or-network': 'warning',
  'iot-hub-transient': 'critical',
  'duplicate-identity': 'warning',
  'credential-rejected': 'critical',
  'quota-exceeded': 'critical',
  throttled: 'warning',
  'device-removed': 'warning',
  unknown: 'warning',
};

type Judged = Pick<Diagnosis, 'cause' | 'reconnected'>;

/** A token that expired and never came back is the device app's fault, and urgent. */
export function expiredWithoutReturn(diagnosis: Judged): boolean {
  return diagnosis.cause === 'sas-token-expiry' && diagnosis.reconnected === false;
}

export function urgencyOf(diagnosis: Judged): Urgency {
  return expiredWithoutReturn(diagnosis) ? 'critical' : CAUSE_URGENCY[diagnosis.cause];
}

export function titleOf(diagnosis: Judged): string {
  return expiredWithoutReturn(diagnosis)
    ? 'SAS token expired and the device did not reconnect'
    : CAUSE_TITLES[diagnosis.cause];
}

export function clampConfidence(value: number): number {
  return Math.round(Math.min(0.99, Math.max(0, value)) * 100) / 100;
}
