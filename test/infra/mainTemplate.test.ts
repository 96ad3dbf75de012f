/**
 * Checks the compiled ARM template (dist/infra/main.json, from `npm run infra:build`) resource by
 * resource. When the template is missing or older than infra/, it is built first, which restores
 * the Bicep CLI from NuGet on a clean machine: hence the long beforeAll time-out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { CONFIG_KEYS } from '../../lib/config/configKeys';
import { ALERT_QUEUE_NAME } from '../../lib/state/alertQueue';
import { IDEMPOTENCY_TABLE_NAME } from '../../lib/state/alertStore';
import { INCIDENT_TABLE_NAME } from '../../lib/state/azure/tableIncidentStore';
import { SILENCE_TABLE_NAME } from '../../lib/state/silenceStore';
import { evaluate, literalObjectEntries, newScope } from './armExpressions';
import {
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  PARAMETERS_PATH,
  ROOT,
  asObject,
  deployed,
  flattenResources,
  isObject,
  loadJson,
  loadTemplate,
  mainModule as findModule,
  moduleParameter,
  ofType,
  props,
  resolve,
  roleDefinitionGuids,
  single,
} from './armTemplate';

const ROLE = {
  logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893',
  monitoringReader: '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  // The Event Grid system topics' identities, on the dead-letter container only.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
} as const;

/** The app settings the deployment writes: lib/config/configKeys.ts keys plus the host's own. */
const EXPECTED_APP_SETTINGS = [
  'EVIDENCE_SOURCE',
  'LOG_ANALYTICS_WORKSPACE_ID',
  'TEAMS_WORKFLOW_URL',
  'WEBHOOK_URL',
  'WEBHOOK_SECRET',
  'DEVICE_ID_DIMENSION',
  'DEFAULT_IOTHUB_RESOURCE_ID',
  'IOTHUB_RESOURCE_IDS',
  'INTAKE_AUTH',
  'ENTRA_TENANT_ID',
  'ENTRA_AUDIENCE',
  'ENTRA_CLIENT_ID',
  'EVIDENCE_LOOKBACK_MINUTES',
  'NOTIFY_TIMEOUT_MS',
  'RECONNECT_GRACE_SECONDS',
  'RECONNECT_GRACE_SECONDS_BY_HUB',
  'MAINTENANCE_WINDOWS',
  'SILENCE_MAX_DAYS',
  'ACTION_SIGNING_KEYS',
  'ACTION_SIGNING_KEY_ID',
  'PUBLIC_BASE_URL',
  'ACTION_LINK_HOURS',
  'STATE_STORE',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__queueServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
  'AZURE_CLIENT_ID',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];

/** Read by the Functions host or the platform, not by lib/config/configKeys.ts. */
const HOST_SETTINGS = new Set([
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AzureWebJobsStorage__blobServiceUri',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
]);

let template: ArmTemplate;
let all: FoundResource[];

beforeAll(() => {
  template = loadTemplate();
  // The watchdog's own action group, alerts and web test are checked in watchdog.test.ts.
  all = flattenResources(template).filter((found) => found.modulePath[0] !== 'watchdog');
}, 300_000);

function mainParameter(name: string): JsonObject {
  return asObject(template.parameters?.[name], `main.bicep parameter ${name}`);
}

/** The module deployment (in main.bicep) with this symbolic name. */
function mainModule(name: string): FoundResource {
  return findModule(all, name);
}

describe('compiled template', () => {
  it('is a resource-group deployment', () => {
    expect(template.$schema).toMatch(/\/deploymentTemplate\.json#$/);
  });

  it('uses local modules only (every module is inlined, none is linked or pulled from a registry)', () => {
    const modules = ofType(all, 'Microsoft.Resources/deployments');
    expect(modules.length).toBeGreaterThanOrEqual(7);
    for (const module of modules) {
      expect(props(module).templateLink).toBeUndefined();
      expect(isObject(props(module).template)).toBe(true);
    }
  });

  it.each([
    ['Microsoft.Insights/scheduledQueryRules', '2023-12-01'],
    ['Microsoft.Insights/metricAlerts', '2018-03-01'],
    ['Microsoft.Insights/actionGroups', '2023-01-01'],
    ['Microsoft.Insights/diagnosticSettings', '2021-05-01-preview'],
    ['Microsoft.Authorization/roleAssignments', '2022-04-01'],
  ])('pins %s to %s', (type, apiVersion) => {
    const found = ofType(all, type);
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((resource) => resource.resource.apiVersion))).toEqual(
      new Set([apiVersion]),
    );
  });
});

