/**
 * The modules a file loads at load time, read from the code rather than timed: each TypeScript
 * file is compiled to CommonJS as tsc would (imports used only as types disappear), and every
 * `require(...)` outside a function body is followed. `import()` inside a function (a lazily
 * loaded adapter) is not followed: it runs when called, not when the module loads.
 */

import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

import ts from 'typescript';

import { repoPath } from './fixtures';

export interface LoadTimeGraph {
  /** Repository files reached, relative to the repository root. */
  readonly files: readonly string[];
  /** npm packages required, each with the chain of files that leads to it from the entry. */
  readonly packages: ReadonlyMap<string, readonly string[]>;
}

const BUILTINS = new Set(builtinModules);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function resolveSource(fromFile: string, specifier: string): string {
  const base = resolve(dirname(fromFile), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${relative(repoPath('.'), fromFile)}: cannot resolve ${specifier}`);
}

function isFunctionBody(node: ts.Node): boolean {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The specifiers of the `require` calls that run when the compiled file loads. */
export function loadTimeRequires(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const compiled = ts.createSourceFile(`${file}.js`, outputText, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionBody(node)) return;
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require'
    ) {
      const [argument] = node.arguments;
      if (argument === undefined || !ts.isStringLiteral(argument)) {
        throw new Error(`${file}: a require() that is not a string literal`);
      }
      found.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(compiled);
  return found;
}

/** Walks the load-time graph from a repository file (e.g. `functions/health.ts`). */
export function loadTimeGraph(entry: string): LoadTimeGraph {
  const root = repoPath('.');
  const chains = new Map<string, string[]>([[repoPath(entry), [entry]]]);
  const packages = new Map<string, string[]>();
  const pending = [repoPath(entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const chain = chains.get(file) ?? [];
    for (const specifier of loadTimeRequires(file)) {
      if (specifier.startsWith('.')) {
        const target = resolveSource(file, specifier);
        if (!chains.has(target)) {
          chains.set(target, [...chain, relative(root, target)]);
          pending.push(target);
        }
      } else if (!specifier.startsWith('node:') && !BUILTINS.has(specifier)) {
        const name = packageName(specifier);
        if (!packages.has(name)) packages.set(name, [...chain, name]);
      }
    }
  }
  return { files: [...chains.keys()].map((f) => relative(root, f)).sort(), packages };
}

/** Every relative import of a file, type-only and lazy `import()` included, as repository paths. */
export function relativeImports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => {
      const base = resolve(dirname(file), specifier.replace(/\.js$/, ''));
      const found = [`${base}.ts`, join(base, 'index.ts'), `${base}.js`].find((c) => existsSync(c));
      return relative(repoPath('.'), found ?? base);
    });
}
