/**
 * The simulated tenant's device set, held without holding the devices.
 *
 * Base devices are indices 0..N-1, split into one contiguous index range per space (so "the k-th device of space S
 * in id order" is arithmetic). Changes made while clients page ("churn") live in a small overlay: removed indices,
 * added indices (N, N+1, …: new registrations get higher ids, as in Ivanti), and per-device update versions.
 * Memory is O(spaces + changes), whatever N is; a page is generated on demand.
 */
import { deviceIdOf, generateDevice, generateDeviceDetail, indexOfDeviceId, type DeviceSpaceLayout, type GeneratedDeviceContext } from './device-generator';
import { Draw, hash32 } from './seeded-random';

export interface SimulatedSpace extends DeviceSpaceLayout {
  defaultSpace: boolean;
  /** Whether the API user holds Device Read Only in this space. */
  deviceRead: boolean;
  /** Relative share of the base devices. */
  share: number;
}

interface SpaceState {
  space: SimulatedSpace;
  baseStart: number;
  baseEnd: number;
  /** Removed base indices, ascending. */
  removedBase: number[];
  /** Added indices, ascending (they are appended in creation order). */
  added: number[];
  removedAddedCount: number;
}

export type SortableField = 'id' | 'lastCheckin' | 'clientLastCheckin' | 'lastRegistrationTime';
export const SORTABLE_FIELDS: readonly SortableField[] = ['id', 'lastCheckin', 'clientLastCheckin', 'lastRegistrationTime'];

export interface DeviceOrder {
  field: SortableField;
  descending: boolean;
}

export interface TenantChanges {
  add?: number;
  remove?: number;
  update?: number;
  /**
   * Devices that check in: only their check-in times move (lastCheckin, clientLastCheckin), as in a real fleet between
   * two syncs; nothing a sync records as a change.
   */
  checkIn?: number;
}

export class SimulatedTenant {
  readonly ctx: GeneratedDeviceContext;
  readonly #spaces: SpaceState[];
  readonly #spaceOfAdded = new Map<number, SpaceState>();
  readonly #removed = new Set<number>();
  readonly #versions = new Map<number, number>();
  readonly #checkIns = new Map<number, number>();
  #nextIndex: number;
  #mutations = 0;
  /** The one cached non-id ordering: sorting a million keys is affordable once, not per page. */
  #sortCache: { key: string; indices: Uint32Array } | null = null;

