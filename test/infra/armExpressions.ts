/**
 * A small evaluator for the ARM template expressions Bicep emits (`[if(...)]`, `parameters()`,
 * `variables()`, `concat`, `format`, `reference()` to module outputs, copy loops, lambdas,
 * `cidrSubnet`, `fail()`…), shared by the template tests. It knows only the functions the tests
 * need: an unknown function fails the test instead of guessing.
 *
 * `if()` evaluates only the chosen branch, as ARM does (so a `fail()` in the other branch does
 * not throw), and `lambda()` keeps its body unevaluated. `uniqueString` is a stand-in hash: only
 * equality and difference matter to the tests, not ARM's value. `guid` is ARM's (a SHA-1
 * name-based UUID over the arguments joined by '-'). `listKeys` returns stand-in keys derived from
 * the resource named, and `reference()` to a function app in the same template a stand-in
 * `<name>.azurewebsites.net` host name. The deployment runs in
 * subscription `sub-1`, resource group `rg-iot` (westeurope), in AzureCloud.
 */
import { createHash } from 'node:crypto';

import {
  type ArmResource,
  type ArmTemplate,
  type JsonObject,
  asObject,
  isObject,
} from './armTemplate';

export const SUBSCRIPTION = '/subscriptions/sub-1';
export const RESOURCE_GROUP = `${SUBSCRIPTION}/resourceGroups/rg-iot`;

export interface Scope {
  readonly template: ArmTemplate;
  /** The value passed for a parameter, or undefined for its default. */
  readonly parameter: (name: string) => unknown;
  readonly copyIndex: number;
  /** The template's variables evaluated so far (each at most once). */
  readonly variables: Map<string, unknown>;
  readonly lambdaVariables: ReadonlyMap<string, unknown>;
}

type Node =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[] }
  | { readonly kind: 'property'; readonly target: Node; readonly name: string }
  | { readonly kind: 'index'; readonly target: Node; readonly index: Node };

interface Lambda {
  readonly lambda: readonly string[];
  readonly body: Node;
}

