/**
 * Verifies the Entra ID bearer token an action group's secure webhook sends (`INTAKE_AUTH=entra-id`).
 * Done in the intake rather than by App Service authentication so that it works the same on the
 * dev host, under `func start` and in tests (docs/deployment.md, "Secure webhook with Entra ID").
 */

import type { JWTPayload, JWTVerifyGetKey } from 'jose';

import type { EntraSettings } from '../config/loadConfig';
import { UnauthorizedError, UnavailableError } from '../common/errors';

type Jose = typeof import('jose');

let jose: Jose | undefined;

/** Loaded on the first token check: function-key deployments never load the JOSE library. */
function loadJose(): Jose {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, on purpose
  jose ??= require('jose') as Jose;
  return jose;
}

/** Throws `UnauthorizedError` (401) or `UnavailableError` (503); resolves when the caller may post. */
export type CallerCheck = (authorization: string | undefined) => Promise<void>;

export interface EntraCheckOptions {
  /** Time-out for reading the signing keys; the intake must answer well inside 10 s. */
  readonly keysTimeoutMs?: number;
  /** Accepted clock skew for `exp` and `nbf`, in seconds. */
  readonly clockToleranceSeconds?: number;
}

/** The issuers of v1 and v2 access tokens of the tenant. */
export function entraIssuers(
  settings: Pick<EntraSettings, 'tenantId' | 'authorityHost'>,
): string[] {
  return [
    `https://sts.windows.net/${settings.tenantId}/`,
    `${settings.authorityHost}/${settings.tenantId}/v2.0`,
  ];
}

/**
 * The audiences the intake accepts: the Application ID URI (the `aud` of v1 tokens requested for
 * it, as action groups do) and the application (client) ID (the `aud` of every v2 token).
 */
export function entraAudiences(settings: Pick<EntraSettings, 'audience' | 'clientId'>): string[] {
  return [...new Set([settings.audience, settings.clientId ?? settings.audience])];
}

export function entraKeysUrl(settings: Pick<EntraSettings, 'tenantId' | 'authorityHost'>): URL {
  return new URL(`${settings.authorityHost}/${settings.tenantId}/discovery/v2.0/keys`);
}

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) {
    throw new UnauthorizedError(
      authorization === undefined || authorization.trim() === ''
        ? 'A bearer token is required (Authorization: Bearer <Entra ID token>)'
        : 'The Authorization header is not a bearer token',
    );
  }
  return match[1];
}

/** Says which check failed, never what the token held. */
function refusal(error: { code?: unknown; claim?: unknown }): string {
  switch (error.code) {
    case 'ERR_JWT_EXPIRED':
      return 'The bearer token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (error.claim === 'aud') return 'The bearer token is for another audience';
      if (error.claim === 'iss') return 'The bearer token is from another issuer or tenant';
      if (error.claim === 'nbf') return 'The bearer token is not valid yet';
      return `The bearer token failed the "${String(error.claim)}" check`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return "The bearer token's signature does not match the tenant's signing keys";
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The bearer token is not signed with RS256';
    default:
      return 'The bearer token is not a valid Entra ID token';
  }
}

/** Failures to read the keys are ours, not the caller's: 503 so that the action group retries. */
const KEY_SOURCE_FAILURES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

/**
 * Checks the token's signature against the tenant's published keys, its issuer (v1 or v2 of the
 * tenant), audience (the identifier URI or the client ID), expiry and not-before, and the calling
 * application.
 */
export function entraIdCallerCheck(
  settings: EntraSettings,
  options: EntraCheckOptions = {},
): CallerCheck {
  let keys: JWTVerifyGetKey | undefined;
  const issuers = entraIssuers(settings);
  const audiences = entraAudiences(settings);
  return async (authorization) => {
    const token = bearerToken(authorization);
    const { createRemoteJWKSet, jwtVerify, errors } = loadJose();
    keys ??= createRemoteJWKSet(entraKeysUrl(settings), {
      timeoutDuration: options.keysTimeoutMs ?? 3000,
      cooldownDuration: 30_000,
      cacheMaxAge: 24 * 60 * 60_000,
    });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: issuers,
        audience: audiences,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'iat'],
        clockTolerance: options.clockToleranceSeconds ?? 120,
      }));
    } catch (error: unknown) {
      if (!(error instanceof errors.JOSEError) || KEY_SOURCE_FAILURES.has(error.code)) {
        throw new UnavailableError('The Entra ID signing keys could not be read; retry later', {
          cause: error,
        });
      }
      throw new UnauthorizedError(refusal(error));
    }
    const caller = payload.appid ?? payload.azp;
    if (typeof caller !== 'string' || !settings.allowedAppIds.includes(caller.toLowerCase())) {
      throw new UnauthorizedError(
        'The bearer token was issued to an application that may not call the intake (ENTRA_ALLOWED_APP_IDS)',
      );
    }
  };
}
