/** The local Log Analytics server lives beside the benchmarks that also run it. */

import {
  createTestCertificate,
  type TestCertificate,
} from '../../lib/tools/bench/localCertificate';
import {
  type LocalLogAnalyticsServer,
  startLocalLogAnalyticsServer,
} from '../../lib/tools/bench/localLogAnalyticsServer';

export * from '../../lib/tools/bench/localLogAnalyticsServer';

export interface LocalWorkspace {
  /** The server, started before the file's tests and closed after them. */
  readonly server: LocalLogAnalyticsServer;
  /** The certificate the server presents; clients trust it per client (`tlsOptions.ca`). */
  readonly certificate: TestCertificate;
}

/** A local Log Analytics server over HTTPS for one test file, expecting `token`. */
export function useLocalLogAnalytics(token: string): LocalWorkspace {
  let server: LocalLogAnalyticsServer | undefined;
  let certificate: TestCertificate | undefined;
  beforeAll(async () => {
    certificate = createTestCertificate();
    server = await startLocalLogAnalyticsServer({ certificate, token });
  });
  afterAll(async () => {
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the local Log Analytics server has not started');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get certificate() {
      return started(certificate);
    },
  };
}
