/**
 * The alerting resources across the whole compiled template (dist/infra/main.json): every log
 * search alert rule runs as the app's identity and survives a new workspace, and two
 * environments deployed side by side get distinct alert and diagnostic-setting names.
 *
 * The names are checked by evaluating the template's own expressions with a small evaluator for
 * the ARM functions the names use (an unknown function fails the test instead of guessing).
 * `uniqueString` is a stand-in hash: only equality and difference matter here, not ARM's value.
 */
import { createHash } from 'node:crypto';

import {
  type ArmResource,
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  asObject,
  flattenResources,
  isObject,
  loadTemplate,
  moduleParameter,
  ofType,
} from './armTemplate';

let template: ArmTemplate;
let all: FoundResource[];

beforeAll(() => {
  template = loadTemplate();
  all = flattenResources(template);
}, 300_000);

function props(found: FoundResource): JsonObject {
  return asObject(found.resource.properties, `${found.resource.type} properties`);
}

/** The IoT Hub log search alert rules (infra/app/alerts.bicep), not the watchdog's. */
function logRules(): FoundResource[] {
  const rules = ofType(all, 'Microsoft.Insights/scheduledQueryRules').filter(
    (found) => found.modulePath.join('/') === 'alerts',
  );
  expect(rules.length).toBeGreaterThanOrEqual(2);
  return rules;
}

function alertsModule(): ArmResource {
  const found = all.find(
    (candidate) => candidate.modulePath.length === 0 && candidate.key === 'alerts',
  );
  if (!found) throw new Error('module alerts not found in main.bicep');
  return found.resource;
}

/** The query text of a rule's single criterion: the variable it names, as compiled. */
function ruleQuery(rule: FoundResource): string {
  const allOf = asObject(props(rule).criteria, 'criteria').allOf as unknown[];
  expect(allOf).toHaveLength(1);
  const query = asObject(allOf[0], 'criterion').query;
  const variable = /^\[variables\('([^']+)'\)\]$/.exec(String(query));
  return String(variable ? rule.template.variables?.[variable[1]!] : query);
}

