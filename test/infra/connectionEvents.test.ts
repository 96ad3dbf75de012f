/**
 * Issue 18 item 5, the Event Grid path, checked on the compiled template (dist/infra/main.json):
 * per watched hub an Event Grid system topic in the hub's own resource group, a subscription that
 * sends DeviceConnected and DeviceDisconnected to the connectionEvents function with a retry
 * policy and dead letters written with the topic's identity, that identity's role on the
 * dead-letter container, the storage the path uses, the reconnect grace settings, and the switch:
 * nothing with connectionEventsEnabled off, the subscription only in the second step (deployAlerts).
 *
 * Values are computed by evaluating the template's own expressions for a set of main.bicep
 * parameters, with the evaluator in ./armExpressions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { RESOURCE_GROUP, evaluate, literalObjectEntries, moduleScope } from './armExpressions';
import {
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  ROOT,
  asObject,
  deployed,
  inModule,
  moduleParameter,
  ofType,
  props,
  single,
} from './armTemplate';
import { compiledMain, deployment, main } from './compiledMain';

let template: ArmTemplate;
let all: FoundResource[];

beforeAll(() => ({ template, all } = compiledMain()), 300_000);

const HUB_EU =
  '/subscriptions/sub-2/resourceGroups/rg-fleet/providers/Microsoft.Devices/IotHubs/iot-fleet-eu';
const HUB_US =
  '/subscriptions/sub-3/resourceGroups/rg-fleet-us/providers/Microsoft.Devices/IotHubs/iot-fleet-us';

const REQUIRED: JsonObject = {
  environmentName: 'prod',
  logAnalyticsWorkspaceResourceId:
    '/subscriptions/sub-1/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-iot',
  iotHubResourceIds: [HUB_EU, HUB_US],
};
const ON: JsonObject = { ...REQUIRED, connectionEventsEnabled: true };

const MODULES = [
  'connectionEventTopics',
  'connectionEventsDeadLetterAccess',
  'connectionEventSubscriptions',
] as const;

const STORAGE_BLOB_DATA_CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';

/** Whether the main.bicep module (or copy i of it) is deployed for these parameters. */
function isDeployed(name: string, parameters: JsonObject, copyIndex = 0): boolean {
  return evaluate(deployment(name).condition, main(parameters, copyIndex)) === true;
}

/** The number of copies of a main.bicep module loop for these parameters. */
function copies(name: string, parameters: JsonObject): number {
  const copy = asObject(deployment(name).copy, `${name} copy`);
  return Number(evaluate(copy.count, main(parameters)));
}

/** The value main.bicep passes to a module parameter, evaluated for copy i. */
function passed(name: string, parameter: string, parameters: JsonObject, copyIndex = 0): unknown {
  return evaluate(moduleParameter(deployment(name), parameter), main(parameters, copyIndex));
}

/** The one resource of a type inside a main.bicep module. */
function inside(name: string, type: string): FoundResource {
  return single(deployed(inModule(all, name)), type);
}

describe('parameters', () => {
  it('connectionEventsEnabled is off by default', () => {
    expect(template.parameters?.connectionEventsEnabled).toMatchObject({
      type: 'bool',
      defaultValue: false,
    });
  });

  it('reconnectGraceSeconds is 180 by default, 30 to 3600', () => {
    expect(template.parameters?.reconnectGraceSeconds).toMatchObject({
      type: 'int',
      defaultValue: 180,
      minValue: 30,
      maxValue: 3600,
    });
  });

  it('the per-hub objects default to empty; the grace overrides are ints of 30 to 3600', () => {
    const byHub = template.parameters?.reconnectGraceSecondsByHub;
    expect(byHub?.defaultValue).toEqual({});
    expect(byHub?.$ref).toBe('#/definitions/secondsByHub');
    const definitions = asObject(template.definitions, 'definitions');
    expect(asObject(definitions.secondsByHub, 'secondsByHub')).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'int', minValue: 30, maxValue: 3600 },
    });
    expect(template.parameters?.existingIotHubSystemTopics?.defaultValue).toEqual({});
  });

  it('the example and the azd .bicepparam offer the switch', () => {
    const example = readFileSync(path.join(ROOT, 'infra/main.bicepparam'), 'utf8');
    expect(example).toMatch(/^\/\/ param connectionEventsEnabled = false/m);
    const azd = readFileSync(path.join(ROOT, 'infra/azd.bicepparam'), 'utf8');
    expect(azd).toMatch(
      /^param connectionEventsEnabled = .*readEnvironmentVariable\('CONNECTION_EVENTS_ENABLED', 'false'\)/m,
    );
  });
});

