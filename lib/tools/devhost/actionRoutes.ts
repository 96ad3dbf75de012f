/**
 * The dev host's copy of the action page (`GET|POST /api/act?token=…`), and the links' settings
 * it signs with: its own URL as the base, and the configured keys or, when none are set, a
 * throwaway key made at start (its links stop working when the host restarts).
 */

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ServiceProvider } from '../../app/services';
import type { Logger } from '../../common/logger';
import type { ActionLinkSettings, Config } from '../../config/loadConfig';
import { declaredLength, readBody } from './httpIo';

export const ACTION_PAGE_PATH = '/api/act';
export const THROWAWAY_KEY_ID = 'dev-throwaway';

export interface DevActionLinks {
  readonly settings: ActionLinkSettings;
  /** True when the key was made at start (no ACTION_SIGNING_KEYS): say so in the banner. */
  readonly throwaway: boolean;
}

/** Links point at this host, signed with the configured keys or a throwaway one. */
export function devActionLinks(config: Readonly<Config>, url: string): DevActionLinks {
  const configured = config.actionLinks;
  if (configured) return { settings: { ...configured, baseUrl: url }, throwaway: false };
  return {
    settings: {
      signingKeys: {
        currentKeyId: THROWAWAY_KEY_ID,
        keys: { [THROWAWAY_KEY_ID]: randomBytes(32) },
      },
      baseUrl: url,
      hours: 72,
    },
    throwaway: true,
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function routeActionPage(
  request: IncomingMessage,
  response: ServerResponse,
  services: Promise<ServiceProvider>,
  links: DevActionLinks,
  log: Logger,
): Promise<void> {
  const [{ handleActionPage }, { actionPageServices }] = await Promise.all([
    import('../../intake/handleActionPage.js'),
    import('../../app/triggers.js'),
  ]);
  const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
  const principal = header(request, 'x-ms-client-principal-name');
  const contentType = header(request, 'content-type');
  const length = declaredLength(request);
  const page = await handleActionPage(
    {
      method: request.method ?? 'GET',
      ...(token !== null && { token }),
      ...(principal !== undefined && { principalName: principal }),
      ...(contentType !== undefined && { contentType }),
      ...(length !== undefined && { declaredLength: length }),
      readBody: (limit) => readBody(request, limit),
    },
    await actionPageServices(await (await services).onCall(), links.settings.signingKeys, log),
  );
  response.writeHead(page.status, {
    ...page.headers,
    ...(page.status === 413 && { connection: 'close' }),
  });
  response.end(page.body);
}
