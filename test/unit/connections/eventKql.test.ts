/**
 * Nothing from a connection event reaches KQL except as an escaped string literal: device IDs an
 * attacker could choose, read from an event with @azure/eventgrid, through the offline alert, into
 * every query the evidence plan builds, each checked with the official Kusto parser.
 */

import { offlineAlert } from '../../../lib/connections/offlineAlert';
import { literalDeviceId } from '../../../lib/evidence/batchedTimelineKql';
import { planEvidenceQueries } from '../../../lib/evidence/kql';
import { readEventGridEvent } from '../../../lib/intake/eventGridEvents';
import { HOSTILE_DEVICES, WORKSPACE_GLOBALS } from '../../support/hostileDeviceQuery';
import { analyzeKql } from '../../support/kustoSchema';
import { eventGridEvent } from './connectionEvents';

/** IoT Hub device IDs are at most 128 characters; longer ones are refused at the door. */
const READABLE = HOSTILE_DEVICES.filter((id) => id.length <= 128);

async function queriesFor(deviceId: string) {
  const reading = await readEventGridEvent(
    eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z', { deviceId }),
  );
  if (reading.kind !== 'connection') throw new Error(`unreadable: ${JSON.stringify(reading)}`);
  const { event } = reading;
  const alert = offlineAlert(
    {
      version: 1,
      kind: 'grace',
      hubResourceId: event.hubResourceId,
      hubName: event.hubName,
      deviceId: event.deviceId,
      dropSequence: event.sequenceNumber,
      droppedAt: event.eventTime,
      dueAt: '2026-11-20T05:03:00Z',
      graceSeconds: 180,
      logWaits: 0,
    },
    new Date('2026-11-20T05:03:00Z'),
    true,
  );
  return planEvidenceQueries(alert, { lookbackMinutes: 360 }).queries;
}

describe('device IDs from connection events in KQL', () => {
  let benign: Awaited<ReturnType<typeof queriesFor>>;
  let harmless: ReturnType<typeof analyzeKql>[];
  beforeAll(async () => {
    benign = await queriesFor('device-1');
    harmless = benign.map((q) => analyzeKql(q.query, WORKSPACE_GLOBALS));
  });

  test('an ID over 128 characters is refused', async () => {
    const reading = await readEventGridEvent(
      eventGridEvent('disconnected', 4, '2026-11-20T05:00:00Z', { deviceId: 'x'.repeat(129) }),
    );
    expect(reading).toMatchObject({ kind: 'invalid', path: 'data.deviceId' });
  });

  test.each(READABLE.map((id) => [JSON.stringify(id).slice(0, 40), id]))(
    '%s stays one literal in every query, with the syntax of a harmless ID',
    async (_name, deviceId) => {
      const hostile = await queriesFor(deviceId);
      expect(hostile.map((q) => q.name)).toEqual(benign.map((q) => q.name));
      for (const [index, query] of hostile.entries()) {
        const analysis = analyzeKql(query.query, WORKSPACE_GLOBALS);
        expect(analysis.diagnostics).toEqual([]);
        expect(analysis.tableReferences.every((t) => t === 'AzureDiagnostics')).toBe(true);
        expect(analysis.tokens.map((t) => t.kind)).toEqual(
          harmless[index]!.tokens.map((t) => t.kind),
        );
        if (query.query !== benign[index]!.query) {
          expect(analysis.stringLiterals).toContain(literalDeviceId(deviceId));
        }
      }
    },
  );
});
