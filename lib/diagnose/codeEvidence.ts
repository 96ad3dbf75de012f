/**
 * One line of evidence for every error code the alerted devices' logs show, from the table of
 * IoT Hub's documented codes (`errorCodes.ts`): an on-call engineer reads what each code means
 * without opening the docs.
 */

import type { DeviceSignals } from './deviceSignals';
import type { EvidenceItem } from './diagnosis';
import { describeCode } from './errorCodes';

/** Codes listed at most; the rarest are left out first. */
const MAX_CODES = 6;

export function codeEvidence(devices: readonly DeviceSignals[]): EvidenceItem[] {
  const counts = new Map<string, number>();
  for (const device of devices) {
    for (const [code, n] of device.codeCounts) counts.set(code, (counts.get(code) ?? 0) + n);
  }
  return [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, MAX_CODES)
    .map(([code, n]) => ({ signal: 'error-code', text: `${n}× ${describeCode(code)}` }));
}
