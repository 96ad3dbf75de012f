/**
 * Issue 17 item 10, "the intake open to the internet", checked on the compiled template
 * (dist/infra/main.json): the function app denies by default and admits the ActionGroup service
 * tag (and ApplicationInsightsAvailability when the watchdog is deployed), plus the extra service
 * tags and address ranges given; the SCM site stays open for deployments; with the switch off
 * there is no restriction at all.
 *
 * The site config is computed by evaluating the template's own expressions (main.bicep's module
 * parameters, then api.bicep's variables) for a set of main.bicep parameters, with the evaluator
 * in ./armExpressions: an unknown function fails the test.
 */
import { evaluate, moduleScope, newScope } from './armExpressions';
import {
  type ArmTemplate,
  type FoundResource,
  type JsonObject,
  asObject,
  loadAll,
  mainModule,
} from './armTemplate';

let template: ArmTemplate;
let all: FoundResource[];

beforeAll(() => ({ template, all } = loadAll()), 300_000);

// ---------------------------------------------------------------------------------------------
// The site config for a set of main.bicep parameters
// ---------------------------------------------------------------------------------------------

function site(): FoundResource {
  const found = all.find(
    (candidate) =>
      candidate.modulePath.join('/') === 'api' && candidate.resource.type === 'Microsoft.Web/sites',
  );
  if (!found) throw new Error('Microsoft.Web/sites not found in module api');
  return found;
}

/** The function app's siteConfig, evaluated for these main.bicep parameters (others: defaults). */
function siteConfig(mainParameters: JsonObject = {}): JsonObject {
  const main = newScope(template, (name) => mainParameters[name]);
  const inner = moduleScope(main, mainModule(all, 'api').resource);
  const properties = asObject(site().resource.properties, 'site properties');
  return asObject(evaluate(properties.siteConfig, inner), 'siteConfig');
}

function restrictions(config: JsonObject): JsonObject[] {
  const rules = config.ipSecurityRestrictions;
  if (!Array.isArray(rules)) throw new Error('ipSecurityRestrictions is not an array');
  return rules.map((rule) => asObject(rule, 'restriction'));
}

function serviceTag(tag: string, priority: number): JsonObject {
  return { action: 'Allow', tag: 'ServiceTag', ipAddress: tag, priority };
}

function expectScmOpen(config: JsonObject): void {
  expect(config.scmIpSecurityRestrictionsUseMain).toBe(false);
  expect(config.scmIpSecurityRestrictionsDefaultAction).toBe('Allow');
  expect(config.scmIpSecurityRestrictions).toBeUndefined();
}

describe('parameters', () => {
  it('restrictIntakeToAzureMonitor is on by default; the extra tags and ranges are empty', () => {
    expect(template.parameters?.restrictIntakeToAzureMonitor).toMatchObject({
      type: 'bool',
      defaultValue: true,
    });
    expect(template.parameters?.extraAllowedServiceTags).toMatchObject({
      type: 'array',
      defaultValue: [],
    });
    expect(template.parameters?.allowedAddressRanges).toMatchObject({
      type: 'array',
      defaultValue: [],
    });
  });
});

describe('with the default parameters', () => {
  it('denies by default and admits ActionGroup and, with the watchdog, ApplicationInsightsAvailability', () => {
    const config = siteConfig();
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    const rules = restrictions(config);
    expect(rules).toEqual([
      expect.objectContaining(serviceTag('ActionGroup', 100)),
      expect.objectContaining(serviceTag('ApplicationInsightsAvailability', 101)),
    ]);
    for (const rule of rules) expect(String(rule.name).length).toBeLessThanOrEqual(32);
    expect(config.minTlsVersion).toBe('1.2');
  });

  it('leaves the SCM site (zip deploy, Kudu) unrestricted, not sharing the main rules', () => {
    expectScmOpen(siteConfig());
  });
});

describe('the availability tests', () => {
  it.each([{ deployWatchdog: false }, { deployAlerts: false }])(
    'are not admitted when the watchdog is not deployed (%o)',
    (parameters) => {
      const config = siteConfig(parameters);
      expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
      expect(restrictions(config)).toEqual([
        expect.objectContaining(serviceTag('ActionGroup', 100)),
      ]);
    },
  );
});

describe('extra service tags and address ranges', () => {
  it('appear, with distinct priorities, when given; a tag listed twice appears once', () => {
    const config = siteConfig({
      extraAllowedServiceTags: ['AzureEventGrid', 'ActionGroup'],
      allowedAddressRanges: ['203.0.113.0/24', '2001:db8::/48'],
    });
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    const rules = restrictions(config);
    expect(rules).toEqual([
      expect.objectContaining(serviceTag('ActionGroup', 100)),
      expect.objectContaining(serviceTag('ApplicationInsightsAvailability', 101)),
      expect.objectContaining(serviceTag('AzureEventGrid', 102)),
      expect.objectContaining({
        action: 'Allow',
        tag: 'Default',
        ipAddress: '203.0.113.0/24',
        priority: 1000,
      }),
      expect.objectContaining({
        action: 'Allow',
        tag: 'Default',
        ipAddress: '2001:db8::/48',
        priority: 1001,
      }),
    ]);
    const names = rules.map((rule) => rule.name);
    expect(new Set(names).size).toBe(rules.length);
    expectScmOpen(config);
  });
});

describe('the Event Grid path (connectionEventsEnabled)', () => {
  it('admits the AzureEventGrid service tag, which delivers to the connectionEvents function', () => {
    const config = siteConfig({ connectionEventsEnabled: true });
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    expect(restrictions(config)).toEqual([
      expect.objectContaining(serviceTag('ActionGroup', 100)),
      expect.objectContaining(serviceTag('ApplicationInsightsAvailability', 101)),
      expect.objectContaining(serviceTag('AzureEventGrid', 102)),
    ]);
  });

  it('lists the tag once when it is also among the extra tags', () => {
    const rules = restrictions(
      siteConfig({ connectionEventsEnabled: true, extraAllowedServiceTags: ['AzureEventGrid'] }),
    );
    expect(rules.filter((rule) => rule.ipAddress === 'AzureEventGrid')).toHaveLength(1);
  });
});

describe('with restrictIntakeToAzureMonitor off', () => {
  it('there is no restriction, even when tags or ranges are given; the SCM site stays open', () => {
    const config = siteConfig({
      restrictIntakeToAzureMonitor: false,
      extraAllowedServiceTags: ['AzureEventGrid'],
      allowedAddressRanges: ['203.0.113.0/24'],
    });
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Allow');
    expect(restrictions(config)).toEqual([]);
    expectScmOpen(config);
  });
});
