/**
 * Issue 20 in the template (dist/infra/main.json): named receivers and routes. The routing
 * parameter becomes the app setting ROUTES (JSON, no URL in it), each declared receiver
 * RECEIVER_<NAME>_URL (and RECEIVER_<NAME>_SECRET for a signed webhook) as a Key Vault reference;
 * the URLs and signing secrets arrive only through secure parameters and go only into Key Vault
 * secrets, written when a value is given. Without routing, the app settings are today's.
 *
 * Values are computed by evaluating the template's own expressions for a set of main.bicep
 * parameters, with the evaluator in ./armExpressions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { evaluate, moduleScope } from './armExpressions';
import {
  type ArmResource,
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  ROOT,
  asObject,
  inModule,
  mainModule,
  moduleParameter,
  ofType,
  props,
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

const ROUTING = {
  receivers: [
    { name: 'plant-a', type: 'teams' },
    { name: 'provisioning', type: 'webhook', signed: true },
  ],
  routes: [
    { name: 'plant A', matchers: ['hub=~plant-a-*'], receivers: ['plant-a'], continue: true },
    { matchers: ['cause=duplicate-identity|credential-rejected'], receivers: ['provisioning'] },
  ],
  default: { receivers: ['teams'] },
};
const URLS = {
  'plant-a': 'https://contoso.example/workflows/plant-a?sig=plant-a-signature',
  provisioning: 'https://hooks.contoso.example/provisioning',
};
const SECRETS = { provisioning: 'provisioning-hmac-secret' };
const ROUTED: JsonObject = {
  ...REQUIRED,
  routing: ROUTING,
  receiverUrls: URLS,
  receiverSecrets: SECRETS,
};
const reference = (secret: string): string =>
  `@Microsoft.KeyVault(SecretUri=${VAULT_URI}secrets/${secret})`;

/** The settings routing adds to the fixed ones (the second argument of the union). */
function routeSettings(parameters: JsonObject): JsonObject {
  return asObject(evaluate("[variables('routeSettings')]", apiScope(parameters)), 'routeSettings');
}

/** Every app setting name for these parameters: the fixed ones and routing's. */
function appSettingNames(parameters: JsonObject): string[] {
  const fixed = Object.keys(appSettingExpressions());
  return [...new Set([...fixed, ...Object.keys(routeSettings(parameters))])].sort();
}

/** The receivers' secret loops in keyvault.bicep. */
function receiverSecretLoop(key: 'receiverUrlSecrets' | 'receiverSigningSecrets'): ArmResource {
  const found = ofType(inModule(all, 'keyVault'), 'Microsoft.KeyVault/vaults/secrets').find(
    (secret) => secret.key === key,
  );
  if (!found) throw new Error(`no ${key} in module keyVault`);
  return found.resource;
}

interface WrittenSecret {
  readonly name: string;
  readonly value: unknown;
  readonly contentType: unknown;
}

/** The receiver secrets the vault module writes for these parameters (conditions evaluated). */
function writtenSecrets(
  key: 'receiverUrlSecrets' | 'receiverSigningSecrets',
  parameters: JsonObject,
): WrittenSecret[] {
  const loop = receiverSecretLoop(key);
  const copy = asObject(loop.copy, `${key} copy`);
  const count = Number(evaluate(copy.count, moduleScope(main(parameters), deployment('keyVault'))));
  const written: WrittenSecret[] = [];
  for (let i = 0; i < count; i += 1) {
    const scope = moduleScope(main(parameters), deployment('keyVault'), i);
    if (evaluate(loop.condition, scope) !== true) continue;
    const properties = asObject(loop.properties, `${key} properties`);
    written.push({
      name: String(evaluate(loop.name, scope)),
      value: evaluate(properties.value, scope),
      contentType: properties.contentType,
    });
  }
  return written;
}

/** The deploy-time check's verdict: the receivers passed on, or the failure message. */
function checked(parameters: JsonObject): unknown {
  return evaluate("[variables('checkedReceivers')]", main(parameters));
}

