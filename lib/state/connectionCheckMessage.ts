/** Validates a check message from the queue: a boundary, where anything can be put. */

import { z } from 'zod';

import { SEQUENCE_NUMBER } from '../connections/connectionEvent';
import type { ConnectionCheck } from '../connections/identityState';

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not a time');

const checkSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['grace', 'returned']),
  hubResourceId: z.string().min(1),
  hubName: z.string(),
  deviceId: z.string().min(1),
  moduleId: z.string().min(1).optional(),
  dropSequence: z.string().regex(SEQUENCE_NUMBER),
  droppedAt: isoTime,
  dueAt: isoTime,
  graceSeconds: z.number().int().positive(),
  logWaits: z.number().int().min(0),
  alertId: z.string().min(1).optional(),
  returnedAt: isoTime.optional(),
});

export class InvalidCheckMessageError extends Error {
  override name = 'InvalidCheckMessageError';
}

/** Accepts the parsed object (the host parses JSON messages) or the raw text. */
export function parseConnectionCheck(message: unknown): ConnectionCheck {
  let value = message;
  if (typeof message === 'string') {
    try {
      value = JSON.parse(message);
    } catch {
      throw new InvalidCheckMessageError('Check message is not JSON');
    }
  }
  const result = checkSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidCheckMessageError(
      `Check message is not a connection check: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return result.data as ConnectionCheck;
}
