/** Slots of a new lookup (a power of two); it doubles whenever it is half full. */
const INITIAL_SLOTS = 1 << 16;

/**
 * The device rowids of one tenant by guid, for a bulk load that set the unique key (tenant, guid) aside (DeviceStore,
 * issue 19). Open addressing over one Int32Array of [fingerprint, rowid] pairs: 8 bytes a slot, at most half of them
 * used, so 16 MB for a million devices, where a Map of the guid strings held ~100 MB (the sync's budget is 300 MB RSS).
 *
 * A fingerprint says only where a guid may be: every match is confirmed by `confirm` against the stored row, so a
 * fingerprint shared by two guids, or a rowid written by a transaction that rolled back (the row is gone, or another
 * device has its id now), is never taken for the device. What it must never do is miss a stored device of the tenant:
 * its owner adds every row it inserts, and gives it up when anything else may have written (DeviceStore.#keyAside).
 */
export class GuidLookup {
  #slots = new Int32Array(INITIAL_SLOTS * 2);
  #bits = Math.log2(INITIAL_SLOTS);
  #size = 0;

  /** Entries added (a guid added twice, after a rollback, counts twice). */
  get size(): number {
    return this.#size;
  }

  /** The first row that `confirm` accepts among those whose fingerprint is the guid's, in the order they were added. */
  find<T>(guid: string, confirm: (id: number) => T | undefined): T | undefined {
    const fingerprint = fingerprintOf(guid);
    const slots = this.#slots;
    const mask = (1 << this.#bits) - 1;
    for (let slot = fingerprint >>> (32 - this.#bits); ; slot = (slot + 1) & mask) {
      const id = slots[slot * 2 + 1]!;
      if (id === 0) return undefined;
      if (slots[slot * 2] === fingerprint) {
        const row = confirm(id);
        if (row !== undefined) return row;
      }
    }
  }

  /** Records the device rowid (≥ 1) stored for the guid. */
  add(guid: string, id: number): void {
    if ((this.#size + 1) * 2 > 1 << this.#bits) this.#grow();
    this.#place(this.#slots, this.#bits, fingerprintOf(guid), id);
    this.#size++;
  }

  #grow(): void {
    const old = this.#slots;
    const bits = this.#bits + 1;
    const slots = new Int32Array(2 << bits);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.#place(slots, bits, old[i]!, old[i + 1]!);
    this.#slots = slots;
    this.#bits = bits;
  }

  /** The slot is the fingerprint's top bits, so a larger table places an entry again from its fingerprint alone. */
  #place(slots: Int32Array, bits: number, fingerprint: number, id: number): void {
    const mask = (1 << bits) - 1;
    let slot = fingerprint >>> (32 - bits);
    while (slots[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
    slots[slot * 2] = fingerprint;
    slots[slot * 2 + 1] = id;
  }
}

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser so that the top bits (the slot) depend on every character. */
function fingerprintOf(guid: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < guid.length; i++) h = Math.imul(h ^ guid.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
