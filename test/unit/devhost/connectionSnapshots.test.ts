/**
 * IoT Hub's 60-second snapshots made from Connections rows (the generator behind
 * `npm run demo -- --events`), and the sample day it replays.
 */

import type { ConnectionEvent } from '../../../lib/evidence/evidence';
import { ExportFileSource } from '../../../lib/evidence/exportFileSource';
import {
  eventGridEventOf,
  snapshotEvents,
  stateAfter,
} from '../../../lib/tools/devhost/connectionSnapshots';
import { readEventGridEvent } from '../../../lib/intake/eventGridEvents';
import { sampleDay } from '../../../lib/tools/devhost/sampleDay';
import { repoPath } from '../../support/fixtures';
import { HUB } from '../../support/scenario';

function row(
  deviceId: string,
  time: string,
  operation: 'deviceConnect' | 'deviceDisconnect',
  more: Partial<ConnectionEvent> = {},
): ConnectionEvent {
  const iso = `2026-11-20T${time}Z`;
  return {
    time: iso,
    ms: Date.parse(iso),
    hubResourceId: HUB,
    deviceId,
    operation,
    level: operation === 'deviceConnect' ? 'Information' : 'Error',
    resultType: operation === 'deviceConnect' ? '' : '404104',
    resultDescription: '',
    ...more,
  };
}

const span = (deviceId: string, from = '05:00:00', to = '05:10:00') => ({
  deviceId,
  from: Date.parse(`2026-11-20T${from}Z`),
  to: Date.parse(`2026-11-20T${to}Z`),
});

describe('snapshotEvents', () => {
  test('a reconnect inside one minute is a blip: the same state again, with a new sequence number', () => {
    const rows = [
      row('d1', '05:02:10', 'deviceDisconnect'),
      row('d1', '05:02:40', 'deviceConnect'),
    ];
    expect(snapshotEvents(rows, [span('d1')])).toEqual([
      expect.objectContaining({ state: 'connected', time: '2026-11-20T05:03:00.000Z', blip: true }),
    ]);
  });

  test('a drop across a boundary is a disconnect at that boundary, then a connect at the next after the return', () => {
    const rows = [
      row('d1', '05:02:50', 'deviceDisconnect'),
      row('d1', '05:04:20', 'deviceConnect'),
    ];
    const events = snapshotEvents(rows, [span('d1')]);
    expect(events.map((e) => [e.state, e.time.slice(11, 19), e.blip])).toEqual([
      ['disconnected', '05:03:00', false],
      ['connected', '05:05:00', false],
    ]);
  });

  test('a second disconnect row while away (404104 after 401003) is no change; a refused connect neither', () => {
    const rows = [
      row('d1', '05:02:58', 'deviceDisconnect', { resultType: '401003' }),
      row('d1', '05:03:02', 'deviceDisconnect'),
      row('d1', '05:04:10', 'deviceConnect', { level: 'Error', resultType: '500001' }),
    ];
    expect(stateAfter(rows[2]!)).toBeUndefined();
    expect(snapshotEvents(rows, [span('d1')]).map((e) => e.state)).toEqual(['disconnected']);
  });

  test('sequence numbers: one hub-wide counter, strictly increasing with time, 64 upper-case hex digits', () => {
    const rows = [
      row('b', '05:01:30', 'deviceDisconnect'),
      row('a', '05:01:40', 'deviceDisconnect'),
      row('a', '05:05:10', 'deviceConnect'),
      row('b', '05:03:10', 'deviceConnect'),
      row('b', '05:07:10', 'deviceDisconnect'),
      row('b', '05:07:20', 'deviceConnect'),
    ];
    const events = snapshotEvents(rows, [span('a'), span('b')], 0xfffn);
    expect(events.map((e) => `${e.time.slice(14, 16)} ${e.deviceId} ${e.state}`)).toEqual([
      '02 a disconnected',
      '02 b disconnected',
      '04 b connected',
      '06 a connected',
      '08 b connected',
    ]);
    for (const event of events) expect(event.sequenceNumber).toMatch(/^[0-9A-F]{64}$/);
    const numbers = events.map((e) => BigInt(`0x${e.sequenceNumber}`));
    expect(numbers[0]).toBe(0xfffn);
    numbers.slice(1).forEach((n, i) => {
      expect(n).toBeGreaterThan(numbers[i]!);
    });
  });

  test('nothing before the span is published; the state at its start is what the hub last said', () => {
    const rows = [
      row('d1', '04:58:00', 'deviceDisconnect'),
      row('d1', '05:04:30', 'deviceConnect'),
    ];
    expect(snapshotEvents(rows, [span('d1')]).map((e) => [e.state, e.time.slice(11, 16)])).toEqual([
      ['connected', '05:05'],
    ]);
  });

  test('the events read as IoT Hub connection events (Event Grid schema)', async () => {
    const [event] = snapshotEvents(
      [row('pump-1', '05:02:50', 'deviceDisconnect')],
      [span('pump-1')],
    );
    const reading = await readEventGridEvent(eventGridEventOf(HUB, event!));
    expect(reading).toMatchObject({
      kind: 'connection',
      event: {
        state: 'disconnected',
        hubResourceId: HUB,
        deviceId: 'pump-1',
        sequenceNumber: event!.sequenceNumber,
        eventTime: '2026-11-20T05:03:00.000Z',
      },
    });
  });
});

describe('the sample day of `npm run demo -- --events`', () => {
  test('renewals within a minute, pump-station-7 around 06:14 only, the incident’s first minute', async () => {
    const source = await ExportFileSource.fromPath(repoPath('samples', 'workspace'));
    const day = sampleDay(source.events, HUB);
    expect(day.renewalDevices).toContain('thermostat-0042');
    expect(day.renewalDevices).not.toEqual(expect.arrayContaining(['meter-19']));
    expect(day.incidentDevices.length).toBeGreaterThan(40);
    const pump = day.events.filter((e) => e.deviceId === 'pump-station-7');
    expect(pump.map((e) => [e.state, e.time.slice(11, 16)])).toEqual([
      ['disconnected', '06:15'],
      ['connected', '06:19'],
    ]);
    // Each incident device's first event is its drop, published by the 05:13 snapshot.
    const firstOf = new Map<string, string>();
    for (const event of day.events) {
      if (day.incidentDevices.includes(event.deviceId) && !firstOf.has(event.deviceId)) {
        firstOf.set(event.deviceId, `${event.state} ${event.time.slice(11, 16)}`);
      }
    }
    expect(new Set(firstOf.values())).toEqual(new Set(['disconnected 05:13']));
    expect(firstOf.size).toBe(day.incidentDevices.length);
    const sequence = day.events.map((e) => e.sequenceNumber);
    expect([...sequence].sort()).toEqual(sequence);
    expect(new Set(sequence).size).toBe(sequence.length);
  });
});
