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
import { declaredLength, readBody, send } from './httpIo';
import { INBOX_SILENCES_URL } from './inboxRoutes';

export const ACTION_PAGE_PATH = '/api/act';
export const THROWAWAY_KEY_ID = 'dev-throwaway';

/** The page, and the inbox's list of active silences (what the Mute links made). */
export function isActionRoute(path: string): boolean {
  return path === ACTION_PAGE_PATH || path === INBOX_SILENCES_URL;
}

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

/** The active silences, read through the host's own services (as the inbox shows them). */
async function sendActiveSilences(
  response: ServerResponse,
  provider: ServiceProvider,
): Promise<void> {
  const [{ listSilences }, onCall] = await Promise.all([
    import('../../app/onCall.js'),
    provider.onCall(),
  ]);
  const { isActive } = await import('../../silences/silenceMatching.js');
  const { formatMatcher } = await import('../../silences/silence.js');
  const now = onCall.now();
  const silences = (await listSilences(onCall))
    .filter((s) => isActive(s.silence, now))
    .map(({ silence, held }) => ({
      id: silence.id,
      matchers: silence.matchers.map(formatMatcher),
      endsAt: silence.endsAt,
      ...(silence.untilResolved && { untilResolved: silence.untilResolved }),
      createdBy: silence.createdBy,
      origin: silence.origin,
      held,
    }));
  send(response, 200, { silences });
}

export async function routeAction(
  request: IncomingMessage,
  response: ServerResponse,
  services: Promise<ServiceProvider>,
  links: DevActionLinks,
  log: Logger,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === INBOX_SILENCES_URL) {
    if (request.method === 'GET') await sendActiveSilences(response, await services);
    else send(response, 405, { error: 'GET only', path: '' }, { allow: 'GET' });
    return;
  }
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
