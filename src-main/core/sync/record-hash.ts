import { hash } from 'node:crypto';

/** What a stored record hash says of a record fetched again. */
export type RecordHashVerdict = 'unchanged' | 'checked-in' | 'changed';

/**
 * Fields that change on nearly every sync of a healthy fleet (every check-in moves them). They are stored, but a change
 * in them alone is not recorded as a device change (changedFields): a daily sync of a million devices would otherwise
 * write a million "changed" rows that say nothing an auditor asks about. The record hash sets them aside too.
 */
export const VOLATILE_FIELDS: readonly string[] = ['lastCheckin', 'clientLastCheckin', 'lastScannedTime'];

/**
 * recordHash as JavaScript source, self-contained: given node:crypto's `hash` and VOLATILE_FIELDS, it returns the
 * function. Text and not a function of this module so that a worker thread can evaluate exactly the same code (a
 * function's own text, once bundled, may name helpers of the bundle).
 */
export const RECORD_HASH_SOURCE = String.raw`(digest, volatileFields) => {
  const FNV_OFFSET = 0x811c9dc5;
  const FNV_PRIME = 0x01000193;
  // FNV-1a (32 bits) over a volatile field as a type tag and its value: 5, "5", null and absent all differ.
  const timeHash = (h, value) => {
    if (typeof value === 'number') {
      h = Math.imul(h ^ 1, FNV_PRIME);
      h = Math.imul(h ^ Math.floor(value / 0x100000000), FNV_PRIME);
      return Math.imul(h ^ (value >>> 0), FNV_PRIME) >>> 0;
    }
    const text = value === undefined ? '' : JSON.stringify(value);
    h = Math.imul(h ^ (value === undefined ? 2 : 3), FNV_PRIME);
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
    return h >>> 0;
  };
  const count = volatileFields.length;
  // Plain loops and one reused array: this runs for every device of every sync (a re-sync of an unchanged million
  // devices does little else per device), and each closure or array made per call is garbage the page's own objects
  // are copied around by the young generation's collections.
  const volatile = new Array(count);
  const memberNames = volatileFields.map((field) => JSON.stringify(field) + ':');
  // The record's text without its volatile members, cut out of its whole text (JSON.stringify(record)): what
  // JSON.stringify gives with them set aside (an undefined member is left out with its comma), without serialising the
  // record a second time where its whole text is made anyway (the compressing thread: ~2.3 us of ~10 a record, and
  // ~2.4 KB less garbage). A member's text is cut where its first occurrence is a member of the outer object: it follows
  // the opening brace or a comma (an unescaped quote there starts a key, where a quote inside a key such as
  // {"x\"lastCheckin":1} follows a backslash), and no brace or bracket comes before it (none opened a nested object or
  // array; one inside a string sends it the slow way too). Anywhere else it is cut only where it occurs once in the
  // text, which makes it the top-level member (that one occurs in it as written); undefined where it occurs again (in a
  // nested object or a string). Checking for an opening before it, not for a second occurrence after it, scans ~500
  // characters of a ~1.3 KB simulated record instead of all of them: recordHash given the text 6.64 -> 6.00 us a record
  // (16,000 simulator records, median of 11 interleaved rounds, load 8; the same hashes).
  const opensBefore = (content, at) => {
    const brace = content.indexOf('{', 1);
    const bracket = content.indexOf('[', 1);
    return (brace !== -1 && brace < at) || (bracket !== -1 && bracket < at);
  };
  const cut = (text) => {
    let content = text;
    for (let i = 0; i < count; i++) {
      if (volatile[i] === undefined) continue;
      const member = memberNames[i] + JSON.stringify(volatile[i]);
      const at = content.indexOf(member);
      if (at < 1) return undefined;
      const before = content[at - 1];
      const outer = (before === ',' || before === '{') && !opensBefore(content, at);
      if (!outer && content.indexOf(member, at + 1) !== -1) return undefined;
      const end = at + member.length;
      content = content[at - 1] === ',' ? content.slice(0, at - 1) + content.slice(end) : content.slice(0, at) + content.slice(content[end] === ',' ? end + 1 : end);
    }
    return content;
  };
  // text: the record's JSON.stringify when the caller has it (optional). parse: given by a caller that has the text
  // and not the record (a bulk load's compressing thread), whose record argument holds the volatile fields alone; the
  // record is then parsed from its text where the cut cannot be made (JSON.parse of a JSON.stringify gives back an
  // object that serialises to the same text, so its hash is the record's).
  return (record, spaceId, text, parse) => {
    for (let i = 0; i < count; i++) volatile[i] = record[volatileFields[i]];
    let content = text === undefined ? undefined : cut(text);
    if (content === undefined && parse !== undefined) record = parse(text);
    // The record without its volatile fields, serialised as it stands (JSON.stringify leaves out an undefined member):
    // setting them aside in place costs nothing, where a copy of a 60-field object costs more than the serialisation.
    if (content === undefined) {
      try {
        for (let i = 0; i < count; i++) if (volatile[i] !== undefined) record[volatileFields[i]] = undefined;
        content = JSON.stringify(record);
      } finally {
        for (let i = 0; i < count; i++) if (volatile[i] !== undefined) record[volatileFields[i]] = volatile[i];
      }
    }
    const sum = digest('sha1', content, 'buffer');
    // The space folded into the first 8 bytes (not hashed with the text: concatenating copies it once more); the last 4
    // are the volatile fields' quick hash (one more crypto call would cost more than the rest of this function).
    sum.writeUInt32BE((sum.readUInt32BE(0) ^ Math.floor(spaceId / 0x100000000)) >>> 0, 0);
    sum.writeUInt32BE((sum.readUInt32BE(4) ^ spaceId) >>> 0, 4);
    let times = FNV_OFFSET;
    for (let i = 0; i < count; i++) times = timeHash(times, volatile[i]);
    sum.writeUInt32BE(times, 12);
    volatile.fill(undefined);
    return sum.subarray(0, 16);
  };
}`;

