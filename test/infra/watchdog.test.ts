/**
 * Issue 17 item 12, "who watches the watcher", checked on the compiled template
 * (dist/infra/main.json): an availability test on /api/health with a metric alert, log search
 * alerts on the poison queue and on dead letters, all sent to the watchdog's own e-mail action
 * group (never the enricher's), and nothing at all when the watchdog is switched off.
 */
import {
  type ArmTemplate,
  type FoundResource,
  asObject,
  deployed,
  loadAll,
  moduleParameter,
  ofType,
  props,
  single,
} from './armTemplate';

let template: ArmTemplate;
let all: FoundResource[];
/** The resources the watchdog module deploys (existing references left out). */
let watchdog: FoundResource[];

beforeAll(() => {
  ({ template, all } = loadAll());
  watchdog = deployed(all.filter((found) => found.modulePath[0] === 'watchdog'));
}, 300_000);

function module(): FoundResource {
  const found = all.find(
    (candidate) => candidate.modulePath.length === 0 && candidate.key === 'watchdog',
  );
  if (!found) throw new Error('module watchdog not found in main.bicep');
  return found;
}

function byKey(key: string): FoundResource {
  const found = watchdog.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`watchdog resource ${key} not found`);
  return found;
}

function variable(name: string): unknown {
  return module().resource.properties?.template
    ? (asObject(module().resource.properties?.template, 'watchdog template') as ArmTemplate)
        .variables?.[name]
    : undefined;
}

const WATCHDOG_GROUP = "[variables('actionGroupIds')]";
const ENRICHER_GROUP =
  "resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))";

describe('switch', () => {
  it('deployWatchdog is on by default and watchdogEmail empty by default', () => {
    expect(template.parameters?.deployWatchdog).toMatchObject({ type: 'bool', defaultValue: true });
    expect(template.parameters?.watchdogEmail).toMatchObject({ type: 'string', defaultValue: '' });
  });

  it('with the switch off nothing is created: every watchdog resource sits in the conditional module', () => {
    expect(module().resource.condition).toBe(
      "[and(parameters('deployAlerts'), parameters('deployWatchdog'))]",
    );
    expect(watchdog.map((found) => found.resource.type).sort()).toEqual([
      'Microsoft.Authorization/roleAssignments',
      'Microsoft.Insights/actionGroups',
      'Microsoft.Insights/metricAlerts',
      'Microsoft.Insights/scheduledQueryRules',
      'Microsoft.Insights/scheduledQueryRules',
      'Microsoft.Insights/webtests',
    ]);
    // No web test or watchdog resource outside the module.
    const outside = deployed(all).filter(
      (found) => found.modulePath[0] !== 'watchdog' && found.key !== 'watchdog',
    );
    expect(ofType(outside, 'Microsoft.Insights/webtests')).toHaveLength(0);
    expect(JSON.stringify(outside.map((found) => found.resource.name))).not.toMatch(/watchdog/i);
  });
});

