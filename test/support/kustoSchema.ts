/// <reference types="@kusto/language-service-next" />
/**
 * Parses and semantically checks KQL with the real Kusto language service
 * (`@kusto/language-service-next`, Kusto.Language compiled to JavaScript with Bridge.NET).
 *
 * The package is a pair of browser-style scripts that define the globals `Bridge`, `System` and
 * `Kusto` instead of exporting anything; its typings are global namespaces too. This helper loads
 * it once and turns its .NET-shaped objects into plain data, so tests never touch Bridge types.
 */

import { createRequire } from 'node:module';

export type KqlScalarType =
  | 'bool'
  | 'datetime'
  | 'decimal'
  | 'dynamic'
  | 'guid'
  | 'int'
  | 'long'
  | 'real'
  | 'string'
  | 'timespan';

export interface KqlColumn {
  readonly name: string;
  readonly type: KqlScalarType;
}

export interface KqlTable {
  readonly name: string;
  readonly columns: readonly KqlColumn[];
}

export interface KqlDiagnostic {
  /** `Error`, `Warning`, `Suggestion` or `Hidden`. */
  readonly severity: string;
  /** e.g. `KS142` (unknown name), `KS005` (syntax). */
  readonly code: string;
  readonly message: string;
  readonly start: number;
  readonly length: number;
}

export interface KqlToken {
  /** The `SyntaxKind` name, e.g. `StringLiteralToken`, `BarToken`, `IdentifierToken`. */
  readonly kind: string;
  /** The token's text as written (a string literal keeps its quotes and escapes). */
  readonly text: string;
  /** Whitespace and comments before the token. */
  readonly trivia: string;
}

export interface KqlAnalysis {
  /** Every diagnostic the parser and binder report, whatever the severity. */
  readonly diagnostics: readonly KqlDiagnostic[];
  /** The diagnostics with severity `Error`. */
  readonly errors: readonly KqlDiagnostic[];
  /** Every token in order, without the final end-of-text token. */
  readonly tokens: readonly KqlToken[];
  /** The unescaped values of the string literals, in order. */
  readonly stringLiterals: readonly string[];
  /** The tables the query reads, in order of reference (a table read twice appears twice). */
  readonly tableReferences: readonly string[];
  /** The columns of the query's result, or `undefined` when the result is not a table. */
  readonly resultColumns: readonly KqlColumn[] | undefined;
}

type KustoLanguage = typeof Kusto.Language;

let language: KustoLanguage | undefined;

/** Loads the Bridge runtime and Kusto.Language into this realm's globals (once). */
function kusto(): KustoLanguage {
  if (language !== undefined) return language;
  const load = createRequire(__filename);
  load('@kusto/language-service-next/bridge.js');
  load('@kusto/language-service-next/Kusto.Language.Bridge.js');
  const loaded = (globalThis as { Kusto?: typeof Kusto }).Kusto?.Language;
  if (loaded === undefined) throw new Error('@kusto/language-service-next did not define Kusto');
  language = loaded;
  return loaded;
}

function listOf<T>(list: System.Collections.Generic.IReadOnlyList$1<T> | null): T[] {
  const items: T[] = [];
  if (list === null) return items;
  for (let i = 0; i < list.Count; i++) items.push(list.getItem(i));
  return items;
}

function scalarType(type: KqlScalarType): Kusto.Language.Symbols.ScalarSymbol {
  const types = kusto().Symbols.ScalarTypes;
  const symbol = {
    bool: types.Bool,
    datetime: types.DateTime,
    decimal: types.Decimal,
    dynamic: types.Dynamic,
    guid: types.Guid,
    int: types.Int,
    long: types.Long,
    real: types.Real,
    string: types.String,
    timespan: types.TimeSpan,
  }[type];
  if (symbol === null) throw new Error(`Kusto scalar type ${type} is missing`);
  return symbol;
}

let syntaxKindNames: Map<number, string> | undefined;

function syntaxKindName(kind: number): string {
  if (syntaxKindNames === undefined) {
    syntaxKindNames = new Map();
    for (const [name, value] of Object.entries(kusto().Syntax.SyntaxKind)) {
      if (typeof value === 'number' && !name.startsWith('$')) syntaxKindNames.set(value, name);
    }
  }
  return syntaxKindNames.get(kind) ?? String(kind);
}