/**
 * `devices.record_hash`, 16 bytes (migration 0020 computes it with this function for the records it finds). The first
 * 12 are of the record's JSON text without its top-level VOLATILE_FIELDS (SHA-1, with the space folded in: a device
 * moved to another space is rewritten even if its record did not change); the last 4 of those fields alone. So a
 * device that only checked in is told from a changed one by the hash, without inflating, parsing and comparing its
 * stored record (Ivanti moves them on every check-in, and a real fleet's daily re-sync is mostly that), and a re-sync
 * needs nothing else to tell a device unchanged: the record's own text is serialised only for a row that is written.
 * 96 bits keep a crafted change (a device name chosen to collide) out of reach; the volatile times are no one's
 * choice, and the stored `last_checkin` is compared exactly beside them (DeviceStore).
 *
 * Built from RECORD_HASH_SOURCE, which a bulk load's compressing thread evaluates too (device-record-codec.ts): the
 * hashes made there are this function's, by construction. `text`, if given, is taken for `JSON.stringify(record)`: the
 * hash is then made from it (the same hash, one serialisation less). Any other text gives the hash of that text, which
 * equals the record's only if the text is its JSON.stringify (a re-sync hashes each record's text in its page so, and
 * trusts the hash only when a stored one equals it: DeviceStore #textOf).
 */
export const recordHash: (record: Record<string, unknown>, spaceId: number, text?: string) => Buffer = (
  // A constant of this module, never input: evaluated so that this thread and the compressing one run one text.
  // oxlint-disable-next-line typescript/no-implied-eval
  new Function(`return ${RECORD_HASH_SOURCE}`)() as (digest: typeof hash, volatileFields: readonly string[]) => (record: Record<string, unknown>, spaceId: number, text?: string) => Buffer
)(hash, VOLATILE_FIELDS);

/** Compares a stored record hash (recordHash) with a fresh one; anything else stored (an older format) is 'changed'. */
export function compareRecordHashes(stored: unknown, fresh: Buffer): RecordHashVerdict {
  if (!Buffer.isBuffer(stored) || stored.length !== fresh.length) return 'changed';
  // Byte by byte: Buffer.compare's argument checks cost more than 16 bytes of comparing (once per device of a re-sync).
  for (let i = 0; i < 12; i++) if (stored[i] !== fresh[i]) return 'changed';
  for (let i = 12; i < 16; i++) if (stored[i] !== fresh[i]) return 'checked-in';
  return 'unchanged';
}
