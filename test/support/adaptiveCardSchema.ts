import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { asHostWithoutChartsSees, chartProblems } from './cardFallback';

/**
 * The official Adaptive Cards 1.5 JSON Schema (draft-06), carried unchanged inside the repository
 * (`test/fixtures/schemas/`, where its README names the source commit and licence), so a clone
 * on its own can run every test.
 */
export const ADAPTIVE_CARD_SCHEMA_PATH = path.resolve(
  __dirname,
  '../fixtures/schemas/adaptive-card-1.5.json',
);

/** Highest Adaptive Card version Teams renders (alerts-and-delivery.md §3.4). */
export const TEAMS_MAX_CARD_VERSION = '1.5';

/** Our wire budget for a Workflows message: 26 KB, well under the documented 28 KB (§3.5). */
export const TEAMS_MAX_BODY_BYTES = 26 * 1024;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface SchemaResult {
  valid: boolean;
  errors: string[];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let compiled: ValidateFunction | undefined;

function cardValidator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(ADAPTIVE_CARD_SCHEMA_PATH, 'utf8')) as JsonObject;
  // The schema names itself with draft-06 `id`; Ajv 8 only understands `$id`.
  const { id, ...rest } = schema;
  const draft06 = JSON.parse(
    readFileSync(require.resolve('ajv/dist/refs/json-schema-draft-06.json'), 'utf8'),
  ) as JsonObject;
  // strict: false because the schema carries non-standard keywords (`version`, `features`).
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06);
  addFormats(ajv);
  compiled = ajv.compile({ ...rest, $id: String(id) });
  return compiled;
}

function formatAjvError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
      : error.keyword === 'enum'
        ? ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})`
        : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}

/** Checks Teams' `msteams` extension, which the generic schema does not know. */
function msteamsProblems(msteams: unknown): string[] {
  if (!isObject(msteams)) return ['/msteams must be an object'];
  const problems: string[] = [];
  for (const key of Object.keys(msteams)) {
    if (key !== 'width' && key !== 'entities') {
      problems.push(`/msteams has unsupported property "${key}" (only width and entities)`);
    }
  }
  if ('width' in msteams && msteams.width !== 'Full') {
    problems.push('/msteams/width must be "Full"');
  }
  if ('entities' in msteams) {
    const entities = msteams.entities;
    if (!Array.isArray(entities)) {
      problems.push('/msteams/entities must be an array');
    } else {
      entities.forEach((entity: unknown, index) => {
        const where = `/msteams/entities/${index}`;
        if (!isObject(entity) || entity.type !== 'mention') {
          problems.push(`${where} must be an object with type "mention"`);
          return;
        }
        if (typeof entity.text !== 'string' || !/^<at>.+<\/at>$/.test(entity.text)) {
          problems.push(`${where}/text must look like "<at>Name</at>"`);
        }
        const mentioned = entity.mentioned;
        if (
          !isObject(mentioned) ||
          typeof mentioned.id !== 'string' ||
          typeof mentioned.name !== 'string'
        ) {
          problems.push(`${where}/mentioned must have string id and name`);
        }
      });
    }
  }
  return problems;
}

/**
 * Validates an Adaptive Card against the official 1.5 schema. Teams' `msteams` extension is
 * checked on its own (width "Full", mention entities) and removed before schema validation.
 */
export function validateAdaptiveCard(card: unknown): SchemaResult {
  if (!isObject(card)) {
    return { valid: false, errors: ['/ must be an Adaptive Card object'] };
  }
  const errors: string[] = [];
  const { msteams, ...generic } = card;
  if ('msteams' in card) errors.push(...msteamsProblems(msteams));
  // Teams' charts are not 1.5 elements: check their shape, then the card as other hosts see it.
  errors.push(...chartProblems(generic));
  const validate = cardValidator();
  if (!validate(asHostWithoutChartsSees(generic))) {
    errors.push(...(validate.errors ?? []).map(formatAjvError));
  }
  const unique = [...new Set(errors)];
  return { valid: unique.length === 0, errors: unique };
}

function versionAtMost(version: string, max: string): boolean {
  const parse = (v: string): [number, number] | undefined => {
    const match = /^(\d+)\.(\d+)$/.exec(v);
    return match ? [Number(match[1]), Number(match[2])] : undefined;
  };
  const have = parse(version);
  const limit = parse(max);
  if (!have || !limit) return false;
  return have[0] < limit[0] || (have[0] === limit[0] && have[1] <= limit[1]);
}

/**
 * Problems with a Teams Workflows webhook body (alerts-and-delivery.md §3.3–3.5): `type` "message",
 * a non-empty `attachments` array of Adaptive Card attachments with `content`, card version at most
 * 1.5, and the serialized body within 26 KB (UTF-8). Returns an empty array when it is fine.
 */
export function teamsEnvelopeProblems(body: unknown): string[] {
  if (!isObject(body)) return ['body must be a JSON object'];
  const problems: string[] = [];
  if (body.type !== 'message') {
    const got = body.type === undefined ? 'nothing' : JSON.stringify(body.type);
    problems.push(`type must be "message" (got ${got})`);
  }
  const attachments = body.attachments;
  if (!Array.isArray(attachments) || attachments.length === 0) {
    problems.push('attachments must be a non-empty array');
  } else {
    attachments.forEach((attachment: unknown, index) => {
      const where = `attachments[${index}]`;
      if (!isObject(attachment)) {
        problems.push(`${where} must be an object`);
        return;
      }
      if (attachment.contentType !== ADAPTIVE_CARD_CONTENT_TYPE) {
        problems.push(`${where}.contentType must be "${ADAPTIVE_CARD_CONTENT_TYPE}"`);
      }
      if ('contentUrl' in attachment && attachment.contentUrl !== null) {
        problems.push(`${where}.contentUrl must be null or absent`);
      }
      const content = attachment.content;
      if (!isObject(content)) {
        problems.push(`${where}.content must be an Adaptive Card object`);
        return;
      }
      if (content.type !== 'AdaptiveCard') {
        problems.push(`${where}.content.type must be "AdaptiveCard"`);
      }
      if (typeof content.version !== 'string') {
        problems.push(`${where}.content.version must be a string such as "1.5"`);
      } else if (!versionAtMost(content.version, TEAMS_MAX_CARD_VERSION)) {
        problems.push(
          `${where}.content.version "${content.version}" is above ${TEAMS_MAX_CARD_VERSION}, the highest Teams supports`,
        );
      }
    });
  }
  const bytes = Buffer.byteLength(JSON.stringify(body), 'utf8');
  if (bytes > TEAMS_MAX_BODY_BYTES) {
    problems.push(`body is ${bytes} bytes, over the ${TEAMS_MAX_BODY_BYTES}-byte (26 KB) budget`);
  }
  return problems;
}
