/**
 * The published webhook contract, `schemas/webhook-v4.schema.json`, compiled once for every test
 * that checks a payload against it. Union types (`"type": ["string", "null"]`) are part of the
 * schema's JSON Schema dialect, so Ajv is told to allow them rather than warn at each compile.
 */

import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { readJson } from './fixtures';

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
addFormats(ajv);

export const validateWebhookEvent = ajv.compile(
  readJson('schemas', 'webhook-v4.schema.json') as object,
);
