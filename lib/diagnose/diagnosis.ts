/** The verdict the enricher reaches, and the fixed vocabulary it uses. */

export const CAUSES = [
  'sas-token-expiry',
  'device-or-network',
  'iot-hub-transient',
  'duplicate-identity',
  'credential-rejected',
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
}

/** A diagnosis before the advice for its cause is attached. */
export type Verdict = Omit<Diagnosis, 'actions'>;

/** Short human titles, used as message headlines. */
export const CAUSE_TITLES: Readonly<Record<Cause, string>> = {
  'sas-token-expiry': 'SAS token renewal (expected, harmless)',
  'device-or-network': 'Device or network problem',
  'iot-hub-transient': 'IoT Hub incident (many devices at once)',
  'duplicate-identity': 'Duplicate device identity',
  'credential-rejected': 'Device credentials rejected',
  unknown: 'Cause unknown',
};

/** How urgent each cause is for the person on call. */
export const CAUSE_URGENCY: Readonly<Record<Cause, 'info' | 'warning' | 'critical'>> = {
  'sas-token-expiry': 'info',
  'device-or-network': 'warning',
  'iot-hub-transient': 'critical',
  'duplicate-identity': 'warning',
  'credential-rejected': 'critical',
  unknown: 'warning',
};

export function clampConfidence(value: number): number {
  return Math.round(Math.min(0.99, Math.max(0, value)) * 100) / 100;
}
