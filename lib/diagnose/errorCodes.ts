/**
 * IoT Hub's documented error codes that can sit beside a device disconnect (404104), and lookups
 * over them: what a `ResultType` means, which family of cause it belongs to, and one evidence line.
 * Pure; the table and its sources (each row's `source`) are in `errorCodeData.ts`.
 */

import { ERROR_CODE_TABLE, type ErrorCodeInfo, type ErrorFamily } from './errorCodeData';

export type { ErrorCodeInfo, ErrorFamily } from './errorCodeData';

/** Every documented code in the table, in code order. */
export const ERROR_CODES: readonly ErrorCodeInfo[] = ERROR_CODE_TABLE;

const BY_CODE: ReadonlyMap<string, ErrorCodeInfo> = new Map(
  ERROR_CODE_TABLE.map((info) => [info.code, info]),
);

/** The table's row for a `ResultType` (surrounding whitespace ignored), if it is documented. */
export function errorCodeInfo(code: string): ErrorCodeInfo | undefined {
  return BY_CODE.get(code.trim());
}

/**
 * The family of cause for a `ResultType`. Codes outside the table still get a family by range:
 * any 5xxxxx is a hub-side 'server' error and any 429xxx is 'throttling'.
 */
export function errorFamily(code: string): ErrorFamily | undefined {
  const trimmed = code.trim();
  const known = BY_CODE.get(trimmed);
  if (known) return known.family;
  if (/^5\d{5}$/.test(trimmed)) return 'server';
  if (/^429\d{3}$/.test(trimmed)) return 'throttling';
  return undefined;
}

/**
 * One evidence line: `403002 IoTHubQuotaExceeded: the hub's daily message quota is used up`,
 * or `123456 (not in IoT Hub's documented error codes)` for a code outside the table.
 */
export function describeCode(code: string): string {
  const trimmed = code.trim();
  const info = BY_CODE.get(trimmed);
  return info
    ? `${info.code} ${info.name}: ${info.meaning}`
    : `${trimmed} (not in IoT Hub's documented error codes)`;
}
