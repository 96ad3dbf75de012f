/**
 * What on-call can do back: silence, end a silence, acknowledge an incident or an alert. The API,
 * the CLI and the card's pages all call these; each posts a one-line notice to the channel, so
 * anyone reading it knows why it went quiet or who is on it. Doing one twice does it once.
 */

import { randomUUID } from 'node:crypto';

import { AppError } from '../common/errors';
import type { Logger } from '../common/logger';
import { clock } from '../diagnose/format';
import type { IncidentRecord } from '../incidents/incident';
import type { IncidentStore } from '../incidents/incidentStore';
import { type NoticeMessage, noticeMessageId } from '../incidents/outgoingMessage';
import { newSilence, SilenceRequestError, type SilenceRequest } from '../silences/newSilence';
import { formatMatcher, type Silence, type SilenceTarget } from '../silences/silence';
import { isActive } from '../silences/silenceMatching';
import { MAX_LIVE_SILENCES, type SilenceStore, type StoredSilence } from '../state/silenceStore';

export interface OnCallServices {
  readonly silences: SilenceStore;
  readonly incidents: IncidentStore;
  readonly silenceMaxDays: number;
  /** Posts a notice to the channels (best effort: the action itself is already done). */
  readonly notify?: (notice: NoticeMessage) => Promise<void>;
  readonly log: Logger;
  readonly now: () => Date;
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, 404);
  }
}

function notice(
  event: NoticeMessage['event'],
  subject: string,
  text: string,
  by: string,
  at: Date,
  /** Where it goes when that is known (an incident's receivers); otherwise it is routed. */
  receivers?: readonly string[],
): NoticeMessage {
  return {
    kind: 'notice',
    id: noticeMessageId(event, subject),
    event,
    text,
    subject,
    by,
    at: at.toISOString(),
    ...(receivers && receivers.length > 0 && { receivers }),
  };
}

async function post(message: NoticeMessage, services: OnCallServices): Promise<void> {
  try {
    await services.notify?.(message);
  } catch (error: unknown) {
    services.log.warn(
      `Notice ${message.event} not delivered (${error instanceof Error ? error.name : 'unknown error'})`,
    );
  }
}

function describe(silence: Silence): string {
  const what = silence.matchers.map(formatMatcher).join(', ') || 'everything';
  const until = silence.untilResolved
    ? `until its ${silence.untilResolved.kind} is resolved`
    : `until ${clock(silence.endsAt)}`;
  const why = silence.comment === '' ? '' : ` (“${silence.comment}”)`;
  return `${what} ${until}${why}`;
}

/** Adds a silence (the same id twice adds it once) and tells the channel. */
export async function addSilence(
  request: SilenceRequest,
  services: OnCallServices,
  id: string = randomUUID(),
): Promise<{ silence: Silence; created: boolean }> {
  const now = services.now();
  const live = (await services.silences.list(now)).filter(
    (s) => s.silence.endedAt === undefined && Date.parse(s.silence.endsAt) > now.getTime(),
  );
  if (live.length >= MAX_LIVE_SILENCES) {
    throw new AppError(`There are already ${MAX_LIVE_SILENCES} silences; end some first`, 429);
  }
  let silence: Silence;
  try {
    silence = newSilence(request, now, id, { maxDays: services.silenceMaxDays });
  } catch (error: unknown) {
    if (error instanceof SilenceRequestError) throw new AppError(error.message, 400, error.path);
    throw error;
  }
  const created = (await services.silences.add(silence)) === 'added';
  if (!created) {
    const existing = await services.silences.get(id);
    return { silence: existing?.silence ?? silence, created: false };
  }
  services.log.info(`Silence ${silence.id} created by ${silence.createdBy}: ${describe(silence)}`);
  await post(
    notice(
      'silence.created',
      silence.id,
      `Silenced by ${silence.createdBy}: ${describe(silence)}.`,
      silence.createdBy,
      now,
    ),
    services,
  );
  return { silence, created };
}

