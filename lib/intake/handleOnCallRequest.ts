/**
 * The on-call API: `GET|POST /api/silences`, `GET|DELETE /api/silences/{id}` and
 * `POST /api/incidents/{id}/ack`. Behind the intake's own auth (function key, plus the Entra ID
 * caller check when `INTAKE_AUTH=entra-id`); the work itself is `app/onCall.ts`.
 */

import { randomUUID } from 'node:crypto';

import type { Logger } from '../common/logger';
import type { IncidentRecord } from '../incidents/incident';
import type { SilenceRequest } from '../silences/newSilence';
import { AppError, BadRequestError, PayloadTooLargeError, toError } from '../common/errors';
import { MAX_NAME_LENGTH, plainText } from '../silences/newSilence';
import { type MaintenanceWindow, occurrenceAt } from '../silences/maintenanceWindows';
import { formatMatcher, type Silence, type SilenceTarget } from '../silences/silence';
import { isActive } from '../silences/silenceMatching';
import type { StoredSilence } from '../state/silenceStore';
import type { CallerCheck } from './entraIdCallerCheck';
import { errorResponse, type HandlerResponse, parseJsonBody } from './httpResult';
import { readSilenceBody } from './silenceBody';

/** A silence or an acknowledgement is a few hundred bytes; anything far past that is refused. */
export const MAX_ON_CALL_BODY_BYTES = 64 * 1024;
/** Ids in routes: ours are UUIDs or incident ids, well under this. */
export const MAX_ROUTE_ID_LENGTH = 128;

export type OnCallRoute = 'silences' | 'incident-ack';

export interface OnCallRequest {
  readonly route: OnCallRoute;
  readonly method: string;
  /** The route's `{id}`, already URL-decoded. */
  readonly id?: string;
  /** `?by=` (DELETE). */
  readonly by?: string;
  readonly authorization?: string;
  readonly declaredLength?: number;
  readBody(): Promise<Uint8Array>;
}

/**
 * What on-call can do (`app/onCall.ts`, bound to its services by the caller: the intake sits
 * below the app and does not import it). Each throws `AppError`s with the status to answer.
 */
export interface OnCallOperations {
  /** Live and recently ended silences, active first. */
  list(): Promise<StoredSilence[]>;
  get(id: string): Promise<StoredSilence | undefined>;
  add(request: SilenceRequest, id: string): Promise<{ silence: Silence; created: boolean }>;
  expire(id: string, by: string): Promise<StoredSilence>;
  acknowledge(incidentId: string, by: string): Promise<IncidentRecord>;
}

export interface OnCallHandlerServices {
  readonly operations: OnCallOperations;
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  readonly checkCaller?: CallerCheck;
  readonly log: Logger;
  readonly now: () => Date;
}

