import type { ExportKind } from '../../../src-shared/domain/export';

/** A value as JSON writes it; CSV writes objects and arrays as JSON text (see csv-format.ts). */
export type ExportValue = string | number | boolean | null | Record<string, unknown> | unknown[];

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
  /** CSV lines for one row, when a row is not simply one line of `columns` (a change: one line per field)… */
  csvRows?(row: R): ExportValue[][];
  /** …and their header. */
  csvHeader?: string[];
}