describe('with connectionEventsEnabled off (the default)', () => {
  it('no topic, role assignment or subscription is deployed, with or without deployAlerts', () => {
    for (const parameters of [REQUIRED, { ...REQUIRED, deployAlerts: false }]) {
      for (const name of MODULES) {
        expect(copies(name, parameters)).toBe(2);
        expect(isDeployed(name, parameters, 0)).toBe(false);
        expect(isDeployed(name, parameters, 1)).toBe(false);
      }
    }
  });

  it('every Event Grid resource and the dead-letter role sit inside those modules', () => {
    const eventGrid = deployed(all).filter((found) =>
      found.resource.type.startsWith('Microsoft.EventGrid/'),
    );
    expect(eventGrid.length).toBe(2);
    for (const found of eventGrid) {
      expect(MODULES).toContain(found.modulePath[0]);
    }
    const contributorRoles = ofType(all, 'Microsoft.Authorization/roleAssignments').filter(
      (found) =>
        JSON.stringify(found.template.variables ?? {}).includes(STORAGE_BLOB_DATA_CONTRIBUTOR),
    );
    expect(contributorRoles.map((found) => found.modulePath)).toEqual([
      ['connectionEventsDeadLetterAccess'],
    ]);
  });

  it("the storage module creates none of the path's queues, table or container", () => {
    const storage = moduleScope(main(REQUIRED), deployment('storage'));
    const conditional = inModule(all, 'storage').filter(
      (found) => found.resource.condition !== undefined,
    );
    expect(conditional).toHaveLength(4);
    for (const found of conditional) {
      expect(evaluate(found.resource.condition, storage)).toBe(false);
    }
  });

  it('the app admits no Event Grid traffic and the hubs are not even read', () => {
    expect(passed('api', 'allowEventGrid', REQUIRED)).toBe(false);
    const hubs = all.find((found) => found.key === 'connectionEventHubResources');
    expect(hubs?.resource).toMatchObject({
      existing: true,
      condition: "[parameters('connectionEventsEnabled')]",
    });
  });
});

