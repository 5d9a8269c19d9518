/**
 * Deterministic randomness for the simulator: every value is a pure function of (seed, what, index), so any page of
 * a million-device tenant, and any fault decision, can be recomputed on demand without storing anything.
 */

/** A bijective 32-bit mixer ("lowbias32", Chris Wellons' hash prospector): distinct inputs give distinct outputs. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a string: turns a seed or a label into 32 bits. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Combines numbers into one well-mixed 32-bit value. Not bijective; use `mix32(index ^ key)` when uniqueness matters. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) h = mix32(h ^ mix32(part >>> 0) ^ Math.floor(part / 2 ** 32));
  return h;
}

/** Uniform in [0, 1) from a 32-bit hash. */
export function unit(hash: number): number {
  return (hash >>> 0) / 2 ** 32;
}

/** A small sequential generator (mulberry32) for drawing the many fields of one record from one seed. */
export class Draw {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** 32 random bits. */
  next32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  next(): number {
    return this.next32() / 2 ** 32;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)]!;
  }

  /** `length` lower-case hex digits (even lengths; a simulated tenant generates millions, so table lookups). */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += hex32(this.next32());
    return out.length === length ? out : out.slice(0, length);
  }

  digits(length: number): string {
    let out = '';
    while (out.length < length) out += String(this.next32() % 1_000_000_000).padStart(9, '0');
    return out.length === length ? out : out.slice(0, length);
  }
}

/** Eight hex digits that are unique per `index` for a given key (mix32 is a bijection). */
export function uniqueHex8(index: number, key: number): string {
  return hex32(mix32((index ^ key) >>> 0));
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Eight hex digits of a 32-bit value. */
function hex32(value: number): string {
  return HEX_BYTES[value >>> 24]! + HEX_BYTES[(value >>> 16) & 0xff]! + HEX_BYTES[(value >>> 8) & 0xff]! + HEX_BYTES[value & 0xff]!;
}
