import { describe, expect, it } from 'vitest';
import { answerBytes, RECORD_TEXTS_SOURCE } from '../../../src-main/core/sync/received-record-texts';

/** RECORD_TEXTS_SOURCE evaluated as the compressing thread evaluates it, given an answer's text as the thread is. */
// A constant of the module under test, never input.
// oxlint-disable-next-line typescript/no-implied-eval
const recordTexts = (new Function(`return ${RECORD_TEXTS_SOURCE}`)() as () => (bytes: Buffer, count: number, positions: readonly number[]) => string[])();
function receivedRecordTexts(answer: string, count: number, positions: readonly number[]): string[] {
  const bytes = answerBytes(answer);
  expect(bytes).not.toBeNull();
  return recordTexts(Buffer.from(bytes!.buffer), count, positions);
}

/** What the texts must be: JSON.stringify of each record as JSON.parse gives it (IvantiSearchEnvelope keeps them). */
function serialised(answer: string, positions: readonly number[]): string[] {
  const records = (JSON.parse(answer) as { result: { searchResults: unknown[] | null } }).result.searchResults ?? [];
  return positions.map((at) => JSON.stringify(records[at]));
}

/** A search answer holding `records` (each a JSON text, written as given). */
function answerOf(records: readonly string[], envelope = (results: string) => `{"errors":null,"result":{"searchResults":${results},"totalCount":7,"offset":0}}`): string {
  return envelope(`[${records.join(',')}]`);
}

/** Every record's text from the answer, checked against JSON.stringify of its parse. */
function expectSerialised(answer: string, count: number): void {
  const positions = Array.from({ length: count }, (_, i) => i);
  expect(receivedRecordTexts(answer, count, positions)).toEqual(serialised(answer, positions));
}

const PLAIN = '{"id":7,"guid":"a-1","deviceName":"Zoë’s “phone” 📱","lastCheckin":1700000000000,"ok":true,"none":null,"list":[1,"x",{"y":[]}],"attrs":{"attrs":{}}}';

describe("A search answer's record texts", () => {
  it("are each record's text as sent where that is JSON.stringify's form, at the positions asked for", () => {
    const records = [PLAIN, PLAIN.replace('a-1', 'b-2'), PLAIN.replace('7', '8')];
    const answer = answerOf(records);
    expect(receivedRecordTexts(answer, 3, [0, 1, 2])).toEqual(records);
    expect(receivedRecordTexts(answer, 3, [2, 0])).toEqual([records[2], records[0]]);
  });

  it('are JSON.stringify of the parsed record wherever the text as sent differs from it', () => {
    const differing = [
      // White space.
      '{"id": 1, "guid":"a"}',
      '{"id":1,"list":[1, 2]}',
      // Escapes JSON.stringify does not write, or writes otherwise.
      '{"id":1,"path":"a\\/b"}',
      '{"id":1,"name":"Zo\\u00eb"}',
      '{"id":1,"ctl":"\\u001F"}',
      '{"id":1,"e\\u0078":2}',
      // Numbers JavaScript prints otherwise.
      '{"id":1.0}',
      '{"id":1e3}',
      '{"id":1E-7}',
      '{"id":-0}',
      '{"id":12345678901234567890}',
      '{"id":0.10}',
      // A key given twice (the parse keeps the last value, at the first key's place), at the top or nested.
      '{"id":1,"guid":"a","id":2}',
      '{"id":1,"attrs":{"x":1,"y":2,"x":3}}',
      // Array indices, which JSON.stringify lists first.
      '{"b":1,"2":3}',
      '{"id":1,"attrs":{"z":1,"10":2,"9":3}}',
    ];
    for (const record of differing) expectSerialised(answerOf([PLAIN, record, PLAIN]), 3);
    for (const record of differing) expect(receivedRecordTexts(answerOf([record]), 1, [0])).not.toEqual([record]);
  });

  it('are not cut out of an answer with a lone surrogate (its UTF-8 bytes cannot hold it)', () => {
    for (const record of ['{"id":1,"name":"\ud800x"}', '{"id":1,"name":"x\udc00"}', '{"id":1,"name":"\ufffd"}']) expect(answerBytes(answerOf([PLAIN, record]))).toBeNull();
    expect(answerBytes(answerOf([PLAIN, '{"id":1,"name":"📱"}']))).not.toBeNull();
  });

  it('keep the texts that are in that form, escapes and numbers included', () => {
    const canonical = ['{"id":0,"n":-12,"f":1.5,"g":-0.25,"big":123456789012345,"s":"a\\"b\\\\c\\n\\t\\r\\b\\f","u":"\u2028é"}', '{}', '[]', '"text"', '12'];
    for (const record of canonical) expect(receivedRecordTexts(answerOf([record]), 1, [0])).toEqual([record]);
  });

  it("are the last searchResults' of the last result, as JSON.parse reads an answer with a key given twice", () => {
    const twice = `{"result":{"searchResults":[{"id":1}],"totalCount":1},"result":{"searchResults":[{"id":2}],"searchResults":[{"id":3},{"id":4}],"totalCount":2}}`;
    expectSerialised(twice, 2);
    expect(receivedRecordTexts(twice, 2, [1])).toEqual(['{"id":4}']);
  });

  it('are found by parsing the answer again where its keys are escaped, its count differs or it is laid out loosely', () => {
    expectSerialised('{"r\\u0065sult":{"searchResults":[{"id":1}],"totalCount":1},"result":{"searchResults":[{"id":2}],"totalCount":1}}', 1);
    expectSerialised('{"result":{"searchResults":[{"id":1}],"search\\u0052esults":[{"id":5},{"id":6}],"totalCount":2}}', 2);
    expectSerialised('{"result":{"searchResults":[{"id":1}],"search\\u0052esults":[{"id":5}],"totalCount":1}}', 1);
    expectSerialised(' {\n "errors" : null ,\n "result" : { "searchResults" : [ {"id":1} , {"id" : 2} ] , "totalCount" : 2 } }\n', 2);
    expect(receivedRecordTexts('{"result":{"searchResults":null,"totalCount":0}}', 0, [])).toEqual([]);
    // Nested deeper than the reader follows (JSON.parse reads it, and JSON.stringify writes it up to a depth of ~1,000).
    expectSerialised(answerOf([PLAIN, `{"deep":${'['.repeat(500)}1${']'.repeat(500)}}`]), 2);
  });
});
