/** Micro-batched device histories: a `DeviceBatcher` of this kind. */

import type { DeviceHistory } from '../evidence';
import type { SourceAnswer } from '../evidenceSource';
import { buildDeviceHistoryQuery } from '../kql';
import { batchQueryOf, type BatchKind } from './deviceBatcher';

/**
 * The 30-day drop histories of up to 50 devices of one hub batched together (`DeviceBatcher`) are
 * one query, one row per device, over the union of the alerts' periods rounded out to 5-minute
 * bins (the members' ends differ by at most 5 minutes, so a device's counts may reach about 10
 * minutes past its own alert window); each alert gets its own devices back.
 */
export const historyBatch: BatchKind<DeviceHistory[]> = {
  batchQuery: batchQueryOf('deviceHistory', buildDeviceHistoryQuery),
  split(query, answer): SourceAnswer<DeviceHistory[]> {
    // Every source answers one history per device asked, named as asked.
    const byDevice = new Map(answer.value.map((history) => [history.deviceId, history]));
    const value = query.filter.deviceIds.flatMap((id) => {
      const history = byDevice.get(id);
      return history === undefined ? [] : [history];
    });
    return answer.warning === undefined ? { value } : { value, warning: answer.warning };
  },
};
