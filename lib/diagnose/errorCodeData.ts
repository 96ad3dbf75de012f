/**
 * The data behind `errorCodes.ts`: IoT Hub's documented error codes that can sit beside a device
 * disconnect (404104) in the `AzureDiagnostics` Connections rows (`ResultType`), one row per code,
 * each naming its sources. It runs past 400 lines because it is one table: one row per code, read
 * top to bottom, with nothing else in the file.
 */

export type ErrorFamily =
  /** The SAS token or certificate was rejected or expired (401xxx). */
  | 'token'
  /** Another client connected with the same identity and the hub closed the older connection. */
  | 'duplicate-identity'
  /** Transient fault, timeout or outage on the hub side (5xxxxx, failover). */
  | 'server'
  /** The hub closed or refused connections during a service or platform upgrade. */
  | 'platform-upgrade'
  /** The hub's daily message quota is used up. */
  | 'quota'
  /** An operation throttle or its backlog was exceeded. */
  | 'throttling'
  /** The device or module identity is disabled, deleted, or was moved to another hub. */
  | 'identity-removed'
  /** The connection closed without a clean disconnect (404104 itself). */
  | 'disconnect'
  /** Documented, but neither a cause of a drop nor in one of the families above. */
  | 'other';

export interface ErrorCodeInfo {
  /** Six digits, as in `ResultType`. */
  readonly code: string;
  /** The documented name, e.g. `IoTHubQuotaExceeded`. */
  readonly name: string;
  /** One plain sentence, lower-case and without a final full stop, so it reads after a colon. */
  readonly meaning: string;
  /** What the on-call engineer should do, in one or two short sentences. */
  readonly action: string;
  /** The Microsoft pages or SDK files that document the code, with any conflicts between them. */
  readonly source: string;
  readonly family: ErrorFamily;
}

// Where the facts come from (each row names its own):
// - Learn "Troubleshoot Azure IoT Hub error codes" (the full per-range tables, dated 2026-01-06);
// - the IoT Hub REST "Common error codes" page;
// - Learn "IoT Hub quotas and throttling", the MQTT guide, the monitoring reference, and the
//   legacy per-code troubleshooting pages (iot-hub-troubleshoot-error-<code>-<name>);
// - the SDK enums in Azure/azure-iot-sdk-csharp (`ErrorCode.cs`, `IotHubServiceErrorCode.cs`).
// Where those sources disagree, the row's `source` says so.
const LEARN =
  'Learn "Troubleshoot IoT Hub error codes" https://learn.microsoft.com/azure/iot-hub/troubleshoot-error-codes';
const REST =
  'IoT Hub REST "Common error codes" https://learn.microsoft.com/rest/api/iothub/common-error-codes';
const QUOTAS =
  'Learn "IoT Hub quotas and throttling" https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-quotas-throttling';
const MQTT =
  'Learn "Communicate with an IoT hub using the MQTT protocol" https://learn.microsoft.com/azure/iot/iot-mqtt-connect-to-iot-hub';
const MONITOR =
  'Learn "Azure IoT Hub monitoring data reference" https://learn.microsoft.com/azure/iot-hub/monitor-iot-hub-reference';
const CONNECTIVITY =
  'Learn "Monitor, diagnose, and troubleshoot device connectivity" https://learn.microsoft.com/azure/iot-hub/iot-hub-troubleshoot-connectivity';
const SDK = 'Azure/azure-iot-sdk-csharp iothub/service/src/Common/Exceptions/ErrorCode.cs';
const SDK_V2 = 'Azure/azure-iot-sdk-csharp iothub/service/src/Exceptions/IotHubServiceErrorCode.cs';
const DIAG_LOGS =
  'MicrosoftDocs/azure-docs includes/iot-hub-diagnostics-error-codes.md (codes in the diagnostic logs)';

function legacy(slug: string): string {
  return `legacy page https://learn.microsoft.com/azure/iot-hub/iot-hub-troubleshoot-error-${slug}`;
}

const SERVER_ACTION =
  'Transient on the hub side: devices should retry with back-off. If many devices are hit or it persists, check Resource Health and Azure Status, then open a support case.';
const THROTTLE_ACTION =
  "Compare the 'Telemetry message send attempts' and 'Number of throttling errors' metrics with the tier's throttles, then slow the senders or add units; devices should back off and retry.";