describe('every IoT Hub log search alert rule', () => {
  it("runs as the app's user-assigned identity, never as the last user who edited it", () => {
    for (const rule of logRules()) {
      expect(rule.resource.identity).toEqual({
        type: 'UserAssigned',
        userAssignedIdentities: { "[format('{0}', parameters('identityId'))]": {} },
      });
    }
    expect(moduleParameter(alertsModule(), 'identityId')).toBe(
      "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('names').identity)]",
    );
  });

  it('reads properties_s only through column_ifexists and skips creation-time query validation', () => {
    for (const rule of logRules()) {
      const query = ruleQuery(rule);
      expect(query).toContain('column_ifexists("properties_s", "")');
      expect(query.replaceAll('column_ifexists("properties_s", "")', '')).not.toContain(
        'properties_s',
      );
      expect(props(rule).skipQueryValidation).toBe(true);
    }
  });

  it('stores the rule in the workspace linked storage (customer-managed keys) only on request', () => {
    for (const rule of logRules()) {
      expect(props(rule).checkWorkspaceAlertsStorageConfigured).toBe(
        "[parameters('checkWorkspaceAlertsStorageConfigured')]",
      );
    }
    expect(moduleParameter(alertsModule(), 'checkWorkspaceAlertsStorageConfigured')).toBe(
      "[parameters('checkWorkspaceAlertsStorageConfigured')]",
    );
    expect(template.parameters?.checkWorkspaceAlertsStorageConfigured).toMatchObject({
      type: 'bool',
      defaultValue: false,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// A small ARM expression evaluator
// ---------------------------------------------------------------------------------------------

interface Scope {
  readonly template: ArmTemplate;
  /** The value passed for a parameter, or undefined for its default. */
  readonly parameter: (name: string) => unknown;
  readonly copyIndex: number;
  readonly variables: Map<string, unknown>;
}

interface Token {
  readonly kind: 'string' | 'number' | 'name' | 'punct';
  readonly text: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === "'") {
      let text = '';
      i += 1;
      for (;;) {
        if (i >= source.length) throw new Error(`unterminated string in ${source}`);
        if (source[i] === "'" && source[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (source[i] === "'") {
          i += 1;
          break;
        } else {
          text += source[i]!;
          i += 1;
        }
      }
      tokens.push({ kind: 'string', text });
    } else if (/[0-9]/.test(char)) {
      const match = /^[0-9]+/.exec(source.slice(i))![0];
      tokens.push({ kind: 'number', text: match });
      i += match.length;
    } else if (/[A-Za-z_$]/.test(char)) {
      const match = /^[A-Za-z_$][\w$#]*/.exec(source.slice(i))![0];
      tokens.push({ kind: 'name', text: match });
      i += match.length;
    } else if ('(),.[]'.includes(char)) {
      tokens.push({ kind: 'punct', text: char });
      i += 1;
    } else {
      throw new Error(`unexpected ${char} in ${source}`);
    }
  }
  return tokens;
}

function uniqueStringStandIn(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 13);
}

const FUNCTIONS: Record<string, (scope: Scope, args: unknown[]) => unknown> = {
  parameters: (scope, [name]) => parameterValue(scope, String(name)),
  variables: (scope, [name]) => variableValue(scope, String(name)),
  copyIndex: (scope) => scope.copyIndex,
  format: (_scope, [pattern, ...args]) =>
    String(pattern).replace(/\{(\d+)\}/g, (_m, index: string) => String(args[Number(index)])),
  concat: (_scope, args) => args.map(String).join(''),
  createArray: (_scope, args) => args,
  join: (_scope, [items, separator]) => (items as unknown[]).map(String).join(String(separator)),
  toLower: (_scope, [value]) => String(value).toLowerCase(),
  split: (_scope, [value, separator]) => String(value).split(String(separator)),
  last: (_scope, [value]) => (value as unknown[]).at(-1),
  uniqueString: (_scope, args) => uniqueStringStandIn(...args),
  empty: (_scope, [value]) =>
    value === '' || (Array.isArray(value) && value.length === 0) || value === null,
  not: (_scope, [value]) => value !== true,
  if: (_scope, [condition, then, otherwise]) => (condition === true ? then : otherwise),
  union: (_scope, args): JsonObject => Object.assign({}, ...(args as JsonObject[])) as JsonObject,
  subscription: () => ({ id: '/subscriptions/sub-1', subscriptionId: 'sub-1' }),
  resourceGroup: () => ({
    id: '/subscriptions/sub-1/resourceGroups/rg-iot',
    name: 'rg-iot',
    location: 'westeurope',
  }),
};

function parseAndEvaluate(source: string, scope: Scope): unknown {
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const take = (text?: string): Token => {
    const token = tokens[position];
    if (!token || (text !== undefined && token.text !== text)) {
      throw new Error(`expected ${text ?? 'a token'} at ${position} in ${source}`);
    }
    position += 1;
    return token;
  };
  const expression = (): unknown => {
    const token = take();
    let value: unknown;
    if (token.kind === 'string') {
      value = token.text;
    } else if (token.kind === 'number') {
      value = Number(token.text);
    } else if (token.kind === 'name') {
      const fn = FUNCTIONS[token.text];
      if (!fn) throw new Error(`the evaluator does not know ${token.text}() (in ${source})`);
      take('(');
      const args: unknown[] = [];
      while (peek()?.text !== ')') {
        args.push(expression());
        if (peek()?.text === ',') take(',');
      }
      take(')');
      value = fn(scope, args);
    } else {
      throw new Error(`unexpected ${token.text} in ${source}`);
    }
    for (;;) {
      if (peek()?.text === '.') {
        take('.');
        value = asObject(value, source)[take().text];
      } else if (peek()?.text === '[') {
        take('[');
        const index = expression();
        take(']');
        value = Array.isArray(value)
          ? value[Number(index)]
          : asObject(value, source)[String(index)];
      } else {
        return value;
      }
    }
  };
  const value = expression();
  if (position !== tokens.length) throw new Error(`trailing tokens in ${source}`);
  return value;
}

function evaluate(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    if (value.startsWith('[') && value.endsWith(']')) {
      return parseAndEvaluate(value.slice(1, -1), scope);
    }
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
  if (!scope.variables.has(name)) {
    if (!(name in (scope.template.variables ?? {}))) throw new Error(`no variable ${name}`);
    scope.variables.set(name, evaluate(scope.template.variables?.[name], scope));
  }
  return scope.variables.get(name);
}

function newScope(
  armTemplate: ArmTemplate,
  parameter: (name: string) => unknown,
  copyIndex = 0,
): Scope {
  return { template: armTemplate, parameter, copyIndex, variables: new Map() };
}

/** The scope of a module's template: its parameters are the parent's expressions, evaluated. */
function moduleScope(parent: Scope, deployment: ArmResource): Scope {
  const passed = asObject(deployment.properties?.parameters, 'module parameters');
  const inner = asObject(deployment.properties?.template, 'module template') as ArmTemplate;
  return newScope(inner, (name) =>
    name in passed ? evaluate(asObject(passed[name], name).value, parent) : undefined,
  );
}

/**
 * The evaluated names, keyed `module/type:symbol`, of the resources whose names two environments
 * could share: the alert rules and action groups (named per resource group) and the diagnostic
 * setting on each IoT hub (named per hub, which both environments may watch). Diagnostic settings
 * on the environment's own resources are left out: their parents already differ.
 */
function namesFor(environmentName: string, overrides: JsonObject = {}): Record<string, string> {
  const values: JsonObject = {
    environmentName,
    logAnalyticsWorkspaceResourceId:
      '/subscriptions/sub-1/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-iot',
    iotHubResourceIds: [
      '/subscriptions/sub-1/resourceGroups/rg-hubs/providers/Microsoft.Devices/IotHubs/hub-1',
    ],
    ...overrides,
  };
  const main = newScope(template, (name) => values[name]);
  const names: Record<string, string> = {};
  const shared = [
    ...ofType(all, 'Microsoft.Insights/scheduledQueryRules'),
    ...ofType(all, 'Microsoft.Insights/metricAlerts'),
    ...ofType(all, 'Microsoft.Insights/actionGroups'),
    ...ofType(all, 'Microsoft.Insights/diagnosticSettings').filter(
      (found) => found.modulePath.join('/') === 'iotHubs',
    ),
  ];
  for (const found of shared) {
    expect(found.modulePath).toHaveLength(1);
    const scope = moduleScope(main, found.deployment!);
    const key = `${found.modulePath.join('/')}/${found.resource.type}:${found.key}`;
    names[key] = String(evaluate(found.resource.name, scope));
  }
  return names;
}

describe('two environments side by side (same resource group, hub and workspace)', () => {
  it('give every alert rule, the action group and the hub diagnostic setting distinct names', () => {
    const prod = namesFor('prod');
    const dev = namesFor('dev-alice');
    expect(Object.keys(prod).length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(dev)).toEqual(Object.keys(prod));
    for (const key of Object.keys(prod)) {
      expect([key, dev[key]]).not.toEqual([key, prod[key]]);
    }
    // Deterministic: the same environment compiles to the same names.
    expect(namesFor('prod')).toEqual(prod);
  });

  it('put the environment name itself in the metric alert and diagnostic setting names', () => {
    const names = namesFor('dev-alice');
    const metric = Object.entries(names).filter(([key]) =>
      key.startsWith('alerts/Microsoft.Insights/metricAlerts:'),
    );
    const setting = Object.entries(names).filter(([key]) => key.includes('/diagnosticSettings:'));
    expect(metric).toHaveLength(1);
    expect(setting).toHaveLength(1);
    expect(metric[0]![1]).toMatch(/^ma-connected-devices-dev-alice-hub-1-[0-9a-f]{13}$/);
    expect(setting[0]![1]).toBe('iothub-alert-enricher-dev-alice');
  });

  it('still honour an explicit iotHubDiagnosticSettingName', () => {
    const names = namesFor('prod', { iotHubDiagnosticSettingName: 'existing-setting' });
    const setting = Object.entries(names).find(([key]) => key.includes('/diagnosticSettings:'));
    expect(setting?.[1]).toBe('existing-setting');
  });
});
