/**
 * Issue 17 item 10, "the intake open to the internet", checked on the compiled template
 * (dist/infra/main.json): the function app denies by default and admits the ActionGroup service
 * tag (and ApplicationInsightsAvailability when the watchdog is deployed), plus the extra service
 * tags and address ranges given; the SCM site stays open for deployments; with the switch off
 * there is no restriction at all.
 *
 * The site config is computed by evaluating the template's own expressions (main.bicep's module
 * parameters, then api.bicep's variables) for a set of main.bicep parameters, with a small
 * evaluator for the ARM functions these expressions use: an unknown function fails the test.
 */
import {
  type ArmResource,
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  asObject,
  flattenResources,
  isObject,
  loadTemplate,
} from './armTemplate';

let template: ArmTemplate;
let all: FoundResource[];

beforeAll(() => {
  template = loadTemplate();
  all = flattenResources(template);
}, 300_000);

// ---------------------------------------------------------------------------------------------
// A small ARM expression evaluator (with lambdas, which need lazy arguments)
// ---------------------------------------------------------------------------------------------

type Node =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[] }
  | { readonly kind: 'property'; readonly target: Node; readonly name: string }
  | { readonly kind: 'index'; readonly target: Node; readonly index: Node };

interface Scope {
  readonly template: ArmTemplate;
  /** The value passed for a parameter, or undefined for its default. */
  readonly parameter: (name: string) => unknown;
  readonly lambdaVariables: ReadonlyMap<string, unknown>;
}

function parse(source: string): Node {
  const tokens = source.match(/'(?:[^']|'')*'|\d+|[A-Za-z_$][\w$]*|[(),.[\]]|\S/g) ?? [];
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

interface Lambda {
  readonly lambda: readonly string[];
  readonly body: Node;
}

function callLambda(scope: Scope, fn: unknown, values: unknown[]): unknown {
  const { lambda, body } = fn as Lambda;
  const variables = new Map(scope.lambdaVariables);
  lambda.forEach((name, index) => variables.set(name, values[index]));
  return run(body, { ...scope, lambdaVariables: variables });
}

const FUNCTIONS: Record<string, (scope: Scope, args: unknown[]) => unknown> = {
  parameters: (scope, [name]) => parameterValue(scope, String(name)),
  variables: (scope, [name]) => variableValue(scope, String(name)),
  lambdaVariables: (scope, [name]) => {
    if (!scope.lambdaVariables.has(String(name)))
      throw new Error(`no lambda variable ${String(name)}`);
    return scope.lambdaVariables.get(String(name));
  },
  map: (scope, [items, fn]) =>
    (items as unknown[]).map((item, index) => callLambda(scope, fn, [item, index])),
  createArray: (_scope, args) => args,
  createObject: (_scope, args) => {
    const object: JsonObject = {};
    for (let i = 0; i < args.length; i += 2) object[String(args[i])] = args[i + 1];
    return object;
  },
  if: (_scope, [condition, then, otherwise]) => (condition === true ? then : otherwise),
  and: (_scope, args) => args.every((value) => value === true),
  add: (_scope, [a, b]) => Number(a) + Number(b),
  take: (_scope, [value, count]) =>
    Array.isArray(value) ? value.slice(0, Number(count)) : String(value).slice(0, Number(count)),
  format: (_scope, [pattern, ...args]) =>
    String(pattern).replace(/\{(\d+)\}/g, (_m, index: string) => String(args[Number(index)])),
  concat: (_scope, args) =>
    args.every(Array.isArray) ? (args as unknown[][]).flat() : args.map(String).join(''),
  union: (_scope, args) => {
    if (!args.every(Array.isArray)) throw new Error('union() of objects is not needed here');
    return [...new Set((args as unknown[][]).flat().map((item) => JSON.stringify(item)))].map(
      (item) => JSON.parse(item) as unknown,
    );
  },
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
      const fn = FUNCTIONS[node.name];
      if (!fn) throw new Error(`the evaluator does not know ${node.name}()`);
      return fn(
        scope,
        node.args.map((arg) => run(arg, scope)),
      );
    }
  }
}

function evaluate(value: unknown, scope: Scope): unknown {
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
  if (!(name in (scope.template.variables ?? {}))) throw new Error(`no variable ${name}`);
  return evaluate(scope.template.variables?.[name], scope);
}

// ---------------------------------------------------------------------------------------------
// The site config for a set of main.bicep parameters
// ---------------------------------------------------------------------------------------------

function apiModule(): ArmResource {
  const found = all.find(
    (candidate) => candidate.modulePath.length === 0 && candidate.key === 'api',
  );
  if (!found) throw new Error('module api not found in main.bicep');
  return found.resource;
}