describe('parameters', () => {
  it('routing is a plain object that defaults to none; the URLs and secrets are secure objects', () => {
    expect(mainParameter('routing')).toMatchObject({ type: 'object', defaultValue: {} });
    for (const name of ['receiverUrls', 'receiverSecrets']) {
      expect(mainParameter(name)).toMatchObject({ type: 'secureObject', defaultValue: {} });
      const described = asObject(mainParameter(name).metadata, 'metadata').description;
      expect(described).toMatch(/keeps the current secret \(set or rotate it with az keyvault/);
    }
  });

  it('the secure objects reach the vault module only, as secure objects there', () => {
    const keyVault = deployment('keyVault');
    expect(moduleParameter(keyVault, 'receiverUrls')).toBe("[parameters('receiverUrls')]");
    expect(moduleParameter(keyVault, 'receiverSecrets')).toBe("[parameters('receiverSecrets')]");
    const inner = asObject(props(mainModule(all, 'keyVault')).template, 'template') as ArmTemplate;
    expect(inner.parameters?.receiverUrls?.type).toBe('secureObject');
    expect(inner.parameters?.receiverSecrets?.type).toBe('secureObject');
    for (const module of ['api', 'rbac', 'actionSigningKeys', 'network', 'alerts']) {
      const passed = JSON.stringify(props(mainModule(all, module)).parameters);
      expect(passed).not.toMatch(/receiverUrls|receiverSecrets/);
    }
    // Nothing the app settings or the outputs compute reads them.
    expect(JSON.stringify(template.outputs)).not.toMatch(/receiverUrls|receiverSecrets/);
  });

  it('the example .bicepparam offers routing, and receiverUrls only from the environment', () => {
    const example = readFileSync(path.join(ROOT, 'infra/main.bicepparam'), 'utf8');
    expect(example).toMatch(/^\/\/ param routing = \{ receivers: \[/m);
    for (const parameter of ['receiverUrls', 'receiverSecrets']) {
      expect(example).toMatch(
        new RegExp(`^// param ${parameter} = json\\(readEnvironmentVariable\\('ROUTING_`, 'm'),
      );
      expect(example).not.toMatch(new RegExp(`^param ${parameter}`, 'm'));
    }
    expect(example).not.toMatch(/^\s*(?:\/\/\s*)?param \w+ = .*https:\/\//m);
  });

  it('the azd .bicepparam reads routing, the receivers and the issue 19 settings from the environment', () => {
    const azd = readFileSync(path.join(ROOT, 'infra/azd.bicepparam'), 'utf8');
    for (const [parameter, variable] of [
      ['routing', 'ROUTING'],
      ['receiverUrls', 'ROUTING_RECEIVER_URLS'],
      ['receiverSecrets', 'ROUTING_RECEIVER_SECRETS'],
      ['maintenanceWindows', 'MAINTENANCE_WINDOWS'],
      ['silenceMaxDays', 'SILENCE_MAX_DAYS'],
      ['actionLinksEnabled', 'ACTION_LINKS_ENABLED'],
      ['allowedAddressRanges', 'ALLOWED_ADDRESS_RANGES'],
      ['connectionEventsEnabled', 'CONNECTION_EVENTS_ENABLED'],
    ]) {
      expect(azd).toMatch(
        new RegExp(
          `^param ${parameter!} = [^\\n]*(\\n  [^\\n]*)*readEnvironmentVariable\\('${variable!}'`,
          'm',
        ),
      );
    }
  });
});

describe('with two named receivers (a Teams channel and a signed webhook)', () => {
  it('ROUTES is the routing JSON, unchanged and without any URL', () => {
    const settings = routeSettings(ROUTED);
    expect(JSON.parse(String(settings.ROUTES))).toEqual(ROUTING);
    expect(String(settings.ROUTES)).not.toMatch(/:\/\/|https|sig=|hmac/i);
  });

  it('each receiver reads its URL, and the signed webhook its secret, through a Key Vault reference', () => {
    expect(routeSettings(ROUTED)).toEqual({
      ROUTES: JSON.stringify(ROUTING),
      RECEIVER_PLANT_A_URL: reference('receiver-plant-a-url'),
      RECEIVER_PROVISIONING_URL: reference('receiver-provisioning-url'),
      RECEIVER_PROVISIONING_SECRET: reference('receiver-provisioning-secret'),
    });
  });

  it("the settings are the fixed ones plus routing's: the app settings resource unions the two", () => {
    expect(appSettingsResource().resource.properties).toMatch(
      /^\[union\(createObject\('EVIDENCE_SOURCE', .*\), variables\('routeSettings'\)\)\]$/,
    );
    const fixed = appSettingNames(REQUIRED);
    expect(appSettingNames(ROUTED)).toEqual(
      [
        ...fixed,
        'ROUTES',
        'RECEIVER_PLANT_A_URL',
        'RECEIVER_PROVISIONING_URL',
        'RECEIVER_PROVISIONING_SECRET',
      ].sort(),
    );
  });

  it('no app setting carries a URL or a secret given in the parameters', () => {
    const values = JSON.stringify(routeSettings(ROUTED));
    for (const secret of [...Object.values(URLS), ...Object.values(SECRETS)]) {
      expect(values).not.toContain(secret);
    }
  });

  it('a signed webhook without a secret given still reads it from the vault (set there by hand)', () => {
    const settings = routeSettings({ ...REQUIRED, routing: ROUTING });
    expect(settings.RECEIVER_PROVISIONING_SECRET).toBe(reference('receiver-provisioning-secret'));
  });

  it('an unsigned webhook receiver gets no _SECRET setting', () => {
    const routing = {
      ...ROUTING,
      receivers: [{ name: 'ops-hook', type: 'webhook' }],
      routes: [{ matchers: ['hub=a'], receivers: ['ops-hook'] }],
    };
    expect(Object.keys(routeSettings({ ...REQUIRED, routing })).sort()).toEqual([
      'RECEIVER_OPS_HOOK_URL',
      'ROUTES',
    ]);
  });

  it('the built-in receivers keep their settings; with both off, only the named ones deliver', () => {
    expect(appSetting('TEAMS_WORKFLOW_URL', ROUTED)).toBe(reference('teams-workflow-url'));
    const namedOnly = {
      ...ROUTED,
      notifyTeams: false,
      routing: { ...ROUTING, default: { receivers: ['plant-a'] } },
    };
    expect(appSetting('TEAMS_WORKFLOW_URL', namedOnly)).toBe('');
    expect(appSetting('WEBHOOK_URL', namedOnly)).toBe('');
    expect(routeSettings(namedOnly).RECEIVER_PLANT_A_URL).toBe(reference('receiver-plant-a-url'));
  });
});

describe("the receivers' Key Vault secrets", () => {
  it('are written from the secure parameters, one per URL and one per signed webhook secret', () => {
    const vault = String(evaluate("[variables('names').keyVault]", main(REQUIRED)));
    expect(writtenSecrets('receiverUrlSecrets', ROUTED)).toEqual([
      {
        name: `${vault}/receiver-plant-a-url`,
        value: URLS['plant-a'],
        contentType: 'text/uri-list',
      },
      {
        name: `${vault}/receiver-provisioning-url`,
        value: URLS.provisioning,
        contentType: 'text/uri-list',
      },
    ]);
    expect(writtenSecrets('receiverSigningSecrets', ROUTED)).toEqual([
      {
        name: `${vault}/receiver-provisioning-secret`,
        value: SECRETS.provisioning,
        contentType: 'text/plain',
      },
    ]);
  });

  it('take their values only from the secure parameters', () => {
    for (const key of ['receiverUrlSecrets', 'receiverSigningSecrets'] as const) {
      const value = asObject(receiverSecretLoop(key).properties, key).value;
      expect(value).toMatch(
        /^\[parameters\('(receiverUrls|receiverSecrets)'\)\[parameters\('receivers'\)\[copyIndex\(\)\]\.name\]\]$/,
      );
    }
  });

  it('a missing or empty value keeps the current secret: nothing is written for it', () => {
    const vault = String(evaluate("[variables('names').keyVault]", main(REQUIRED)));
    const partly = {
      ...ROUTED,
      receiverUrls: { 'plant-a': '', provisioning: URLS.provisioning },
      receiverSecrets: {},
    };
    expect(writtenSecrets('receiverUrlSecrets', partly).map((secret) => secret.name)).toEqual([
      `${vault}/receiver-provisioning-url`,
    ]);
    expect(writtenSecrets('receiverSigningSecrets', partly)).toEqual([]);
    const none = { ...REQUIRED, routing: ROUTING };
    expect(writtenSecrets('receiverUrlSecrets', none)).toEqual([]);
    expect(writtenSecrets('receiverSigningSecrets', none)).toEqual([]);
  });

  it('are conditioned on a non-empty value', () => {
    expect(receiverSecretLoop('receiverUrlSecrets').condition).toBe(
      "[not(empty(coalesce(tryGet(parameters('receiverUrls'), parameters('receivers')[copyIndex()].name), '')))]",
    );
    expect(String(receiverSecretLoop('receiverSigningSecrets').condition)).toMatch(
      /^\[and\(parameters\('receivers'\)\[copyIndex\(\)\]\.signed, not\(empty\(coalesce\(tryGet\(parameters\('receiverSecrets'\)/,
    );
  });
});

describe('without routing', () => {
  it('the app settings are exactly the fixed ones: no ROUTES, no RECEIVER_ setting', () => {
    expect(routeSettings(REQUIRED)).toEqual({});
    const names = appSettingNames(REQUIRED);
    expect(names).toContain('TEAMS_WORKFLOW_URL');
    expect(names.filter((name) => name === 'ROUTES' || name.startsWith('RECEIVER_'))).toEqual([]);
    expect(appSetting('TEAMS_WORKFLOW_URL', REQUIRED)).toBe(reference('teams-workflow-url'));
    expect(appSetting('WEBHOOK_URL', REQUIRED)).toBe('');
  });

  it('no receiver secret is written', () => {
    expect(writtenSecrets('receiverUrlSecrets', REQUIRED)).toEqual([]);
    expect(writtenSecrets('receiverSigningSecrets', REQUIRED)).toEqual([]);
  });
});

describe('deploy-time checks on routing', () => {
  const fails = (parameters: JsonObject, message: RegExp): void => {
    expect(() => checked({ ...ROUTED, ...parameters })).toThrow(message);
  };
  const withReceivers = (...receivers: JsonObject[]): JsonObject => ({
    routing: { ...ROUTING, receivers, routes: [], default: { receivers: ['teams'] } },
    receiverUrls: {},
    receiverSecrets: {},
  });

  it('pass a good routing on unchanged', () => {
    expect(checked(ROUTED)).toEqual([
      {
        name: 'plant-a',
        signed: false,
        urlSecretName: 'receiver-plant-a-url',
        signingSecretName: 'receiver-plant-a-secret',
      },
      {
        name: 'provisioning',
        signed: true,
        urlSecretName: 'receiver-provisioning-url',
        signingSecretName: 'receiver-provisioning-secret',
      },
    ]);
    expect(checked(REQUIRED)).toEqual([]);
    const longest = `a${'b'.repeat(30)}`;
    expect(checked({ ...REQUIRED, ...withReceivers({ name: longest, type: 'teams' }) })).toEqual([
      expect.objectContaining({ name: longest }),
    ]);
  });

  it('refuse receiver names outside ^[a-z][a-z0-9-]{0,30}$ and the built-in names', () => {
    for (const name of ['Plant-A', '1plant', 'plant_a', 'plant.a', '', `a${'b'.repeat(31)}`]) {
      fails(
        withReceivers({ name, type: 'teams' }),
        /names must match \^\[a-z\]\[a-z0-9-\]\{0,30\}\$/,
      );
    }
    for (const name of ['teams', 'webhook']) {
      fails(
        withReceivers({ name, type: 'webhook' }),
        new RegExp(`built-in receivers\\): ${name}\\.`),
      );
    }
  });

  it('refuse a receiver declared twice', () => {
    fails(
      withReceivers({ name: 'plant-a', type: 'teams' }, { name: 'plant-a', type: 'webhook' }),
      /declared twice: plant-a\./,
    );
  });

  it('refuse routes to receivers that are not declared, or built-in ones that are off', () => {
    fails(
      { routing: { ...ROUTING, default: { receivers: ['plant-b'] } } },
      /routing names receivers it does not declare: plant-b\./,
    );
    fails(
      { routing: { ...ROUTING, routes: [{ matchers: ['hub=a'], receivers: ['webhook'] }] } },
      /built-in receivers that are off \(notifyTeams, notifyWebhook\): webhook\./,
    );
    fails({ notifyTeams: false }, /built-in receivers that are off .*: teams\./);
    expect(() =>
      checked({
        ...ROUTED,
        notifyWebhook: true,
        routing: { ...ROUTING, default: { receivers: ['webhook'] } },
      }),
    ).not.toThrow();
  });

  it('refuse a URL in routing: URLs belong in Key Vault', () => {
    fails(
      {
        routing: {
          ...ROUTING,
          receivers: [{ name: 'plant-a', type: 'teams', url: URLS['plant-a'] }],
        },
      },
      /routing holds a URL: URLs go to receiverUrls \(Key Vault\), never into ROUTES\./,
    );
  });

  it('refuse URLs and secrets for receivers routing does not declare (a typo would go unnoticed)', () => {
    fails(
      { receiverUrls: { ...URLS, 'plant-b': 'https://x.example' } },
      /receiverUrls names receivers that routing does not declare: plant-b\./,
    );
    fails(
      { receiverSecrets: { 'plant-a': 'x' } },
      /receiverSecrets names receivers that routing does not declare as signed webhooks: plant-a\./,
    );
    fails(
      { routing: {}, receiverSecrets: {} },
      /receiverUrls names receivers that routing does not declare: plant-a, provisioning\./,
    );
  });

  it('fail the deployment with every problem at once and a pointer to the docs', () => {
    expect(() =>
      checked({
        ...REQUIRED,
        routing: { receivers: [{ name: 'teams', type: 'teams' }], default: { receivers: ['x'] } },
      }),
    ).toThrow(
      /built-in receivers\): teams\. routing names receivers it does not declare: x\. See docs\/deployment\.md, "Routes and receivers"\./,
    );
  });
});
