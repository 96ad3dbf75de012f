/**
 * Issue 17 item 11, private networking, checked on the compiled template (dist/infra/main.json)
 * by evaluating its expressions for `vnetEnabled=false` and `vnetEnabled=true`: off, no network
 * resource is deployed, the app has no subnet and storage and Key Vault stay public; on, a VNet
 * with a subnet delegated to Microsoft.App/environments (the app's virtualNetworkSubnetId), four
 * private endpoints (storage blob, queue, table; Key Vault) each with a DNS zone group pointing at
 * its private DNS zone, the zones linked to the VNet, and public network access disabled on the
 * storage account and the vault.
 */
import { type Scope, evaluate, moduleScope, newScope, resourceId } from './armExpressions';
import {
  type ArmResource,
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  asObject,
  loadAll,
  mainModule as findModule,
  single,
} from './armTemplate';

let template: ArmTemplate;
let all: FoundResource[];

beforeAll(() => ({ template, all } = loadAll()), 300_000);

/** The module deployment (in main.bicep) with this symbolic name. */
function mainModule(name: string): FoundResource {
  return findModule(all, name);
}

/** The main template's scope for one set of parameter values. */
function mainScope(vnetEnabled: boolean): Scope {
  const values: JsonObject = {
    environmentName: 'prod',
    logAnalyticsWorkspaceResourceId:
      '/subscriptions/sub-1/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-iot',
    iotHubResourceIds: [
      '/subscriptions/sub-1/resourceGroups/rg-hubs/providers/Microsoft.Devices/IotHubs/hub-1',
    ],
    vnetEnabled,
  };
  return newScope(template, (name) => values[name]);
}

/** Whether a main.bicep module is deployed (its condition, if any, evaluated). */
function moduleDeployed(name: string, main: Scope): boolean {
  const { condition } = mainModule(name).resource;
  return condition === undefined || evaluate(condition, main) === true;
}

/** A property of the one resource of `type` inside a main.bicep module, evaluated. */
function moduleResourceProperty(
  moduleName: string,
  type: string,
  main: Scope,
  pick: (resource: ArmResource) => unknown,
): unknown {
  const inModule = all.filter((found) => found.modulePath.join('/') === moduleName);
  const found = single(inModule, type);
  return evaluate(pick(found.resource), moduleScope(main, mainModule(moduleName).resource));
}

/** Each copy of a looped resource in the network module, evaluated as a whole. */
function networkCopies(type: string, main: Scope): JsonObject[] {
  const found = single(
    all.filter((candidate) => candidate.modulePath.join('/') === 'network'),
    type,
  );
  const scope = moduleScope(main, mainModule('network').resource);
  const copy = asObject(found.resource.copy, `${type} copy`);
  const count = Number(evaluate(copy.count, scope));
  return Array.from({ length: count }, (_v, i) => {
    const indexed: Scope = { ...scope, copyIndex: i };
    return asObject(evaluate({ ...found.resource, copy: undefined }, indexed), type);
  });
}

/** The app's virtualNetworkSubnetId, evaluated. */
function appSubnetId(main: Scope): unknown {
  return moduleResourceProperty(
    'api',
    'Microsoft.Web/sites',
    main,
    (site) => site.properties?.virtualNetworkSubnetId,
  );
}

const NETWORK_TYPES = [
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Network/privateEndpoints',
  'Microsoft.Network/privateEndpoints/privateDnsZoneGroups',
  'Microsoft.Network/privateDnsZones',
  'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
];

// ---------------------------------------------------------------------------------------------
// vnetEnabled=false (the default)
// ---------------------------------------------------------------------------------------------

