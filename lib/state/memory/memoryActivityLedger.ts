/** `ActivityLedger` in memory, for one process: the dev host and tests. */

import {
  type ActivityEvent,
  type ActivityKind,
  type ActivityLedger,
  type ActivitySummary,
  RECORDED_ACTIVITY_KINDS,
  summariseEvents,
} from '../activityLedger';

export class InMemoryActivityLedger implements ActivityLedger {
  private readonly events = new Map<string, ActivityEvent>();

  constructor(private readonly tracked: readonly ActivityKind[] = RECORDED_ACTIVITY_KINDS) {}

  record(event: ActivityEvent): Promise<void> {
    const hub = event.hubResourceId.toLowerCase();
    this.events.set(`${hub}|${event.kind}|${event.key}`, { ...event, hubResourceId: hub });
    return Promise.resolve();
  }

  summarise(hubResourceId: string, since: string, until: string): Promise<ActivitySummary> {
    const hub = hubResourceId.toLowerCase();
    const start = Date.parse(since);
    const end = Date.parse(until);
    const inWindow = [...this.events.values()].filter((e) => {
      const at = Date.parse(e.at);
      return e.hubResourceId === hub && at >= start && at < end;
    });
    return Promise.resolve(summariseEvents(inWindow, this.tracked));
  }
}
