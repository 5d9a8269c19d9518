import { AppError } from '../../../src-shared/errors';
import type { IvantiDevice } from '../ivanti/ivanti-wire';

/**
 * Offset paging that neither skips nor repeats devices while the tenant changes underneath.
 *
 * Ivanti has no cursor, only `start` (a row index) and `rows` [reference]. Between two requests, a device removed
 * before `start` shifts every later row back by one, so plain `start += rows` silently skips a device; one added
 * before `start` would make a device appear twice. Pages are therefore sorted by the numeric device id (stable, and
 * new enrolments get higher ids, so additions land at the end) and each request overlaps the previous page by a few
 * rows. A page is trusted only if it is anchored: it contains a device with an id at or below the highest id already
 * stored, or it starts at row 0. Then, the list being sorted and each page one consistent snapshot, the devices after
 * the anchor are exactly the next ones: nothing between was skipped and nothing before is stored twice. A page that
 * is not anchored (more devices vanished than the overlap, or the list shrank below `start`) is asked for again from
 * an earlier row; that always terminates, because row 0 is anchored by definition.
 */
export interface CursorPosition {
  start: number;
  /** Highest device id stored by this pass; null before the first page. */
  lastId: number | null;
}

/**
 * One record of a page in the tenant's order: its numeric id when known, and the parsed device unless it was unusable
 * (or, as the sync pages, the record to parse when it is written: `D` a DeviceRecord).
 */
export interface PagedRecord<D = IvantiDevice> {
  id: number | null;
  device: D | null;
}

/** A record after the anchor, with its row index in the space at the time of the page. */
export interface FreshRecord<D = IvantiDevice> extends PagedRecord<D> {
  position: number;
}

export type CursorVerdict<D = IvantiDevice> =
  | { kind: 'realign'; start: number }
  | {
      kind: 'accept';
      /** Records after the anchor, in order: the ones this page adds (`device` null for an unusable record). */
      fresh: FreshRecord<D>[];
      /** Where to continue after the whole page. */
      next: CursorPosition;
      /** The page reached the end of the space as it was at that moment. */
      done: boolean;
    };

export function judgePage<D>(position: CursorPosition, records: readonly PagedRecord<D>[], totalCount: number, rows: number, overlap: number): CursorVerdict<D> {
  assertSortedById(records);
  const { start, lastId } = position;
  let anchor = -1;
  if (lastId !== null) {
    for (let i = records.length - 1; i >= 0; i--) {
      const id = records[i]!.id;
      if (id !== null && id <= lastId) {
        anchor = i;
        break;
      }
    }
    if (anchor < 0 && start > 0) {
      // Step back so the new window ends where this one began; strictly smaller each time, so it reaches row 0.
      return { kind: 'realign', start: Math.max(0, Math.min(start, totalCount) - (rows - 1)) };
    }
  }
  const fresh: FreshRecord<D>[] = [];
  // Built whole, not spread: a spread followed by more properties takes V8's slow path (~4.5 µs a record).
  for (let i = anchor + 1; i < records.length; i++) fresh.push({ id: records[i]!.id, device: records[i]!.device, position: start + i });
  const done = records.length < rows || start + records.length >= totalCount;
  return {
    kind: 'accept',
    fresh,
    next: { start: done ? start + records.length : Math.max(start + 1, start + records.length - overlap), lastId: highestId(lastId, fresh) },
    done,
  };
}

/**
 * Where to continue once `fresh` (a leading part of a page's fresh records) is stored: just after its last record,
 * repeating `overlap` rows as the anchor. Lets a page be stored in several transactions, each with its own checkpoint.
 */
export function positionAfter(lastId: number | null, fresh: readonly FreshRecord<unknown>[], overlap: number): CursorPosition {
  const last = fresh[fresh.length - 1];
  if (!last) throw new RangeError('positionAfter needs at least one record');
  return { start: Math.max(0, last.position + 1 - overlap), lastId: highestId(lastId, fresh) };
}

function highestId(lastId: number | null, records: readonly PagedRecord<unknown>[]): number | null {
  let highest = lastId;
  for (const record of records) if (record.id !== null && (highest === null || record.id > highest)) highest = record.id;
  return highest;
}

/**
 * The whole method rests on the id order: a tenant (or a proxy) that ignores the sort would make anchoring meaningless,
 * so it is refused rather than trusted.
 */
function assertSortedById(records: readonly PagedRecord<unknown>[]): void {
  let previous: number | null = null;
  for (const record of records) {
    if (record.id === null) continue;
    if (previous !== null && record.id <= previous) {
      throw new AppError(
        'IVANTI_BAD_RESPONSE',
        'Ivanti returned devices out of id order although the console asked for them sorted by id. Without that order a sync cannot guarantee it neither skips nor repeats devices, so it stopped. Please report this.',
        { previousId: previous, id: record.id },
      );
    }
    previous = record.id;
  }
}
