/**
 * Log Analytics export files → rows keyed by column name. Three formats are read: the query API
 * response body (`{"tables":[...]}`), a JSON array of row objects, and the portal's CSV export.
 * Pure: callers read the files.
 */

import { parseAlertTimestamp } from '../alerts/duration';
import { parseCsv } from './csv';

export type ExportRow = Readonly<Record<string, unknown>>;

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

export function parseExport(text: string, source: string): ExportRow[] {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new ExportFormatError(`${source}: not valid JSON`);
    }
    return fromJson(json, source);
  }
  return fromCsv(trimmed, source);
}

function fromJson(json: unknown, source: string): ExportRow[] {
  if (Array.isArray(json)) {
    if (!json.every(isRecord)) {
      throw new ExportFormatError(`${source}: a JSON array export must hold row objects`);
    }
    return json;
  }
  if (isRecord(json) && Array.isArray(json.tables)) {
    return json.tables.flatMap((table: unknown, index) => {
      if (!isRecord(table) || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
        throw new ExportFormatError(`${source}: tables[${index}] needs columns and rows`);
      }
      const names = table.columns.map((column: unknown) =>
        isRecord(column) && typeof column.name === 'string' ? column.name : '',
      );
      return table.rows.map((row: unknown) => {
        if (!Array.isArray(row)) throw new ExportFormatError(`${source}: a row is not an array`);
        return Object.fromEntries(names.map((name, i) => [name, row[i]]));
      });
    });
  }
  throw new ExportFormatError(
    `${source}: expected a query API response ({"tables": [...]}) or a JSON array of rows`,
  );
}

function fromCsv(text: string, source: string): ExportRow[] {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (error: unknown) {
    throw new ExportFormatError(`${source}: ${error instanceof Error ? error.message : 'bad CSV'}`);
  }
  const [header, ...body] = rows;
  if (!header?.some((h) => columnName(h) === 'TimeGenerated')) {
    throw new ExportFormatError(
      `${source}: not a Log Analytics export (JSON, or CSV with a TimeGenerated column)`,
    );
  }
  const names = header.map(columnName);
  return body.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i] ?? ''])));
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