/** ARM's guid(): a version-5 (SHA-1) UUID of the arguments joined by '-', in ARM's namespace. */
export function armGuid(...args: string[]): string {
  const namespace = Buffer.from('11fb06fb712d4ddd98c7e71bbd588830', 'hex');
  const hash = createHash('sha1').update(namespace).update(args.join('-'), 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}

/** The stand-in key1 listKeys() returns for a resource (not ARM's, of course). */
export function standInKey1(resource: string): string {
  return `key1-of-${resource}`;
}

/** resourceId(type, name1, name2, ...) in the test resource group. */
export function resourceId(type: string, ...names: string[]): string {
  const [namespace, ...types] = type.split('/');
  const segments = types.flatMap((kind, i) => [kind, names[i]]);
  return [RESOURCE_GROUP, 'providers', namespace, ...segments].join('/');
}

/** IPv4 cidrSubnet(network, newCIDR, index), as ARM computes it. */
function cidrSubnet(network: string, newCidr: number, index: number): string {
  const [address, bits] = network.split('/');
  const base = address!.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const mask = 2 ** (32 - Number(bits));
  const start = Math.floor(base / mask) * mask + index * 2 ** (32 - newCidr);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${newCidr}`;
}

function parse(source: string): Node {
  const tokens = source.match(/'(?:[^']|'')*'|\d+|[A-Za-z_$][\w$#]*|[(),.[\]]|\S/g) ?? [];
  let position = 0;
  const take = (expected?: string): string => {
    const token = tokens[position];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`expected ${expected ?? 'a token'} at ${position} in ${source}`);
    }
    position += 1;
    return token;
  };
  const expression = (): Node => {
    const token = take();
    let node: Node;
    if (token.startsWith("'")) {
      node = { kind: 'literal', value: token.slice(1, -1).replaceAll("''", "'") };
    } else if (/^\d+$/.test(token)) {
      node = { kind: 'literal', value: Number(token) };
    } else if (/^[A-Za-z_$]/.test(token)) {
      take('(');
      const args: Node[] = [];
      while (tokens[position] !== ')') {
        args.push(expression());
        if (tokens[position] === ',') take(',');
      }
      take(')');
      node = { kind: 'call', name: token, args };
    } else {
      throw new Error(`unexpected ${token} in ${source}`);
    }
    for (;;) {
      if (tokens[position] === '.') {
        take('.');
        node = { kind: 'property', target: node, name: take() };
      } else if (tokens[position] === '[') {
        take('[');
        node = { kind: 'index', target: node, index: expression() };
        take(']');
      } else {
        return node;
      }
    }
  };
  const node = expression();
  if (position !== tokens.length) throw new Error(`trailing tokens in ${source}`);
  return node;
}

function callLambda(scope: Scope, fn: unknown, values: unknown[]): unknown {
  const { lambda, body } = fn as Lambda;
  const variables = new Map(scope.lambdaVariables);
  lambda.forEach((name, index) => variables.set(name, values[index]));
  return run(body, { ...scope, lambdaVariables: variables });
}

const isEmpty = (value: unknown): boolean =>
  value === '' ||
  value === null ||
  (Array.isArray(value) && value.length === 0) ||
  (isObject(value) && Object.keys(value).length === 0);

/** The (evaluated) name of a resource given by symbolic name, or the text given. */
function resourceName(scope: Scope, resource: string): string {
  const { resources } = scope.template;
  const found = Array.isArray(resources) ? undefined : resources[resource];
  return found ? String(evaluate(found.name, scope)) : resource;
}

const FUNCTIONS: Record<string, (scope: Scope, args: unknown[]) => unknown> = {
  parameters: (scope, [name]) => parameterValue(scope, String(name)),
  variables: (scope, [name]) => variableValue(scope, String(name)),
  lambdaVariables: (scope, [name]) => {
    if (!scope.lambdaVariables.has(String(name))) {
      throw new Error(`no lambda variable ${String(name)}`);
    }
    return scope.lambdaVariables.get(String(name));
  },
  reference: (scope, [name]) => moduleReference(scope, String(name)),
  copyIndex: (scope) => scope.copyIndex,
  map: (scope, [items, fn]) =>
    (items as unknown[]).map((item, index) => callLambda(scope, fn, [item, index])),
  filter: (scope, [items, fn]) =>
    (items as unknown[]).filter((item, index) => callLambda(scope, fn, [item, index]) === true),
  // items(): [{ key, value }] sorted by key, as ARM returns them.
  items: (_scope, [value]) =>
    Object.entries(asObject(value, 'items()'))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, item]) => ({ key, value: item })),
  toObject: (scope, [items, keyFn, valueFn]) =>
    Object.fromEntries(
      (items as unknown[]).map((item) => [
        String(callLambda(scope, keyFn, [item])),
        valueFn === undefined ? item : callLambda(scope, valueFn, [item]),
      ]),
    ),
  objectKeys: (_scope, [value]) => Object.keys(asObject(value, 'objectKeys()')),
  true: () => true,
  false: () => false,
  null: () => null,
  not: (_scope, [value]) => value !== true,
  and: (_scope, args) => args.every((value) => value === true),
  or: (_scope, args) => args.some((value) => value === true),
  equals: (_scope, [a, b]) => JSON.stringify(a) === JSON.stringify(b),
  empty: (_scope, [value]) => isEmpty(value),
  fail: (_scope, [message]) => {
    throw new Error(String(message));
  },
  coalesce: (_scope, args) => args.find((arg) => arg !== null && arg !== undefined) ?? null,
  tryGet: (_scope, [value, ...keys]) =>
    keys.reduce<unknown>(
      (current, key) => (isObject(current) ? current[String(key)] : null),
      value,
    ),
  length: (_scope, [value]) =>
    typeof value === 'string' ? value.length : (value as unknown[]).length,
  greater: (_scope, [a, b]) => Number(a) > Number(b),
  indexOf: (_scope, [container, item]) =>
    Array.isArray(container)
      ? container.findIndex((entry) => JSON.stringify(entry) === JSON.stringify(item))
      : String(container).indexOf(String(item)),
  flatten: (_scope, [items]) => (items as unknown[][]).flat(),
  // Object keys compare case-insensitively in ARM; array items and substrings exactly.
  contains: (_scope, [container, item]) => {
    if (Array.isArray(container)) {
      return container.some((entry) => JSON.stringify(entry) === JSON.stringify(item));
    }
    if (isObject(container)) {
      const key = String(item).toLowerCase();
      return Object.keys(container).some((candidate) => candidate.toLowerCase() === key);
    }
    return String(container).includes(String(item));
  },
  // string(): strings as they are, anything else as compact JSON.
  string: (_scope, [value]) => (typeof value === 'string' ? value : JSON.stringify(value)),
  add: (_scope, [a, b]) => Number(a) + Number(b),
  take: (_scope, [value, count]) =>
    Array.isArray(value) ? value.slice(0, Number(count)) : String(value).slice(0, Number(count)),
  last: (_scope, [value]) => (value as unknown[]).at(-1),
  // '{{' and '}}' are literal braces.
  format: (_scope, [pattern, ...args]) =>
    String(pattern).replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index?: string) =>
      index === undefined ? match.slice(1) : String(args[Number(index)]),
    ),
  concat: (_scope, args) =>
    args.every(Array.isArray) ? (args as unknown[][]).flat() : args.map(String).join(''),
  join: (_scope, [items, separator]) => (items as unknown[]).map(String).join(String(separator)),
  // split(): by one separator or by any of several.
  split: (_scope, [value, separator]) =>
    Array.isArray(separator)
      ? String(value).split(
          new RegExp(
            separator.map((part) => String(part).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
          ),
        )
      : String(value).split(String(separator)),
  replace: (_scope, [value, from, to]) => String(value).split(String(from)).join(String(to)),
  toLower: (_scope, [value]) => String(value).toLowerCase(),
  toUpper: (_scope, [value]) => String(value).toUpperCase(),
  guid: (_scope, args) => armGuid(...args.map(String)),
  base64: (_scope, [value]) => Buffer.from(String(value), 'utf8').toString('base64'),
  // listKeys('<symbolic name>' or '<resource ID>', apiVersion): stand-in keys of the named resource.
  listKeys: (scope, [resource]) => ({
    keys: [{ keyName: 'key1', value: standInKey1(resourceName(scope, String(resource))) }],
  }),
  uniqueString: (_scope, args) =>
    createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 13),
  createArray: (_scope, args) => args,
  createObject: (_scope, args) => {
    const object: JsonObject = {};
    for (let i = 0; i < args.length; i += 2) object[String(args[i])] = args[i + 1];
    return object;
  },
  union: (_scope, args) => {
    if (args.every(Array.isArray)) {
      return [...new Set((args as unknown[][]).flat().map((item) => JSON.stringify(item)))].map(
        (item) => JSON.parse(item) as unknown,
      );
    }
    return Object.assign({}, ...(args as JsonObject[])) as JsonObject;
  },
  cidrSubnet: (_scope, [network, newCidr, index]) =>
    cidrSubnet(String(network), Number(newCidr), Number(index)),
  resourceId: (_scope, [type, ...names]) => resourceId(String(type), ...names.map(String)),
  subscription: () => ({ id: SUBSCRIPTION, subscriptionId: 'sub-1' }),
  resourceGroup: () => ({ id: RESOURCE_GROUP, name: 'rg-iot', location: 'westeurope' }),
  environment: () => ({
    name: 'AzureCloud',
    suffixes: { storage: 'core.windows.net', keyvaultDns: '.vault.azure.net' },
  }),
};

function run(node: Node, scope: Scope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property':
      return asObject(run(node.target, scope), node.name)[node.name];
    case 'index': {
      const target = run(node.target, scope);
      const index = run(node.index, scope);
      return Array.isArray(target)
        ? target[Number(index)]
        : asObject(target, 'index')[String(index)];
    }
    case 'call': {
      if (node.name === 'lambda') {
        const names = node.args.slice(0, -1).map((arg) => String(run(arg, scope)));
        return { lambda: names, body: node.args.at(-1)! } satisfies Lambda;
      }
      if (node.name === 'if') {
        const [condition, then, otherwise] = node.args;
        return run(run(condition!, scope) === true ? then! : otherwise!, scope);
      }
      const fn = FUNCTIONS[node.name];
      if (!fn) throw new Error(`the evaluator does not know ${node.name}()`);
      return fn(
        scope,
        node.args.map((arg) => run(arg, scope)),
      );
    }
  }
}

/** Evaluates every `[...]` expression in a value (strings, arrays and objects, deeply). */
export function evaluate(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    if (value.startsWith('[') && value.endsWith(']')) return run(parse(value.slice(1, -1)), scope);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, scope)]));
  }
  return value;
}

/** An expression (sub)tree as ARM text, the way Bicep writes it ('', ', ' between arguments). */
function text(node: Node): string {
  switch (node.kind) {
    case 'literal':
      return typeof node.value === 'string'
        ? `'${node.value.replaceAll("'", "''")}'`
        : String(node.value);
    case 'call':
      return `${node.name}(${node.args.map(text).join(', ')})`;
    case 'property':
      return `${text(node.target)}.${node.name}`;
    case 'index':
      return `${text(node.target)}[${text(node.index)}]`;
  }
}