describe('system topic per hub', () => {
  it("is created in each hub's own subscription and resource group", () => {
    const topics = deployment('connectionEventTopics');
    expect(copies('connectionEventTopics', ON)).toBe(2);
    const where = [0, 1].map((i) => ({
      deployed: isDeployed('connectionEventTopics', ON, i),
      subscriptionId: evaluate(topics.subscriptionId, main(ON, i)),
      resourceGroup: evaluate(topics.resourceGroup, main(ON, i)),
      iotHubName: passed('connectionEventTopics', 'iotHubName', ON, i),
      systemTopicName: passed('connectionEventTopics', 'systemTopicName', ON, i),
      reuseExisting: passed('connectionEventTopics', 'reuseExisting', ON, i),
    }));
    expect(where).toEqual([
      {
        deployed: true,
        subscriptionId: 'sub-2',
        resourceGroup: 'rg-fleet',
        iotHubName: 'iot-fleet-eu',
        systemTopicName: 'egst-iot-fleet-eu',
        reuseExisting: false,
      },
      {
        deployed: true,
        subscriptionId: 'sub-3',
        resourceGroup: 'rg-fleet-us',
        iotHubName: 'iot-fleet-us',
        systemTopicName: 'egst-iot-fleet-us',
        reuseExisting: false,
      },
    ]);
  });

  it("is an IoT Hub system topic on the hub, in the hub's region, with a system-assigned identity", () => {
    const topic = inside('connectionEventTopics', 'Microsoft.EventGrid/systemTopics');
    expect(topic.resource.condition).toBe("[not(parameters('reuseExisting'))]");
    expect(topic.resource.identity).toEqual({ type: 'SystemAssigned' });
    expect(topic.resource.location).toBe("[parameters('location')]");
    expect(props(topic)).toEqual({
      source: "[resourceId('Microsoft.Devices/IotHubs', parameters('iotHubName'))]",
      topicType: 'Microsoft.Devices.IoTHubs',
    });
    // The region is the hub's, read from the hub (an existing reference in the hub's group).
    expect(moduleParameter(deployment('connectionEventTopics'), 'location')).toBe(
      "[reference(format('connectionEventHubResources[{0}]', copyIndex()), '2023-06-30', 'full').location]",
    );
    const hubs = all.find((found) => found.key === 'connectionEventHubResources')!;
    expect(hubs.resource).toMatchObject({
      type: 'Microsoft.Devices/IotHubs',
      subscriptionId: "[variables('checkedConnectionEventHubs')[copyIndex()].subscriptionId]",
      resourceGroup: "[variables('checkedConnectionEventHubs')[copyIndex()].resourceGroup]",
    });
  });

  it("reuses a hub's existing system topic named in existingIotHubSystemTopics (hub name in any case)", () => {
    const parameters = { ...ON, existingIotHubSystemTopics: { 'IOT-FLEET-EU': 'fleet-eu-events' } };
    expect(passed('connectionEventTopics', 'reuseExisting', parameters, 0)).toBe(true);
    expect(passed('connectionEventTopics', 'systemTopicName', parameters, 0)).toBe(
      'fleet-eu-events',
    );
    expect(passed('connectionEventTopics', 'reuseExisting', parameters, 1)).toBe(false);
    expect(passed('connectionEventTopics', 'systemTopicName', parameters, 1)).toBe(
      'egst-iot-fleet-us',
    );
    // ... and the subscription goes on that topic.
    expect(
      passed('connectionEventSubscriptions', 'systemTopicName', {
        ...parameters,
        deployAlerts: true,
      }),
    ).toBe('fleet-eu-events');
  });

  it('fails the deployment when existingIotHubSystemTopics names a hub that is not watched', () => {
    const parameters = { ...ON, existingIotHubSystemTopics: { 'iot-fleet-asia': 'x-events' } };
    expect(() => passed('connectionEventTopics', 'systemTopicName', parameters)).toThrow(
      /existingIotHubSystemTopics names hubs that are not in iotHubResourceIds: iot-fleet-asia/,
    );
  });

  it('a reused topic hands over its identity, or fails with how to turn it on', () => {
    const topic = inModule(all, 'connectionEventTopics')[0]!;
    const output = String(topic.template.outputs?.principalId?.value);
    expect(output).toMatch(/^\[if\(parameters\('reuseExisting'\), /);
    expect(output).toContain(
      "reference(resourceId('Microsoft.EventGrid/systemTopics', parameters('systemTopicName')), '2025-02-15', 'full').identity.principalId",
    );
    expect(output).toContain('az eventgrid system-topic update --identity systemassigned');
  });
});

describe('event subscription', () => {
  const STEP_TWO = { ...ON, deployAlerts: true };

  function subscription(): FoundResource {
    return inside(
      'connectionEventSubscriptions',
      'Microsoft.EventGrid/systemTopics/eventSubscriptions',
    );
  }

  it("sits on each hub's topic, in the hub's resource group, one name per environment", () => {
    const subscriptions = deployment('connectionEventSubscriptions');
    expect([0, 1].map((i) => evaluate(subscriptions.resourceGroup, main(STEP_TWO, i)))).toEqual([
      'rg-fleet',
      'rg-fleet-us',
    ]);
    expect(subscription().resource.name).toBe(
      "[format('{0}/{1}', parameters('systemTopicName'), parameters('subscriptionName'))]",
    );
    const name = String(passed('connectionEventSubscriptions', 'subscriptionName', STEP_TWO));
    expect(name).toMatch(/^evgs-enricher-[a-z0-9]+$/);
    expect(
      passed('connectionEventSubscriptions', 'subscriptionName', {
        ...STEP_TWO,
        environmentName: 'dev',
      }),
    ).not.toBe(name);
  });

  it('delivers to the connectionEvents function of this app (AzureFunction), one event at a time', () => {
    const destination = asObject(props(subscription()).destination, 'destination');
    expect(destination.endpointType).toBe('AzureFunction');
    expect(asObject(destination.properties, 'destination properties')).toMatchObject({
      resourceId: "[parameters('functionResourceId')]",
      maxEventsPerBatch: 1,
    });
    const app = String(evaluate("[variables('names').functionApp]", main(STEP_TWO)));
    expect(passed('connectionEventSubscriptions', 'functionResourceId', STEP_TWO)).toBe(
      `${RESOURCE_GROUP}/providers/Microsoft.Web/sites/${app}/functions/connectionEvents`,
    );
  });

  it('sends only DeviceConnected and DeviceDisconnected, in the Event Grid schema', () => {
    const properties = props(subscription());
    expect(properties.eventDeliverySchema).toBe('EventGridSchema');
    expect(properties.filter).toEqual({
      includedEventTypes: [
        'Microsoft.Devices.DeviceConnected',
        'Microsoft.Devices.DeviceDisconnected',
      ],
    });
  });

  it('retries for a day (30 attempts at most, 1440 minutes to live)', () => {
    expect(props(subscription()).retryPolicy).toEqual({
      maxDeliveryAttempts: 30,
      eventTimeToLiveInMinutes: 1440,
    });
  });

  it("dead-letters to the app's storage with the topic's own identity, never a key", () => {
    const properties = props(subscription());
    expect(properties).not.toHaveProperty(['deadLetterDestination']);
    expect(properties.deadLetterWithResourceIdentity).toEqual({
      identity: { type: 'SystemAssigned' },
      deadLetterDestination: {
        endpointType: 'StorageBlob',
        properties: {
          resourceId: "[parameters('deadLetterStorageAccountId')]",
          blobContainerName: "[parameters('deadLetterContainerName')]",
        },
      },
    });
    const account = String(evaluate("[variables('names').storage]", main(STEP_TWO)));
    expect(passed('connectionEventSubscriptions', 'deadLetterStorageAccountId', STEP_TWO)).toBe(
      `${RESOURCE_GROUP}/providers/Microsoft.Storage/storageAccounts/${account}`,
    );
    expect(passed('connectionEventSubscriptions', 'deadLetterContainerName', STEP_TWO)).toBe(
      'connection-events-deadletter',
    );
  });

  it('the dead-letter container exists in that storage account when the path is on', () => {
    const storage = moduleScope(main(ON), deployment('storage'));
    const containers = ofType(
      inModule(all, 'storage'),
      'Microsoft.Storage/storageAccounts/blobServices/containers',
    ).filter((found) => found.resource.condition !== undefined);
    expect(containers).toHaveLength(1);
    const container = containers[0]!.resource;
    expect(evaluate(container.condition, storage)).toBe(true);
    const account = String(evaluate("[variables('names').storage]", main(ON)));
    expect(evaluate(container.name, storage)).toBe(
      `${account}/default/connection-events-deadletter`,
    );
    expect(props(containers[0]!)).toEqual({ publicAccess: 'None' });
  });
});

describe("the topic identity's role on the dead-letter container", () => {
  it('is Storage Blob Data Contributor on the container only, for the topic of the same hub', () => {
    const role = inside(
      'connectionEventsDeadLetterAccess',
      'Microsoft.Authorization/roleAssignments',
    );
    const access = moduleScope(main(ON, 1), deployment('connectionEventsDeadLetterAccess'));
    const account = String(evaluate("[variables('names').storage]", main(ON)));
    expect(evaluate(role.resource.scope, access)).toBe(
      `${RESOURCE_GROUP}/providers/Microsoft.Storage/storageAccounts/${account}/blobServices/default/containers/connection-events-deadletter`,
    );
    expect(role.template.variables?.storageBlobDataContributorRoleId).toBe(
      STORAGE_BLOB_DATA_CONTRIBUTOR,
    );
    expect(props(role)).toMatchObject({
      principalId: "[parameters('principalId')]",
      principalType: 'ServicePrincipal',
    });
    expect(moduleParameter(deployment('connectionEventsDeadLetterAccess'), 'principalId')).toBe(
      "[reference(format('connectionEventTopics[{0}]', copyIndex())).outputs.principalId.value]",
    );
    expect(String(role.resource.name)).toMatch(/^\[guid\(/);
  });

  it('is deployed in this resource group, where the storage account is', () => {
    const access = deployment('connectionEventsDeadLetterAccess');
    expect(access.subscriptionId).toBeUndefined();
    expect(access.resourceGroup).toBeUndefined();
    expect(access.dependsOn).toEqual(expect.arrayContaining(['storage']));
  });
});

describe('the two-step first deployment', () => {
  it('the subscription needs both connectionEventsEnabled and deployAlerts', () => {
    const cases = [
      [{ connectionEventsEnabled: true, deployAlerts: true }, true],
      [{ connectionEventsEnabled: true, deployAlerts: false }, false],
      [{ connectionEventsEnabled: false, deployAlerts: true }, false],
      [{ connectionEventsEnabled: false, deployAlerts: false }, false],
    ] as const;
    for (const [switches, expected] of cases) {
      const parameters = { ...REQUIRED, ...switches };
      expect([0, 1].map((i) => isDeployed('connectionEventSubscriptions', parameters, i))).toEqual([
        expected,
        expected,
      ]);
    }
  });

  it('the topics and their role assignments come in the first step already', () => {
    const firstStep = { ...ON, deployAlerts: false };
    expect(isDeployed('connectionEventTopics', firstStep)).toBe(true);
    expect(isDeployed('connectionEventsDeadLetterAccess', firstStep)).toBe(true);
    expect(isDeployed('connectionEventSubscriptions', firstStep)).toBe(false);
  });

  it('the subscription waits for the app, its topic and the dead-letter role', () => {
    expect(deployment('connectionEventSubscriptions').dependsOn).toEqual(
      expect.arrayContaining([
        'api',
        "[format('connectionEventTopics[{0}]', copyIndex())]",
        "[format('connectionEventsDeadLetterAccess[{0}]', copyIndex())]",
      ]),
    );
  });

  it('docs/deployment.md explains it', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/deployment.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Turning on the Event Grid path'));
    expect(section.length).toBeGreaterThan(1000);
    for (const text of [
      'connectionEventsEnabled',
      'deployAlerts',
      'reconnectGraceSeconds',
      'existingIotHubSystemTopics',
      'eventgrid_extension',
      'aeg-event-type: Notification',
    ]) {
      expect(section).toContain(text);
    }
  });
});

describe('storage and app settings of the path', () => {
  it('the connection-checks queue, its poison queue and the enricherconnections table come with the switch', () => {
    const storage = moduleScope(main(ON), deployment('storage'));
    const account = String(evaluate("[variables('names').storage]", main(ON)));
    const created = inModule(all, 'storage')
      .filter((found) => /\/(queues|tables)$/.test(found.resource.type))
      .filter((found) => evaluate(found.resource.condition ?? '[true()]', storage) === true)
      .map((found) =>
        String(evaluate(found.resource.name, storage)).replace(`${account}/default/`, ''),
      );
    expect(created.sort()).toEqual(
      [
        'alert-enrichment',
        'alertdedupe',
        'incidents',
        'enrichersilences',
        'connection-checks',
        'connection-checks-poison',
        'enricherconnections',
      ].sort(),
    );
  });

  it("the app identity's queue and table roles cover them: they are granted on the whole account", () => {
    const storageRoles = ofType(
      inModule(all, 'rbac'),
      'Microsoft.Authorization/roleAssignments',
    ).filter((found) => asObject(found.resource.copy ?? {}, 'copy').name === 'storageRoles');
    expect(storageRoles).toHaveLength(1);
    expect(storageRoles[0]!.template.variables?.storageRoleIds).toEqual(
      expect.arrayContaining([
        "[variables('roleIds').storageQueueDataContributor]",
        "[variables('roleIds').storageTableDataContributor]",
      ]),
    );
    expect(storageRoles[0]!.resource.scope).toBe(
      "[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]",
    );
  });

  function appSetting(name: string, parameters: JsonObject): unknown {
    const settings = ofType(inModule(all, 'api'), 'Microsoft.Web/sites/config').find((found) =>
      String(found.resource.name).includes('appsettings'),
    );
    const api = moduleScope(main(parameters), deployment('api'));
    return evaluate(literalObjectEntries(settings!.resource.properties)[name], api);
  }

  it('RECONNECT_GRACE_SECONDS carries reconnectGraceSeconds', () => {
    expect(appSetting('RECONNECT_GRACE_SECONDS', REQUIRED)).toBe('180');
    expect(appSetting('RECONNECT_GRACE_SECONDS', { ...REQUIRED, reconnectGraceSeconds: 600 })).toBe(
      '600',
    );
  });

  it('RECONNECT_GRACE_SECONDS_BY_HUB is JSON when overrides are given, empty (not set) otherwise', () => {
    expect(appSetting('RECONNECT_GRACE_SECONDS_BY_HUB', REQUIRED)).toBe('');
    const overrides = { 'iot-fleet-eu': 300, 'IOT-FLEET-US': 45 };
    const value = appSetting('RECONNECT_GRACE_SECONDS_BY_HUB', {
      ...REQUIRED,
      reconnectGraceSecondsByHub: overrides,
    });
    expect(JSON.parse(String(value))).toEqual(overrides);
  });

  it('fails the deployment when reconnectGraceSecondsByHub names a hub that is not watched', () => {
    expect(() =>
      appSetting('RECONNECT_GRACE_SECONDS_BY_HUB', {
        ...REQUIRED,
        reconnectGraceSecondsByHub: { 'iot-fleet-eu': 300, 'iot-fleet-asia': 60 },
      }),
    ).toThrow(
      /reconnectGraceSecondsByHub names hubs that are not in iotHubResourceIds: iot-fleet-asia/,
    );
  });
});
