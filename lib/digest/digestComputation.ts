/**
 * The digest queries computed over events in memory, for sources that cannot run KQL (export
 * files). Each query of `digestKql.ts` has its mirror here, with the same rows (same columns, same
 * `take`, same total row); keep them in step. This class holds one hub's events over the span and
 * shares the classified drops between the queries: marking (`digestMarks.ts`), the rhythm
 * (`deviceRhythm.ts`), the families (`dropFamilies.ts`) and the rows (`digestAggregates.ts`).
 */

import { INCIDENT_MIN_DEVICES, INCIDENT_MIN_SHARE } from '../diagnose/thresholds';
import type { ConnectionEvent } from '../evidence/evidence';
import {
  burstRows,
  deviceRows,
  familyRows,
  siteRows,
  sdkRows,
  stoppedRows,
} from './digestAggregates';
import type { DigestRow } from './digestFigures';
import type { DigestQuery, DigestQueryName } from './digestKql';
import type { PeriodEvent } from './digestMarks';
import { type ClassifiedDrop, classifyDrops } from './dropFamilies';

/** The events of one hub over the span, as the digest queries see them. */
export class DigestComputation {
  private readonly dayStart: number;
  private readonly events: readonly PeriodEvent[];
  private drops?: ClassifiedDrop[];
  private fleet?: number;

  constructor(
    events: readonly ConnectionEvent[],
    filter: DigestQuery['filter'],
    private readonly until: string,
  ) {
    this.dayStart = Date.parse(filter.dayStart);
    this.events = events
      .filter((e) => e.hubResourceId === filter.hubResourceId && e.deviceId !== '')
      .map((e) => ({ ...e, period: Date.parse(e.time) >= this.dayStart ? 'day' : 'week' }));
  }

  rows(name: DigestQueryName): DigestRow[] {
    switch (name) {
      case 'digestFamilies':
        return familyRows(this.classified(), this.events);
      case 'digestDevices':
        return deviceRows(this.classified());
      case 'digestSdks':
        return sdkRows(this.events);
      case 'digestSites':
        return siteRows(this.classified());
      case 'digestStopped':
        return stoppedRows(this.events, this.dayStart, this.until);
      case 'digestBursts':
        return burstRows(this.events, this.fleetSize(), this.isBurst);
    }
  }

  /** Devices seen in the day. */
  private fleetSize(): number {
    this.fleet ??= new Set(
      this.events.filter((e) => e.period === 'day').map((e) => e.deviceId),
    ).size;
    return this.fleet;
  }

  /** Whether `devices` dropping in one fleet bin is a mass drop. */
  private readonly isBurst = (devices: number): boolean =>
    devices >= INCIDENT_MIN_DEVICES && devices >= INCIDENT_MIN_SHARE * this.fleetSize();

  private classified(): ClassifiedDrop[] {
    this.drops ??= classifyDrops(this.events, this.isBurst);
    return this.drops;
  }
}
