/** The domain view of an Azure Monitor alert, whatever shape it arrived in. */

export type AlertSignalKind =
  | 'log'
  | 'metric'
  | 'activity-log'
  | 'resource-health'
  /** Made by the enricher from IoT Hub's Event Grid connection events (no alert rule). */
  | 'connection-event'
  | 'other';
export type MonitorCondition = 'Fired' | 'Resolved';
export type Severity = 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';

export interface TimeWindow {
  /** ISO 8601 UTC. */
  readonly start: string;
  /** ISO 8601 UTC. */
  readonly end: string;
}

export interface MetricCondition {
  readonly metricName: string;
  readonly operator?: string;
  readonly threshold?: number;
  readonly value?: number;
  readonly timeAggregation?: string;
}

export interface LogSearchDetails {
  readonly query?: string;
  readonly resultCount?: number;
  readonly linkToSearchResultsUI?: string;
  readonly linkToFilteredSearchResultsUI?: string;
  readonly linkToSearchResultsAPI?: string;
  readonly linkToFilteredSearchResultsAPI?: string;
}

/** What an alert made from IoT Hub's connection events knows of the drop. */
export interface ConnectionDetails {
  /** Set for a module identity (such as an IoT Edge module): its own connection, not the device's. */
  readonly moduleId?: string;
  /** When IoT Hub saw the identity disconnected (the `DeviceDisconnected` event's time). */
  readonly droppedAt: string;
  readonly dropSequence: string;
  /** The reconnect grace the identity did not come back within, in seconds. */
  readonly graceSeconds: number;
  /** False when the card went out before the drop's Connections rows reached the workspace. */
  readonly logsArrived?: boolean;
  /** When the identity came back (Resolved). */
  readonly returnedAt?: string;
}

export interface Alert {
  /** `essentials.alertId`: the ARM ID of the alert instance, stable from Fired to Resolved. */
  readonly id: string;
  readonly rule: string;
  readonly ruleId?: string;
  readonly severity: Severity;
  readonly condition: MonitorCondition;
  readonly signal: AlertSignalKind;
  readonly monitoringService: string;
  readonly description?: string;
  readonly firedAt: string;
  readonly resolvedAt?: string;
  /** The evaluation window; derived from the fired time and window size when the payload has none. */
  readonly window: TimeWindow;
  /** IoT hub ARM resource IDs, lower-cased for case-insensitive comparison. */
  readonly hubResourceIds: readonly string[];
  readonly deviceIds: readonly string[];
  /** Dimension name/value pairs of this alert instance. */
  readonly dimensions: readonly { readonly name: string; readonly value: string }[];
  readonly metric?: MetricCondition;
  readonly logSearch?: LogSearchDetails;
  readonly customProperties: Readonly<Record<string, string>>;
  /**
   * False for alerts that are accepted but are not about device connections (activity log,
   * resource health, other metrics): they are passed on without a diagnosis.
   */
  readonly isDisconnectAlert: boolean;
  /** Present on alerts made from connection events (signal `connection-event`). */
  readonly connection?: ConnectionDetails;
}

/** The key under which an alert delivery is processed once: action groups retry, rules re-fire. */
export function idempotencyKey(alert: Pick<Alert, 'id' | 'condition'>): string {
  return `${alert.id.toLowerCase()}|${alert.condition}`;
}
