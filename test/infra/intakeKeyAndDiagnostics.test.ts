/**
 * Issue 17 (items 3, 7, 13), checked on the compiled template (dist/infra/main.json): the alerts
 * wait for the workspace role assignment, the action group uses the intake's own function key
 * (never the host's default key), and the Key Vault and the storage services send their logs
 * and metrics to the workspace.
 */
import {
  type FoundResource,
  asObject,
  inModule as inMainModule,
  loadAll,
  mainModule as findModule,
  moduleParameter,
  ofType,
  props,
  single,
} from './armTemplate';

let all: FoundResource[];

beforeAll(() => ({ all } = loadAll()), 300_000);

/** The module deployment (in main.bicep) with this symbolic name. */
function mainModule(name: string): FoundResource {
  return findModule(all, name);
}

/** Resources deployed inside the main.bicep module with this symbolic name. */
function inModule(name: string): FoundResource[] {
  return inMainModule(all, name);
}

describe('alert rules wait for the workspace role assignment', () => {
  it('the alerts deployment depends on the deployment that grants Log Analytics Reader', () => {
    const workspaceAccess = mainModule('workspaceAccess');
    expect(
      ofType(inModule('workspaceAccess'), 'Microsoft.Authorization/roleAssignments'),
    ).toHaveLength(1);
    const dependsOn = mainModule('alerts').resource.dependsOn;
    expect(dependsOn).toEqual(expect.arrayContaining([workspaceAccess.key, 'api']));
  });
});

describe("action group key (the intake's own, not the host's default)", () => {
  /** The enricher's action group (the alerts module), not any other action group. */
  function enricherActionGroup(): FoundResource {
    return single(inModule('alerts'), 'Microsoft.Insights/actionGroups');
  }

  function serviceUri(): string {
    const group = enricherActionGroup();
    const receivers = props(group).webhookReceivers as unknown[];
    expect(receivers).toHaveLength(1);
    return String(asObject(receivers[0], 'webhook receiver').serviceUri);
  }

  it('never uses the host keys or the default key', () => {
    const uri = serviceUri();
    expect(uri).not.toMatch(/host\/default/);
    expect(uri).not.toMatch(/functionKeys/);
    expect(uri).not.toMatch(/\.default\b/);
    expect(uri).not.toMatch(/\['default'\]/);
  });

  it('reads the named key "action-group" of the alerts function with listKeys', () => {
    const uri = serviceUri();
    expect(uri).toContain(
      "listKeys(format('{0}/functions/{1}', resourceId('Microsoft.Web/sites', parameters('functionAppName')), variables('intakeFunctionName')), '2024-04-01')[variables('intakeKeyName')]",
    );
    const group = enricherActionGroup();
    expect(group.template.variables?.intakeFunctionName).toBe('alerts');
    expect(group.template.variables?.intakeKeyName).toBe('action-group');
    expect(group.template.variables?.intakeKeyName).not.toBe('default');
  });
});

describe('diagnostic settings on the Key Vault and the storage services', () => {
  const workspaceId = "[parameters('workspaceResourceId')]";

  it('main.bicep passes the Key Vault and storage modules the workspace the hubs log to', () => {
    const hubWorkspace = moduleParameter(mainModule('iotHubs').resource, 'workspaceResourceId');
    expect(String(hubWorkspace)).toContain("variables('workspaceIdParts')");
    for (const module of ['keyVault', 'storage']) {
      expect(moduleParameter(mainModule(module).resource, 'workspaceResourceId')).toBe(
        hubWorkspace,
      );
    }
  });

  it('the Key Vault sends its audit logs and metrics to the workspace', () => {
    const setting = single(inModule('keyVault'), 'Microsoft.Insights/diagnosticSettings');
    expect(setting.resource.scope).toBe(
      "[resourceId('Microsoft.KeyVault/vaults', parameters('name'))]",
    );
    expect(props(setting).workspaceId).toBe(workspaceId);
    expect(props(setting).logs).toEqual([{ categoryGroup: 'audit', enabled: true }]);
    expect(props(setting).metrics).toEqual([{ category: 'AllMetrics', enabled: true }]);
  });

  it('the blob, queue and table services send writes, deletes and transactions to the workspace', () => {
    const settings = ofType(inModule('storage'), 'Microsoft.Insights/diagnosticSettings');
    const byScope = new Map(settings.map((found) => [String(found.resource.scope), found]));
    for (const service of ['blobServices', 'queueServices', 'tableServices']) {
      const setting = byScope.get(
        `[resourceId('Microsoft.Storage/storageAccounts/${service}', parameters('name'), 'default')]`,
      );
      if (!setting) throw new Error(`no diagnostic setting on ${service}`);
      expect(props(setting).workspaceId).toBe(workspaceId);
      const logs = asObject(setting.template.variables, 'storage variables').storageLogs;
      expect(String(props(setting).logs)).toBe("[variables('storageLogs')]");
      expect(logs).toEqual([
        { category: 'StorageWrite', enabled: true },
        { category: 'StorageDelete', enabled: true },
      ]);
      expect(String(props(setting).metrics)).toBe("[variables('storageMetrics')]");
    }
    const account = byScope.get(
      "[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]",
    );
    if (!account) throw new Error('no diagnostic setting on the storage account');
    expect(props(account).workspaceId).toBe(workspaceId);
    expect(props(account).logs).toBeUndefined();
    expect(settings).toHaveLength(4);
  });
});