describe('availability test on /api/health', () => {
  it('is a standard web test against the function app default host name', () => {
    const test = single(watchdog, 'Microsoft.Insights/webtests');
    expect(test.resource.kind).toBe('standard');
    const properties = props(test);
    expect(properties).toMatchObject({ Kind: 'standard', Enabled: true, Frequency: 300 });
    const request = asObject(properties.Request, 'Request');
    expect(request.HttpVerb).toBe('GET');
    expect(request.RequestUrl).toBe(
      "[format('https://{0}/api/health', reference('site').defaultHostName)]",
    );
    expect(asObject(properties.ValidationRules, 'ValidationRules').ExpectedHttpStatusCode).toBe(
      200,
    );
    expect(moduleParameter(module().resource, 'functionAppName')).toBe(
      "[variables('names').functionApp]",
    );
  });

  it("sends the health function's own key, never the host key", () => {
    const request = asObject(
      props(single(watchdog, 'Microsoft.Insights/webtests')).Request,
      'Request',
    );
    const headers = JSON.stringify(request.Headers);
    expect(headers).toContain('x-functions-key');
    expect(headers).toMatch(/listKeys\(format\('\{0\}\/functions\/\{1\}'/);
    expect(headers).not.toContain('/host/');
    expect(variable('healthFunctionName')).toBe('health');
  });

  it('carries the hidden-link tag to the Application Insights component the template creates', () => {
    const tags = String(single(watchdog, 'Microsoft.Insights/webtests').resource.tags);
    expect(tags).toContain(
      "format('hidden-link:{0}', resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))), 'Resource'",
    );
    expect(moduleParameter(module().resource, 'applicationInsightsName')).toBe(
      "[variables('names').appInsights]",
    );
  });

  it('has a metric alert on its availability (failed locations), wired to the watchdog group', () => {
    const alert = single(watchdog, 'Microsoft.Insights/metricAlerts');
    const properties = props(alert);
    expect(properties.scopes).toEqual([
      "[resourceId('Microsoft.Insights/webtests', variables('names').webTest)]",
      "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]",
    ]);
    expect(asObject(properties.criteria, 'criteria')).toMatchObject({
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria',
      webTestId: "[resourceId('Microsoft.Insights/webtests', variables('names').webTest)]",
    });
    // actions: one entry per watchdog action group (a property copy loop over actionGroupIds)
    expect(properties.copy).toEqual([
      {
        name: 'actions',
        count: "[length(variables('actionGroupIds'))]",
        input: { actionGroupId: "[variables('actionGroupIds')[copyIndex('actions')]]" },
      },
    ]);
  });
});

describe('log search alerts (poison queue, dead letters)', () => {
  function query(key: string): string {
    const allOf = asObject(props(byKey(key)).criteria, 'criteria').allOf as unknown[];
    expect(allOf).toHaveLength(1);
    const name = /^\[variables\('([^']+)'\)\]$/.exec(String(asObject(allOf[0], 'criterion').query));
    return String(name ? variable(name[1]!) : '');
  }

  it("poison: the host's MaxDequeueCount trace naming alert-enrichment-poison", () => {
    expect(query('poisonAlert')).toContain('message has "MaxDequeueCount"');
    expect(query('poisonAlert')).toContain("parameters('poisonQueueName')");
    expect(moduleParameter(module().resource, 'poisonQueueName')).toBe(
      "[format('{0}-poison', variables('alertQueueName'))]",
    );
    expect(template.variables?.alertQueueName).toBe('alert-enrichment');
  });

  it("dead letters: the worker's dead-lettered error trace", () => {
    expect(query('deadLetterAlert')).toContain('message has "dead-lettered"');
    expect(query('deadLetterAlert')).toContain('sum(itemCount)');
  });

  it("query Application Insights as the app's identity (Monitoring Reader on the component)", () => {
    for (const rule of ofType(watchdog, 'Microsoft.Insights/scheduledQueryRules')) {
      expect(rule.resource.kind).toBe('LogAlert');
      expect(rule.resource.identity).toEqual({
        type: 'UserAssigned',
        userAssignedIdentities: { "[format('{0}', parameters('identityId'))]": {} },
      });
      const properties = props(rule);
      expect(properties).toMatchObject({ enabled: true, autoMitigate: true });
      expect(properties.scopes).toEqual([
        "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]",
      ]);
      expect(properties.actions).toEqual({ actionGroups: WATCHDOG_GROUP });
    }
    expect(moduleParameter(module().resource, 'identityId')).toBe(
      "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('names').identity)]",
    );
    const role = single(watchdog, 'Microsoft.Authorization/roleAssignments');
    expect(role.resource.scope).toBe(
      "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]",
    );
    expect(variable('monitoringReaderRoleId')).toBe('43d0d8ad-25c7-4714-9337-8ba259a9fe05');
  });
});

describe('watchdog action group', () => {
  it('has one e-mail receiver, created only when watchdogEmail is set', () => {
    const group = single(watchdog, 'Microsoft.Insights/actionGroups');
    expect(group.resource.condition).toBe("[variables('notify')]");
    expect(variable('notify')).toBe("[not(empty(parameters('email')))]");
    expect(moduleParameter(module().resource, 'email')).toBe("[parameters('watchdogEmail')]");
    const properties = props(group);
    expect(properties.emailReceivers).toEqual([
      { name: 'watchdog-email', emailAddress: "[parameters('email')]", useCommonAlertSchema: true },
    ]);
    expect(properties.webhookReceivers).toBeUndefined();
    expect(variable('actionGroupIds')).toBe(
      "[if(variables('notify'), createArray(resourceId('Microsoft.Insights/actionGroups', variables('names').actionGroup)), createArray())]",
    );
  });

  it("the alerts never use the enricher's own action group", () => {
    const text = JSON.stringify(watchdog.map((found) => found.resource));
    expect(text).not.toContain(ENRICHER_GROUP);
    expect(text).not.toContain('/api/alerts');
    expect(JSON.stringify(module().resource.properties?.parameters)).not.toMatch(/actionGroup/i);
  });
});
