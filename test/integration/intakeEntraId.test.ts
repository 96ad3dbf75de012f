/**
 * `INTAKE_AUTH=entra-id` end to end over HTTP: the dev host's intake verifies tokens signed by a
 * local key set that a local server publishes the way Entra ID does
 * (`{authority}/{tenant}/discovery/v2.0/keys`). Every refusal is a 401 that says which check
 * failed; an unreachable key set is a 503 (the action group retries it).
 */

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

import { exportJWK, generateKeyPair, type KeyLike, SignJWT, UnsecuredJWT } from 'jose';

import { ACTION_GROUP_APP_ID } from '../../lib/config/configKeys';
import { entraIdCallerCheck } from '../../lib/intake/entraIdCallerCheck';
import { loadConfig } from '../../lib/config/loadConfig';
import { type DevHost, startDevHost } from '../../lib/tools/devhost/devHost';
import { devHostEnvironment } from '../../lib/tools/devhost/sampleEnvironment';
import { silentLogger } from '../../lib/common/logger';
import { REPO_ROOT, repoPath } from '../support/fixtures';
import { closeNow, listenLocally } from '../../lib/tools/bench/localServer';
import { startInboxDevHost } from '../support/inboxDevHost';

const TENANT = '7d1e2a35-0c4b-4f51-9a8e-3b6c2d1f0e99';
const AUDIENCE = 'api://iothub-alert-enricher';
/** The app registration's application (client) ID: the `aud` of v2 tokens. */
const CLIENT_ID = '3f0c9a52-8b7d-4e16-a2c4-9d5e1b7f6a08';
const KID = 'local-key-1';
const sample = readFileSync(repoPath('samples/alerts/sas-renewal-thermostat-0042.json'), 'utf8');

let keys: { privateKey: KeyLike; publicKey: KeyLike };
let otherKeys: { privateKey: KeyLike; publicKey: KeyLike };
let jwks: Server;
let jwksUrl: string;
let keyRequests = 0;
let keysAvailable = true;
let host: DevHost;

async function listen(server: Server): Promise<string> {
  return `http://127.0.0.1:${await listenLocally(server)}`;
}

beforeAll(async () => {
  keys = await generateKeyPair('RS256');
  otherKeys = await generateKeyPair('RS256');
  const published = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: KID, use: 'sig' }] };
  jwks = createServer((request, response) => {
    keyRequests++;
    if (!keysAvailable || request.url !== `/${TENANT}/discovery/v2.0/keys`) {
      response.writeHead(keysAvailable ? 404 : 503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(published));
  });
  jwksUrl = await listen(jwks);
  const env = devHostEnvironment(
    {
      INTAKE_AUTH: 'entra-id',
      ENTRA_TENANT_ID: TENANT,
      ENTRA_AUDIENCE: AUDIENCE,
      ENTRA_CLIENT_ID: CLIENT_ID,
      ENTRA_AUTHORITY_HOST: jwksUrl,
    },
    REPO_ROOT,
    0,
  );
  host = await startInboxDevHost(env);
});

afterAll(async () => {
  await host.close();
  await closeNow(jwks);
});

interface TokenOptions {
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresAt?: number;
  readonly notBefore?: number;
  readonly appid?: string;
  readonly key?: KeyLike;
}

/** An access token shaped like the one an action group's secure webhook sends. */
async function token(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    appid: options.appid ?? ACTION_GROUP_APP_ID,
    roles: ['ActionGroupsSecureWebhook'],
  })
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .setIssuer(options.issuer ?? `https://sts.windows.net/${TENANT}/`)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 60)
    .setNotBefore(options.notBefore ?? now - 60)
    .setExpirationTime(options.expiresAt ?? now + 3600)
    .sign(options.key ?? keys.privateKey);
}

/** A v2 access token: issuer `{authority}/{tenant}/v2.0`, `aud` the client ID, `azp`. */
async function v2Token(options: Pick<TokenOptions, 'audience' | 'issuer'> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ azp: ACTION_GROUP_APP_ID, ver: '2.0' })
    .setProtectedHeader({ alg: 'RS256', kid: KID })
    .setIssuer(options.issuer ?? `${jwksUrl}/${TENANT}/v2.0`)
    .setAudience(options.audience ?? CLIENT_ID)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(keys.privateKey);
}

async function post(authorization?: string): Promise<{ status: number; body: { error?: string } }> {
  const response = await fetch(`${host.url}/api/alerts`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization !== undefined && { authorization }),
    },
    body: sample,
  });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

