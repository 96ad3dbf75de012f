/**
 * The device-history query's result rows (`buildDeviceHistoryQuery`) → one `DeviceHistory` per
 * device asked, for `LogAnalyticsSource`. Columns are read by name through its row reader.
 */

import { historiesFor, hourCountsOf } from './deviceHistories';
import type { DeviceHistory } from './evidence';
import type { EvidenceQuery } from './kql';

/** The reader `LogAnalyticsSource` hands over for each row (see its `readerOf`). */
export interface HistoryRowReader {
  text(column: string): string;
  time(column: string): string | undefined;
  count(column: string): number;
}

function toDeviceHistory(
  row: HistoryRowReader,
  period: EvidenceQuery['timespan'],
): DeviceHistory | undefined {
  const deviceId = row.text('DeviceId');
  if (deviceId === '') return undefined;
  const firstDrop = row.time('FirstDrop');
  const lastDrop = row.time('LastDrop');
  return {
    deviceId,
    dropsIn30Days: row.count('DropsIn30Days'),
    dropsIn7Days: row.count('DropsIn7Days'),
    ...(firstDrop !== undefined && { firstDrop }),
    ...(lastDrop !== undefined && { lastDrop }),
    // A dynamic cell arrives parsed; the reader gives it back as JSON text.
    dropsByHourUtc: hourCountsOf(row.text('DropsByHour')),
    period,
  };
}

/** Every device the query asked about, in its order, over the query's timespan. */
export function deviceHistoriesOf(
  rows: readonly HistoryRowReader[],
  query: EvidenceQuery,
): DeviceHistory[] {
  const found = rows.flatMap((row) => {
    const history = toDeviceHistory(row, query.timespan);
    return history === undefined ? [] : [history];
  });
  return historiesFor(query.filter.deviceIds, found, query.timespan);
}
