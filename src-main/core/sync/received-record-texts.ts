/**
 * The JSON texts of a search answer's records, cut out of the answer's own text where that is exactly what
 * JSON.stringify gives of the parsed record, and made with JSON.stringify of the record parsed alone elsewhere: so each
 * text is always JSON.stringify(record), the text a record is stored, hashed and exported as, with the serialisation
 * skipped for the records that came in that form (issue 19: every record of a first sync).
 *
 * JavaScript source, self-contained, evaluated by a bulk load's compressing thread (device-record-codec.ts): given the
 * answer's text as UTF-8 bytes (of a text IvantiSearchEnvelope accepted, with no lone surrogate: answerBytes), how many
 * records its `result.searchResults` holds, and which of them to give (their positions), it returns their texts. Bytes
 * (transferred) and not the text: posted as a string, the ~650 KB answer of a 500-record page is one large object on
 * the thread's heap, which a collection promotes at once if it is still read; the thread's small old generation
 * (RECORD_COMPRESSOR_THREAD_LIMITS) was then marked every few pages, and the process spent more than the writing
 * thread saved: 23.0-26.4 us a record against 21.0-22.3 with the texts, V8's four helper threads 1.0-1.4 us each
 * against 0.4-0.6 (prepareRecords, 20,000 simulator records, medians of 9 rounds, load ~11). Where the answer's records
 * cannot be found with certainty as it is read (a `result` or `searchResults` key written with an escape, another count
 * of records), they are all serialised from the answer parsed again.
 *
 * A record's text as received is taken only when it is JSON.stringify's form of its parse, checked as it is read (a
 * sufficient test, stricter than needed: a record it refuses is serialised, the same text the slow way):
 * - no white space outside strings;
 * - strings with no escape but \" \\ \b \f \n \r \t (JSON.stringify writes those, and a lone surrogate, which the bytes
 *   cannot hold, escaped);
 * - numbers as JavaScript prints them (an integer of 1-15 digits, else String(Number(text)) equals the text);
 * - no two equal keys in one object (the parse keeps the last value at the first key's place), and no key that starts
 *   with a digit (an array index, which JSON.stringify lists first, in ascending order).
 */
