// Builds the deployment package for Flex Consumption:
//
//   npm run package        (= npm run build && node scripts/package.mjs)
//
// 1. Takes every compiled function entry, dist/functions/*.js (tsc output; each file registers
//    its functions with app.* when loaded).
// 2. Bundles them with esbuild into ONE CommonJS file, dist/index.js (platform node, target
//    node22, linked source map chained back to the TypeScript sources). Every import is bundled,
//    so the package needs no node_modules: only production code reachable from the functions ends
//    up in it, devDependencies never do. One bundle rather than one per entry keeps a single copy
//    of @azure/functions (it registers the programming model with the worker) and of the SDKs,
//    which makes the package smaller and the cold start faster.
//    Only @azure/functions-core stays external: the Node.js worker provides it at run time.
// 3. Stages host.json and a package.json whose "main" points at the bundle (no dependencies, no
//    devDependencies, no scripts) under dist/package/app/.
// 4. Zips the staging folder to dist/package/iothub-alert-enricher.zip with yazl (fixed
//    timestamps, so the same input gives the same zip) and prints the sizes.
// 5. Smoke-checks the bundle: loads it in a child Node.js process (the @azure/functions library
//    runs in test mode there and names each function it would register) and fails if it does
//    not load or registers nothing.
//
// Deploy the zip with `az functionapp deploy --src-path dist/package/iothub-alert-enricher.zip
// --type zip` (see docs/deployment.md).
import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import yazl from 'yazl';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FUNCTIONS_DIR = path.join(ROOT, 'dist', 'functions');
const OUT_DIR = path.join(ROOT, 'dist', 'package');
const STAGING_DIR = path.join(OUT_DIR, 'app');
const ZIP_PATH = path.join(OUT_DIR, 'iothub-alert-enricher.zip');
const BUNDLE_REL = 'dist/index.js';
const BUNDLE_PATH = path.join(STAGING_DIR, BUNDLE_REL);
/** Provided by the Azure Functions Node.js worker; cannot (and must not) be bundled. */
const EXTERNAL = ['@azure/functions-core'];
/** 1980-01-01T00:00:00 local time, the earliest DOS date a zip entry can carry. */
const ZIP_MTIME = new Date(1980, 0, 1);

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function fail(message) {
  console.error(`[package] ERROR: ${message}`);
  process.exit(1);
}

function findEntries() {
  if (!existsSync(FUNCTIONS_DIR)) {
    fail(
      `${path.relative(ROOT, FUNCTIONS_DIR)} does not exist: run "npm run build" first (or "npm run package").`,
    );
  }
  const entries = readdirSync(FUNCTIONS_DIR)
    .filter((name) => name.endsWith('.js'))
    .sort();
  if (entries.length === 0) {
    fail(`no compiled functions in ${path.relative(ROOT, FUNCTIONS_DIR)}/*.js`);
  }
  return entries;
}

async function bundle(entries) {
  // One synthetic entry that loads every function module, in a stable order.
  const contents = entries.map((name) => `require(${JSON.stringify(`./${name}`)});`).join('\n');
  const result = await build({
    stdin: { contents, resolveDir: FUNCTIONS_DIR, sourcefile: 'functions.js', loader: 'js' },
    outfile: BUNDLE_PATH,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: 'linked',
    keepNames: true,
    legalComments: 'none',
    external: EXTERNAL,
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

function stage() {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const deployed = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    private: true,
    main: BUNDLE_REL,
    engines: { node: '>=22' },
  };
  writeFileSync(path.join(STAGING_DIR, 'package.json'), `${JSON.stringify(deployed, null, 2)}\n`);
  writeFileSync(path.join(STAGING_DIR, 'host.json'), readFileSync(path.join(ROOT, 'host.json')));
}

function listFiles(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(path.join(dir, entry.name), rel) : [rel];
    });
}

function zip() {
  return new Promise((resolve, reject) => {
    const archive = new yazl.ZipFile();
    for (const rel of listFiles(STAGING_DIR)) {
      archive.addFile(path.join(STAGING_DIR, rel), rel, { mtime: ZIP_MTIME, mode: 0o100644 });
    }
    const out = createWriteStream(ZIP_PATH);
    out.on('close', resolve);
    out.on('error', reject);
    archive.outputStream.on('error', reject).pipe(out);
    archive.end();
  });
}

/** npm packages that ended up in the bundle. */
function bundledPackages(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    if (match) {
      names.add(match[1]);
    }
  }
  return names;
}

/** Bytes in the bundle per npm package (or "app" for this repository's own code). */
function contributions(metafile) {
  const output = metafile.outputs[path.relative(ROOT, BUNDLE_PATH).split(path.sep).join('/')];
  const totals = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match ? match[1] : 'app (lib/, functions/)';
    totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * Loads the bundle in a clean child process, outside the Functions host. @azure/functions then
 * runs in test mode and logs `Skipping call to register function "<name>"` for every
 * registration, which tells us the bundle loads and which functions the worker would see.
 */
function registeredFunctions() {
  let result;
  try {
    result = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(BUNDLE_PATH)});`], {
      cwd: STAGING_DIR,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
  } catch (error) {
    fail(`could not start Node.js to load the bundle: ${error.message}`);
  }
  if (result.status !== 0) {
    fail(`the bundle does not load (exit ${result.status}):\n${result.stderr}`);
  }
  const output = `${result.stdout}\n${result.stderr}`;
  return [...output.matchAll(/register function "([^"]+)"/g)].map((match) => match[1]).sort();
}

const started = Date.now();
const entries = findEntries();
rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(path.dirname(BUNDLE_PATH), { recursive: true });

const metafile = await bundle(entries);
const { dependencies = {}, devDependencies = {} } = JSON.parse(
  readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
);
const devOnly = [...bundledPackages(metafile)].filter(
  (name) => name in devDependencies && !(name in dependencies),
);
if (devOnly.length > 0) {
  fail(`devDependencies were bundled (import them from tests/tools only): ${devOnly.join(', ')}`);
}
stage();
await zip();

const bundleSize = statSync(BUNDLE_PATH).size;
const mapSize = statSync(`${BUNDLE_PATH}.map`).size;
const zipSize = statSync(ZIP_PATH).size;

console.log(`[package] function entries: ${entries.map((name) => `functions/${name}`).join(', ')}`);
console.log(`[package] bundle ${BUNDLE_REL}: ${kb(bundleSize)} (+ source map ${kb(mapSize)})`);
console.log('[package] largest contributors to the bundle:');
for (const [name, bytes] of contributions(metafile).slice(0, 10)) {
  console.log(`[package]   ${kb(bytes).padStart(10)}  ${name}`);
}
const functions = registeredFunctions();
if (functions.length === 0) {
  fail('the bundle loads but registers no function');
}
console.log(`[package] functions registered by the bundle: ${functions.join(', ')}`);
console.log(
  `[package] zip ${path.relative(ROOT, ZIP_PATH)}: ${kb(zipSize)} (${Date.now() - started} ms)`,
);
