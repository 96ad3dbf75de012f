/**
 * Small helpers for reading the compiled ARM template (`dist/infra/main.json`): load it (building
 * it first with `npm run infra:build`'s script when it is missing or older than infra/), flatten
 * the resources of nested module deployments, and follow the simple expressions Bicep emits
 * (`[variables('x')]`, `[parameters('x')]`) back to values.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const TEMPLATE_PATH = path.join(ROOT, 'dist/infra/main.json');
export const PARAMETERS_PATH = path.join(ROOT, 'dist/infra/main.parameters.json');
const INFRA_DIR = path.join(ROOT, 'infra');

export type JsonObject = Record<string, unknown>;

export interface ArmResource extends JsonObject {
  readonly type: string;
  readonly apiVersion?: string;
  readonly name?: string;
  readonly properties?: JsonObject;
}

export interface ArmParameter extends JsonObject {
  readonly type: string;
  readonly defaultValue?: unknown;
  readonly metadata?: JsonObject;
}

export interface ArmOutput extends JsonObject {
  readonly type: string;
  readonly value?: unknown;
}

export interface ArmTemplate extends JsonObject {
  readonly $schema: string;
  readonly parameters?: Record<string, ArmParameter>;
  readonly variables?: JsonObject;
  /** An array, or (languageVersion 2.0) an object keyed by symbolic name. */
  readonly resources: ArmResource[] | Record<string, ArmResource>;
  readonly outputs?: Record<string, ArmOutput>;
}

/** A resource together with the template that declares it and the module path to it. */
export interface FoundResource {
  readonly resource: ArmResource;
  /** The symbolic name (languageVersion 2.0) or the array index. */
  readonly key: string;
  readonly template: ArmTemplate;
  /** Symbolic names of the enclosing module deployments, outermost first. */
  readonly modulePath: readonly string[];
  /** The `Microsoft.Resources/deployments` resource that holds `template`, if any. */
  readonly deployment?: ArmResource;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) {
    throw new Error(`${what} is not an object: ${JSON.stringify(value)}`);
  }
  return value;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/** True when dist/infra is missing or older than any file under infra/. */
export function templateIsStale(): boolean {
  if (!existsSync(TEMPLATE_PATH) || !existsSync(PARAMETERS_PATH)) {
    return true;
  }
  return (
    newestMtime(INFRA_DIR) >
    Math.min(statSync(TEMPLATE_PATH).mtimeMs, statSync(PARAMETERS_PATH).mtimeMs)
  );
}

/** Runs scripts/infra-build.sh (restores the Bicep CLI on first use, so it may take a minute). */
export function buildTemplate(): void {
  execFileSync('bash', [path.join(ROOT, 'scripts/infra-build.sh')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 290_000,
  });
}

export function loadJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

export function loadTemplate(): ArmTemplate {
  if (templateIsStale()) {
    buildTemplate();
  }
  const template = asObject(loadJson(TEMPLATE_PATH), TEMPLATE_PATH);
  if (typeof template.$schema !== 'string' || template.resources === undefined) {
    throw new Error(`${TEMPLATE_PATH} is not an ARM template`);
  }
  return template as ArmTemplate;
}

function entries(template: ArmTemplate): [string, ArmResource][] {
  const { resources } = template;
  return Array.isArray(resources)
    ? resources.map((resource, index): [string, ArmResource] => [String(index), resource])
    : Object.entries(resources);
}

/** Every resource in the template and in its nested (module) templates, depth first. */
export function flattenResources(
  template: ArmTemplate,
  modulePath: readonly string[] = [],
  deployment?: ArmResource,
): FoundResource[] {
  const found: FoundResource[] = [];
  for (const [key, resource] of entries(template)) {
    found.push({ resource, key, template, modulePath, ...(deployment && { deployment }) });
    const nested = resource.properties?.template;
    if (resource.type === 'Microsoft.Resources/deployments' && isObject(nested)) {
      found.push(...flattenResources(nested as ArmTemplate, [...modulePath, key], resource));
    }
  }
  return found;
}

export function ofType(all: readonly FoundResource[], type: string): FoundResource[] {
  return all.filter((found) => found.resource.type.toLowerCase() === type.toLowerCase());
}

/** The single resource of a type; fails the test when there are none or several. */
export function single(all: readonly FoundResource[], type: string): FoundResource {
  const matches = ofType(all, type);
  if (matches.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${matches.length}`);
  }
  return matches[0]!;
}

/** The existing-resource references (languageVersion 2.0 `existing: true`) are not deployed. */
export function deployed(all: readonly FoundResource[]): FoundResource[] {
  return all.filter((found) => found.resource.existing !== true);
}

/**
 * Follows `[variables('a')]`, `[variables('a').b.c]` and `[parameters('a')]` (to the default
 * value) inside one template; anything else is returned unchanged.
 */
export function resolve(value: unknown, template: ArmTemplate): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  const variable = /^\[variables\('([^']+)'\)((?:\.\w+)*)\]$/.exec(value);
  if (variable) {
    let current: unknown = template.variables?.[variable[1]!];
    for (const property of (variable[2] ?? '').split('.').filter(Boolean)) {
      current = asObject(current, `variable ${variable[1]!}`)[property];
    }
    return resolve(current, template);
  }
  const parameter = /^\[parameters\('([^']+)'\)\]$/.exec(value);
  if (parameter) {
    return template.parameters?.[parameter[1]!]?.defaultValue;
  }
  return value;
}

/** The value a module deployment passes for one of its parameters (an expression of the parent). */
export function moduleParameter(deployment: ArmResource, name: string): unknown {
  const parameters = asObject(deployment.properties?.parameters, 'module parameters');
  return asObject(parameters[name], `module parameter ${name}`).value;
}

/** Role definition GUIDs used by the role assignments of one template (directly or via variables). */
export function roleDefinitionGuids(template: ArmTemplate): string[] {
  const assignments = entries(template)
    .map(([, resource]) => resource)
    .filter((resource) => resource.type === 'Microsoft.Authorization/roleAssignments');
  if (assignments.length === 0) {
    return [];
  }
  const text = JSON.stringify({ assignments, variables: template.variables ?? {} });
  const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
  return [...new Set(text.match(guid) ?? [])].map((id) => id.toLowerCase()).sort();
}

/** A found resource's properties (fails the test when it has none). */
export function props(found: FoundResource): JsonObject {
  return asObject(found.resource.properties, `${found.resource.type} properties`);
}

/** The module deployment (in main.bicep) with this symbolic name. */
export function mainModule(all: readonly FoundResource[], name: string): FoundResource {
  const found = all.find(
    (candidate) =>
      candidate.modulePath.length === 0 &&
      candidate.key === name &&
      candidate.resource.type === 'Microsoft.Resources/deployments',
  );
  if (!found) {
    throw new Error(`module ${name} not found in main.bicep`);
  }
  return found;
}

/** Resources deployed directly inside the main.bicep module with this symbolic name. */
export function inModule(all: readonly FoundResource[], name: string): FoundResource[] {
  return all.filter((found) => found.modulePath.length === 1 && found.modulePath[0] === name);
}

/** The compiled template and all its resources (nested modules flattened). */
export function loadAll(): { template: ArmTemplate; all: FoundResource[] } {
  const template = loadTemplate();
  return { template, all: flattenResources(template) };
}
