/**
 * The local stand-ins the connection-event benchmarks share: Log Analytics over HTTPS (with the
 * service's per-caller limits), the metrics API, and a receiver for the cards, all on a throwaway
 * certificate that the in-process clients trust per client and the dev host's process through
 * `NODE_EXTRA_CA_CERTS` (never by turning verification off).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AzureMonitorMetricsSource } from '../../evidence/azureMonitorMetricsSource';
import { createLogsQueryClient, LogAnalyticsSource } from '../../evidence/logAnalyticsSource';
import { type CardReceiver, startCardReceiver } from './cardReceiver';
import { type LocalArmMetricsServer, startLocalArmMetricsServer } from './localArmMetricsServer';
import { createTestCertificate } from './localCertificate';
import {
  type LocalLogAnalyticsServer,
  startLocalLogAnalyticsServer,
} from './localLogAnalyticsServer';

export const STAND_IN_TOKEN = 'connection-bench-token-not-a-secret';
export const STAND_IN_WORKSPACE_ID = '0d6f4b2e-8a13-4c57-9e21-5b7c3a9f0e64';
/** Log Analytics' limits per caller, as the storm benchmark enforces them. */
const LOG_ANALYTICS_LIMITS = { maxConcurrent: 5, maxPer30s: 200, retryAfterSeconds: 2 };

export interface ConnectionStandIns {
  readonly logAnalytics: LocalLogAnalyticsServer;
  readonly arm: LocalArmMetricsServer;
  readonly receiver: CardReceiver;
  /** The certificate's PEM file, for `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
  /** What the metrics API answers from now on: connected devices at a minute (epoch ms). */
  connectedDevices(count: (minuteStart: number) => number): void;
  /** The production adapters, pointed at the stand-ins (for in-process runs). */
  sources(): { evidence: LogAnalyticsSource; metrics: AzureMonitorMetricsSource };
  close(): Promise<void>;
}

export async function startConnectionStandIns(): Promise<ConnectionStandIns> {
  const certificate = createTestCertificate();
  const dir = mkdtempSync(join(tmpdir(), 'bench-ca-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  let connected: (minuteStart: number) => number = () => 0;
  const [logAnalytics, arm, receiver] = await Promise.all([
    startLocalLogAnalyticsServer({
      certificate,
      token: STAND_IN_TOKEN,
      limits: LOG_ANALYTICS_LIMITS,
    }),
    startLocalArmMetricsServer({
      certificate,
      token: STAND_IN_TOKEN,
      connectedAt: (minute) => connected(minute),
    }),
    startCardReceiver(),
  ]);
  const credential = {
    getToken: () =>
      Promise.resolve({ token: STAND_IN_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  // Production settings (three attempts per call), trusting the local certificate.
  const options = { tlsOptions: { ca: certificate.cert }, retryOptions: { maxRetries: 2 } };
  return {
    logAnalytics,
    arm,
    receiver,
    caFile,
    connectedDevices(count) {
      connected = count;
    },
    sources: () => ({
      evidence: new LogAnalyticsSource({
        client: createLogsQueryClient(credential, logAnalytics.endpoint, options),
        workspaceId: STAND_IN_WORKSPACE_ID,
      }),
      metrics: new AzureMonitorMetricsSource({ credential, endpoint: arm.endpoint, ...options }),
    }),
    close: async () => {
      await Promise.all([logAnalytics.close(), arm.close(), receiver.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
