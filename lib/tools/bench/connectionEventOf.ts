/**
 * Synthetic Connections events for the benchmarks and the tests: one table of the row shapes the
 * hub logs (operation, level, result), so that each generator only says when, who and which kind.
 */

import type { ConnectionEvent } from '../../evidence/evidence';

const KINDS = {
  connect: { operation: 'deviceConnect', level: 'Information', resultType: '' },
  renew: { operation: 'deviceDisconnect', level: 'Information', resultType: '' },
  '404104': { operation: 'deviceDisconnect', level: 'Error', resultType: '404104' },
  '401003': { operation: 'deviceDisconnect', level: 'Error', resultType: '401003' },
  '401003-connect': { operation: 'deviceConnect', level: 'Error', resultType: '401003' },
  '400027': { operation: 'deviceDisconnect', level: 'Error', resultType: '400027' },
  '500001-connect': { operation: 'deviceConnect', level: 'Error', resultType: '500001' },
} as const;

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  '404104': 'DeviceConnectionClosedRemotely',
  '401003': 'IoTHubUnauthorized',
  '400027': 'ConnectionForcefullyClosedOnNewConnection',
  '500001': 'ServerError',
};

export type EventKind = keyof typeof KINDS;

/** Where and who, shared by every kind; `sdkVersion` is kept on successful connects only. */
export interface EventBase {
  readonly ms: number;
  readonly hubResourceId: string;
  readonly deviceId: string;
  readonly maskedIpAddress: string;
  readonly protocol: string;
  readonly sdkVersion: string;
}

export function connectionEventOf(base: EventBase, kind: EventKind): ConnectionEvent {
  const { sdkVersion, ...where } = base;
  const shape = KINDS[kind];
  return {
    ...where,
    time: new Date(base.ms).toISOString(),
    ...shape,
    resultDescription: DESCRIPTIONS[shape.resultType] ?? '',
    ...(kind === 'connect' && { sdkVersion }),
  };
}
