// Builds the deployment package for Flex Consumption:
//
//   npm run package        (= npm run build && node scripts/package.mjs)
//
// 1. Takes every compiled function entry, dist/functions/*.js (tsc output; each file registers
//    its functions with app.* when loaded).
// 2. Bundles them with esbuild into ES modules under dist/: the entry dist/index.mjs holds what
//    the worker runs at start-up (the function registrations, the Functions library, the
//    configuration and the health handler), and every adapter the code loads with `import()`
//    (the SDKs: identity/MSAL, Log Analytics, Storage, the metrics pipeline, jose) lands in
//    dist/chunks/, read from disk only when an invocation first needs it. esbuild splits code
//    only for ES module output; shared code lives in shared chunks, so nothing is duplicated
//    (one copy of @azure/functions, one of each SDK, one `AppError` class). A cold start thus
//    parses about 0.1 MB instead of the 4.4 MB a single CommonJS bundle made it parse.
//    Minified, with linked source maps chained back to the TypeScript sources (stack traces
//    still name lib/*.ts lines). Every import is bundled, so the package needs no node_modules:
//    only production code reachable from the functions ends up in it, devDependencies never do.
//    Only @azure/functions-core stays external: the Node.js worker provides it at run time.
// 3. Stages host.json and a package.json whose "main" points at the entry (no dependencies, no
//    devDependencies, no scripts) under dist/package/app/.
// 4. Zips the staging folder to dist/package/iothub-alert-enricher.zip with yazl (fixed
//    timestamps, so the same input gives the same zip) and prints the sizes: what a cold start
//    loads, and the whole.
// 5. Smoke-checks the bundle: loads the entry in a child Node.js process (the @azure/functions
//    library runs in test mode there and names each function it would register) and fails if it
//    does not load or registers nothing; then loads every chunk, so a chunk that cannot load
//    fails here rather than on the first alert.
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
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';
import yazl from 'yazl';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FUNCTIONS_DIR = path.join(ROOT, 'dist', 'functions');
const OUT_DIR = path.join(ROOT, 'dist', 'package');
const STAGING_DIR = path.join(OUT_DIR, 'app');
const ZIP_PATH = path.join(OUT_DIR, 'iothub-alert-enricher.zip');
const BUNDLE_DIR = path.join(STAGING_DIR, 'dist');
const BUNDLE_REL = 'dist/index.mjs';
const BUNDLE_PATH = path.join(STAGING_DIR, BUNDLE_REL);
/**
 * The CommonJS code inside the bundle (tsc output, most SDKs) calls `require` for Node built-ins
 * and @azure/functions-core; an ES module has none, so each output file makes one.
 */
const REQUIRE_SHIM =
  "import { createRequire as __createRequire } from 'node:module'; " +
  'const require = __createRequire(import.meta.url);';
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
  const contents = entries.map((name) => `import ${JSON.stringify(`./${name}`)};`).join('\n');
  const result = await build({
    stdin: { contents, resolveDir: FUNCTIONS_DIR, sourcefile: 'functions.js', loader: 'js' },
    outdir: BUNDLE_DIR,
    entryNames: 'index',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    banner: { js: REQUIRE_SHIM },
    minify: true,
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

const outputKey = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/** The output files a cold start loads: the entry and the chunks it imports statically. */
function startupFiles(metafile) {
  const files = new Set();
  const visit = (key) => {
    if (files.has(key)) return;
    files.add(key);
    for (const imported of metafile.outputs[key]?.imports ?? []) {
      if (imported.kind === 'import-statement' && imported.path in metafile.outputs) {
        visit(imported.path);
      }
    }
  };
  visit(outputKey(BUNDLE_PATH));
  return [...files];
}

/** Bytes per npm package (or "app" for this repository's own code) in the given outputs. */
function contributions(metafile, outputs) {
  const totals = new Map();
  for (const key of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[key]?.inputs ?? {})) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match ? match[1] : 'app (lib/, functions/)';
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

const codeFiles = (metafile) => Object.keys(metafile.outputs).filter((key) => key.endsWith('.mjs'));
const sizeOf = (keys) => keys.reduce((sum, key) => sum + statSync(path.join(ROOT, key)).size, 0);

/**
 * Loads the bundle in a clean child process, outside the Functions host. @azure/functions then
 * runs in test mode and logs `Skipping call to register function "<name>"` for every
 * registration, which tells us the bundle loads and which functions the worker would see.
 */
function registeredFunctions(chunks) {
  // Import the entry, then every chunk (in order), as the worker and later invocations would.
  const urls = [BUNDLE_PATH, ...chunks.map((key) => path.join(ROOT, key))].map(
    (file) => pathToFileURL(file).href,
  );
  const script =
    'const urls = JSON.parse(process.argv[1]);' +
    '(async () => { for (const url of urls) await import(url); })()' +
    '.catch((error) => { console.error(error); process.exitCode = 1; });';
  let result;
  try {
    result = spawnSync(process.execPath, ['-e', script, JSON.stringify(urls)], {
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

const code = codeFiles(metafile);
const startup = startupFiles(metafile);
const chunks = code.filter((key) => !startup.includes(key)).sort();
const mapSize = sizeOf(Object.keys(metafile.outputs).filter((key) => key.endsWith('.map')));
const zipSize = statSync(ZIP_PATH).size;

console.log(`[package] function entries: ${entries.map((name) => `functions/${name}`).join(', ')}`);
console.log(
  `[package] loaded at start-up: ${kb(sizeOf(startup))} in ${startup.length} files (${BUNDLE_REL} and the chunks it imports)`,
);
console.log(
  `[package] whole bundle: ${kb(sizeOf(code))} in ${code.length} files (+ source maps ${kb(mapSize)}); the rest loads on first use`,
);
console.log('[package] largest contributors to the start-up files:');
for (const [name, bytes] of contributions(metafile, startup).slice(0, 5)) {
  console.log(`[package]   ${kb(bytes).padStart(10)}  ${name}`);
}
console.log('[package] largest contributors to the whole bundle:');
for (const [name, bytes] of contributions(metafile, code).slice(0, 10)) {
  console.log(`[package]   ${kb(bytes).padStart(10)}  ${name}`);
}
const functions = registeredFunctions(chunks);
if (functions.length === 0) {
  fail('the bundle loads but registers no function');
}
console.log(`[package] functions registered by the bundle: ${functions.join(', ')}`);
console.log(
  `[package] zip ${path.relative(ROOT, ZIP_PATH)}: ${kb(zipSize)} (${Date.now() - started} ms)`,
);
