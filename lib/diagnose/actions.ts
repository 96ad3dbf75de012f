/** What to do about each cause, from Microsoft's troubleshooting guidance for 404104 and 401003. */

import { type Cause, type EvidenceItem, expiredWithoutReturn, type Verdict } from './diagnosis';

/** A token that expired and never came back: the fix is in the device app. */
const NO_RETURN_ACTIONS: readonly string[] = [
  "Fix the device app's token handling: renew the SAS token before it expires (the Azure IoT SDKs do this when given a connection string or a key, not a fixed token).",
  'Reconnect after a drop with a fresh token and exponential back-off with jitter; never retry with the token the hub just refused.',
  'Restart the device (or its app) now to bring it back, and check its clock (NTP): a drift of more than 5 minutes makes new tokens look expired.',
];

/** The first thing to do for the most likely reading of refused reconnects. */
const READING_ACTIONS: Readonly<Record<string, string>> = {
  'reading-sdk-reuses-token':
    'Upgrade the Java device SDK to 1.30.0 or later (1.29.2–1.29.4 reconnect with the expired token), then restart the device app.',
  'reading-app-reuses-token':
    "Check the device app's reconnect path: it must build a new SAS token for every reconnect, never reuse the one the hub refused.",
  'reading-clock-drift':
    "Check the device's clock first (NTP): a clock more than 5 minutes off makes every new token arrive expired.",
  'reading-key-changed':
    "Check the hub's activity log for a key regeneration or the identity being deleted and re-created, and give the device the current key.",
};

const WAVE_ACTION =
  'Spread token lifetimes (add random jitter to the lifetime or the renewal time) so that devices that got their tokens together stop renewing as one wave.';

const ACTIONS: Readonly<Record<Cause, readonly string[]>> = {
  'sas-token-expiry': [
    'Nothing to fix: the device SDK renews its SAS token and reconnects on its own.',
    'To stop these alerts, ignore 404104 disconnects followed by a reconnect within 2 minutes in the alert rule.',
    'To avoid the disconnect altogether, use an SDK that renews before expiry (C SDK), or AMQP, which refreshes the token on the open connection.',
  ],
  'device-or-network': [
    "Check the device's network (cellular or Wi-Fi signal, firewall, NAT timeouts) and power around the drop.",
    'Do not raise the MQTT keep-alive on a flaky network: it only delays detection.',
    "Update the device SDK to the latest release and check the device app's logs for a crash or restart.",
  ],
  'iot-hub-transient': [
    'Check the IoT hub in Resource Health and Azure Status for an incident or platform update.',
    'Devices should reconnect on their own with exponential back-off and jitter; watch connected devices recover.',
    'If devices do not recover within 15–30 minutes, consider a manual failover and open a support case.',
  ],
  'duplicate-identity': [
    'Find the second client using this identity (cloned image, copied connection string, a test tool) and stop it.',
    'Give every physical device its own identity: the hub allows one MQTT connection per device.',
  ],
  'credential-rejected': [
    'Check whether the device key or certificate was rotated, revoked or expired, and that the device is enabled.',
    'Check the device clock: a drift of more than 5 minutes makes valid tokens look expired (sync with NTP).',
    'Re-provision the credential (DPS re-registration or a new key) if it was rotated on the hub side.',
  ],
  'quota-exceeded': [
    "The hub's daily message quota is used up: devices are refused (403002) until it resets at 00:00 UTC.",
    'To restore service now, add units or move the hub to a higher tier; then find the devices that send far more than usual (`dailyMessageQuotaUsed` metric).',
    'Devices should back off instead of reconnecting at once: every reconnect is refused again until the reset.',
  ],
  throttled: [
    "IoT Hub is throttling the device's operations (429xxx): it sends faster than the hub's per-unit limits allow.",
    'Slow the device down (batch messages, back off on 429 with jitter), or scale the hub (more units or a higher tier).',
    'Check the hub\'s "Number of throttling errors" metric to see whether other devices are throttled too.',
  ],
  'device-removed': [
    'Check the device identity in the hub: it was deleted, disabled, or the device was provisioned to another hub (DPS re-provisioning).',
    'If the removal was not intended, re-create or re-enable the identity (or re-run DPS provisioning); if it was, stop the device from retrying.',
  ],
  unknown: [
    "Check that the hub's diagnostic setting sends Connections logs to the workspace the enricher reads.",
    'Resource logs can be minutes late: replay the alert later with `enricher classify`.',
  ],
};

export function actionsFor(
  verdict: Pick<Verdict, 'cause' | 'reconnected'>,
  evidence: readonly EvidenceItem[],
): string[] {
  const { cause } = verdict;
  if (expiredWithoutReturn(verdict)) return [...NO_RETURN_ACTIONS];
  const actions = [...ACTIONS[cause]];
  if (cause === 'sas-token-expiry' && evidence.some((e) => e.signal === 'renewal-waves')) {
    actions.splice(1, 0, WAVE_ACTION);
  }
  if (cause === 'credential-rejected') {
    const lead = evidence.find((e) => e.signal.startsWith('reading-'))?.signal;
    const first = lead ? READING_ACTIONS[lead] : undefined;
    if (first) actions.unshift(first);
  }
  if (cause === 'device-or-network' && evidence.some((e) => e.signal === 'periodic-not-token')) {
    actions.unshift(
      'Match the period to the network path and the device: NAT, firewall or carrier idle time-outs, the MQTT keep-alive (at most 1,177 s on IoT Hub), watchdog or cron schedules.',
    );
  }
  if (cause === 'device-or-network' && evidence.some((e) => e.signal === 'cohort')) {
    actions.unshift(
      'Look at the network the affected devices share (site uplink, carrier, gateway).',
    );
  }
  return actions;
}