describe('vnetEnabled=false (default)', () => {
  it('defaults to false', () => {
    expect(template.parameters?.vnetEnabled).toMatchObject({ type: 'bool', defaultValue: false });
  });

  it('creates no network resource: all of them sit in the network module, which is off', () => {
    const network = all.filter((found) =>
      NETWORK_TYPES.some((type) => type.toLowerCase() === found.resource.type.toLowerCase()),
    );
    expect(network.length).toBeGreaterThanOrEqual(NETWORK_TYPES.length);
    for (const found of network) expect(found.modulePath).toEqual(['network']);
    expect(moduleDeployed('network', mainScope(false))).toBe(false);
  });

  it('gives the app no subnet', () => {
    expect(appSubnetId(mainScope(false))).toBeNull();
  });

  it('leaves storage and Key Vault reachable over their public endpoints', () => {
    const main = mainScope(false);
    for (const [module, type] of [
      ['storage', 'Microsoft.Storage/storageAccounts'],
      ['keyVault', 'Microsoft.KeyVault/vaults'],
    ] as const) {
      const properties = asObject(
        moduleResourceProperty(module, type, main, (r) => ({
          publicNetworkAccess: r.properties?.publicNetworkAccess,
          networkAcls: r.properties?.networkAcls,
        })),
        type,
      );
      expect(properties.publicNetworkAccess).toBe('Enabled');
      expect(asObject(properties.networkAcls, 'networkAcls').defaultAction).toBe('Allow');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// vnetEnabled=true
// ---------------------------------------------------------------------------------------------

describe('vnetEnabled=true', () => {
  const main = (): Scope => mainScope(true);

  function vnet(): JsonObject {
    const [only, ...rest] = networkResources('Microsoft.Network/virtualNetworks');
    expect(rest).toHaveLength(0);
    return only!;
  }

  /** A resource that is not looped, evaluated in the network module's scope. */
  function networkResources(type: string): JsonObject[] {
    const found = single(
      all.filter((candidate) => candidate.modulePath.join('/') === 'network'),
      type,
    );
    if (found.resource.copy !== undefined) return networkCopies(type, main());
    const scope = moduleScope(main(), mainModule('network').resource);
    return [asObject(evaluate(found.resource, scope), type)];
  }

  function vnetId(): string {
    return resourceId('Microsoft.Network/virtualNetworks', String(vnet().name));
  }

  function subnets(): JsonObject[] {
    return (asObject(vnet().properties, 'vnet properties').subnets as unknown[]).map((subnet) =>
      asObject(subnet, 'subnet'),
    );
  }

  function delegations(subnet: JsonObject): string[] {
    const list = (asObject(subnet.properties, 'subnet properties').delegations ?? []) as unknown[];
    return list.map((d) => String(asObject(asObject(d, 'delegation').properties, 'd').serviceName));
  }

  it('deploys the network module', () => {
    expect(moduleDeployed('network', main())).toBe(true);
  });

  it('creates the VNet with an app subnet delegated to Microsoft.App/environments and a private-endpoint subnet', () => {
    const list = subnets();
    expect(list).toHaveLength(2);
    const delegated = list.filter((subnet) => delegations(subnet).length > 0);
    expect(delegated).toHaveLength(1);
    expect(delegations(delegated[0]!)).toEqual(['Microsoft.App/environments']);
    const prefixes = list.map((s) => asObject(s.properties, 'subnet properties').addressPrefix);
    expect(asObject(vnet().properties, 'vnet properties').addressSpace).toEqual({
      addressPrefixes: ['10.0.0.0/16'],
    });
    expect(prefixes).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
  });

  it("sets the app's virtualNetworkSubnetId to the delegated subnet, and the app waits for the network", () => {
    const delegated = subnets().find((subnet) => delegations(subnet).length > 0)!;
    expect(appSubnetId(main())).toBe(
      resourceId(
        'Microsoft.Network/virtualNetworks/subnets',
        String(vnet().name),
        String(delegated.name),
      ),
    );
    expect(mainModule('api').resource.dependsOn).toEqual(expect.arrayContaining(['network']));
  });

  it('creates four private endpoints (blob, queue, table, vault) in the private-endpoint subnet', () => {
    const endpoints = networkCopies('Microsoft.Network/privateEndpoints', main());
    const storageName = String(evaluate("[variables('names').storage]", main()));
    const vaultName = String(evaluate("[variables('names').keyVault]", main()));
    const storageId = resourceId('Microsoft.Storage/storageAccounts', storageName);
    const vaultId = resourceId('Microsoft.KeyVault/vaults', vaultName);
    const privateSubnet = subnets().find((subnet) => delegations(subnet).length === 0)!;
    const targets = endpoints.map((endpoint) => {
      const properties = asObject(endpoint.properties, 'endpoint properties');
      expect(asObject(properties.subnet, 'subnet').id).toBe(
        resourceId(
          'Microsoft.Network/virtualNetworks/subnets',
          String(vnet().name),
          String(privateSubnet.name),
        ),
      );
      const connections = properties.privateLinkServiceConnections as unknown[];
      expect(connections).toHaveLength(1);
      const connection = asObject(asObject(connections[0], 'connection').properties, 'c');
      return [connection.privateLinkServiceId, connection.groupIds];
    });
    expect(targets).toEqual([
      [storageId, ['blob']],
      [storageId, ['queue']],
      [storageId, ['table']],
      [vaultId, ['vault']],
    ]);
    expect(new Set(endpoints.map((endpoint) => endpoint.name)).size).toBe(4);
  });

  it('gives each endpoint a DNS zone group with its private DNS zone, and links every zone to the VNet', () => {
    const endpoints = networkCopies('Microsoft.Network/privateEndpoints', main());
    const groups = networkCopies('Microsoft.Network/privateEndpoints/privateDnsZoneGroups', main());
    const zones = networkCopies('Microsoft.Network/privateDnsZones', main());
    const links = networkCopies('Microsoft.Network/privateDnsZones/virtualNetworkLinks', main());
    expect(zones.map((zone) => zone.name)).toEqual([
      'privatelink.blob.core.windows.net',
      'privatelink.queue.core.windows.net',
      'privatelink.table.core.windows.net',
      'privatelink.vaultcore.azure.net',
    ]);
    expect(zones.every((zone) => zone.location === 'global')).toBe(true);

    expect(groups).toHaveLength(4);
    groups.forEach((group, i) => {
      expect(String(group.name).split('/')[0]).toBe(endpoints[i]!.name);
      const configs = asObject(group.properties, 'group properties')
        .privateDnsZoneConfigs as unknown[];
      expect(configs).toHaveLength(1);
      expect(asObject(asObject(configs[0], 'config').properties, 'p').privateDnsZoneId).toBe(
        resourceId('Microsoft.Network/privateDnsZones', String(zones[i]!.name)),
      );
    });

    expect(links).toHaveLength(4);
    links.forEach((link, i) => {
      expect(String(link.name).split('/')[0]).toBe(zones[i]!.name);
      const properties = asObject(link.properties, 'link properties');
      expect(properties.registrationEnabled).toBe(false);
      expect(asObject(properties.virtualNetwork, 'virtualNetwork').id).toBe(vnetId());
    });
  });

  it('disables public network access on the storage account and the Key Vault', () => {
    for (const [module, type] of [
      ['storage', 'Microsoft.Storage/storageAccounts'],
      ['keyVault', 'Microsoft.KeyVault/vaults'],
    ] as const) {
      const properties = asObject(
        moduleResourceProperty(module, type, main(), (r) => ({
          publicNetworkAccess: r.properties?.publicNetworkAccess,
          networkAcls: r.properties?.networkAcls,
        })),
        type,
      );
      expect(properties.publicNetworkAccess).toBe('Disabled');
      expect(asObject(properties.networkAcls, 'networkAcls').defaultAction).toBe('Deny');
    }
  });
});
