/**
 * The storm a per-device log search alert makes of one hub incident: one alert payload per device
 * that dropped, as the stateful rule sends them (Fired at the evaluation after the drop, Resolved
 * at the first evaluation whose window no longer holds it). Built from the sample payload of one
 * device; used by `npm run demo -- --storm`, the tests and the benchmark. Pure.
 */

import { createHash } from 'node:crypto';

import type { ConnectionEvent } from '../../evidence/evidence';

export interface StormDevice {
  readonly deviceId: string;
  /** Its first 404104 in the storm. */
  readonly droppedAt: string;
}

/** Devices of `hubResourceId` whose first 404104 inside [from, to] falls there, in drop order. */
export function stormDevices(
  events: readonly ConnectionEvent[],
  hubResourceId: string,
  from: string,
  to: string,
): StormDevice[] {
  const first = new Map<string, string>();
  const hub = hubResourceId.toLowerCase();
  for (const event of events) {
    if (event.hubResourceId !== hub || event.resultType !== '404104') continue;
    if (event.time < from || event.time > to) continue;
    const seen = first.get(event.deviceId);
    if (seen === undefined || event.time < seen) first.set(event.deviceId, event.time);
  }
  return [...first.entries()]
    .map(([deviceId, droppedAt]) => ({ deviceId, droppedAt }))
    .sort((a, b) => a.droppedAt.localeCompare(b.droppedAt));
}

const MINUTE = 60_000;
/** The sample rule evaluates every 5 minutes over 15; Azure fires about a minute after. */
const EVALUATION_MS = 5 * MINUTE;
const WINDOW_MS = 15 * MINUTE;
const FIRE_DELAY_MS = 68_000;

type Json = Record<string, unknown>;

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Template alert has no object at ${path}`);
  }
  return value as Json;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An alert ID for the device, in the same ARM form as the template's. */
function alertIdFor(templateId: string, deviceId: string): string {
  const hex = createHash('sha256').update(deviceId).digest('hex');
  const guid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return templateId.replace(/[^/]+$/, guid);
}

/**
 * The payload the per-device rule sends for `device`: the template with the device, alert ID,
 * window and times replaced (and the device-filtered links dropped, since they name the template's
 * device). `Resolved` carries the same alert ID, as Azure Monitor does.
 */
export function deviceAlertPayload(
  template: unknown,
  device: StormDevice,
  condition: 'Fired' | 'Resolved',
): unknown {
  const copy = JSON.parse(JSON.stringify(template)) as unknown;
  const data = object(object(copy, '$').data, 'data');
  const essentials = object(data.essentials, 'data.essentials');
  const context = object(data.alertContext, 'data.alertContext');
  const criteria = object(context.condition, 'data.alertContext.condition');
  const allOf = criteria.allOf;
  const criterion = object(Array.isArray(allOf) ? allOf[0] : undefined, 'allOf[0]');

  const templateEnd = Date.parse(String(criteria.windowEndTime));
  const drop = Date.parse(device.droppedAt);
  const steps = Math.max(0, Math.ceil((drop - templateEnd) / EVALUATION_MS));
  const firedEnd = templateEnd + steps * EVALUATION_MS;
  // The first evaluation whose window starts after the drop no longer sees it.
  const resolvedEnd =
    firedEnd + Math.ceil((drop + WINDOW_MS - firedEnd) / EVALUATION_MS) * EVALUATION_MS;
  const end = condition === 'Fired' ? firedEnd : resolvedEnd;

  essentials.alertId = alertIdFor(String(essentials.alertId), device.deviceId);
  essentials.monitorCondition = condition;
  essentials.firedDateTime = iso(firedEnd + FIRE_DELAY_MS);
  if (condition === 'Resolved') essentials.resolvedDateTime = iso(resolvedEnd + FIRE_DELAY_MS);
  criteria.windowStartTime = iso(end - WINDOW_MS);
  criteria.windowEndTime = iso(end);
  const dimensions = Array.isArray(criterion.dimensions) ? criterion.dimensions : [];
  criterion.dimensions = dimensions.map((d: unknown) => {
    const dimension = object(d, 'dimensions[]');
    return dimension.name === 'DeviceId' ? { ...dimension, value: device.deviceId } : dimension;
  });
  criterion.metricValue = condition === 'Fired' ? 1 : 0;
  delete criterion.linkToFilteredSearchResultsUI;
  delete criterion.linkToFilteredSearchResultsAPI;
  return copy;
}

/** A metric alert payload moved to Resolved at `resolvedAt`. */
export function resolvedPayload(template: unknown, resolvedAt: string): unknown {
  const copy = JSON.parse(JSON.stringify(template)) as unknown;
  const essentials = object(object(object(copy, '$').data, 'data').essentials, 'essentials');
  essentials.monitorCondition = 'Resolved';
  essentials.resolvedDateTime = resolvedAt;
  return copy;
}