  constructor(ctx: GeneratedDeviceContext, baseDevices: number, spaces: SimulatedSpace[]) {
    this.ctx = ctx;
    const totalShare = spaces.reduce((sum, s) => sum + s.share, 0);
    let next = 0;
    this.#spaces = spaces.map((space, i) => {
      const size = i === spaces.length - 1 ? baseDevices - next : Math.round((baseDevices * space.share) / totalShare);
      const state: SpaceState = { space, baseStart: next, baseEnd: next + size, removedBase: [], added: [], removedAddedCount: 0 };
      next += size;
      return state;
    });
    this.#nextIndex = baseDevices;
  }

  get mutations(): number {
    return this.#mutations;
  }

  spaces(): SimulatedSpace[] {
    return this.#spaces.map((s) => s.space);
  }

  space(id: number): SimulatedSpace | null {
    return this.#state(id)?.space ?? null;
  }

  liveCount(spaceId: number): number {
    const s = this.#state(spaceId);
    return s ? this.#liveCount(s) : 0;
  }

  /** Records at positions [start, start + rows) of the space in the given order. */
  page(spaceId: number, start: number, rows: number, order: DeviceOrder): Record<string, unknown>[] {
    const s = this.#state(spaceId);
    if (!s) return [];
    const total = this.#liveCount(s);
    const end = Math.min(total, start + rows);
    const records: Record<string, unknown>[] = [];
    if (order.field === 'id') {
      for (let k = start; k < end; k++) records.push(this.#record(s, this.#nthLive(s, order.descending ? total - 1 - k : k)));
    } else {
      const sorted = this.#sorted(s, order);
      for (let k = start; k < end; k++) records.push(this.#record(s, sorted[k]!));
    }
    return records;
  }

  /** The detail record of a live device by id, and its space; null if no such live device. */
  findById(id: number): { record: Record<string, unknown>; space: SimulatedSpace } | null {
    const index = indexOfDeviceId(this.ctx.seedHash, id);
    if (index === null || index >= this.#nextIndex || this.#removed.has(index)) return null;
    const s = this.#spaceOfIndex(index);
    return { record: generateDeviceDetail(this.ctx, index, s.space, this.#versions.get(index) ?? 0, this.#checkIns.get(index) ?? 0), space: s.space };
  }

  /** Every live device of the given spaces (all when omitted), generated lazily in id order per space. */
  *devices(spaceIds?: readonly number[]): Generator<Record<string, unknown>> {
    for (const s of this.#spaces) {
      if (spaceIds && !spaceIds.includes(s.space.id)) continue;
      for (const index of this.#liveIndices(s)) yield this.#record(s, index);
    }
  }

  /**
   * Applies deterministic changes: each change draws from (seed, change number), so the same sequence of calls
   * yields the same tenant. Removals and updates pick a random live device; additions go to a random space.
   */
  mutate(changes: TenantChanges): void {
    for (let i = 0; i < (changes.add ?? 0); i++) this.#add(new Draw(this.#nextDraw()));
    for (let i = 0; i < (changes.remove ?? 0); i++) this.#remove(new Draw(this.#nextDraw()));
    for (let i = 0; i < (changes.update ?? 0); i++) this.#update(new Draw(this.#nextDraw()), this.#versions);
    for (let i = 0; i < (changes.checkIn ?? 0); i++) this.#update(new Draw(this.#nextDraw()), this.#checkIns);
  }

  /** One random change (churn while a client pages): add 40 %, remove 40 %, update 20 %. */
  churnOnce(): void {
    const draw = new Draw(this.#nextDraw());
    const roll = draw.next();
    if (roll < 0.4) this.#add(draw);
    else if (roll < 0.8) this.#remove(draw);
    else this.#update(draw);
  }

  #nextDraw(): number {
    this.#mutations++;
    this.#sortCache = null;
    return hash32(this.ctx.seedHash, 0xc4a9, this.#mutations);
  }

  #add(draw: Draw): void {
    const s = this.#pickSpace(draw, (st) => st.space.share);
    const index = this.#nextIndex++;
    s.added.push(index);
    this.#spaceOfAdded.set(index, s);
  }

  #remove(draw: Draw): void {
    const s = this.#pickSpace(draw, (st) => this.#liveCount(st));
    const total = this.#liveCount(s);
    if (total === 0) return;
    const index = this.#nthLive(s, draw.int(total));
    this.#removed.add(index);
    if (index < s.baseEnd) s.removedBase.splice(countBelow(s.removedBase, index, false), 0, index);
    else s.removedAddedCount++;
  }

  /** Counts one more update (`versions`) or check-in (`checkIns`) of a random live device. */
  #update(draw: Draw, counts: Map<number, number> = this.#versions): void {
    const s = this.#pickSpace(draw, (st) => this.#liveCount(st));
    const total = this.#liveCount(s);
    if (total === 0) return;
    const index = this.#nthLive(s, draw.int(total));
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }

  #pickSpace(draw: Draw, weight: (s: SpaceState) => number): SpaceState {
    const weights = this.#spaces.map(weight);
    const sum = weights.reduce((a, b) => a + b, 0);
    let roll = draw.next() * sum;
    for (const [i, w] of weights.entries()) {
      if (roll < w) return this.#spaces[i]!;
      roll -= w;
    }
    return this.#spaces[this.#spaces.length - 1]!;
  }

  #state(spaceId: number): SpaceState | undefined {
    return this.#spaces.find((s) => s.space.id === spaceId);
  }

  #spaceOfIndex(index: number): SpaceState {
    return this.#spaceOfAdded.get(index) ?? this.#spaces.find((s) => index >= s.baseStart && index < s.baseEnd)!;
  }

  #liveCount(s: SpaceState): number {
    return s.baseEnd - s.baseStart - s.removedBase.length + s.added.length - s.removedAddedCount;
  }

  #record(s: SpaceState, index: number): Record<string, unknown> {
    return generateDevice(this.ctx, index, s.space, this.#versions.get(index) ?? 0, this.#checkIns.get(index) ?? 0);
  }

  /** The k-th live index of the space in id order (ids grow with the index). O(log removed) for base devices. */
  #nthLive(s: SpaceState, k: number): number {
    const baseLive = s.baseEnd - s.baseStart - s.removedBase.length;
    if (k < baseLive) {
      // Least fixpoint of x = start + k + |removed ≤ x|: the k-th index not removed.
      let x = s.baseStart + k;
      for (;;) {
        const next = s.baseStart + k + countBelow(s.removedBase, x, true);
        if (next === x) return x;
        x = next;
      }
    }
    let remaining = k - baseLive;
    for (const index of s.added) {
      if (this.#removed.has(index)) continue;
      if (remaining === 0) return index;
      remaining--;
    }
    throw new RangeError(`position ${k} is past the end of space ${s.space.id}`);
  }

  *#liveIndices(s: SpaceState): Generator<number> {
    for (let index = s.baseStart; index < s.baseEnd; index++) if (!this.#removed.has(index)) yield index;
    for (const index of s.added) if (!this.#removed.has(index)) yield index;
  }

  #sorted(s: SpaceState, order: DeviceOrder): Uint32Array {
    const key = `${s.space.id}:${order.field}:${order.descending}`;
    if (this.#sortCache?.key === key) return this.#sortCache.indices;
    const indices = Uint32Array.from(this.#liveIndices(s));
    const values = new Float64Array(indices.length);
    for (const [i, index] of indices.entries()) {
      const value = this.#record(s, index)[order.field];
      // Devices without the value sort last in both directions.
      values[i] = typeof value === 'number' ? (order.descending ? -value : value) : Number.POSITIVE_INFINITY;
    }
    const positions = Uint32Array.from(indices.keys());
    // Ties are broken by id ascending, so the order is total and repeatable.
    positions.sort((a, b) => values[a]! - values[b]! || deviceIdOf(this.ctx.seedHash, indices[a]!) - deviceIdOf(this.ctx.seedHash, indices[b]!));
    const sorted = positions.map((p) => indices[p]!);
    this.#sortCache = { key, indices: sorted };
    return sorted;
  }
}

/** Number of values below x (or ≤ x when `inclusive`) in an ascending array: an insertion point by binary search. */
function countBelow(values: number[], x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x || (inclusive && values[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
