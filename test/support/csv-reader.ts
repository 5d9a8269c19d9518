/**
 * A small, strict RFC 4180 reader for checking the console's CSV exports, written apart from the writer on purpose:
 * it keeps, for every field, the exact text of the cell (what a spreadsheet would see) and whether it was quoted, and
 * applies the documented read-back rules (src-main/core/export/csv-format.ts) to give back the stored value.
 */
export interface CsvField {
  /** The cell's text after unquoting: what a spreadsheet shows and might evaluate. */
  cell: string;
  quoted: boolean;
}

export function readCsvFields(text: string): CsvField[][] {
  const rows: CsvField[][] = [];
  let row: CsvField[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let cell = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= n) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += text[i++];
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
        cell += text[i++];
      }
    }
    row.push({ cell, quoted });
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') {
      i += 2;
      rows.push(row);
      row = [];
      continue;
    }
    if (i < n) throw new Error(`expected a comma or CRLF at ${i}, found ${JSON.stringify(text[i])}`);
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** The stored value of a field: NULL for an unquoted empty field, the guard `'` dropped. */
export function storedValue(field: CsvField): string | null {
  if (!field.quoted && field.cell === '') return null;
  return field.cell.startsWith("'") ? field.cell.slice(1) : field.cell;
}

/** A CSV export as objects keyed by its header, after the UTF-8 byte-order mark. */
export function readCsvRecords(text: string): { header: string[]; records: Record<string, string | null>[]; fields: CsvField[][] } {
  if (!text.startsWith('\uFEFF')) throw new Error('no UTF-8 byte-order mark');
  const fields = readCsvFields(text.slice(1));
  const header = fields[0].map((f) => f.cell);
  const records = fields.slice(1).map((row) => {
    if (row.length !== header.length) throw new Error(`a row of ${row.length} fields under a header of ${header.length}`);
    return Object.fromEntries(row.map((f, k) => [header[k], storedValue(f)]));
  });
  return { header, records, fields };
}
