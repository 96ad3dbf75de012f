/**
 * Checks azure.yaml (the Azure Developer CLI project file) against what exists in the repository:
 * the Bicep entry azd provisions, the service folder and the folder it deploys, the hook scripts,
 * the npm script the package hook runs, and the azd-service-name tag on the function app.
 *
 * YAML is read with the small block-mapping reader below (no YAML package is a direct dependency);
 * it refuses anything beyond nested `key: value` mappings, so a richer azure.yaml fails loudly
 * here rather than being half-read.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const read = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');

interface YamlMap {
  [key: string]: string | YamlMap;
}

/** Parses nested block mappings of plain or quoted scalars; comments and blank lines are skipped. */
function parseBlockMappings(text: string): YamlMap {
  const root: YamlMap = {};
  const stack: { indent: number; map: YamlMap }[] = [{ indent: -1, map: root }];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const match = /^( *)([A-Za-z_][\w.-]*):(?: +(.*))?$/.exec(line);
    if (!match) throw new Error(`azure.yaml line ${index + 1}: not a "key: value" line: ${raw}`);
    const indent = match[1]!.length;
    const key = match[2]!;
    const value = match[3];
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!.map;
    if (key in parent) throw new Error(`azure.yaml line ${index + 1}: duplicate key ${key}`);
    if (value === undefined) {
      const child: YamlMap = {};
      parent[key] = child;
      stack.push({ indent, map: child });
      return;
    }
    if (/^[[{|>&*!-]/.test(value)) {
      throw new Error(`azure.yaml line ${index + 1}: only plain scalars are supported: ${raw}`);
    }
    parent[key] = value.replace(/^(['"])(.*)\1$/, '$2');
  });
  return root;
}

function map(value: string | YamlMap | undefined, what: string): YamlMap {
  if (typeof value !== 'object') throw new Error(`${what} is not a mapping`);
  return value;
}

function scalar(value: string | YamlMap | undefined, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a scalar`);
  return value;
}

/** Every hook (name → { shell, run }) in a hooks mapping. */
function hooks(owner: YamlMap): [string, YamlMap][] {
  return owner.hooks === undefined
    ? []
    : Object.entries(map(owner.hooks, 'hooks')).map(([name, hook]) => [name, map(hook, name)]);
}

const HOOK_NAMES = /^(pre|post)(provision|deploy|package|restore|build|up|down)$/;

const azureYaml = parseBlockMappings(read('azure.yaml'));
const infra = map(azureYaml.infra, 'infra');
const services = map(azureYaml.services, 'services');
const allHooks = [
  ...hooks(azureYaml),
  ...Object.entries(services).flatMap(([name, service]) => hooks(map(service, name))),
];

describe('azure.yaml', () => {
  it('names the project with a name azd accepts', () => {
    expect(scalar(azureYaml.name, 'name')).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
  });

  it('points azd at a Bicep entry that exists, using infra/main.bicep', () => {
    expect(scalar(infra.provider, 'infra.provider')).toBe('bicep');
    const dir = scalar(infra.path, 'infra.path');
    const module = scalar(infra.module, 'infra.module');
    expect(statSync(path.join(ROOT, dir)).isDirectory()).toBe(true);
    // azd reads <module>.bicepparam when it exists, else <module>.bicep.
    const bicepparam = path.join(dir, `${module}.bicepparam`);
    const entry = existsSync(path.join(ROOT, bicepparam))
      ? bicepparam
      : path.join(dir, `${module}.bicep`);
    expect(existsSync(path.join(ROOT, entry))).toBe(true);
    if (entry.endsWith('.bicepparam')) {
      const using = /^using\s+'([^']+)'/m.exec(read(entry))?.[1];
      expect(using).toBe('main.bicep');
      expect(existsSync(path.join(ROOT, dir, using!))).toBe(true);
    }
  });

  it("gives azd its own .bicepparam, so the az path's example infra/main.bicepparam is not used", () => {
    const module = scalar(infra.module, 'infra.module');
    expect(module).not.toBe('main');
  });

  it('the azd .bicepparam sets only parameters main.bicep declares, and the required ones', () => {
    const dir = scalar(infra.path, 'infra.path');
    const text = read(path.join(dir, `${scalar(infra.module, 'infra.module')}.bicepparam`));
    const declared = new Set(
      [...read(path.join(dir, 'main.bicep')).matchAll(/^param\s+(\w+)\s/gm)].map((m) => m[1]!),
    );
    const set = [...text.matchAll(/^param\s+(\w+)\s*=/gm)].map((m) => m[1]!);
    expect(set.filter((name) => !declared.has(name))).toEqual([]);
    for (const required of [
      'environmentName',
      'logAnalyticsWorkspaceResourceId',
      'iotHubResourceIds',
      'deployAlerts',
    ]) {
      expect(set).toContain(required);
    }
    expect(text).toMatch(/param environmentName = readEnvironmentVariable\('AZURE_ENV_NAME'\)/);
  });

  it('has one service, the function app, whose name is the azd-service-name tag in main.bicep', () => {
    const tags = [...read('infra/main.bicep').matchAll(/'azd-service-name':\s*'([^']+)'/g)].map(
      (m) => m[1]!,
    );
    expect(tags.length).toBeGreaterThan(0);
    expect(Object.keys(services)).toEqual([...new Set(tags)]);
  });

  describe.each(Object.keys(services))('service %s', (name) => {
    const service = map(services[name], name);

    it('is a TypeScript/JavaScript Functions app in an existing project folder', () => {
      expect(scalar(service.host, 'host')).toBe('function');
      expect(['js', 'ts']).toContain(scalar(service.language, 'language'));
      const project = scalar(service.project, 'project');
      expect(statSync(path.join(ROOT, project)).isDirectory()).toBe(true);
      expect(existsSync(path.join(ROOT, project, 'package.json'))).toBe(true);
    });

    it('deploys the staging folder that scripts/package.mjs zips', () => {
      const dist = scalar(service.dist, 'dist');
      expect(dist).toBe('dist/package/app');
      const packageScript = read('scripts/package.mjs');
      expect(packageScript).toContain("const OUT_DIR = path.join(ROOT, 'dist', 'package');");
      expect(packageScript).toContain("const STAGING_DIR = path.join(OUT_DIR, 'app');");
      expect(packageScript).toContain("path.join(OUT_DIR, 'iothub-alert-enricher.zip')");
    });

    it('builds the package with a prepackage hook running an npm script of package.json', () => {
      const prepackage = map(map(service.hooks, 'hooks').prepackage, 'prepackage');
      const run = scalar(prepackage.run, 'prepackage.run');
      const script = /^npm run ([\w:-]+)$/.exec(run)?.[1];
      expect(script).toBe('package');
      const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
      expect(scripts[script!]).toContain('scripts/package.mjs');
    });
  });

  it('has the postdeploy hook for the two-step first deployment', () => {
    const postdeploy = map(map(azureYaml.hooks, 'hooks').postdeploy, 'postdeploy');
    expect(scalar(postdeploy.run, 'postdeploy.run')).toBe('./scripts/azd-postdeploy.sh');
    const script = read('scripts/azd-postdeploy.sh');
    expect(script).toContain('azd env set DEPLOY_ALERTS true');
    expect(script).toContain('azd provision');
    // It creates the key the action group's URL carries, on the function the URL calls.
    const keyName = /^var intakeKeyName = '([^']+)'/m.exec(read('infra/app/alerts.bicep'))?.[1];
    expect(keyName).toBeDefined();
    expect(script).toContain(`KEY_NAME="${keyName!}"`);
    const intake = /app\.http\('(\w+)'/.exec(read('functions/alerts.ts'))?.[1];
    expect(script).toContain(`INTAKE_FUNCTION="${intake!}"`);
    // The variable the hook sets is the one infra/azd.bicepparam reads for deployAlerts.
    expect(read('infra/azd.bicepparam')).toMatch(
      /^param deployAlerts = .*readEnvironmentVariable\('DEPLOY_ALERTS', 'false'\)/m,
    );
  });

  it.each(allHooks)('hook %s is a known azd event with a runnable command', (name, hook) => {
    expect(name).toMatch(HOOK_NAMES);
    expect(['sh', 'pwsh']).toContain(scalar(hook.shell, `${name}.shell`));
    const run = scalar(hook.run, `${name}.run`);
    if (/\.(sh|ps1)$/.test(run)) {
      // azd runs a script path directly on Linux and macOS: it must exist and be executable.
      const file = path.join(ROOT, run);
      expect(existsSync(file)).toBe(true);
      expect(() => {
        accessSync(file, constants.X_OK);
      }).not.toThrow();
      expect(read(run).startsWith('#!/usr/bin/env bash\n')).toBe(true);
    } else {
      expect(run).toMatch(/^npm run [\w:-]+$/);
    }
  });
});

describe('parseBlockMappings', () => {
  it('reads nested mappings, quoted scalars and comments', () => {
    expect(parseBlockMappings('# c\na:\n  b: \'x\' # note\n  c:\n    d: "y"\ne: z\n')).toEqual({
      a: { b: 'x', c: { d: 'y' } },
      e: 'z',
    });
  });

  it('refuses lists and flow style rather than misreading them', () => {
    expect(() => parseBlockMappings('a:\n  - b\n')).toThrow(/not a "key: value" line/);
    expect(() => parseBlockMappings('a: [b]\n')).toThrow(/only plain scalars/);
    expect(() => parseBlockMappings('a: 1\na: 2\n')).toThrow(/duplicate key/);
  });
});