/** The table, in code order. */
export const ERROR_CODE_TABLE: readonly ErrorCodeInfo[] = [
  {
    code: '400027',
    name: 'ConnectionForcefullyClosedOnNewConnection',
    meaning: 'another client connected with the same device identity, so the hub closed this one',
    action:
      'Find the second client using this identity (a cloned image, a copied connection string, a second app instance) and give each client its own identity.',
    source: `${LEARN}; ${MQTT} (one active MQTT connection per device); ${CONNECTIVITY}; ${REST} (AMQP and MQTT only)`,
    family: 'duplicate-identity',
  },
  {
    code: '400029',
    name: 'ConnectionForcefullyClosedOnFaultInjection',
    meaning: 'the hub closed the connection during a service or platform upgrade',
    action:
      'No action: expected during IoT Hub upgrades and an immediate retry should succeed. Act only if the device does not come back.',
    source: `${LEARN} (the name says fault injection; the text says service and platform upgrades)`,
    family: 'platform-upgrade',
  },
  {
    code: '400030',
    name: 'ConnectionRejectedOnFaultInjection',
    meaning:
      'the hub refused a new connection or immediate retry during a service or platform upgrade',
    action:
      'No action: the device should retry with back-off. It is a problem only if refusals continue after the upgrade.',
    source: `${LEARN} (the name says fault injection; the text says service and platform upgrades)`,
    family: 'platform-upgrade',
  },
  {
    code: '401002',
    name: 'IotHubUnauthorizedAccess',
    meaning: "the hub rejected the request's credentials",
    action:
      "Check the device's SAS token or certificate and the key, access policy or role it comes from.",
    source: `${LEARN}; ${REST}; ${SDK} (described there as an expired SAS token or failed authentication); ${DIAG_LOGS}`,
    family: 'token',
  },
  {
    code: '401003',
    name: 'IoTHubUnauthorized',
    meaning:
      "the hub could not validate the device's token or certificate, most often because the SAS token expired",
    action:
      "If the device reconnects within a minute it is a routine token renewal. If not, read ResultDescription: an expired token (check the device clock), a wrong key, or 'IotHub ... does not contain the specified device' (the identity was deleted or moved).",
    source: `${LEARN}; ${legacy('401003-iothubunauthorized')}; ${REST}; ${CONNECTIVITY}. Conflict: ${SDK} marks 401003 obsolete ("not returned by the service", replaced by 401002), yet Learn documents it in the Connections logs before 404104`,
    family: 'token',
  },
  {
    code: '403001',
    name: 'IotHubSuspended',
    meaning:
      'the IoT hub is suspended, most likely because the subscription hit an Azure spending limit',
    action:
      "Check the hub's status and the subscription's billing in the Azure portal; every device stays offline until the hub is active again.",
    source: `${LEARN}; ${SDK} (obsolete there). Conflict: ${SDK_V2} numbers IotHubSuspended 400020, which Learn lists as InvalidStorageEndpointOrBlob`,
    family: 'other',
  },
  {
    code: '403002',
    name: 'IoTHubQuotaExceeded',
    meaning: "the hub's daily message quota is used up",
    action:
      "Raise the hub's tier or units, or wait for the quota to reset at 00:00 UTC; watch the 'Total number of messages used' (dailyMessageQuotaUsed) metric. Every device on the hub is affected until then.",
    source: `${LEARN}; ${legacy('403002-iothubquotaexceeded')}; ${QUOTAS}; ${MONITOR} (dailyMessageQuotaUsed resets at 00:00 UTC); ${SDK}. Conflict: the C# device SDK raises it as DeviceMaximumQueueDepthExceededException (the name of 403004)`,
    family: 'quota',
  },
  {
    code: '403004',
    name: 'DeviceMaximumQueueDepthExceeded',
    meaning: "the device's cloud-to-device queue is full (50 pending messages)",
    action:
      'Make the device receive and complete, reject or abandon its cloud-to-device messages (prefer MQTT or AMQP to HTTPS polling), or purge its queue.',
    source: `${LEARN}; ${legacy('403004-devicemaximumqueuedepthexceeded')}; ${QUOTAS} (50 pending messages per device); ${REST}; ${DIAG_LOGS}`,
    family: 'other',
  },
  {
    code: '403005',
    name: 'IotHubMaxCbsTokenExceeded',
    meaning: 'the AMQP connection presented more CBS tokens than the hub allows',
    action:
      'Check how many identities and token refreshes share the AMQP connection (for example a multiplexing gateway) and spread them over more connections.',
    source: `${LEARN}; ${SDK} (obsolete there: "does not appear to be returned by the service")`,
    family: 'other',
  },
  {
    code: '403006',
    name: 'DeviceMaximumActiveFileUploadLimitExceeded',
    meaning: 'the device has more than 10 file uploads open at once',
    action:
      'Make the device notify the hub when each upload completes, and shorten the file-upload SAS time to live.',
    source: `${LEARN}; ${legacy('403006-devicemaximumactivefileuploadlimitexceeded')}; ${QUOTAS}; ${REST}`,
    family: 'other',
  },
  {
    code: '403012',
    name: 'DeviceDisabled',
    meaning: 'the device identity is disabled in the hub',
    action:
      "Check the device's status in the hub (or Azure Device Registry) and re-enable it if the disable was not intended.",
    source: `${LEARN} (its table only; not on the REST page nor in the SDK enums, and the SDKs report a disabled device as DeviceNotFound over AMQP and as not authorized over MQTT)`,
    family: 'identity-removed',
  },
  {
    code: '404001',
    name: 'DeviceNotFound',
    meaning: "the hub cannot find the device identity: it isn't registered or is disabled",
    action:
      'Check the device still exists and is enabled in this hub. If DPS moved it to another hub, the device must reconnect there.',
    source: `${LEARN}; ${legacy('404001-devicenotfound')}; ${REST}; ${SDK}; ${DIAG_LOGS}. Conflict: some copies of the REST page also list "404104 See 404001 DeviceNotFound", a duplicate row`,
    family: 'identity-removed',
  },
  {
    code: '404010',
    name: 'ModuleNotFound',
    meaning: "the hub cannot find the module identity: it isn't registered or is disabled",
    action: 'Check the module identity still exists and is enabled on its device in this hub.',
    source: `${LEARN}; ${SDK}`,
    family: 'identity-removed',
  },
  {
    code: '404012',
    name: 'IotHubFailingOver',
    meaning: 'the hub is failing over to another region',
    action:
      'Wait for the failover to finish and check Resource Health; devices reconnect on their own once it completes.',
    source: LEARN,
    family: 'server',
  },
  {
    code: '404103',
    name: 'DeviceNotOnline',
    meaning:
      'a direct method could not reach the device because it is offline or has no method handler',
    action:
      'Not a cause of a drop: a service call arrived while the device was offline. If the device is online, register its direct-method callback.',
    source: `${LEARN}; ${legacy('404103-devicenotonline')}; ${REST}; ${SDK}. Conflict: Learn's 4041xx table lists DeviceNotOnline as 404102 while its own section, the REST page and the SDK say 404103`,
    family: 'other',
  },
  {
    code: '404104',
    name: 'DeviceConnectionClosedRemotely',
    meaning: 'the connection closed without a clean disconnect from the device',
    action:
      'Look beside the drop: 401003 (token), 500xxx (hub), 400027 or 409002 (duplicate identity). With none of those, check the network past the keep-alive, the SDK version and the device app.',
    source: `${LEARN}; ${legacy('404104-deviceconnectionclosedremotely')}; ${MQTT} (keep-alive timeout); ${CONNECTIVITY}; ${REST}`,
    family: 'disconnect',
  },
  {
    code: '409002',
    name: 'LinkCreationConflict',
    meaning:
      'a new connection arrived for a device the hub still had connected, so it closed the older one',
    action:
      'Usually a side effect: find the error that made the device reconnect. If it repeats alone, look for two clients sharing the identity or code that opens a second connection.',
    source: `${LEARN}; ${legacy('409002-linkcreationconflict')}; ${CONNECTIVITY}; ${REST} (AMQP and MQTT only)`,
    family: 'duplicate-identity',
  },
  {
    code: '413001',
    name: 'MessageTooLarge',
    meaning: 'the device sent a message over the 256 KB limit',
    action:
      'Reduce the message size. Over MQTT the hub answers a rejected request by closing the connection, so an oversize message can look like a drop.',
    source: `${LEARN}; ${QUOTAS} (256 KB device-to-cloud); ${MQTT} ("AMQP returns errors for many conditions, while MQTT terminates the connection"); ${SDK}; ${DIAG_LOGS}`,
    family: 'other',
  },
  {
    code: '429000',
    name: 'GenericTooManyRequests',
    meaning: 'the hub throttled a request',
    action: THROTTLE_ACTION,
    source: `${LEARN}; ${QUOTAS}; ${SDK}`,
    family: 'throttling',
  },
  {
    code: '429001',
    name: 'ThrottlingException',
    meaning:
      'an IoT Hub throttle (such as device-to-cloud sends or new connections per second) was exceeded for long enough to fill the backlog',
    action: THROTTLE_ACTION,
    source: `${LEARN} (the only 429xxx with a metric, 'Number of throttling errors'); ${legacy('429001-throttlingexception')}; ${QUOTAS} (traffic shaping); ${SDK}`,
    family: 'throttling',
  },
  {
    code: '429002',
    name: 'ThrottleBacklogLimitExceeded',
    meaning: 'the queue of requests held back by throttling is full',
    action: `${THROTTLE_ACTION} Expect the hub to disconnect devices that keep sending.`,
    source: `${LEARN}; ${QUOTAS} (traffic shaping); ${SDK}; GitHub MicrosoftDocs/azure-docs#107838 (the product group told a customer the hub disconnects the device once it returns 429002; not in the docs)`,
    family: 'throttling',
  },
  {
    code: '429003',
    name: 'ThrottlingBacklogTimeout',
    meaning: 'requests waiting in the throttling backlog timed out',
    action: THROTTLE_ACTION,
    source: `${LEARN}; ${SDK}. Conflict: SDK releases before July 2021 named 429003 InvalidThrottleParameter`,
    family: 'throttling',
  },
  {
    code: '429004',
    name: 'ThrottlingMaxActiveJobCountExceeded',
    meaning: 'too many jobs are running on the hub at once, which is not connection-related',
    action: 'Not a cause of a drop: wait for running jobs to finish before starting more.',
    source: `${LEARN}; ${SDK}`,
    family: 'throttling',
  },
  {
    code: '429005',
    name: 'DeviceThrottlingLimitExceeded',
    meaning: 'this device exceeded its own throttle',
    action:
      "Slow this device's requests (telemetry, twin or method traffic) and check its app for a send loop.",
    source: `${LEARN}; ${SDK}`,
    family: 'throttling',
  },
  {
    code: '500000',
    name: 'GenericServerError',
    meaning: 'the hub hit a generic internal error',
    action: SERVER_ACTION,
    source: `${DIAG_LOGS}; ${legacy('500xxx-internal-errors')}`,
    family: 'server',
  },
  {
    code: '500001',
    name: 'ServerError',
    meaning: 'the hub hit a server-side error, most likely transient',
    action: SERVER_ACTION,
    source: `${LEARN}; ${legacy('500xxx-internal-errors')} (which misprints it as 5000001); ${CONNECTIVITY}; ${SDK}`,
    family: 'server',
  },
  {
    code: '500002',
    name: 'JobCancelled',
    meaning: 'a job was cancelled, which is not connection-related',
    action: 'Not a cause of a drop: ignore it when diagnosing a disconnect.',
    source: `${SDK} (obsolete there: "does not appear to be returned by the service"); not in Learn's 500xxx table`,
    family: 'other',
  },
  {
    code: '500008',
    name: 'GenericTimeout',
    meaning: "the hub couldn't complete the connection request before timing out",
    action: SERVER_ACTION,
    source: `${LEARN}; ${legacy('500xxx-internal-errors')}; ${CONNECTIVITY}`,
    family: 'server',
  },
  {
    code: '503000',
    name: 'GenericServiceUnavailable',
    meaning: 'the hub service was unavailable',
    action: SERVER_ACTION,
    source: LEARN,
    family: 'server',
  },
  {
    code: '503001',
    name: 'ServiceUnavailable',
    meaning: 'the hub could not process the request right now, a transient error',
    action: SERVER_ACTION,
    source: `${LEARN}; ${SDK}`,
    family: 'server',
  },
  {
    code: '503003',
    name: 'PartitionNotFound',
    meaning: 'an error internal to the hub, likely transient',
    action: SERVER_ACTION,
    source: `${legacy('503003-partitionnotfound')}; ${SDK} (obsolete there; older SDKs numbered it 404003); not in Learn's current tables`,
    family: 'server',
  },
  {
    code: '503004',
    name: 'IotHubActivationFailed',
    meaning: 'the hub failed to activate',
    action:
      "Check the hub's status and Resource Health; devices cannot connect until it is active.",
    source: LEARN,
    family: 'server',
  },
  {
    code: '503005',
    name: 'ServerBusy',
    meaning: 'the hub was too busy to handle the request',
    action: SERVER_ACTION,
    source: LEARN,
    family: 'server',
  },
  {
    code: '503006',
    name: 'IotHubRestoring',
    meaning: 'the hub is being restored',
    action:
      'Wait for the restore to finish and check Resource Health; devices should then reconnect.',
    source: LEARN,
    family: 'server',
  },
  {
    code: '503008',
    name: 'ReceiveLinkOpensThrottled',
    meaning: 'the hub throttled the opening of AMQP receive links',
    action:
      'Look for clients that reopen receive links in a tight loop and slow their retries; it is a rate limit, not an outage.',
    source: `${LEARN}; ${DIAG_LOGS} ("Receive link throttled"). A 503 code, but a throttle, so grouped with throttling`,
    family: 'throttling',
  },
  {
    code: '503101',
    name: 'ConnectionUnavailable',
    meaning: 'the connection was unavailable on the hub side',
    action: SERVER_ACTION,
    source: LEARN,
    family: 'server',
  },
  {
    code: '503102',
    name: 'DeviceUnavailable',
    meaning: 'the device was unavailable to the hub',
    action: SERVER_ACTION,
    source: LEARN,
    family: 'server',
  },
  {
    code: '504101',
    name: 'GatewayTimeout',
    meaning: "the hub couldn't confirm a direct method completed before timing out",
    action:
      'Retry the call; C# SDKs before 1.19.0 could drop the AMQP link silently, so upgrade old devices.',
    source: `${LEARN}; ${legacy('504101-gatewaytimeout')}; ${SDK_V2}`,
    family: 'server',
  },
];