/** Live and recently ended silences, active ones first, each with what it held back. */
export async function listSilences(services: OnCallServices): Promise<StoredSilence[]> {
  const now = services.now();
  const rank = (s: StoredSilence): number => (isActive(s.silence, now) ? 0 : 1);
  return (await services.silences.list(now)).sort(
    (a, b) => rank(a) - rank(b) || a.silence.endsAt.localeCompare(b.silence.endsAt),
  );
}

/** Ends a silence now; the channel hears it once. */
export async function expireSilence(
  id: string,
  by: string,
  services: OnCallServices,
  why = 'ended',
): Promise<StoredSilence> {
  const before = await services.silences.get(id);
  if (!before) throw new NotFoundError(`No silence ${id}`);
  const now = services.now();
  const after = await services.silences.end(id, by, now);
  if (!after) throw new NotFoundError(`No silence ${id}`);
  if (before.silence.endedAt === undefined && Date.parse(before.silence.endsAt) > now.getTime()) {
    await post(
      notice(
        'silence.ended',
        id,
        `Silence ${why} by ${by}: ${describe(before.silence)}. It held back ${before.held} message(s).`,
        by,
        now,
      ),
      services,
    );
  }
  return after;
}

/** Ends the until-resolved silences waiting for this incident or alert. */
export async function endSilencesFor(
  target: SilenceTarget,
  services: OnCallServices,
): Promise<void> {
  const waiting = (await services.silences.list(services.now())).filter(
    (s) =>
      s.silence.endedAt === undefined &&
      s.silence.untilResolved?.kind === target.kind &&
      s.silence.untilResolved.id === target.id,
  );
  for (const s of waiting) {
    await expireSilence(s.silence.id, `its ${target.kind} resolving`, services, 'ended');
  }
}

const ACK_ATTEMPTS = 10;

/** Acknowledges an incident: its updates collapse; the first acknowledgement is kept. */
export async function acknowledgeIncident(
  incidentId: string,
  by: string,
  services: OnCallServices,
): Promise<IncidentRecord> {
  const who = by.trim().slice(0, 100);
  if (who === '') throw new AppError('Who is acknowledging? The name is empty', 400, 'by');
  for (let attempt = 1; attempt <= ACK_ATTEMPTS; attempt++) {
    const current = (await services.incidents.activeIncidents()).find(
      (v) => v.value.id === incidentId,
    );
    if (!current) throw new NotFoundError(`No open incident ${incidentId}`);
    if (current.value.acknowledged) return current.value;
    const now = services.now();
    const record: IncidentRecord = {
      ...current.value,
      acknowledged: { by: who, at: now.toISOString() },
    };
    if (await services.incidents.replace(record, current.etag)) {
      services.log.info(`Incident ${incidentId} acknowledged by ${who}`);
      await post(
        notice(
          'incident.acknowledged',
          incidentId,
          `${who} acknowledged the incident on ${record.hubResourceId.split('/').pop() ?? ''} (${record.cause}, ${record.deviceCount} devices) at ${clock(record.acknowledged?.at ?? '')}; its updates are collapsed until it closes.`,
          who,
          now,
          // Said where the incident's cards go.
          record.receivers,
        ),
        services,
      );
      return record;
    }
  }
  throw new AppError(`Incident ${incidentId} kept changing; try again`, 503);
}

/** Acknowledges an alert: its follow-up names who did. */
export async function acknowledgeAlert(
  alertId: string,
  by: string,
  services: OnCallServices,
): Promise<void> {
  const who = by.trim().slice(0, 100);
  if (who === '') throw new AppError('Who is acknowledging? The name is empty', 400, 'by');
  const memo = await services.incidents.recall(alertId);
  if (!memo) throw new NotFoundError(`No alert ${alertId} handled by this enricher`);
  if (memo.acknowledged) return;
  const now = services.now();
  await services.incidents.remember({ ...memo, acknowledged: { by: who, at: now.toISOString() } });
  await post(
    notice(
      'alert.acknowledged',
      alertId,
      `${who} acknowledged ${memo.rule} (${memo.cause}).`,
      who,
      now,
    ),
    services,
  );
}