describe('parameters', () => {
  it('all have a description', () => {
    const missing = Object.entries(template.parameters ?? {})
      .filter(([, parameter]) => typeof parameter.metadata?.description !== 'string')
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('validate their input', () => {
    expect(mainParameter('environmentName')).toMatchObject({ minLength: 1, maxLength: 64 });
    expect(mainParameter('iotHubResourceIds')).toMatchObject({ type: 'array', minLength: 1 });
    expect(mainParameter('logAnalyticsWorkspaceResourceId')).toMatchObject({ minLength: 1 });
    expect(mainParameter('webhookAuth')).toMatchObject({
      allowedValues: ['functionKey', 'entraId'],
    });
    expect(mainParameter('connectedDevicesAlertMode')).toMatchObject({
      allowedValues: ['static', 'dynamic'],
    });
    expect(mainParameter('instanceMemoryMB')).toMatchObject({ allowedValues: [512, 2048, 4096] });
    expect(mainParameter('maximumInstanceCount')).toMatchObject({ minValue: 1, maxValue: 1000 });
    expect(mainParameter('alertSeverity')).toMatchObject({ minValue: 0, maxValue: 4 });
  });

  it('take the delivery secrets as secure strings that default to "keep the current secret"', () => {
    for (const name of ['teamsWorkflowUrl', 'webhookUrl', 'webhookSecret']) {
      expect(mainParameter(name)).toMatchObject({ type: 'securestring', defaultValue: '' });
    }
    const keyVault = mainModule('keyVault');
    const inner = asObject(props(keyVault).template, 'keyVault template') as ArmTemplate;
    for (const name of ['teamsWorkflowUrl', 'webhookUrl', 'webhookSecret']) {
      expect(inner.parameters?.[name]?.type).toBe('securestring');
    }
  });

  it('the example .bicepparam names only real parameters, in its commented-out lines too', () => {
    const text = readFileSync(path.join(ROOT, 'infra/main.bicepparam'), 'utf8');
    const named = [...text.matchAll(/^\s*(?:\/\/\s*)?param\s+(\w+)\s*=/gm)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((name) => template.parameters?.[name] === undefined)).toEqual([]);
    expect(named).toContain('keyVaultOfficerPrincipalId');
  });

  it('the example .bicepparam compiles to known parameters and carries no secret', () => {
    const file = asObject(loadJson(PARAMETERS_PATH), PARAMETERS_PATH);
    const values = asObject(file.parameters, 'parameters');
    for (const name of Object.keys(values)) {
      expect(template.parameters).toHaveProperty([name]);
    }
    expect(values).toHaveProperty(['logAnalyticsWorkspaceResourceId']);
    expect(values).toHaveProperty(['iotHubResourceIds']);
    expect(asObject(values.teamsWorkflowUrl ?? { value: '' }, 'teamsWorkflowUrl').value).toBe('');
  });
});

describe('Function app (Flex Consumption, Node 22)', () => {
  it('runs on an FC1 Flex Consumption Linux plan', () => {
    const plan = single(all, 'Microsoft.Web/serverfarms');
    expect(plan.resource.sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    expect(props(plan).reserved).toBe(true);
  });

  it('is a Linux function app with a user-assigned identity and Node 22 in functionAppConfig', () => {
    const site = single(deployed(all), 'Microsoft.Web/sites');
    expect(site.resource.kind).toBe('functionapp,linux');
    expect(asObject(site.resource.identity, 'identity').type).toBe('UserAssigned');
    const properties = props(site);
    expect(properties.httpsOnly).toBe(true);
    expect(properties.keyVaultReferenceIdentity).toBe("[parameters('identityId')]");
    const config = asObject(properties.functionAppConfig, 'functionAppConfig');
    expect(config.runtime).toEqual({ name: 'node', version: '22' });
    const storage = asObject(
      asObject(config.deployment, 'deployment').storage,
      'deployment.storage',
    );
    expect(storage.type).toBe('blobContainer');
    expect(storage.authentication).toEqual({
      type: 'UserAssignedIdentity',
      userAssignedIdentityResourceId: "[parameters('identityId')]",
    });
    const scale = asObject(config.scaleAndConcurrency, 'scaleAndConcurrency');
    expect(scale).toHaveProperty('instanceMemoryMB');
    expect(scale).toHaveProperty('maximumInstanceCount');
  });

  it('disables basic-auth publishing (FTP and SCM)', () => {
    const policies = ofType(all, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((policy) => props(policy).allow)).toEqual([false, false]);
  });
});

describe('app settings', () => {
  function appSettings(): { found: FoundResource; settings: JsonObject } {
    const found = ofType(all, 'Microsoft.Web/sites/config').find((config) =>
      String(config.resource.name).includes('appsettings'),
    );
    if (!found) {
      throw new Error('no appsettings config resource');
    }
    // The fixed settings; the named receivers' (routing) are added to them, see routesAndReceivers.
    return { found, settings: literalObjectEntries(found.resource.properties) };
  }

  it('are exactly the keys the code and the host read', () => {
    expect(Object.keys(appSettings().settings).sort()).toEqual([...EXPECTED_APP_SETTINGS].sort());
  });

  it("are all known to lib/config/configKeys.ts, apart from the host's own settings", () => {
    const configKeys = new Set(CONFIG_KEYS.map((key) => key.name));
    const unknown = Object.keys(appSettings().settings).filter(
      (name) => !configKeys.has(name) && !HOST_SETTINGS.has(name),
    );
    expect(unknown).toEqual([]);
  });

  it('do not set settings that are deprecated on Flex Consumption', () => {
    const { settings } = appSettings();
    for (const name of [
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      'WEBSITE_CONTENTSHARE',
      'AzureWebJobsStorage',
    ]) {
      expect(settings).not.toHaveProperty([name]);
    }
  });

  it('use identity-based storage and Entra ID telemetry', () => {
    const { settings } = appSettings();
    expect(settings.EVIDENCE_SOURCE).toBe('log-analytics');
    expect(settings.STATE_STORE).toBe('azure-storage');
    expect(settings.AzureWebJobsStorage__credential).toBe('managedidentity');
    expect(settings.AzureWebJobsStorage__clientId).toBe("[parameters('identityClientId')]");
    expect(settings.AZURE_CLIENT_ID).toBe("[parameters('identityClientId')]");
    expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe(
      "[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]",
    );
  });

  it("take the workspace ID from the workspace's customerId, not from a parameter", () => {
    const api = mainModule('api');
    expect(appSettings().settings.LOG_ANALYTICS_WORKSPACE_ID).toBe(
      "[parameters('logAnalyticsWorkspaceId')]",
    );
    expect(moduleParameter(api.resource, 'logAnalyticsWorkspaceId')).toBe(
      "[reference('workspace').customerId]",
    );
    const workspace = all.find(
      (found) => found.key === 'workspace' && found.modulePath.length === 0,
    );
    expect(workspace?.resource).toMatchObject({
      type: 'Microsoft.OperationalInsights/workspaces',
      existing: true,
    });
  });

  it('default the hub to the first IoT hub and the device dimension to DeviceId', () => {
    const api = mainModule('api');
    expect(moduleParameter(api.resource, 'defaultIotHubResourceId')).toBe(
      "[parameters('iotHubResourceIds')[0]]",
    );
    expect(moduleParameter(api.resource, 'deviceIdDimension')).toBe(
      "[parameters('deviceIdDimension')]",
    );
    expect(mainParameter('deviceIdDimension').defaultValue).toBe('DeviceId');
  });

  it('list the watched hubs (IOTHUB_RESOURCE_IDS) from the iotHubResourceIds parameter', () => {
    const { settings } = appSettings();
    expect(settings.IOTHUB_RESOURCE_IDS).toBe(
      "[join(map(parameters('iotHubResourceIds'), lambda('id', toLower(lambdaVariables('id')))), ',')]",
    );
    expect(moduleParameter(mainModule('api').resource, 'iotHubResourceIds')).toBe(
      "[parameters('iotHubResourceIds')]",
    );
  });

  it('turn on Entra ID token checks in the intake exactly when webhookAuth is entraId', () => {
    const { settings } = appSettings();
    expect(settings.INTAKE_AUTH).toBe(
      "[if(equals(parameters('webhookAuth'), 'entraId'), 'entra-id', 'function-key')]",
    );
    expect(settings.ENTRA_TENANT_ID).toBe(
      "[if(equals(parameters('webhookAuth'), 'entraId'), tenant().tenantId, '')]",
    );
    expect(settings.ENTRA_AUDIENCE).toBe(
      "[if(equals(parameters('webhookAuth'), 'entraId'), parameters('entraAppIdentifierUri'), '')]",
    );
    expect(settings.ENTRA_CLIENT_ID).toBe(
      "[if(equals(parameters('webhookAuth'), 'entraId'), parameters('entraAppClientId'), '')]",
    );
    const api = mainModule('api');
    expect(moduleParameter(api.resource, 'webhookAuth')).toBe("[variables('checkedWebhookAuth')]");
    expect(moduleParameter(mainModule('alerts').resource, 'webhookAuth')).toBe(
      "[variables('checkedWebhookAuth')]",
    );
    expect(moduleParameter(api.resource, 'entraAppIdentifierUri')).toBe(
      "[parameters('entraAppIdentifierUri')]",
    );
    expect(moduleParameter(api.resource, 'entraAppClientId')).toBe(
      "[parameters('entraAppClientId')]",
    );
  });

  it('fail the deployment when webhookAuth is entraId and an app registration parameter is empty', () => {
    const check = (parameters: Record<string, string>): string => {
      const values: Record<string, string> = {
        webhookAuth: 'functionKey',
        entraAppObjectId: '',
        entraAppIdentifierUri: '',
        entraAppClientId: '',
        ...parameters,
      };
      const scope = newScope(template, (name) => values[name]);
      return String(evaluate(template.variables?.checkedWebhookAuth, scope));
    };
    const app = {
      entraAppObjectId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      entraAppIdentifierUri: 'api://iothub-alert-enricher',
      entraAppClientId: '3f0c9a52-8b7d-4e16-a2c4-9d5e1b7f6a08',
    };
    expect(check({})).toBe('functionKey');
    expect(check({ webhookAuth: 'entraId', ...app })).toBe('entraId');
    for (const missing of Object.keys(app)) {
      expect(() => check({ webhookAuth: 'entraId', ...app, [missing]: '' })).toThrow(
        /webhookAuth=entraId needs entraAppObjectId, entraAppIdentifierUri and entraAppClientId/,
      );
    }
  });

  it('read secrets only through Key Vault references (empty when the channel is off)', () => {
    const { found, settings } = appSettings();
    for (const key of CONFIG_KEYS.filter((candidate) => candidate.secret)) {
      const value = settings[key.name];
      if (value === undefined) {
        continue; // e.g. AzureWebJobsStorage: identity-based, never set
      }
      if (typeof value !== 'string') {
        throw new Error(`${key.name} is not an expression string`);
      }
      expect(value).toMatch(/^\[if\(.*variables\('keyVaultReference'\)\.\w+, ''\)\]$/);
      const reference = /variables\('keyVaultReference'\)\.(\w+)/.exec(value)?.[1];
      const resolved = resolve(`[variables('keyVaultReference').${reference!}]`, found.template);
      expect(resolved).toMatch(
        /^\[format\('@Microsoft\.KeyVault\(SecretUri=\{0\}secrets\/\{1\}\)'/,
      );
    }
  });
});

describe('storage', () => {
  it('allows no shared-key access, TLS 1.2 only, no public blobs', () => {
    const storage = single(all, 'Microsoft.Storage/storageAccounts');
    expect(props(storage)).toMatchObject({
      allowSharedKeyAccess: false,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      supportsHttpsTrafficOnly: true,
    });
  });

  it('creates the alert queue, the dedupe, incident and silence tables with the names the code uses', () => {
    // Unconditional ones; the Event Grid path's are checked in connectionEvents.test.ts.
    const always = (type: string): FoundResource[] =>
      ofType(all, type).filter((found) => found.resource.condition === undefined);
    expect(always('Microsoft.Storage/storageAccounts/queueServices/queues')).toHaveLength(1);
    expect(always('Microsoft.Storage/storageAccounts/tableServices/tables')).toHaveLength(3);
    expect(always('Microsoft.Storage/storageAccounts/blobServices/containers')).toHaveLength(1);
    const storage = mainModule('storage');
    expect(resolve(moduleParameter(storage.resource, 'alertQueueName'), template)).toBe(
      ALERT_QUEUE_NAME,
    );
    expect(resolve(moduleParameter(storage.resource, 'dedupeTableName'), template)).toBe(
      IDEMPOTENCY_TABLE_NAME,
    );
    expect(resolve(moduleParameter(storage.resource, 'incidentTableName'), template)).toBe(
      INCIDENT_TABLE_NAME,
    );
    expect(resolve(moduleParameter(storage.resource, 'silenceTableName'), template)).toBe(
      SILENCE_TABLE_NAME,
    );
  });
});

describe('Key Vault', () => {
  it('uses RBAC authorization and soft delete', () => {
    const vault = single(deployed(all), 'Microsoft.KeyVault/vaults');
    expect(props(vault)).toMatchObject({ enableRbacAuthorization: true, enableSoftDelete: true });
    expect(props(vault)).not.toHaveProperty(['accessPolicies']);
  });

  it('can recover a soft-deleted vault of the same name on request (off by default)', () => {
    const vault = single(deployed(all), 'Microsoft.KeyVault/vaults');
    expect(props(vault).createMode).toBe(
      "[if(parameters('recoverSoftDeleted'), 'recover', 'default')]",
    );
    expect(mainParameter('keyVaultRecoverSoftDeleted').defaultValue).toBe(false);
    expect(moduleParameter(mainModule('keyVault').resource, 'recoverSoftDeleted')).toBe(
      "[parameters('keyVaultRecoverSoftDeleted')]",
    );
  });

  it('writes each delivery secret only when its value is given', () => {
    // The action-link signing keys have a module of their own: silencesAndCardLinks.test.ts; the
    // named receivers' secrets (two copy loops) are in routesAndReceivers.test.ts.
    const secrets = ofType(all, 'Microsoft.KeyVault/vaults/secrets').filter(
      (found) => found.modulePath[0] === 'keyVault' && found.resource.copy === undefined,
    );
    expect(secrets).toHaveLength(3);
    expect(ofType(all, 'Microsoft.KeyVault/vaults/secrets')).toHaveLength(6);
    for (const secret of secrets) {
      expect(secret.resource.condition).toMatch(/^\[not\(empty\(parameters\('\w+'\)\)\)\]$/);
    }
  });
});

describe('Application Insights', () => {
  it('disables local (key) authentication', () => {
    const component = single(deployed(all), 'Microsoft.Insights/components');
    expect(props(component)).toMatchObject({ DisableLocalAuth: true, Application_Type: 'web' });
    expect(props(component)).toHaveProperty('WorkspaceResourceId');
  });
});

describe('role assignments (least privilege)', () => {
  function guidsOf(module: string): string[] {
    const deployment = mainModule(module);
    return roleDefinitionGuids(
      asObject(props(deployment).template, `${module} template`) as ArmTemplate,
    );
  }

  it('grant the storage data roles, Key Vault Secrets User and Monitoring Metrics Publisher locally', () => {
    expect(guidsOf('rbac')).toEqual(
      [
        ROLE.storageBlobDataOwner,
        ROLE.storageQueueDataContributor,
        ROLE.storageTableDataContributor,
        ROLE.keyVaultSecretsUser,
        ROLE.keyVaultSecretsOfficer,
        ROLE.monitoringMetricsPublisher,
      ].sort(),
    );
  });

  it("grant Log Analytics Reader on the workspace, in the workspace's own subscription and resource group", () => {
    expect(guidsOf('workspaceAccess')).toEqual([ROLE.logAnalyticsReader]);
    const deployment = mainModule('workspaceAccess').resource;
    expect(template.variables?.workspaceIdParts).toBe(
      "[split(parameters('logAnalyticsWorkspaceResourceId'), '/')]",
    );
    expect(deployment.subscriptionId).toBe("[variables('workspaceIdParts')[2]]");
    expect(deployment.resourceGroup).toBe("[variables('workspaceIdParts')[4]]");
  });

  it("grant Monitoring Reader on each IoT hub, in the hub's own subscription and resource group", () => {
    expect(guidsOf('iotHubs')).toEqual([ROLE.monitoringReader]);
    const deployment = mainModule('iotHubs').resource;
    expect(asObject(deployment.copy, 'copy').count).toBe(
      "[length(parameters('iotHubResourceIds'))]",
    );
    expect(String(deployment.subscriptionId)).toContain(
      "parameters('iotHubResourceIds')[copyIndex()]",
    );
    expect(String(deployment.resourceGroup)).toContain(
      "parameters('iotHubResourceIds')[copyIndex()]",
    );
  });

  it('use only the expected built-in roles (no Owner, Contributor or Reader)', () => {
    const used = new Set(
      ofType(all, 'Microsoft.Resources/deployments').flatMap((deployment) =>
        roleDefinitionGuids(asObject(props(deployment).template, 'template') as ArmTemplate),
      ),
    );
    expect([...used].sort()).toEqual(Object.values(ROLE).sort());
  });

  it('are scoped to resources, name a service principal, and are named by guid()', () => {
    const assignments = ofType(all, 'Microsoft.Authorization/roleAssignments');
    expect(assignments.length).toBeGreaterThanOrEqual(6);
    for (const assignment of assignments) {
      expect(assignment.resource.scope).toEqual(expect.any(String));
      expect(String(assignment.resource.name)).toMatch(/^\[guid\(/);
      expect(String(props(assignment).roleDefinitionId)).toMatch(
        /^\[subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', /,
      );
      if (props(assignment).principalId === "[parameters('principalId')]") {
        expect(props(assignment).principalType).toBe('ServicePrincipal');
      }
    }
  });
});

describe('IoT hub diagnostic setting', () => {
  it('sends Connections and the other evidence categories to the workspace, behind a flag', () => {
    const setting = single(
      all.filter((found) => String(found.resource.scope).includes('Microsoft.Devices/IotHubs')),
      'Microsoft.Insights/diagnosticSettings',
    );
    expect(setting.resource.condition).toBe("[parameters('configureDiagnostics')]");
    expect(setting.resource.scope).toBe(
      "[resourceId('Microsoft.Devices/IotHubs', parameters('iotHubName'))]",
    );
    expect(props(setting).workspaceId).toBe("[parameters('workspaceResourceId')]");
    expect(JSON.stringify(props(setting))).toContain("parameters('logCategories')");
    expect(mainParameter('configureIotHubDiagnostics')).toMatchObject({
      type: 'bool',
      defaultValue: true,
    });
    expect(mainParameter('iotHubLogCategories').defaultValue).toEqual([
      'Connections',
      'DeviceTelemetry',
      'C2DCommands',
      'DeviceIdentityOperations',
      'D2CTwinOperations',
    ]);
    expect(moduleParameter(mainModule('iotHubs').resource, 'configureDiagnostics')).toBe(
      "[parameters('configureIotHubDiagnostics')]",
    );
  });
});

describe('action group', () => {
  it("calls the intake with the common alert schema and the intake's own key from listKeys", () => {
    const group = single(all, 'Microsoft.Insights/actionGroups');
    expect(group.resource.location).toBe('Global');
    const properties = props(group);
    expect(properties.enabled).toBe(true);
    expect(
      String(resolve(group.template.parameters?.actionGroupShortName?.maxLength, group.template)),
    ).toBe('12');
    const receivers = properties.webhookReceivers as unknown[];
    expect(receivers).toHaveLength(1);
    const receiver = asObject(receivers[0], 'webhook receiver');
    expect(receiver.useCommonAlertSchema).toBe(true);
    const uri = String(receiver.serviceUri);
    expect(uri).toContain("'{0}?code={1}'");
    expect(uri).toContain('/api/alerts');
    expect(uri).toMatch(/listKeys\(format\('\{0\}\/functions\/\{1\}'/);
    expect(uri).toContain("[variables('intakeKeyName')]");
    expect(group.template.variables?.intakeKeyName).toBe('action-group');
  });

  it('switches to a secure (Entra ID) webhook when webhookAuth is entraId', () => {
    const group = single(all, 'Microsoft.Insights/actionGroups');
    const receiver = asObject((props(group).webhookReceivers as unknown[])[0], 'webhook receiver');
    expect(receiver.useAadAuth).toBe("[variables('useEntraId')]");
    expect(group.template.variables?.useEntraId).toBe(
      "[equals(parameters('webhookAuth'), 'entraId')]",
    );
    expect(String(receiver.objectId)).toContain("parameters('entraAppObjectId')");
    expect(String(receiver.identifierUri)).toContain("parameters('entraAppIdentifierUri')");
    expect(String(receiver.tenantId)).toContain('tenant().tenantId');
  });
});

function logRule(nameParameter: string): FoundResource {
  const rules = ofType(all, 'Microsoft.Insights/scheduledQueryRules').filter(
    (found) => found.resource.name === `[parameters('${nameParameter}')]`,
  );
  expect(rules).toHaveLength(1);
  const [rule] = rules;
  if (!rule) throw new Error(`no rule named by ${nameParameter}`);
  return rule;
}

describe('log search alert (404104 disconnects)', () => {
  function rule(): FoundResource {
    return logRule('logAlertName');
  }
  function criterion(): JsonObject {
    const allOf = asObject(props(rule()).criteria, 'criteria').allOf as unknown[];
    expect(allOf).toHaveLength(1);
    return asObject(allOf[0], 'criterion');
  }

  it('is a stateful log alert on the workspace, wired to the action group', () => {
    const found = rule();
    expect(found.resource.kind).toBe('LogAlert');
    const properties = props(found);
    expect(properties.autoMitigate).toBe(true);
    expect(properties.enabled).toBe(true);
    expect(properties.scopes).toEqual(["[parameters('workspaceResourceId')]"]);
    expect(properties.actions).toEqual({
      actionGroups: [
        "[resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))]",
      ],
    });
  });

  it('runs every 5 minutes over 15 minutes by default', () => {
    const properties = props(rule());
    expect(properties.evaluationFrequency).toBe("[parameters('disconnectEvaluationFrequency')]");
    expect(properties.windowSize).toBe("[variables('disconnectEffectiveWindowSize')]");
    expect(mainParameter('disconnectEvaluationFrequency').defaultValue).toBe('PT5M');
    expect(mainParameter('disconnectWindowSize').defaultValue).toBe('PT15M');
  });

  it('never uses a window shorter than the frequency, for every allowed pair', () => {
    const { template: inner } = rule();
    expect(inner.variables?.disconnectEffectiveWindowSize).toBe(
      "[if(less(variables('durationMinutes')[parameters('disconnectWindowSize')], variables('durationMinutes')[parameters('disconnectEvaluationFrequency')]), parameters('disconnectEvaluationFrequency'), parameters('disconnectWindowSize'))]",
    );
    const minutes = asObject(inner.variables?.durationMinutes, 'durationMinutes');
    const frequencies = mainParameter('disconnectEvaluationFrequency').allowedValues as string[];
    const windows = mainParameter('disconnectWindowSize').allowedValues as string[];
    const toMinutes = (duration: string): number => {
      const value = minutes[duration];
      if (typeof value !== 'number') throw new Error(`durationMinutes lacks ${duration}`);
      return value;
    };
    for (const frequency of frequencies) {
      for (const window of windows) {
        // The template's expression, evaluated: less(window, frequency) ? frequency : window.
        const effective = toMinutes(window) < toMinutes(frequency) ? frequency : window;
        expect(toMinutes(effective)).toBeGreaterThanOrEqual(toMinutes(frequency));
        expect(toMinutes(effective)).toBeGreaterThanOrEqual(toMinutes(window));
      }
    }
  });

  it("runs as the app's user-assigned identity, not as the deploying user (every IoT Hub rule)", () => {
    const rules = ofType(all, 'Microsoft.Insights/scheduledQueryRules').filter(
      (found) => found.modulePath.join('/') === 'alerts',
    );
    expect(rules).toContain(rule());
    for (const found of rules) {
      expect(found.resource.identity).toEqual({
        type: 'UserAssigned',
        userAssignedIdentities: { "[format('{0}', parameters('identityId'))]": {} },
      });
    }
    expect(moduleParameter(mainModule('alerts').resource, 'identityId')).toBe(
      "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('names').identity)]",
    );
  });

  it('queries 404104 Connections errors and counts them per DeviceId and _ResourceId', () => {
    const query = String(resolve(criterion().query, rule().template));
    for (const fragment of [
      'AzureDiagnostics',
      'ResourceProvider == \\"MICROSOFT.DEVICES\\"',
      'Category == \\"Connections\\"',
      'ResultType == \\"404104\\"',
      'DeviceId = tostring(parse_json(column_ifexists(\\"properties_s\\", \\"\\")).deviceId)',
      'summarize Disconnects = count() by DeviceId, _ResourceId',
    ]) {
      expect(JSON.stringify(query)).toContain(fragment);
    }
    // Only the deployed hubs: `| where _ResourceId in~ (<the hub IDs>)`.
    expect(query).toContain("format('| where _ResourceId in~ ({0})', variables('hubIdList'))");
    expect(String(rule().template.variables?.hubIdList)).toContain(
      "parameters('iotHubResourceIds')",
    );
  });

  it('splits by DeviceId and _ResourceId, one alert per device and hub', () => {
    const found = criterion();
    expect(found.metricMeasureColumn).toBe('Disconnects');
    expect(found.timeAggregation).toBe('Total');
    expect(found.operator).toBe('GreaterThan');
    expect(found.dimensions).toEqual([
      { name: 'DeviceId', operator: 'Include', values: ['*'] },
      { name: '_ResourceId', operator: 'Include', values: ['*'] },
    ]);
  });
});

describe('hub-level log search alert (at least N devices dropped in 5 minutes)', () => {
  function rule(): FoundResource {
    return logRule('hubDropAlertName');
  }
  function criterion(): JsonObject {
    const allOf = asObject(props(rule()).criteria, 'criteria').allOf as unknown[];
    expect(allOf).toHaveLength(1);
    return asObject(allOf[0], 'criterion');
  }

  it('is one of exactly two log search alerts, stateful, every 5 minutes over 5 minutes', () => {
    expect(ofType(all, 'Microsoft.Insights/scheduledQueryRules')).toHaveLength(2);
    const properties = props(rule());
    expect(rule().resource.kind).toBe('LogAlert');
    expect(properties).toMatchObject({
      autoMitigate: true,
      enabled: true,
      evaluationFrequency: 'PT5M',
      windowSize: 'PT5M',
      scopes: ["[parameters('workspaceResourceId')]"],
    });
    expect(properties.actions).toEqual({
      actionGroups: [
        "[resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))]",
      ],
    });
  });

  it('counts distinct dropped devices per hub, split by hub only, never by device', () => {
    const query = JSON.stringify(resolve(criterion().query, rule().template));
    expect(query).toContain('ResultType == \\"404104\\"');
    expect(query).toContain('summarize DroppedDevices = dcount(DeviceId) by _ResourceId');
    expect(query).toContain(
      'DeviceId = tostring(parse_json(column_ifexists(\\"properties_s\\", \\"\\")).deviceId)',
    );
    const found = criterion();
    expect(found.metricMeasureColumn).toBe('DroppedDevices');
    expect(found.operator).toBe('GreaterThanOrEqual');
    expect(found.dimensions).toEqual([{ name: '_ResourceId', operator: 'Include', values: ['*'] }]);
  });

  it('takes N from the hubDropDeviceThreshold parameter (default 20, at least 1)', () => {
    expect(criterion().threshold).toBe("[parameters('hubDropDeviceThreshold')]");
    expect(mainParameter('hubDropDeviceThreshold')).toMatchObject({
      defaultValue: 20,
      minValue: 1,
    });
  });
});

describe('metric alert (connectedDeviceCount)', () => {
  function alert(): FoundResource {
    return single(all, 'Microsoft.Insights/metricAlerts');
  }
  function criteria(name: 'staticCriteria' | 'dynamicCriteria'): JsonObject {
    const allOf = asObject(alert().template.variables?.[name], name).allOf as unknown[];
    expect(allOf).toHaveLength(1);
    return asObject(allOf[0], `${name} criterion`);
  }

  it('is named per hub resource ID, so same-named hubs in two resource groups do not collide', () => {
    expect(alert().resource.name).toBe(
      "[format('{0}{1}-{2}', parameters('metricAlertNamePrefix'), last(split(parameters('iotHubResourceIds')[copyIndex()], '/')), uniqueString(toLower(parameters('iotHubResourceIds')[copyIndex()])))]",
    );
  });

  it('exists once per hub, global, stateful, wired to the action group', () => {
    const found = alert();
    expect(found.resource.location).toBe('global');
    expect(asObject(found.resource.copy, 'copy').count).toBe(
      "[length(parameters('iotHubResourceIds'))]",
    );
    const properties = props(found);
    expect(properties.autoMitigate).toBe(true);
    expect(properties.scopes).toEqual(["[parameters('iotHubResourceIds')[copyIndex()]]"]);
    expect(properties.actions).toEqual([
      {
        actionGroupId:
          "[resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))]",
      },
    ]);
    expect(properties.criteria).toBe(
      "[if(variables('useDynamic'), variables('dynamicCriteria'), variables('staticCriteria'))]",
    );
  });

  it('static mode: Average connectedDeviceCount LessThan the threshold parameter', () => {
    expect(criteria('staticCriteria')).toEqual({
      criterionType: 'StaticThresholdCriterion',
      name: 'ConnectedDevicesLow',
      metricNamespace: 'Microsoft.Devices/IotHubs',
      metricName: 'connectedDeviceCount',
      operator: 'LessThan',
      threshold: "[parameters('connectedDevicesThreshold')]",
      timeAggregation: 'Average',
    });
    expect(
      asObject(alert().template.variables?.staticCriteria, 'staticCriteria')['odata.type'],
    ).toBe('Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria');
  });

  it('dynamic mode: DynamicThresholdCriteria on the same metric', () => {
    expect(criteria('dynamicCriteria')).toMatchObject({
      criterionType: 'DynamicThresholdCriterion',
      metricNamespace: 'Microsoft.Devices/IotHubs',
      metricName: 'connectedDeviceCount',
      operator: 'LessThan',
      timeAggregation: 'Average',
      alertSensitivity: "[parameters('connectedDevicesSensitivity')]",
    });
    expect(
      asObject(alert().template.variables?.dynamicCriteria, 'dynamicCriteria')['odata.type'],
    ).toBe('Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria');
  });
});

describe('outputs', () => {
  const SECRET_NAME = /SECRET|PASSWORD|TOKEN|CONNECTION_?STRING|SAS|(^|_)KEYS?(_(?!VAULT)|$)/i;
  const SECRET_VALUE = /list\w*\(|connectionstring|\?code=|sig=|secret/i;

  it('name the function app, the intake URL and the identity, in UPPER_SNAKE', () => {
    const outputs = template.outputs ?? {};
    for (const name of Object.keys(outputs)) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'AZURE_FUNCTION_NAME',
        'ALERT_INTAKE_URL',
        'AZURE_FUNCTION_PRINCIPAL_ID',
      ]),
    );
    expect(outputs.ALERT_INTAKE_URL?.value).toBe(
      "[format('https://{0}/api/alerts', reference('api').outputs.defaultHostName.value)]",
    );
  });

  it('never contain a secret or a key, in main.bicep or in any module', () => {
    const templates = [
      template,
      ...ofType(all, 'Microsoft.Resources/deployments').map(
        (deployment) => asObject(props(deployment).template, 'template') as ArmTemplate,
      ),
    ];
    for (const current of templates) {
      for (const [name, output] of Object.entries(current.outputs ?? {})) {
        expect(name).not.toMatch(SECRET_NAME);
        expect(output.type.toLowerCase()).not.toMatch(/^secure/);
        expect(JSON.stringify(output.value)).not.toMatch(SECRET_VALUE);
      }
    }
  });
});
