/**
 * The compiled main.bicep (dist/infra/main.json) evaluated for a set of parameters: its scope, its
 * modules' deployments, api.bicep's scope and the app settings it computes. Loaded once per test
 * file (call `compiledMain()` in a `beforeAll`: compiling may take minutes).
 */
import {
  evaluate,
  literalObjectEntries,
  moduleScope,
  newScope,
  type Scope,
} from './armExpressions';
import {
  type ArmResource,
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  asObject,
  inModule,
  loadAll,
  mainModule,
  ofType,
} from './armTemplate';

/** The parameters main.bicep requires, for one watched hub. */
export const REQUIRED: JsonObject = {
  environmentName: 'prod',
  logAnalyticsWorkspaceResourceId:
    '/subscriptions/sub-1/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-iot',
  iotHubResourceIds: [
    '/subscriptions/sub-2/resourceGroups/rg-fleet/providers/Microsoft.Devices/IotHubs/contoso-fleet-hub',
  ],
};

/** The Key Vault URI api.bicep is given (an output read from the deployed vault): a stand-in. */
export const VAULT_URI = 'https://kv-test.vault.azure.net/';

let loaded: { template: ArmTemplate; all: FoundResource[] } | undefined;

/** The compiled template and all its resources, loaded on the first call. */
export function compiledMain(): { template: ArmTemplate; all: FoundResource[] } {
  return (loaded ??= loadAll());
}

/** main.bicep's scope for these parameters (copy i of a loop). */
export function main(parameters: JsonObject, copyIndex = 0): Scope {
  return newScope(compiledMain().template, (name) => parameters[name], copyIndex);
}

/** The deployment of a main.bicep module. */
export function deployment(name: string): ArmResource {
  return mainModule(compiledMain().all, name).resource;
}

/** A main.bicep parameter's declaration. */
export function mainParameter(name: string): JsonObject {
  return asObject(compiledMain().template.parameters?.[name], `main.bicep parameter ${name}`);
}

/** api.bicep's scope; the vault URI is `VAULT_URI`. */
export function apiScope(parameters: JsonObject): Scope {
  const inner = moduleScope(main(parameters), deployment('api'));
  return newScope(inner.template, (name) =>
    name === 'keyVaultUri' ? VAULT_URI : inner.parameter(name),
  );
}

/** The app settings resource of module api. */
export function appSettingsResource(): FoundResource {
  const found = ofType(inModule(compiledMain().all, 'api'), 'Microsoft.Web/sites/config').find(
    (config) => String(config.resource.name).includes('appsettings'),
  );
  if (!found) throw new Error('no appsettings in module api');
  return found;
}

/** The fixed app settings' expressions (routing adds more, see routesAndReceivers.test.ts). */
export function appSettingExpressions(): JsonObject {
  return literalObjectEntries(appSettingsResource().resource.properties);
}

/** A fixed app setting's value for these parameters. */
export function appSetting(name: string, parameters: JsonObject): unknown {
  const expression = appSettingExpressions()[name];
  if (expression === undefined) throw new Error(`no app setting ${name}`);
  return evaluate(expression, apiScope(parameters));
}