describe('INTAKE_AUTH=entra-id', () => {
  test('a v1 token (issuer sts.windows.net/{tenant}/, aud = the identifier URI) from the action group application is accepted (202)', async () => {
    const response = await post(`Bearer ${await token()}`);
    expect(response.status).toBe(202);
    await host.drain();
    expect(host.inbox.list()).toHaveLength(1);
  });

  test('a v2 token (issuer {authority}/{tenant}/v2.0, aud = the client ID, azp) is accepted too', async () => {
    // Accepted, then answered as a duplicate of the alert posted above.
    expect(await post(`Bearer ${await v2Token()}`)).toMatchObject({
      status: 202,
      body: { duplicate: true },
    });
  });

  test('a v2 token for the identifier URI is accepted as well (either audience, either issuer)', async () => {
    expect((await post(`Bearer ${await v2Token({ audience: AUDIENCE })}`)).status).toBe(202);
  });

  test.each([
    ['no token', async () => undefined, /bearer token is required/],
    ['not a bearer token', async () => 'Basic dXNlcjpwYXNz', /not a bearer token/],
    [
      'an expired token',
      async () => `Bearer ${await token({ expiresAt: Math.floor(Date.now() / 1000) - 3600 })}`,
      /expired/,
    ],
    [
      'a token not valid yet',
      async () => `Bearer ${await token({ notBefore: Math.floor(Date.now() / 1000) + 3600 })}`,
      /not valid yet/,
    ],
    [
      'a token for another audience',
      async () => `Bearer ${await token({ audience: 'api://someone-else' })}`,
      /another audience/,
    ],
    [
      'a v2 token for another client ID',
      async () => `Bearer ${await v2Token({ audience: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b' })}`,
      /another audience/,
    ],
    [
      'a v2 token from another tenant',
      async () =>
        `Bearer ${await v2Token({ issuer: `${jwksUrl}/00000000-0000-0000-0000-000000000001/v2.0` })}`,
      /another issuer/,
    ],
    [
      'a token from another tenant',
      async () =>
        `Bearer ${await token({ issuer: 'https://sts.windows.net/00000000-0000-0000-0000-000000000001/' })}`,
      /another issuer/,
    ],
    [
      'a token signed with another key under the published kid',
      async () => `Bearer ${await token({ key: otherKeys.privateKey })}`,
      /signature/,
    ],
    [
      'an unsigned token (alg "none")',
      async () =>
        `Bearer ${new UnsecuredJWT({ appid: ACTION_GROUP_APP_ID })
          .setIssuer(`https://sts.windows.net/${TENANT}/`)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1h')
          .encode()}`,
      /not a valid Entra ID token|RS256/,
    ],
    [
      'a token issued to another application',
      async () => `Bearer ${await token({ appid: '11111111-2222-3333-4444-555555555555' })}`,
      /may not call the intake/,
    ],
  ])('%s is refused with 401 saying why', async (_name, authorization, reason) => {
    const response = await post(await authorization());
    expect(response.status).toBe(401);
    expect(response.body.error).toMatch(reason);
  });

  test('the refusal never echoes the token', async () => {
    const bad = await token({ audience: 'api://someone-else' });
    const response = await post(`Bearer ${bad}`);
    expect(JSON.stringify(response.body)).not.toContain(bad.split('.')[1]);
  });

  test('the health endpoint needs no token and names the settings', async () => {
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { keys: { name: string; status: string }[] };
    expect(body.keys.find((k) => k.name === 'INTAKE_AUTH')?.status).toBe('set');
  });

  test('the key set is fetched once and cached', () => {
    expect(keyRequests).toBeGreaterThanOrEqual(1);
    expect(keyRequests).toBeLessThanOrEqual(2);
  });
});

describe('INTAKE_AUTH=entra-id without ENTRA_CLIENT_ID', () => {
  test('accepts the identifier URI alone: a v2 token for the client ID is refused', async () => {
    const check = entraIdCallerCheck({
      tenantId: TENANT,
      audience: AUDIENCE,
      authorityHost: jwksUrl,
      allowedAppIds: [ACTION_GROUP_APP_ID],
    });
    await expect(check(`Bearer ${await token()}`)).resolves.toBeUndefined();
    await expect(check(`Bearer ${await v2Token()}`)).rejects.toThrow(/another audience/);
  });
});

describe('INTAKE_AUTH=entra-id with the key set unreachable', () => {
  test('answers 503 (the action group retries), not 401', async () => {
    keysAvailable = false;
    const env = devHostEnvironment(
      {
        INTAKE_AUTH: 'entra-id',
        ENTRA_TENANT_ID: TENANT,
        ENTRA_AUDIENCE: AUDIENCE,
        ENTRA_AUTHORITY_HOST: jwksUrl,
      },
      REPO_ROOT,
      0,
    );
    const fresh = await startDevHost({ config: loadConfig(env), env, port: 0, log: silentLogger });
    try {
      const response = await fetch(`${fresh.url}/api/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token()}` },
        body: sample,
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: string }).error).toMatch(/signing keys/);
    } finally {
      keysAvailable = true;
      await fresh.close();
    }
  });
});
