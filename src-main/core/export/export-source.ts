import type { ExportKind } from '../../../src-shared/domain/export';
import type { Db } from '../db/database';

/**
 * JSON text already written (a device's raw record as stored): CSV writes the text as it is, without parsing it into
 * an object to write it back out. JSON parses it (toJSON), so a JSON file never holds text that is not JSON.
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** A value as JSON writes it; CSV writes objects and arrays as JSON text (see csv-format.ts). */
export type ExportValue = string | number | boolean | null | Record<string, unknown> | unknown[] | JsonText;

export interface ExportColumn<R> {
  name: string;
  value(row: R): ExportValue;
}

/**
 * One kind of export: the rows to read (in order), and how each becomes a JSON object and CSV lines. The query runs
 * on the export's own read-only connection, inside one read transaction: the file is a consistent snapshot even when
 * a sync writes meanwhile.
 */
export interface ExportSource<R> {
  kind: ExportKind;
  sql: string;
  params: unknown[];
  /** Rows expected, for progress. */
  total: number;
  columns: ExportColumn<R>[];
  /** Facts written at the top of a JSON export (what was exported, with which filters). */
  about: Record<string, unknown>;
  /** Called with the snapshot connection `sql` runs on, before its rows are read, when the columns read more there. */
  withSnapshot?(snapshot: Db): void;
  /** CSV lines for one row, when a row is not simply one line of `columns` (a change: one line per field)… */
  csvRows?(row: R): ExportValue[][];
  /** …and their header. */
  csvHeader?: string[];
}
