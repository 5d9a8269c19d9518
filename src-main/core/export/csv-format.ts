/**
 * CSV as the console writes it: RFC 4180 with CRLF line ends, UTF-8 with a byte-order mark (without it, Excel reads
 * UTF-8 as the local code page and mangles every non-ASCII name), and safe to open in a spreadsheet.
 *
 * Formula injection (OWASP "CSV Injection"): a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
 * run as a formula by Excel, LibreOffice and Google Sheets, even when quoted, and device names and user fields come
 * from the tenant, so they are untrusted. Such a cell gets a leading `'`, which spreadsheets read as "this is text".
 * Some apps skip leading whitespace (spaces, tabs, line breaks) before deciding, and read the full-width signs
 * `＝ ＋ － ＠` (U+FF1D, U+FF0B, U+FF0D, U+FF20) as their ASCII twins, so those count as formula starts too.
 *
 * Reading an export back exactly (what test/core/export/csv-round-trip.test.ts does):
 * 1. parse RFC 4180 (fields in double quotes may hold commas, CR, LF, and `""` for a quote);
 * 2. an empty field written without quotes is NULL; `""` is the empty string;
 * 3. a field starting with `'` had one `'` added: drop that first character. A value that itself starts with `'` is
 *    written with a second one, so the rule has no exception.
 * Numbers are written in decimal, booleans as `true`/`false`, times as ISO 8601 UTC, and nested data (the raw
 * record, audit details, changed fields) as JSON text.
 */
export const UTF8_BOM = '\uFEFF';
export const CSV_LINE_END = '\r\n';

const NEEDS_GUARD = /^(?:[\t\r']|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | boolean | null;

export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  let text = typeof value === 'string' ? value : String(value);
  if (NEEDS_GUARD.test(text)) text = `'${text}`;
  if (text === '' || NEEDS_QUOTES.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',') + CSV_LINE_END;
}