/** A silence as the API and the CLI show it. */
export interface SilenceView {
  readonly id: string;
  /** `field=value` texts. */
  readonly matchers: readonly string[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly untilResolved?: SilenceTarget;
  readonly createdBy: string;
  readonly comment: string;
  readonly createdAt: string;
  readonly endedAt?: string;
  readonly endedBy?: string;
  readonly all?: true;
  readonly origin: Silence['origin'];
  /** Messages it held back so far. */
  readonly held: number;
  readonly active: boolean;
}

export interface WindowView {
  readonly name: string;
  readonly matchers: readonly string[];
  readonly days: readonly string[];
  /** `HH:MM` UTC. */
  readonly start: string;
  readonly end: string;
  readonly active: boolean;
}

export function silenceView(stored: StoredSilence, now: Date): SilenceView {
  const s = stored.silence;
  return {
    id: s.id,
    matchers: s.matchers.map(formatMatcher),
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    ...(s.untilResolved && { untilResolved: s.untilResolved }),
    createdBy: s.createdBy,
    comment: s.comment,
    createdAt: s.createdAt,
    ...(s.endedAt !== undefined && { endedAt: s.endedAt }),
    ...(s.endedBy !== undefined && { endedBy: s.endedBy }),
    ...(s.all === true && { all: true }),
    origin: s.origin,
    held: stored.held,
    active: isActive(s, now),
  };
}

function hhmm(minute: number): string {
  const m = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export function windowView(window: MaintenanceWindow, now: Date): WindowView {
  return {
    name: window.name,
    matchers: window.matchers.map(formatMatcher),
    days: window.days,
    start: hhmm(window.startMinute),
    end: hhmm(window.startMinute + window.minutes),
    active: occurrenceAt(window, now) !== undefined,
  };
}

/** The route's id: decoded by the caller, capped here so it never reaches storage oversized. */
function routeId(id: string | undefined): string {
  if (id === undefined || id.trim() === '') throw new BadRequestError('The id is missing', 'id');
  if (id.length > MAX_ROUTE_ID_LENGTH) {
    throw new BadRequestError(`The id is longer than ${MAX_ROUTE_ID_LENGTH} characters`, 'id');
  }
  return id;
}

function person(value: unknown, path: string): string {
  const who = typeof value === 'string' ? plainText(value, MAX_NAME_LENGTH) : '';
  if (who === '') throw new BadRequestError('Say who you are (a name)', path);
  return who;
}

async function readJson(request: OnCallRequest): Promise<unknown> {
  if (request.declaredLength !== undefined && request.declaredLength > MAX_ON_CALL_BODY_BYTES) {
    throw new PayloadTooLargeError(MAX_ON_CALL_BODY_BYTES);
  }
  const bytes = await request.readBody();
  if (bytes.byteLength > MAX_ON_CALL_BODY_BYTES) {
    throw new PayloadTooLargeError(MAX_ON_CALL_BODY_BYTES);
  }
  return parseJsonBody(bytes, 'a JSON object');
}

function notAllowed(method: string, allowed: string): AppError {
  return new AppError(`${method} is not allowed here (${allowed})`, 405);
}

async function silences(
  request: OnCallRequest,
  services: OnCallHandlerServices,
): Promise<HandlerResponse> {
  const now = services.now();
  switch (request.method.toUpperCase()) {
    case 'GET': {
      // Reads only: a GET never changes state.
      const all = await services.operations.list();
      if (request.id !== undefined) {
        const id = routeId(request.id);
        const one = all.find((s) => s.silence.id === id) ?? (await services.operations.get(id));
        if (!one) return { status: 404, body: { error: `No silence ${id}`, path: 'id' } };
        return { status: 200, body: silenceView(one, now) };
      }
      return {
        status: 200,
        body: {
          now: now.toISOString(),
          silences: all.map((s) => silenceView(s, now)),
          maintenanceWindows: services.maintenanceWindows.map((w) => windowView(w, now)),
        },
      };
    }
    case 'POST': {
      if (request.id !== undefined) throw notAllowed('POST', 'POST /api/silences');
      const { request: silenceRequest, id } = readSilenceBody(await readJson(request), now);
      const { silence, created } = await services.operations.add(
        silenceRequest,
        id ?? randomUUID(),
      );
      const stored = created ? undefined : await services.operations.get(silence.id);
      return {
        status: created ? 201 : 200,
        body: silenceView(stored ?? { silence, held: 0 }, now),
      };
    }
    case 'DELETE': {
      const id = routeId(request.id);
      const by = person(request.by, 'by');
      const ended = await services.operations.expire(id, by);
      // Seen after it ended, so that it shows as ended.
      return { status: 200, body: silenceView(ended, services.now()) };
    }
    default:
      throw notAllowed(request.method, 'GET, POST or DELETE');
  }
}

async function incidentAck(
  request: OnCallRequest,
  services: OnCallHandlerServices,
): Promise<HandlerResponse> {
  if (request.method.toUpperCase() !== 'POST') throw notAllowed(request.method, 'POST');
  const id = routeId(request.id);
  const body = await readJson(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('Body must be a JSON object: {"by": "NAME"}');
  }
  const by = person((body as { by?: unknown }).by, 'by');
  const record = await services.operations.acknowledge(id, by);
  return { status: 200, body: { id: record.id, acknowledged: record.acknowledged } };
}

export async function handleOnCallRequest(
  request: OnCallRequest,
  services: OnCallHandlerServices,
): Promise<HandlerResponse> {
  try {
    await services.checkCaller?.(request.authorization);
    return request.route === 'silences'
      ? await silences(request, services)
      : await incidentAck(request, services);
  } catch (error: unknown) {
    if (error instanceof AppError) return errorResponse(error, services.log);
    // Storage faults: named, never their message (it can carry a SAS URL); the caller retries.
    const e = toError(error);
    services.log.error(`On-call request failed: ${e.name}`);
    return {
      status: 503,
      body: { error: 'The enricher could not reach its storage; retry later', path: '' },
    };
  }
}
