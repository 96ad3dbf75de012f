/**
 * Which device SDK wrote a `sdkVersion`, and how that SDK renews its SAS token over MQTT: it
 * decides whether a 404104 on the token's schedule can be a renewal at all.
 */

/**
 * SDKs that renew on the client side send an MQTT DISCONNECT before the token expires, which the
 * hub logs as a clean (Information) disconnect: a 404104 on their schedule is not their renewal.
 * SDKs that wait for the hub are closed at expiry (401003, then 404104) one token lifetime plus
 * the hub's grace after the connect. Over AMQP every SDK refreshes the token on the open
 * connection, without disconnecting (`refreshesInBand`).
 */
export type MqttRenewal =
  /** Renews before expiry and disconnects cleanly (no 404104). */
  | 'client-disconnect'
  /** Keeps the connection until the hub closes it at expiry (401003, then 404104). */
  | 'waits-for-hub'
  /** Up to the application (embedded SDKs, custom MQTT stacks). */
  | 'application';

export interface SdkFamily {
  readonly id: string;
  readonly name: string;
  readonly mqttRenewal: MqttRenewal;
  /** Default SAS token lifetime. */
  readonly defaultLifetimeMinutes: number;
  /** Client-side renewals: minutes between renewals with the default lifetime. */
  readonly renewsEveryMinutes?: number;
  /** Releases older than this count as outdated (old SDKs reset TCP without MQTT DISCONNECT). */
  readonly minimum?: readonly number[];
  /** Where the behaviour is documented or coded. */
  readonly source: string;
}

interface FamilyRule {
  readonly pattern: RegExp;
  readonly family: SdkFamily;
}

const C_SDK: SdkFamily = {
  id: 'c',
  name: 'C device SDK',
  mqttRenewal: 'client-disconnect',
  defaultLifetimeMinutes: 60,
  renewsEveryMinutes: 48,
  source:
    'Azure/azure-iot-sdk-c iothub_client/src/iothub_client_authorization.c (DEFAULT_SAS_TOKEN_EXPIRY_TIME_SECS 3600, SAS_REFRESH_MULTIPLIER .8) and iothubtransport_mqtt_common.c; doc/connection_and_messaging_reliability.md',
};

/** The table: one row per SDK family, first match wins (Python v1 before plain C). */
const FAMILY_RULES: readonly FamilyRule[] = [
  {
    pattern: /^python\/\S+\s+iothubclient\//i,
    family: {
      ...C_SDK,
      id: 'python-v1',
      name: 'Python v1 device SDK (C SDK inside)',
      source: `Learn "Monitor IoT Hub" (sdkVersion prefix iothubclient = C or Python v1); ${C_SDK.source}`,
    },
  },
  { pattern: /^iothubclient\//i, family: C_SDK },
  {
    pattern: /^azure-iot-device-iothub-py\//i,
    family: {
      id: 'python',
      name: 'Python device SDK',
      mqttRenewal: 'client-disconnect',
      defaultLifetimeMinutes: 60,
      renewsEveryMinutes: 58,
      minimum: [2, 0],
      source:
        'Azure/azure-iot-sdk-python pipeline_stages_base.py (sastoken_ttl 3600, DEFAULT_TOKEN_UPDATE_MARGIN 120 s), pipeline_stages_mqtt.py; Learn "Troubleshoot connectivity" (MQTT disconnect behaviour)',
    },
  },
  {
    pattern: /^azure-iot-device\//i,
    family: {
      id: 'node',
      name: 'Node.js device SDK',
      mqttRenewal: 'client-disconnect',
      defaultLifetimeMinutes: 60,
      renewsEveryMinutes: 45,
      minimum: [1, 18],
      source:
        'Azure/azure-iot-sdk-node device/core/src/sak_authentication_provider.ts (_tokenValidTimeInSeconds 3600, _tokenRenewalMarginInSeconds 900), common/transport/mqtt/src/mqtt_base.ts; Learn "Troubleshoot connectivity" (only informational events)',
    },
  },
  {
    pattern: /^(\.net|microsoft\.azure\.devices\.client)\//i,
    family: {
      id: 'dotnet',
      name: '.NET device SDK',
      mqttRenewal: 'waits-for-hub',
      defaultLifetimeMinutes: 60,
      minimum: [1, 40],
      source:
        'Azure/azure-iot-sdk-csharp iothub/device/src/Authentication/DeviceAuthenticationWithTokenRefresh.cs (DefaultTimeToLiveSeconds 3600; refresh loop only for AMQP); Learn "Troubleshoot connectivity" (lifespan + 10-min grace)',
    },
  },
  {
    pattern: /^com\.microsoft\.azure\.(sdk\.iot\.iot-device-client|iothub-java-client)\//i,
    family: {
      id: 'java',
      name: 'Java device SDK',
      mqttRenewal: 'waits-for-hub',
      defaultLifetimeMinutes: 60,
      minimum: [2, 0],
      source:
        'Azure/azure-iot-sdk-java IotHubSasTokenAuthenticationProvider.java (tokenValidSecs 3600, 85 %); Learn "Troubleshoot connectivity" (same as .NET); azure-iot-sdk-java#609',
    },
  },
  {
    pattern: /^c(\s*\+\s*\(|\/|\s|$)/i,
    family: {
      id: 'embedded-c',
      name: 'Embedded C SDK',
      mqttRenewal: 'application',
      defaultLifetimeMinutes: 60,
      source:
        'Learn "Monitor IoT Hub" (sdkVersion prefix C, C + (OSSimplified = Eclipse ThreadX)); the embedded SDK leaves token renewal to the application',
    },
  },
];

export interface ParsedSdk {
  readonly family: SdkFamily;
  /** The family's own version (`1.17.3`), when the string carries one. */
  readonly version?: string;
  readonly outdated: boolean;
}

function versionAfterPrefix(sdkVersion: string): string | undefined {
  return /^[^/]+\/(\d+(?:\.\d+)*)/.exec(sdkVersion)?.[1];
}

function isOlder(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const have = parts[i] ?? 0;
    const need = minimum[i] ?? 0;
    if (have !== need) return have < need;
  }
  return false;
}

/** The SDK family behind a `sdkVersion`; `undefined` for none or a stack not in the table. */
export function parseSdkVersion(sdkVersion: string | undefined): ParsedSdk | undefined {
  const text = sdkVersion?.trim();
  if (!text) return undefined;
  const rule = FAMILY_RULES.find((r) => r.pattern.test(text));
  if (!rule) return undefined;
  const version = versionAfterPrefix(text);
  const outdated =
    version !== undefined && rule.family.minimum !== undefined
      ? isOlder(version, rule.family.minimum)
      : false;
  return { family: rule.family, ...(version !== undefined && { version }), outdated };
}

/** True for protocols that refresh the token on the open connection (AMQP, AMQP over WebSocket). */
export function refreshesInBand(protocol: string | undefined): boolean {
  return protocol !== undefined && /^amqp/i.test(protocol);
}

/** Java device client 1.29.2–1.29.4 reconnected with the expired token (fixed in 1.30.0). */
export function reconnectsWithExpiredToken(sdk: ParsedSdk | undefined): boolean {
  if (sdk?.family.id !== 'java' || sdk.version === undefined) return false;
  return /^1\.29\.[234]$/.test(sdk.version);
}

/** Short label: `Node.js device SDK 1.17.3`. */
export function sdkLabel(sdk: ParsedSdk): string {
  return sdk.version === undefined ? sdk.family.name : `${sdk.family.name} ${sdk.version}`;
}