export const RECORD_TEXTS_SOURCE = String.raw`() => {
  let b = new Uint8Array(0);
  // Whether the value being read is in JSON.stringify's form so far.
  let canonical = true;
  // Keys of the objects being read, a table per depth: the object's stamp, the key's fingerprint, start and end.
  const TABLE = 512;
  const DEEPEST = 64;
  const tables = [];
  let stamp = 0;
  const tableAt = (depth) => {
    while (tables.length <= depth) tables.push({ stamps: new Int32Array(TABLE), prints: new Int32Array(TABLE), starts: new Int32Array(TABLE), ends: new Int32Array(TABLE) });
    return tables[depth];
  };
  const space = (i) => {
    for (;;) {
      const c = b[i];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
      canonical = false;
      i++;
    }
  };
  // Whether the string read last had an escape in it, and the key read last.
  let escaped = false;
  let keyEscaped = false;
  // b[i] is a quote: the index after the closing one, or -1 at the end of the bytes.
  const string = (i) => {
    escaped = false;
    for (let j = i + 1; j < b.length; j++) {
      const c = b[j];
      if (c === 0x22) return j + 1;
      if (c !== 0x5c) continue;
      escaped = true;
      const e = b[++j];
      if (e !== 0x22 && e !== 0x5c && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) canonical = false;
    }
    return -1;
  };
  const number = (i) => {
    const start = i;
    if (b[i] === 0x2d) i++;
    const first = i;
    let c = b[i];
    while (c >= 0x30 && c <= 0x39) c = b[++i];
    let plain = i - first >= 1 && i - first <= 15 && (b[first] !== 0x30 || (i - first === 1 && first === start));
    if (c === 0x2e || c === 0x65 || c === 0x45) {
      plain = false;
      if (c === 0x2e) {
        c = b[++i];
        while (c >= 0x30 && c <= 0x39) c = b[++i];
      }
      if (c === 0x65 || c === 0x45) {
        c = b[++i];
        if (c === 0x2b || c === 0x2d) c = b[++i];
        while (c >= 0x30 && c <= 0x39) c = b[++i];
      }
    }
    if (i === first) return -1;
    if (!plain && canonical) {
      const text = String.fromCharCode(...b.subarray(start, i));
      if (String(Number(text)) !== text) canonical = false;
    }
    return i;
  };
  const same = (a, aEnd, at) => {
    for (let k = 0; k < aEnd - a; k++) if (b[a + k] !== b[at + k]) return false;
    return true;
  };
  // A key read from start to end (its quotes included) is noted in the object's table; a second equal one, one that
  // starts with a digit, or one more than half the table holds makes the object not canonical.
  const noteKey = (table, own, start, end, count) => {
    const first = b[start + 1];
    if ((first >= 0x30 && first <= 0x39) || count >= TABLE / 2) {
      canonical = false;
      return;
    }
    const length = end - start;
    const print = Math.imul(length, 0x9e3779b1) ^ (first << 16) ^ (b[start + (length >> 1)] << 8) ^ b[end - 2];
    let slot = (print ^ (print >>> 9)) & (TABLE - 1);
    while (table.stamps[slot] === own) {
      if (table.prints[slot] === print && table.ends[slot] - table.starts[slot] === length && same(table.starts[slot], table.ends[slot], start)) {
        canonical = false;
        return;
      }
      slot = (slot + 1) & (TABLE - 1);
    }
    table.stamps[slot] = own;
    table.prints[slot] = print;
    table.starts[slot] = start;
    table.ends[slot] = end;
  };
  const word = (i, text) => {
    for (let k = 0; k < text.length; k++) if (b[i + k] !== text.charCodeAt(k)) return -1;
    return i + text.length;
  };
  // The index after the value at i (no white space before it), or -1 where the bytes are not what JSON.parse accepted
  // or nest deeper than DEEPEST (this reader recurses, where JSON.parse does not).
  const value = (i, depth) => {
    if (depth > DEEPEST) return -1;
    const c = b[i];
    if (c === 0x22) return string(i);
    if (c === 0x7b) return object(i, depth);
    if (c === 0x5b) {
      i = space(i + 1);
      if (b[i] === 0x5d) return i + 1;
      for (;;) {
        i = value(space(i), depth + 1);
        if (i === -1) return -1;
        i = space(i);
        const next = b[i];
        if (next === 0x5d) return i + 1;
        if (next !== 0x2c) return -1;
        i++;
      }
    }
    if (c === 0x74) return word(i, 'true');
    if (c === 0x66) return word(i, 'false');
    if (c === 0x6e) return word(i, 'null');
    return number(i);
  };
  // The object at i; each member's value is read by read (key start and end, value start, its depth) when given.
  const object = (i, depth, read) => {
    i = space(i + 1);
    if (b[i] === 0x7d) return i + 1;
    if (stamp === 0x7fffffff) {
      stamp = 0;
      for (const table of tables) table.stamps.fill(0);
    }
    const own = ++stamp;
    const table = tableAt(depth);
    for (let count = 0; ; count++) {
      if (b[i] !== 0x22) return -1;
      const keyStart = i;
      const keyEnd = string(i);
      if (keyEnd === -1) return -1;
      keyEscaped = escaped;
      noteKey(table, own, keyStart, keyEnd, count);
      i = space(keyEnd);
      if (b[i] !== 0x3a) return -1;
      const start = space(i + 1);
      i = read === undefined ? value(start, depth + 1) : read(keyStart, keyEnd, start, depth + 1);
      if (i === -1) return -1;
      i = space(i);
      const next = b[i];
      if (next === 0x7d) return i + 1;
      if (next !== 0x2c) return -1;
      i = space(i + 1);
    }
  };
  // Whether the key from start to end, read last, is name (quoted); a key with an escape in it might be, so the answer
  // is unsure.
  let sure = true;
  const named = (start, end, name) => {
    if (keyEscaped) {
      sure = false;
      return false;
    }
    return end - start === name.length && word(start, name) === end;
  };
  // The records of the last searchResults of the last result (JSON.parse keeps the last of equal keys): where each
  // starts and ends, and whether it is in JSON.stringify's form.
  let starts = [];
  let ends = [];
  let forms = [];
  const records = (i, depth) => {
    starts = [];
    ends = [];
    forms = [];
    if (word(i, 'null') !== -1) return i + 4;
    if (b[i] !== 0x5b) {
      sure = false;
      return value(i, depth);
    }
    i = space(i + 1);
    if (b[i] === 0x5d) return i + 1;
    for (;;) {
      canonical = true;
      const start = space(i);
      i = value(start, depth + 1);
      if (i === -1) return -1;
      starts.push(start);
      ends.push(i);
      forms.push(canonical);
      i = space(i);
      const next = b[i];
      if (next === 0x5d) return i + 1;
      if (next !== 0x2c) return -1;
      i++;
    }
  };
  const result = (keyStart, keyEnd, start, depth) => {
    if (!named(keyStart, keyEnd, '"result"')) return value(start, depth);
    starts = [];
    ends = [];
    forms = [];
    if (b[start] !== 0x7b) return value(start, depth);
    return object(start, depth, (key, end, at, under) => (named(key, end, '"searchResults"') ? records(at, under) : value(at, under)));
  };
  return (bytes, count, positions) => {
    b = bytes;
    sure = true;
    starts = [];
    ends = [];
    forms = [];
    const top = space(0);
    const read = b[top] === 0x7b && object(top, 0, result) !== -1 && sure && starts.length === count;
    b = new Uint8Array(0);
    if (!read) {
      // The records as JSON.parse gives them (IvantiSearchEnvelope keeps them as parsed; null means none).
      const parsed = JSON.parse(bytes.toString('utf8')).result.searchResults ?? [];
      return positions.map((at) => JSON.stringify(parsed[at]));
    }
    return positions.map((at) => {
      const own = bytes.toString('utf8', starts[at], ends[at]);
      return forms[at] ? own : JSON.stringify(JSON.parse(own));
    });
  };
}`;

/**
 * The UTF-8 bytes RECORD_TEXTS_SOURCE reads of an answer's text, in a buffer of their own (to be transferred to the
 * thread); null where they would not give back the same text.
 */
export function answerBytes(text: string): Uint8Array<ArrayBuffer> | null {
  // Buffer.from of a string never gives a shared buffer.
  const bytes = Buffer.from(text, 'utf8') as Buffer<ArrayBuffer>;
  // A lone surrogate is written as U+FFFD: such a text (or one that holds U+FFFD itself) is not cut.
  if (bytes.includes(REPLACEMENT_CHARACTER)) return null;
  // A short text's bytes are in Node's shared pool.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

const REPLACEMENT_CHARACTER = Buffer.from('\uFFFD', 'utf8');
