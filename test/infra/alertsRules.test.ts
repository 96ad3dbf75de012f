/**
 * The alerting resources across the whole compiled template (dist/infra/main.json): every log
 * search alert rule runs as the app's identity and survives a new workspace, and two
 * environments deployed side by side get distinct alert and diagnostic-setting names.
 *
 * The names are checked by evaluating the template's own expressions (./armExpressions: an
 * unknown function fails the test instead of guessing; `uniqueString` is a stand-in hash).
 */
import { evaluate, moduleScope, newScope } from './armExpressions';
import {
  type ArmResource,
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  asObject,
  loadAll,
  mainModule,
  moduleParameter,
  ofType,
  props,
} from './armTemplate';

let template: ArmTemplate;
let all: FoundResource[];

beforeAll(() => ({ template, all } = loadAll()), 300_000);

/** The IoT Hub log search alert rules (infra/app/alerts.bicep), not the watchdog's. */
function logRules(): FoundResource[] {
  const rules = ofType(all, 'Microsoft.Insights/scheduledQueryRules').filter(
    (found) => found.modulePath.join('/') === 'alerts',
  );
  expect(rules.length).toBeGreaterThanOrEqual(2);
  return rules;
}

function alertsModule(): ArmResource {
  return mainModule(all, 'alerts').resource;
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
