/**
 * Log Analytics export files → rows keyed by column name, read as streams so that an export of
 * any size is never held in memory as text.
 */

import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

import { JSONParser } from '@streamparser/json';
import { parse as parseCsv } from 'csv-parse';

import { parseAlertTimestamp } from '../alerts/duration';

export type ExportRow = Readonly<Record<string, unknown>>;
export type RowSink = (row: ExportRow) => void;

export class ExportFormatError extends Error {
  override name = 'ExportFormatError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Portal CSV headers carry units: `TimeGenerated [UTC]`. */
function columnName(header: string): string {
  return header.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

/** Streams the rows of one export file to `sink`, in file order. */
export async function readExportFile(path: string, sink: RowSink): Promise<void> {
  await readExport(
    createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }),
    path,
    sink,
  );
}

/**
 * Streams the rows of an export, given as text chunks, to `sink`. Three formats, told apart by
 * their first character:
 * - the query API response body (`{"tables":[...]}`): `@streamparser/json`, row by row;
 * - a JSON array of row objects: the same parser, element by element;
 * - the portal's CSV export: `csv-parse`, record by record.
 */
export async function readExport(
  chunks: AsyncIterable<string>,
  source: string,
  sink: RowSink,
): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  let head = '';
  while (!/\S/.test(head)) {
    const next = await iterator.next();
    if (next.done === true) break;
    head += next.value;
  }
  head = head.replace(/^\uFEFF/, '').trimStart();
  async function* all(): AsyncGenerator<string> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  if (head.startsWith('[')) await readJsonArray(all(), source, sink);
  else if (head.startsWith('{')) await readQueryResponse(all(), source, sink);
  else await readCsv(all(), source, sink);
}

/** The whole export as rows: for small inputs and tests. */
export async function parseExport(text: string, source: string): Promise<ExportRow[]> {
  const rows: ExportRow[] = [];
  await readExport(Readable.from([text]), source, (row) => rows.push(row));
  return rows;
}

async function feed(
  parser: JSONParser,
  chunks: AsyncIterable<string>,
  source: string,
): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (parser.isEnded) {
        if (/\S/.test(chunk)) throw new ExportFormatError(`${source}: text after the JSON value`);
        continue;
      }
      parser.write(chunk);
    }
    if (!parser.isEnded) parser.end();
  } catch (error: unknown) {
    if (error instanceof ExportFormatError) throw error;
    throw new ExportFormatError(`${source}: not valid JSON`, { cause: error });
  }
}

async function readJsonArray(
  chunks: AsyncIterable<string>,
  source: string,
  sink: RowSink,
): Promise<void> {
  // keepStack: false lets each emitted row go once it is handled.
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  parser.onValue = ({ value }) => {
    if (!isRecord(value)) {
      throw new ExportFormatError(`${source}: a JSON array export must hold row objects`);
    }
    sink(value);
  };
  await feed(parser, chunks, source);
}

async function readQueryResponse(
  chunks: AsyncIterable<string>,
  source: string,
  sink: RowSink,
): Promise<void> {
  const parser = new JSONParser({
    paths: ['$.tables.*.name', '$.tables.*.columns', '$.tables.*.rows.*'],
    keepStack: false,
  });
  const columns = new Map<number, string[]>();
  /** Rows that arrive before their table's columns (the API sends columns first). */
  const early = new Map<number, unknown[][]>();
  const tablesSeen = new Set<number>();
  const emit = (names: readonly string[], row: unknown): void => {
    if (!Array.isArray(row)) throw new ExportFormatError(`${source}: a row is not an array`);
    const record: Record<string, unknown> = {};
    names.forEach((name, i) => {
      record[name] = row[i];
    });
    sink(record);
  };
  parser.onValue = ({ value, key, stack }) => {
    const table = Number(stack[2]?.key);
    tablesSeen.add(table);
    if (key === 'columns') {
      if (!Array.isArray(value)) {
        throw new ExportFormatError(`${source}: tables[${table}].columns is not an array`);
      }
      const names = value.map((column: unknown) =>
        isRecord(column) && typeof column.name === 'string' ? column.name : '',
      );
      columns.set(table, names);
      for (const row of early.get(table) ?? []) emit(names, row);
      early.delete(table);
    } else if (typeof key === 'number') {
      const names = columns.get(table);
      if (names) emit(names, value);
      else early.set(table, [...(early.get(table) ?? []), value as unknown[]]);
    }
  };
  await feed(parser, chunks, source);
  if (tablesSeen.size === 0) {
    throw new ExportFormatError(
      `${source}: expected a query API response ({"tables": [...]}) or a JSON array of rows`,
    );
  }
  const missing = [...tablesSeen].find((table) => !columns.has(table));
  if (missing !== undefined) {
    throw new ExportFormatError(`${source}: tables[${missing}] needs columns and rows`);
  }
}

async function readCsv(
  chunks: AsyncIterable<string>,
  source: string,
  sink: RowSink,
): Promise<void> {
  const parser = parseCsv({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    columns: (header: string[]) => {
      const names = header.map(columnName);
      if (!names.includes('TimeGenerated')) {
        throw new ExportFormatError(
          `${source}: not a Log Analytics export (JSON, or CSV with a TimeGenerated column)`,
        );
      }
      return names;
    },
  });
  const input = Readable.from(chunks);
  input.on('error', (error) => parser.destroy(error));
  try {
    for await (const record of input.pipe(parser)) sink(record as ExportRow);
  } catch (error: unknown) {
    if (error instanceof ExportFormatError) throw error;
    const message = error instanceof Error ? error.message : 'bad CSV';
    throw new ExportFormatError(`${source}: ${message}`, { cause: error });
  }
}

/** A cell as text ('' for null/absent). */
export function cellText(row: ExportRow, column: string): string {
  const value = row[column];
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A datetime cell as ISO, accepting ISO and the portal's `11/20/2026, 1:05:03.123 AM`. */
export function cellTime(row: ExportRow, column: string): string | undefined {
  const text = cellText(row, column);
  return text === '' ? undefined : parseAlertTimestamp(text);
}
