import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../../src-main/core/export/csv-format';
import { readCsvFields, storedValue } from '../../support/csv-reader';

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+1', "'=1+1"],
    ['+49 151', "'+49 151"],
    ['-5', "'-5"],
    ['@user', "'@user"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ["'x", "''x"],
    [' =1+1', "' =1+1"],
    ['  @SUM(A1)', "'  @SUM(A1)"],
    ['\n=HYPERLINK("x")', `"'\n=HYPERLINK(""x"")"`],
    ['\r\n+1', `"'\r\n+1"`],
    [' \t-2', "' \t-2"],
    ['＝1+1', "'＝1+1"],
    ['＋49', "'＋49"],
    ['－5', "'－5"],
    ['＠user', "'＠user"],
    [' ＝x', "' ＝x"],
    ['a=b', 'a=b'],
    [' x', ' x'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['', '""'],
  ])('write %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('write NULL as an empty unquoted field, numbers and booleans as text', () => {
    expect(csvLine([null, 42, true, false, 'x'])).toBe(',42,true,false,x\r\n');
  });

  it('read back, by the documented rules, to the value written', () => {
    const values = ['=cmd', "'", "''", '', null, '"', ',', '\r\n', ' x ', '-', '😀', "'=x", ' =cmd', '\n@x', '\r\n-1', '＝1', '＋1', '－1', '＠x', '\t ＠x', " '=x"];
    const [row] = readCsvFields(csvLine(values));
    expect(row.map(storedValue)).toEqual(values);
  });
});