function site(): FoundResource {
  const found = all.find(
    (candidate) =>
      candidate.modulePath.join('/') === 'api' && candidate.resource.type === 'Microsoft.Web/sites',
  );
  if (!found) throw new Error('Microsoft.Web/sites not found in module api');
  return found;
}

/** The function app's siteConfig, evaluated for these main.bicep parameters (others: defaults). */
function siteConfig(mainParameters: JsonObject = {}): JsonObject {
  const main: Scope = {
    template,
    parameter: (name) => mainParameters[name],
    lambdaVariables: new Map(),
  };
  const passed = asObject(apiModule().properties?.parameters, 'module api parameters');
  const inner: Scope = {
    template: site().template,
    parameter: (name) =>
      name in passed ? evaluate(asObject(passed[name], name).value, main) : undefined,
    lambdaVariables: new Map(),
  };
  const properties = asObject(site().resource.properties, 'site properties');
  return asObject(evaluate(properties.siteConfig, inner), 'siteConfig');
}

function restrictions(config: JsonObject): JsonObject[] {
  const rules = config.ipSecurityRestrictions;
  if (!Array.isArray(rules)) throw new Error('ipSecurityRestrictions is not an array');
  return rules.map((rule) => asObject(rule, 'restriction'));
}

function serviceTag(tag: string, priority: number): JsonObject {
  return { action: 'Allow', tag: 'ServiceTag', ipAddress: tag, priority };
}

function expectScmOpen(config: JsonObject): void {
  expect(config.scmIpSecurityRestrictionsUseMain).toBe(false);
  expect(config.scmIpSecurityRestrictionsDefaultAction).toBe('Allow');
  expect(config.scmIpSecurityRestrictions).toBeUndefined();
}

describe('parameters', () => {
  it('restrictIntakeToAzureMonitor is on by default; the extra tags and ranges are empty', () => {
    expect(template.parameters?.restrictIntakeToAzureMonitor).toMatchObject({
      type: 'bool',
      defaultValue: true,
    });
    expect(template.parameters?.extraAllowedServiceTags).toMatchObject({
      type: 'array',
      defaultValue: [],
    });
    expect(template.parameters?.allowedAddressRanges).toMatchObject({
      type: 'array',
      defaultValue: [],
    });
  });
});

describe('with the default parameters', () => {
  it('denies by default and admits ActionGroup and, with the watchdog, ApplicationInsightsAvailability', () => {
    const config = siteConfig();
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    const rules = restrictions(config);
    expect(rules).toEqual([
      expect.objectContaining(serviceTag('ActionGroup', 100)),
      expect.objectContaining(serviceTag('ApplicationInsightsAvailability', 101)),
    ]);
    for (const rule of rules) expect(String(rule.name).length).toBeLessThanOrEqual(32);
    expect(config.minTlsVersion).toBe('1.2');
  });

  it('leaves the SCM site (zip deploy, Kudu) unrestricted, not sharing the main rules', () => {
    expectScmOpen(siteConfig());
  });
});

describe('the availability tests', () => {
  it.each([{ deployWatchdog: false }, { deployAlerts: false }])(
    'are not admitted when the watchdog is not deployed (%o)',
    (parameters) => {
      const config = siteConfig(parameters);
      expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
      expect(restrictions(config)).toEqual([
        expect.objectContaining(serviceTag('ActionGroup', 100)),
      ]);
    },
  );
});

describe('extra service tags and address ranges', () => {
  it('appear, with distinct priorities, when given; a tag listed twice appears once', () => {
    const config = siteConfig({
      extraAllowedServiceTags: ['AzureEventGrid', 'ActionGroup'],
      allowedAddressRanges: ['203.0.113.0/24', '2001:db8::/48'],
    });
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    const rules = restrictions(config);
    expect(rules).toEqual([
      expect.objectContaining(serviceTag('ActionGroup', 100)),
      expect.objectContaining(serviceTag('ApplicationInsightsAvailability', 101)),
      expect.objectContaining(serviceTag('AzureEventGrid', 102)),
      expect.objectContaining({
        action: 'Allow',
        tag: 'Default',
        ipAddress: '203.0.113.0/24',
        priority: 1000,
      }),
      expect.objectContaining({
        action: 'Allow',
        tag: 'Default',
        ipAddress: '2001:db8::/48',
        priority: 1001,
      }),
    ]);
    const names = rules.map((rule) => rule.name);
    expect(new Set(names).size).toBe(rules.length);
    expectScmOpen(config);
  });
});

describe('with restrictIntakeToAzureMonitor off', () => {
  it('there is no restriction, even when tags or ranges are given; the SCM site stays open', () => {
    const config = siteConfig({
      restrictIntakeToAzureMonitor: false,
      extraAllowedServiceTags: ['AzureEventGrid'],
      allowedAddressRanges: ['203.0.113.0/24'],
    });
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Allow');
    expect(restrictions(config)).toEqual([]);
    expectScmOpen(config);
  });
});