/**
 * The per-key values of an object property, as they would stand in the template had Bicep written
 * the object literally: a JSON object as it is; for `[union(createObject('K', e, ...), ...)]` (an
 * object literal merged with computed ones) the keys of the literal, each with its expression
 * (`[e]`, or a plain string as it is). The keys the other arguments add are not included.
 */
export function literalObjectEntries(value: unknown): JsonObject {
  if (isObject(value)) return value;
  if (typeof value !== 'string' || !value.startsWith('[') || value.startsWith('[[')) {
    throw new Error(`not an object or an object expression: ${JSON.stringify(value)}`);
  }
  let node = parse(value.slice(1, -1));
  if (node.kind === 'call' && node.name === 'union' && node.args[0]) node = node.args[0];
  if (node.kind !== 'call' || node.name !== 'createObject') {
    throw new Error(`no object literal in ${value}`);
  }
  const entries: JsonObject = {};
  for (let i = 0; i < node.args.length; i += 2) {
    const key = node.args[i]!;
    const entry = node.args[i + 1]!;
    if (key.kind !== 'literal') throw new Error(`computed key in ${value}`);
    entries[String(key.value)] =
      entry.kind !== 'literal'
        ? `[${text(entry)}]`
        : typeof entry.value === 'string' && entry.value.startsWith('[')
          ? `[${entry.value}`
          : entry.value;
  }
  return entries;
}

