/**
 * Issue 19 in the template (dist/infra/main.json): maintenance windows and the silence limit as
 * app settings, the silence table, and the cards' action links (actionLinksEnabled): the signing
 * keys in a Key Vault secret the app reads only through a Key Vault reference, the key id, the
 * app's own URL, and the access people need to /api/act; nothing of the links when the switch is
 * off.
 *
 * Values are computed by evaluating the template's own expressions for a set of main.bicep
 * parameters, with the evaluator in ./armExpressions (its guid() is ARM's; listKeys() returns a
 * stand-in key of the resource named).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { SILENCE_TABLE_NAME } from '../../lib/state/silenceStore';
import { armGuid, evaluate, moduleScope, resourceId, standInKey1 } from './armExpressions';
import {
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  ROOT,
  asObject,
  deployed,
  inModule,
  mainModule,
  moduleParameter,
  ofType,
  props,
  single,
} from './armTemplate';
import {
  REQUIRED,
  VAULT_URI,
  apiScope,
  appSetting,
  appSettingExpressions,
  appSettingsResource,
  compiledMain,
  deployment,
  main,
  mainParameter,
} from './compiledMain';

let template: ArmTemplate;
let all: FoundResource[];

beforeAll(() => ({ template, all } = compiledMain()), 300_000);

const OFFICE = ['203.0.113.0/24'];
/** Links on, opened from the organisation's range (the restriction stays on). */
const LINKS: JsonObject = { ...REQUIRED, actionLinksEnabled: true, allowedAddressRanges: OFFICE };
const SIGNING_SETTINGS = ['ACTION_SIGNING_KEYS', 'ACTION_SIGNING_KEY_ID', 'PUBLIC_BASE_URL'];
const LABEL = 'iothub-alert-enricher action link key';

function name(key: string, parameters: JsonObject = REQUIRED): string {
  return String(evaluate(`[variables('names').${key}]`, main(parameters)));
}

function signingKeysDeployed(parameters: JsonObject): boolean {
  return evaluate(deployment('actionSigningKeys').condition, main(parameters)) === true;
}

function secret(): FoundResource {
  return single(deployed(inModule(all, 'actionSigningKeys')), 'Microsoft.KeyVault/vaults/secrets');
}

/** The secret's value for these parameters: the JSON the app reads as ACTION_SIGNING_KEYS. */
function secretValue(parameters: JsonObject): Record<string, string> {
  const scope = moduleScope(main(parameters), deployment('actionSigningKeys'));
  return JSON.parse(String(evaluate(props(secret()).value, scope))) as Record<string, string>;
}

/** What the module computes for one key id from the storage account's key1. */
function derivedKey(storageKey1: string, keyId: string): string {
  const parts = ['1', '2', '3'].map((part) => armGuid(storageKey1, LABEL, keyId, part));
  return Buffer.from(parts.join(''), 'utf8').toString('base64');
}

function siteConfig(parameters: JsonObject): JsonObject {
  const site = single(deployed(inModule(all, 'api')), 'Microsoft.Web/sites');
  return asObject(evaluate(props(site).siteConfig, apiScope(parameters)), 'siteConfig');
}

