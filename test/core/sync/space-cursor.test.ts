import { describe, expect, it } from 'vitest';
import type { IvantiDevice } from '../../../src-main/core/ivanti/ivanti-wire';
import { judgePage, positionAfter, type PagedRecord } from '../../../src-main/core/sync/space-cursor';

/** A sorted list of device ids as a tenant holds it; `page` answers like Ivanti: rows [start, start+rows). */
function tenant(ids: number[]) {
  const list = [...ids].sort((a, b) => a - b);
  return {
    list,
    page(start: number, rows: number): { records: PagedRecord[]; totalCount: number } {
      return {
        records: list.slice(start, start + rows).map((id) => ({ id, device: { id, guid: `g${id}` } as IvantiDevice })),
        totalCount: list.length,
      };
    },
    remove(id: number) {
      list.splice(list.indexOf(id), 1);
    },
    add(id: number) {
      list.push(id);
      list.sort((a, b) => a - b);
    },
  };
}

/** Pages through the tenant with the cursor, applying `between(pageNumber)` before each request. */
function pageThrough(t: ReturnType<typeof tenant>, rows: number, overlap: number, between: (request: number) => void = () => {}) {
  const seen: number[] = [];
  let position = { start: 0, lastId: null as number | null };
  for (let request = 0; request < 10_000; request++) {
    between(request);
    const { records, totalCount } = t.page(position.start, rows);
    const verdict = judgePage(position, records, totalCount, rows, overlap);
    if (verdict.kind === 'realign') {
      position = { ...position, start: verdict.start };
      continue;
    }
    seen.push(...verdict.fresh.map((record) => record.id!));
    position = verdict.next;
    if (verdict.done) return seen;
  }
  throw new Error('did not finish');
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i * 3);

describe('anchored paging over a tenant that changes between requests', () => {
  it('reads a quiet tenant once, in order, nothing twice', () => {
    const t = tenant(range(100, 1000));
    expect(pageThrough(t, 50, 3)).toEqual(t.list);
  });

  it('skips nothing when devices before the cursor are removed between pages (plain start += rows would)', () => {
    const t = tenant(range(100, 1000));
    const original = [...t.list];
    const removed = new Set<number>();
    const seen = pageThrough(t, 50, 3, (request) => {
      // Remove 2 already-read devices before every request after the first.
      if (request > 0 && request < 15) {
        for (const id of t.list.slice(0, 2)) {
          t.remove(id);
          removed.add(id);
        }
      }
    });
    expect(new Set(seen).size).toBe(seen.length);
    expect(original.filter((id) => !removed.has(id) && !seen.includes(id))).toEqual([]);
  });

  it('steps back when more devices vanished than the overlap, and still skips none', () => {
    const t = tenant(range(100, 1000));
    const seen = pageThrough(t, 50, 2, (request) => {
      if (request === 5) for (const id of t.list.slice(10, 130)) t.remove(id);
    });
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of t.list) expect(seen).toContain(id);
  });

  it('picks up devices enrolled at the end while paging, without repeating any', () => {
    const t = tenant(range(100, 500));
    let next = 100_000;
    const seen = pageThrough(t, 40, 3, () => t.add(next++));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(t.list);
  });

  it('refuses pages that are not sorted by id instead of trusting them', () => {
    const records = [3, 1, 2].map((id) => ({ id, device: { id, guid: `g${id}` } as IvantiDevice }));
    expect(() => judgePage({ start: 0, lastId: null }, records, 3, 10, 2)).toThrow(expect.objectContaining({ code: 'IVANTI_BAD_RESPONSE' }));
  });

  it('keeps unusable records in their place: they count, and never become the anchor by accident', () => {
    const records: PagedRecord[] = [
      { id: 10, device: { id: 10, guid: 'a' } as IvantiDevice },
      { id: null, device: null },
      { id: 30, device: { id: 30, guid: 'c' } as IvantiDevice },
    ];
    const verdict = judgePage({ start: 5, lastId: 10 }, records, 8, 3, 1);
    expect(verdict).toMatchObject({ kind: 'accept', next: { start: 8, lastId: 30 }, done: true });
    expect(verdict.kind === 'accept' && verdict.fresh.map((r) => [r.position, r.device?.guid ?? null])).toEqual([
      [6, null],
      [7, 'c'],
    ]);
  });

  it('resumes anchored after any prefix of a page was stored (a page written in several transactions)', () => {
    const t = tenant(range(100, 300));
    const first = judgePage({ start: 0, lastId: null }, t.page(0, 100).records, 300, 100, 3);
    if (first.kind !== 'accept') throw new Error('expected an accepted page');
    // Only the first 40 records were committed before a crash; 5 devices among them vanish meanwhile.
    const resumeAt = positionAfter(null, first.fresh.slice(0, 40), 3);
    expect(resumeAt).toEqual({ start: 37, lastId: t.list[39] });
    for (const id of t.list.slice(10, 15)) t.remove(id);
    const seen = first.fresh.slice(0, 40).map((r) => r.id!);
    let position = resumeAt;
    for (;;) {
      const { records, totalCount } = t.page(position.start, 100);
      const verdict = judgePage(position, records, totalCount, 100, 3);
      if (verdict.kind === 'realign') {
        position = { ...position, start: verdict.start };
        continue;
      }
      seen.push(...verdict.fresh.map((r) => r.id!));
      position = verdict.next;
      if (verdict.done) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of t.list) expect(seen).toContain(id);
  });
});