/** A database (named `schema`) holding these tables, as the analyser's global state. */
export function kustoGlobals(tables: readonly KqlTable[]): Kusto.Language.GlobalState {
  const { Symbols, GlobalState } = kusto();
  const tableSymbols = tables.map(
    (table) =>
      new Symbols.TableSymbol.$ctor4(
        table.name,
        table.columns.map(
          (column) =>
            new Symbols.ColumnSymbol(column.name, scalarType(column.type), null, null, null, null),
        ),
      ),
  );
  const globals = GlobalState.Default?.WithDatabase(
    new Symbols.DatabaseSymbol.ctor('schema', tableSymbols),
  );
  if (globals === null || globals === undefined) throw new Error('Kusto global state is missing');
  return globals;
}

/** Parses the query, binds it against the globals, and reports what the analyser saw. */
export function analyzeKql(query: string, globals: Kusto.Language.GlobalState): KqlAnalysis {
  const { KustoCode, Symbols, Syntax } = kusto();
  const code = KustoCode.ParseAndAnalyze(query, globals);
  const root = code?.Syntax;
  if (code === null || root === null || root === undefined) throw new Error('Kusto did not parse');

  const diagnostics = listOf(code.GetDiagnostics()).map((d): KqlDiagnostic => ({
    severity: d.Severity ?? '',
    code: d.Code ?? '',
    message: d.Message ?? '',
    start: d.Start,
    length: d.Length,
  }));

  const tokens: KqlToken[] = [];
  const stringLiterals: string[] = [];
  const tableReferences: string[] = [];
  root.WalkElements((element) => {
    if (element.IsToken) {
      const token = element as Kusto.Language.Syntax.SyntaxToken;
      if (token.Kind !== Syntax.SyntaxKind.EndOfTextToken || (token.Trivia ?? '') !== '') {
        tokens.push({
          kind: syntaxKindName(token.Kind),
          text: token.Text ?? '',
          trivia: token.Trivia ?? '',
        });
      }
      if (token.Kind === Syntax.SyntaxKind.StringLiteralToken) {
        stringLiterals.push(token.ValueText ?? '');
      }
      return;
    }
    if (element.Kind === Syntax.SyntaxKind.NameReference) {
      const symbol = (element as Kusto.Language.Syntax.NameReference).ReferencedSymbol;
      if (symbol !== null && symbol.Kind === Symbols.SymbolKind.Table) {
        tableReferences.push(symbol.Name ?? '');
      }
    }
  });

  const result = code.ResultType;
  const resultColumns =
    result !== null && result.Kind === Symbols.SymbolKind.Table
      ? listOf((result as Kusto.Language.Symbols.TableSymbol).Columns).map((column): KqlColumn => ({
          name: column.Name ?? '',
          type: (column.Type?.Name ?? '') as KqlScalarType,
        }))
      : undefined;

  return {
    diagnostics,
    errors: diagnostics.filter((d) => d.severity === 'Error'),
    tokens,
    stringLiterals,
    tableReferences,
    resultColumns,
  };
}

/**
 * `AzureDiagnostics` as IoT Hub resource logs land in it (Azure Diagnostics mode): the columns
 * the enricher's KQL reads, with their real types.
 */
export const AZURE_DIAGNOSTICS: KqlTable = {
  name: 'AzureDiagnostics',
  columns: [
    { name: 'TenantId', type: 'string' },
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'ResourceId', type: 'string' },
    { name: '_ResourceId', type: 'string' },
    { name: 'Category', type: 'string' },
    { name: 'OperationName', type: 'string' },
    { name: 'Level', type: 'string' },
    { name: 'ResultType', type: 'string' },
    { name: 'ResultDescription', type: 'string' },
    { name: 'DurationMs', type: 'long' },
    { name: 'properties_s', type: 'string' },
    { name: 'ResourceProvider', type: 'string' },
    { name: 'ResourceType', type: 'string' },
    { name: 'Resource', type: 'string' },
    { name: 'ResourceGroup', type: 'string' },
    { name: 'SubscriptionId', type: 'string' },
    { name: '_SubscriptionId', type: 'string' },
    { name: 'location_s', type: 'string' },
    { name: 'SourceSystem', type: 'string' },
    { name: 'Type', type: 'string' },
  ],
};

/** `AzureActivity`, present so that an injected reference to it would bind instead of failing. */
export const AZURE_ACTIVITY: KqlTable = {
  name: 'AzureActivity',
  columns: [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'OperationNameValue', type: 'string' },
    { name: 'Caller', type: 'string' },
    { name: 'CallerIpAddress', type: 'string' },
    { name: 'ActivityStatusValue', type: 'string' },
    { name: 'CategoryValue', type: 'string' },
    { name: 'Level', type: 'string' },
    { name: 'ResourceId', type: 'string' },
    { name: '_ResourceId', type: 'string' },
    { name: 'SubscriptionId', type: 'string' },
    { name: 'Properties', type: 'string' },
    { name: 'Type', type: 'string' },
  ],
};
