/**
 * `GET|POST /api/act?token=…`: the page behind a card's Acknowledge and Mute links. The signed
 * token is the authorization (one action, one target, until it expires). A GET only says what
 * the link will do; the form's POST does it, once: a silence's id is the token's id, and an
 * acknowledgement keeps the first.
 */

import {
  type ActionClaims,
  actionId,
  type SigningKeys,
  TOKEN_PROBLEM_TEXT,
  TokenError,
  type TokenProblem,
  verifyActionToken,
} from '../actions/actionToken';
import { AppError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { IncidentRecord } from '../incidents/incident';
import type { IncidentStore } from '../incidents/incidentStore';
import type { SilenceRequest } from '../silences/newSilence';
import type { Silence, SilenceTarget } from '../silences/silence';
import {
  ACTION_PAGE_HEADERS,
  confirmPageHtml,
  donePageHtml,
  problemPageHtml,
} from './actionPageHtml';

/** The form carries a name and nothing else. */
export const MAX_ACTION_FORM_BYTES = 4096;

export interface ActionPageRequest {
  readonly method: string;
  readonly token?: string;
  /** `x-ms-client-principal-name`, set by App Service authentication when it is on. */
  readonly principalName?: string;
  readonly contentType?: string;
  readonly declaredLength?: number;
  /** Reads at most `limit` bytes, or throws (413). */
  readonly readBody: (limit: number) => Promise<Uint8Array>;
}

export interface ActionPageResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The on-call operations (lib/app/onCall.ts), bound to their services by the entry point. */
export interface ActionPageServices {
  /** Absent when the deployment does not sign links. */
  readonly keys: SigningKeys | undefined;
  readonly incidents: Pick<IncidentStore, 'activeIncidents' | 'recall'>;
  readonly acknowledgeIncident: (id: string, by: string) => Promise<IncidentRecord>;
  readonly acknowledgeAlert: (id: string, by: string) => Promise<void>;
  readonly addSilence: (
    request: SilenceRequest,
    id: string,
  ) => Promise<{ silence: Silence; created: boolean }>;
  readonly now: () => Date;
  readonly log: Logger;
}

const TOKEN_STATUS: Readonly<Record<TokenProblem, number>> = {
  malformed: 400,
  tampered: 403,
  'unknown-key': 403,
  expired: 410,
  'wrong-action': 403,
  'wrong-target': 403,
};

function respond(status: number, body: string, extra: Record<string, string> = {}) {
  return { status, headers: { ...ACTION_PAGE_HEADERS, ...extra }, body };
}

function hubName(hub: string): string {
  return hub.split('/').pop() ?? hub;
}

function only(claims: ActionClaims): string {
  return claims.cause === undefined ? '' : ` (only its ${claims.cause} messages)`;
}

function time(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

interface Plan {
  readonly what: string;
  readonly button: string;
  readonly note?: string;
  /** The until-resolved target of a site mute. */
  readonly until?: SilenceTarget;
}

/** Reads what the link is about now; a closed incident or an unknown alert is a 404 page. */
async function planOf(claims: ActionClaims, services: ActionPageServices): Promise<Plan> {
  const hub = hubName(claims.hub);
  const open = async () =>
    (await services.incidents.activeIncidents()).find((v) => v.value.id === claims.target)?.value;
  switch (claims.action) {
    case 'ack-incident': {
      const incident = await open();
      if (!incident)
        throw new AppError('This incident is over (or unknown): nothing to acknowledge.', 404);
      const ack = incident.acknowledged;
      return {
        what: `Acknowledge incident on ${hub} (${incident.cause}, ${incident.deviceCount} devices)`,
        button: 'Acknowledge',
        ...(ack && { note: `Already acknowledged by ${ack.by} at ${time(ack.at)} UTC.` }),
      };
    }
    case 'ack-alert': {
      const memo = await services.incidents.recall(claims.target);
      if (!memo) throw new AppError('The enricher does not know this alert.', 404);
      const ack = memo.acknowledged;
      return {
        what: `Acknowledge alert ${memo.rule} on ${hub} (${memo.cause})`,
        button: 'Acknowledge',
        ...(ack && { note: `Already acknowledged by ${ack.by} at ${time(ack.at)} UTC.` }),
      };
    }
    case 'mute-device':
      return {
        what: `Mute device ${claims.device ?? '?'} on ${hub} for ${((claims.minutes ?? 0) / 60).toString()} h${only(claims)}`,
        button: 'Mute',
      };
    case 'mute-site': {
      // The target is the incident when it is open, else the alert the card was about.
      const until: SilenceTarget | undefined = (await open())
        ? { kind: 'incident', id: claims.target }
        : (await services.incidents.recall(claims.target))
          ? { kind: 'alert', id: claims.target }
          : undefined;
      if (!until) throw new AppError('This incident is over (or unknown): nothing to mute.', 404);
      return {
        what: `Mute site ${claims.site ?? '?'} on ${hub} until the ${until.kind} is resolved${only(claims)}`,
        button: 'Mute',
        until,
      };
    }
  }
}

function silenceRequest(claims: ActionClaims, plan: Plan, by: string, now: Date): SilenceRequest {
  const matchers: SilenceRequest['matchers'] = [
    // IoT hub names are globally unique, and the name reads better in the channel's notice.
    { field: 'hub', op: '=', value: hubName(claims.hub) },
    ...(claims.device !== undefined
      ? [{ field: 'device', op: '=', value: claims.device } as const]
      : []),
    ...(claims.site !== undefined ? [{ field: 'site', op: '=', value: claims.site } as const] : []),
    // The cause guard: a mute from a card hides that cause only.
    ...(claims.cause !== undefined
      ? [{ field: 'cause', op: '=', value: claims.cause } as const]
      : []),
  ];
  return {
    matchers,
    ...(claims.minutes !== undefined &&
      !claims.untilResolved && {
        endsAt: new Date(now.getTime() + claims.minutes * 60_000).toISOString(),
      }),
    ...(plan.until && { untilResolved: plan.until }),
    createdBy: by,
    comment: 'from the card',
    origin: 'card',
  };
}

/** Does it; the same token twice does it once (and says so). */
async function perform(
  token: string,
  claims: ActionClaims,
  plan: Plan,
  by: string,
  services: ActionPageServices,
): Promise<string> {
  switch (claims.action) {
    case 'ack-incident': {
      const record = await services.acknowledgeIncident(claims.target, by);
      const ack = record.acknowledged;
      return ack && ack.by !== by
        ? `Already acknowledged by ${ack.by} at ${time(ack.at)} UTC; nothing changed.`
        : `Acknowledged by ${by}. Its update cards are collapsed until it closes; the channel was told.`;
    }
    case 'ack-alert': {
      const before = (await services.incidents.recall(claims.target))?.acknowledged;
      await services.acknowledgeAlert(claims.target, by);
      return before
        ? `Already acknowledged by ${before.by} at ${time(before.at)} UTC; nothing changed.`
        : `Acknowledged by ${by}; the channel was told.`;
    }
    case 'mute-device':
    case 'mute-site': {
      const request = silenceRequest(claims, plan, by, services.now());
      const { silence, created } = await services.addSilence(request, actionId(token));
      const until = silence.untilResolved
        ? `until the ${silence.untilResolved.kind} is resolved (at the latest ${time(silence.endsAt)} UTC)`
        : `until ${time(silence.endsAt)} UTC`;
      return created
        ? `Muted by ${by} ${until}; the channel was told.`
        : `This link was used already: muted by ${silence.createdBy} ${until}; nothing changed.`;
    }
  }
}

async function nameOf(request: ActionPageRequest): Promise<string> {
  if (request.principalName !== undefined && request.principalName.trim() !== '')
    return request.principalName.trim();
  const type = (request.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new AppError('The form must be posted as application/x-www-form-urlencoded.', 415);
  if ((request.declaredLength ?? 0) > MAX_ACTION_FORM_BYTES)
    throw new AppError('The form is too large.', 413);
  const body = Buffer.from(await request.readBody(MAX_ACTION_FORM_BYTES)).toString('utf8');
  return new URLSearchParams(body).get('by')?.trim() ?? '';
}

export async function handleActionPage(
  request: ActionPageRequest,
  services: ActionPageServices,
): Promise<ActionPageResponse> {
  if (request.method !== 'GET' && request.method !== 'POST')
    return respond(405, problemPageHtml('Not allowed', 'Open the link from the card.'), {
      allow: 'GET, POST',
    });
  if (services.keys === undefined)
    return respond(404, problemPageHtml('Links are off', 'This deployment does not sign links.'));
  const token = request.token ?? '';
  let claims: ActionClaims;
  try {
    claims = verifyActionToken(token, services.keys, services.now());
  } catch (error: unknown) {
    if (!(error instanceof TokenError)) throw error;
    services.log.warn(`Action link refused: ${error.problem}`);
    return respond(
      TOKEN_STATUS[error.problem],
      problemPageHtml('This link does not work', TOKEN_PROBLEM_TEXT[error.problem]),
    );
  }
  try {
    const plan = await planOf(claims, services);
    if (request.method === 'GET') {
      const principal = request.principalName?.trim();
      return respond(
        200,
        confirmPageHtml({
          what: plan.what,
          ...(plan.note !== undefined && { note: plan.note }),
          button: plan.button,
          ...(principal !== undefined && principal !== '' && { signedInAs: principal }),
          action: `?token=${encodeURIComponent(token)}`,
          expiresAt: time(new Date(claims.expiresAt * 1000).toISOString()),
        }),
      );
    }
    const by = await nameOf(request);
    if (by === '') throw new AppError('Say who you are: the name is empty.', 400);
    const done = await perform(token, claims, plan, by, services);
    services.log.info(`Action link ${claims.action} on ${claims.target} used by ${by}`);
    return respond(200, donePageHtml(plan.what, done));
  } catch (error: unknown) {
    if (error instanceof AppError && error.status < 500)
      return respond(error.status, problemPageHtml('Not done', error.message));
    services.log.error(
      `Action link ${claims.action} failed: ${error instanceof Error ? error.message : 'unknown'}`,
    );
    return respond(
      503,
      problemPageHtml('Not done', 'The enricher could not do it now; try again.'),
    );
  }
}
