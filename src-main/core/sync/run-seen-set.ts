import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

/** Device rowids per stored block (1 KiB of bits). A chunk of a page, read in id order, touches one or two blocks. */
const BLOCK_BITS = 8192;
const BLOCK_BYTES = BLOCK_BITS / 8;

/** What adding a device to the set says about it. */
export interface Sighted {
  /** Not seen earlier in this run, in any space or pass. */
  newInRun: boolean;
  /** Not seen earlier in this pass over this space. */
  newInPass: boolean;
}

/**
 * The devices a run has seen, per space and pass over it: presence without writing each device's rows (issue 19). A
 * re-sync that finds a device unchanged writes nothing about it; at the end, one pass over the sightings marks those
 * no set holds as removed (DeviceStore.markUnseenRemoved).
 *
 * Held in memory as bitmaps keyed by the device's rowid and persisted in `sync_seen` one block at a time: `save`, in the
 * same transaction as the chunk and the run's checkpoint, writes only the blocks that chunk changed, so after a crash
 * at any instant the resumed run knows exactly what it had seen. The run's rows go when it ends (`discard`).
 */
export class RunSeenSet {
  /** `space:pass` → block → bits. */
  readonly #passes = new Map<string, Map<number, Uint8Array>>();
  /** Every pass together, for "new in this run" (memory only: rebuilt from the passes on load). */
  readonly #run = new Map<number, Uint8Array>();
  readonly #dirty = new Map<string, Set<number>>();
  #last: { spaceId: number; pass: number; blocks: Map<number, Uint8Array>; dirty: Set<number> } | null = null;
  readonly #upsert: Statement;

  private constructor(
    private readonly db: Db,
    readonly runId: number,
  ) {
    this.#upsert = db.prepare(
      'INSERT INTO sync_seen (run_id, space_id, pass, block, bits) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, space_id, pass, block) DO UPDATE SET bits = excluded.bits',
    );
  }

  /** The run's set as its last committed chunk left it (empty for a new run). */
  static load(db: Db, runId: number): RunSeenSet {
    const set = new RunSeenSet(db, runId);
    const rows = db.prepare('SELECT space_id, pass, block, bits FROM sync_seen WHERE run_id = ?').all(runId) as {
      space_id: number;
      pass: number;
      block: number;
      bits: Buffer;
    }[];
    for (const row of rows) {
      const bits = new Uint8Array(BLOCK_BYTES);
      bits.set(row.bits.subarray(0, BLOCK_BYTES));
      set.#blocksOf(row.space_id, row.pass).set(row.block, bits);
      const union = blockOf(set.#run, row.block);
      for (let i = 0; i < BLOCK_BYTES; i++) union[i]! |= bits[i]!;
    }
    return set;
  }

  /** Records that this pass over the space saw the device. */
  add(spaceId: number, pass: number, deviceId: number): Sighted {
    const block = Math.floor(deviceId / BLOCK_BITS);
    const byte = (deviceId % BLOCK_BITS) >> 3;
    const bit = 1 << (deviceId & 7);
    const current = this.#passOf(spaceId, pass);
    const passBits = blockOf(current.blocks, block);
    const runBits = blockOf(this.#run, block);
    const newInPass = (passBits[byte]! & bit) === 0;
    const newInRun = (runBits[byte]! & bit) === 0;
    if (newInPass) {
      passBits[byte]! |= bit;
      runBits[byte]! |= bit;
      current.dirty.add(block);
    }
    return newInPass ? (newInRun ? NEW_IN_RUN : NEW_IN_PASS) : SEEN_BEFORE;
  }

  /** The pass's blocks and its dirty set, the last pass asked for kept at hand: a page adds hundreds to one pass. */
  #passOf(spaceId: number, pass: number): { blocks: Map<number, Uint8Array>; dirty: Set<number> } {
    const last = this.#last;
    if (last !== null && last.spaceId === spaceId && last.pass === pass) return last;
    const key = passKey(spaceId, pass);
    const dirty = this.#dirty.get(key) ?? this.#dirty.set(key, new Set()).get(key)!;
    this.#last = { spaceId, pass, blocks: this.#blocksOf(spaceId, pass), dirty };
    return this.#last;
  }

  /** Whether this pass over the space saw the device. */
  has(spaceId: number, pass: number, deviceId: number): boolean {
    return this.pass(spaceId, pass).has(deviceId);
  }

  /**
   * What this pass over the space has seen so far, for asking about many devices (the end of a run asks about every
   * sighting): the pass is looked up once, not once a device. It follows later `add`s.
   */
  pass(spaceId: number, pass: number): { has(deviceId: number): boolean } {
    const blocks = this.#blocksOf(spaceId, pass);
    return {
      has(deviceId) {
        const bits = blocks.get(Math.floor(deviceId / BLOCK_BITS));
        return bits !== undefined && (bits[(deviceId % BLOCK_BITS) >> 3]! & (1 << (deviceId & 7))) !== 0;
      },
    };
  }

  /** Writes the blocks changed since the last save; call inside the transaction that commits the run's checkpoint. */
  save(): void {
    for (const [key, blocks] of this.#dirty) {
      const [spaceId, pass] = key.split(':').map(Number) as [number, number];
      const stored = this.#passes.get(key)!;
      for (const block of blocks) this.#upsert.run(this.runId, spaceId, pass, block, stored.get(block)!);
    }
    this.#dirty.clear();
    // The pass kept at hand names a dirty set no longer in #dirty.
    this.#last = null;
  }

  /** The run ended for good (completed or failed): what it saw is no longer needed. */
  discard(): void {
    this.db.prepare('DELETE FROM sync_seen WHERE run_id = ?').run(this.runId);
    this.#passes.clear();
    this.#run.clear();
    this.#dirty.clear();
    this.#last = null;
  }

  #blocksOf(spaceId: number, pass: number): Map<number, Uint8Array> {
    const key = passKey(spaceId, pass);
    return this.#passes.get(key) ?? this.#passes.set(key, new Map()).get(key)!;
  }
}

// What `add` answers, shared: a page asks hundreds of times.
const NEW_IN_RUN: Sighted = Object.freeze({ newInRun: true, newInPass: true });
const NEW_IN_PASS: Sighted = Object.freeze({ newInRun: false, newInPass: true });
const SEEN_BEFORE: Sighted = Object.freeze({ newInRun: false, newInPass: false });

function passKey(spaceId: number, pass: number): string {
  return `${spaceId}:${pass}`;
}

function blockOf(blocks: Map<number, Uint8Array>, block: number): Uint8Array {
  return blocks.get(block) ?? blocks.set(block, new Uint8Array(BLOCK_BYTES)).get(block)!;
}