function parameterValue(scope: Scope, name: string): unknown {
  const given = scope.parameter(name);
  if (given !== undefined) return given;
  const declared = scope.template.parameters?.[name];
  if (declared?.defaultValue === undefined) {
    throw new Error(`parameter ${name} has no value and no default`);
  }
  return evaluate(declared.defaultValue, scope);
}

function variableValue(scope: Scope, name: string): unknown {
  if (!scope.variables.has(name)) {
    if (!(name in (scope.template.variables ?? {}))) throw new Error(`no variable ${name}`);
    scope.variables.set(name, evaluate(scope.template.variables?.[name], scope));
  }
  return scope.variables.get(name);
}

/** The scope of a template, given the values passed for its parameters (others: defaults). */
export function newScope(
  template: ArmTemplate,
  parameter: (name: string) => unknown,
  copyIndex = 0,
): Scope {
  return { template, parameter, copyIndex, variables: new Map(), lambdaVariables: new Map() };
}

/** The scope of a module's template: its parameters are the parent's expressions, evaluated. */
export function moduleScope(parent: Scope, deployment: ArmResource, copyIndex = 0): Scope {
  const passed = asObject(deployment.properties?.parameters, 'module parameters');
  const inner = asObject(deployment.properties?.template, 'module template') as ArmTemplate;
  return newScope(
    inner,
    (name) => (name in passed ? evaluate(asObject(passed[name], name).value, parent) : undefined),
    copyIndex,
  );
}

/**
 * reference('<module symbol>'): the module's outputs, evaluated in the module's scope when read
 * (so an output the evaluator cannot compute, e.g. one that reads a deployed resource, fails only
 * the test that reads it).
 */
function moduleReference(scope: Scope, name: string): unknown {
  const { resources } = scope.template;
  const deployment = Array.isArray(resources) ? undefined : resources[name];
  if (deployment?.type === 'Microsoft.Web/sites') {
    return { defaultHostName: `${String(evaluate(deployment.name, scope))}.azurewebsites.net` };
  }
  if (deployment?.type !== 'Microsoft.Resources/deployments') {
    throw new Error(`the evaluator follows reference() only to modules and sites, not to ${name}`);
  }
  const inner = moduleScope(scope, deployment);
  const outputs: JsonObject = {};
  for (const [key, output] of Object.entries(inner.template.outputs ?? {})) {
    Object.defineProperty(outputs, key, {
      enumerable: true,
      get: () => ({ value: evaluate(output.value, inner) }),
    });
  }
  return { outputs };
}