describe('parameters', () => {
  it('maintenanceWindows: none by default, typed windows (days sun..sat), at most 50', () => {
    expect(mainParameter('maintenanceWindows')).toMatchObject({
      type: 'array',
      defaultValue: [],
      maxLength: 50,
      items: { $ref: '#/definitions/maintenanceWindow' },
    });
    const window = asObject(
      asObject(template.definitions, 'definitions').maintenanceWindow,
      'maintenanceWindow',
    );
    const properties = asObject(window.properties, 'maintenanceWindow properties');
    expect(Object.keys(properties).sort()).toEqual(['days', 'end', 'matchers', 'name', 'start']);
    expect(properties.days).toMatchObject({
      type: 'array',
      minLength: 1,
      allowedValues: ['fri', 'mon', 'sat', 'sun', 'thu', 'tue', 'wed'],
    });
    expect(properties.matchers).toMatchObject({ type: 'array', minLength: 1 });
    expect(properties.start).toMatchObject({ type: 'string', minLength: 5, maxLength: 5 });
  });

  it('silenceMaxDays: 30 by default, 1 to 90 (in main.bicep and api.bicep)', () => {
    expect(mainParameter('silenceMaxDays')).toMatchObject({
      type: 'int',
      defaultValue: 30,
      minValue: 1,
      maxValue: 90,
    });
    const api = asObject(props(mainModule(all, 'api')).template, 'api template') as ArmTemplate;
    expect(api.parameters?.silenceMaxDays).toMatchObject({ minValue: 1, maxValue: 90 });
  });

  it('action links: off by default, key id k1, no previous key, 72 hours (1 to 720)', () => {
    expect(mainParameter('actionLinksEnabled')).toMatchObject({
      type: 'bool',
      defaultValue: false,
    });
    expect(mainParameter('actionSigningKeyId')).toMatchObject({
      type: 'string',
      defaultValue: 'k1',
      minLength: 1,
      maxLength: 40,
    });
    expect(mainParameter('actionSigningSecondKeyId')).toMatchObject({
      type: 'string',
      defaultValue: '',
      maxLength: 40,
    });
    expect(mainParameter('actionLinkHours')).toMatchObject({
      type: 'int',
      defaultValue: 72,
      minValue: 1,
      maxValue: 720,
    });
  });

  it('no parameter takes a signing key: the keys never pass through a parameter', () => {
    const secure = Object.entries(template.parameters ?? {})
      // A parameter of a user-defined type has a $ref and no type.
      .filter(([, parameter]) => /^secure/i.test((parameter.type as string | undefined) ?? ''))
      .map(([parameterName]) => parameterName);
    // The delivery secrets only (receiverSecrets: the named webhooks' HMAC secrets, not link keys).
    expect(secure.sort()).toEqual([
      'receiverSecrets',
      'receiverUrls',
      'teamsWorkflowUrl',
      'webhookSecret',
      'webhookUrl',
    ]);
    const passed = JSON.stringify(props(mainModule(all, 'actionSigningKeys')).parameters);
    expect(passed).not.toMatch(/listKeys|guid\(|base64/);
    const inner = asObject(
      props(mainModule(all, 'actionSigningKeys')).template,
      'actionSigningKeys template',
    ) as ArmTemplate;
    expect(inner.outputs ?? {}).toEqual({});
  });

  it('the example .bicepparam offers them', () => {
    const example = readFileSync(path.join(ROOT, 'infra/main.bicepparam'), 'utf8');
    for (const parameter of [
      'maintenanceWindows',
      'silenceMaxDays',
      'actionLinksEnabled',
      'actionSigningKeyId',
      'actionSigningSecondKeyId',
      'actionLinkHours',
    ]) {
      expect(example).toMatch(new RegExp(`^// param ${parameter} = `, 'm'));
    }
  });
});

describe('maintenance windows and the silence limit', () => {
  it('MAINTENANCE_WINDOWS is empty (not set) without windows, their JSON with', () => {
    expect(appSetting('MAINTENANCE_WINDOWS', REQUIRED)).toBe('');
    const windows = [
      {
        name: 'sunday patching',
        matchers: ['hub=contoso-fleet-hub'],
        days: ['sun'],
        start: '02:00',
        end: '04:00',
      },
      {
        name: 'night shift',
        matchers: ['site=plant-7', 'device=press-*'],
        days: ['mon', 'tue'],
        start: '22:00',
        end: '01:00',
      },
    ];
    const value = appSetting('MAINTENANCE_WINDOWS', { ...REQUIRED, maintenanceWindows: windows });
    expect(JSON.parse(String(value))).toEqual(windows);
  });

  it('SILENCE_MAX_DAYS carries silenceMaxDays', () => {
    expect(appSetting('SILENCE_MAX_DAYS', REQUIRED)).toBe('30');
    expect(appSetting('SILENCE_MAX_DAYS', { ...REQUIRED, silenceMaxDays: 7 })).toBe('7');
  });

  it('ACTION_LINK_HOURS carries actionLinkHours', () => {
    expect(appSetting('ACTION_LINK_HOURS', REQUIRED)).toBe('72');
    expect(appSetting('ACTION_LINK_HOURS', { ...LINKS, actionLinkHours: 24 })).toBe('24');
  });

  it('the enrichersilences table is created whatever the switches, in the app storage account', () => {
    const storage = moduleScope(main(REQUIRED), deployment('storage'));
    const tables = ofType(
      inModule(all, 'storage'),
      'Microsoft.Storage/storageAccounts/tableServices/tables',
    ).filter((found) => found.resource.condition === undefined);
    const names = tables.map((found) => String(evaluate(found.resource.name, storage)));
    expect(names).toContain(`${name('storage')}/default/${SILENCE_TABLE_NAME}`);
    expect(SILENCE_TABLE_NAME).toBe('enrichersilences');
  });
});

describe('with actionLinksEnabled off (the default)', () => {
  it('writes no signing key, key id or base URL, and no secret', () => {
    for (const setting of SIGNING_SETTINGS) {
      expect(appSetting(setting, REQUIRED)).toBe('');
      expect(appSetting(setting, { ...REQUIRED, allowedAddressRanges: OFFICE })).toBe('');
    }
    expect(signingKeysDeployed(REQUIRED)).toBe(false);
    expect(signingKeysDeployed({ ...REQUIRED, restrictIntakeToAzureMonitor: false })).toBe(false);
  });

  it('leaves the access restriction as it was', () => {
    const config = siteConfig(REQUIRED);
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    expect(JSON.stringify(config.ipSecurityRestrictions)).not.toContain('address-range');
  });
});

describe('with actionLinksEnabled on', () => {
  it('ACTION_SIGNING_KEYS is a Key Vault reference to action-signing-keys, never a value', () => {
    expect(appSetting('ACTION_SIGNING_KEYS', LINKS)).toBe(
      `@Microsoft.KeyVault(SecretUri=${VAULT_URI}secrets/action-signing-keys)`,
    );
    const expression = String(appSettingExpressions().ACTION_SIGNING_KEYS);
    expect(expression).toBe(
      "[if(parameters('actionLinksEnabled'), variables('keyVaultReference').actionSigningKeys, '')]",
    );
    // No app setting computes a key.
    expect(JSON.stringify(appSettingsResource().resource.properties)).not.toMatch(
      /listKeys|guid\(|base64/,
    );
  });

  it("ACTION_SIGNING_KEY_ID is the signing key id; PUBLIC_BASE_URL the app's own https host", () => {
    expect(appSetting('ACTION_SIGNING_KEY_ID', LINKS)).toBe('k1');
    expect(appSetting('ACTION_SIGNING_KEY_ID', { ...LINKS, actionSigningKeyId: '2027-01' })).toBe(
      '2027-01',
    );
    expect(appSettingExpressions().PUBLIC_BASE_URL).toBe(
      "[if(parameters('actionLinksEnabled'), format('https://{0}', reference('site').defaultHostName), '')]",
    );
    expect(appSetting('PUBLIC_BASE_URL', LINKS)).toBe(
      `https://${name('functionApp', LINKS)}.azurewebsites.net`,
    );
  });

  it('the secret action-signing-keys is written in the app vault, after the vault and storage', () => {
    expect(signingKeysDeployed(LINKS)).toBe(true);
    const module = deployment('actionSigningKeys');
    expect(evaluate(moduleParameter(module, 'keyVaultName'), main(LINKS))).toBe(name('keyVault'));
    expect(evaluate(moduleParameter(module, 'storageAccountName'), main(LINKS))).toBe(
      name('storage'),
    );
    expect(evaluate(moduleParameter(module, 'secretName'), main(LINKS))).toBe(
      'action-signing-keys',
    );
    expect(module.dependsOn).toEqual(expect.arrayContaining(['keyVault', 'storage']));
    expect(secret().resource.name).toBe(
      "[format('{0}/{1}', parameters('keyVaultName'), parameters('secretName'))]",
    );
    expect(props(secret()).contentType).toBe('application/json');
    // The app settings change only once the keys are there (a new key id included).
    expect(deployment('api').dependsOn).toEqual(expect.arrayContaining(['actionSigningKeys']));
  });

  it('holds {"k1": base64 of at least 32 bytes}, derived from the storage account key1', () => {
    const keys = secretValue(LINKS);
    expect(Object.keys(keys)).toEqual(['k1']);
    const key = keys.k1!;
    expect(key).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(key, 'base64').length).toBeGreaterThanOrEqual(32);
    const account = resourceId('Microsoft.Storage/storageAccounts', name('storage'));
    expect(key).toBe(derivedKey(standInKey1(account), 'k1'));
  });

  it('is the same on every deployment; a rotation adds, swaps and drops a key id', () => {
    const k1 = secretValue(LINKS).k1!;
    expect(secretValue({ ...LINKS })).toEqual({ k1 });
    // 1. add k2 (k1 still signs): the secret holds both, k1 unchanged.
    const added = secretValue({ ...LINKS, actionSigningSecondKeyId: 'k2' });
    expect(Object.keys(added).sort()).toEqual(['k1', 'k2']);
    expect(added.k1).toBe(k1);
    expect(added.k2).not.toBe(k1);
    // 2. swap: k2 signs, k1 is still accepted; the same two keys.
    const swapped = { ...LINKS, actionSigningKeyId: 'k2', actionSigningSecondKeyId: 'k1' };
    expect(secretValue(swapped)).toEqual(added);
    expect(appSetting('ACTION_SIGNING_KEY_ID', swapped)).toBe('k2');
    // 3. ACTION_LINK_HOURS later, drop k1.
    expect(secretValue({ ...LINKS, actionSigningKeyId: 'k2' })).toEqual({ k2: added.k2 });
  });

  it('differs between environments (their storage accounts differ)', () => {
    const dev = { ...LINKS, environmentName: 'dev' };
    expect(name('storage', dev)).not.toBe(name('storage', LINKS));
    expect(secretValue(dev).k1).not.toBe(secretValue(LINKS).k1);
  });
});

describe('access to /api/act (anonymous, opened by people)', () => {
  it('fails the deployment when the restriction is on and no address range admits people', () => {
    const parameters = { ...REQUIRED, actionLinksEnabled: true };
    expect(() => signingKeysDeployed(parameters)).toThrow(
      /actionLinksEnabled with restrictIntakeToAzureMonitor needs allowedAddressRanges/,
    );
    expect(() => appSetting('ACTION_SIGNING_KEYS', parameters)).toThrow(
      /needs allowedAddressRanges/,
    );
  });

  it('with allowedAddressRanges: the restriction stays and admits those ranges (links work there only)', () => {
    const config = siteConfig(LINKS);
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    expect(config.ipSecurityRestrictions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'Allow',
          tag: 'Default',
          ipAddress: '203.0.113.0/24',
        }),
      ]),
    );
  });

  it('with restrictIntakeToAzureMonitor off: the whole app is open, /api/act included', () => {
    const parameters = {
      ...REQUIRED,
      actionLinksEnabled: true,
      restrictIntakeToAzureMonitor: false,
    };
    expect(signingKeysDeployed(parameters)).toBe(true);
    const config = siteConfig(parameters);
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Allow');
    expect(config.ipSecurityRestrictions).toEqual([]);
  });
});

describe('docs/deployment.md', () => {
  it('has the section, with rotation and the access trade-off', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/deployment.md'), 'utf8');
    const start = doc.indexOf('## Silences, maintenance windows and card links');
    expect(start).toBeGreaterThan(0);
    const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
    for (const text of [
      'maintenanceWindows',
      'silenceMaxDays',
      'actionLinksEnabled',
      'actionSigningKeyId',
      'actionSigningSecondKeyId',
      'actionLinkHours',
      'ACTION_LINK_HOURS',
      'action-signing-keys',
      '/api/act',
      'allowedAddressRanges',
      'restrictIntakeToAzureMonitor',
      'enrichersilences',
    ]) {
      expect(section).toContain(text);
    }
  });
});
