/**
 * Which faults the simulator injects into which request, decided from (seed, fault, request number) alone, so a
 * run with the same seed and the same sequence of requests meets the same faults.
 */
import { hash32, hashText, unit } from './seeded-random';

export const FAULT_NAMES = ['429', '5xx', 'drop', 'truncate', 'slow', 'churn'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/**
 * Per fault: a probability per request (for 5xx: that a burst of 1–3 failing requests starts), or `{ next: n }`:
 * exactly the next n requests after the setting is applied.
 */
export type FaultSetting = number | { next: number };
export type FaultSettings = Partial<Record<FaultName, FaultSetting>>;

/** Probabilities used when faults are switched on by name (the CLI's `--faults 429,5xx`). */
export const DEFAULT_FAULT_RATES: Record<FaultName, number> = {
  '429': 0.05,
  '5xx': 0.03,
  drop: 0.03,
  truncate: 0.03,
  slow: 0.05,
  churn: 0.2,
};

export type ResponseFault = '429' | '5xx' | 'drop' | 'truncate';

export interface FaultDecision {
  /** At most one fault replaces or breaks the answer. */
  response: ResponseFault | null;
  /** 500, 502 or 503 when `response` is 5xx. */
  serverStatus: number;
  slow: boolean;
  churn: boolean;
}

type Normalised = { kind: 'rate'; rate: number } | { kind: 'window'; from: number; to: number };

const MAX_BURST = 3;

export class FaultPlan {
  readonly #seedHash: number;
  #settings = new Map<FaultName, Normalised>();

  constructor(seedHash: number, settings: FaultSettings, currentRequest: number) {
    this.#seedHash = seedHash;
    this.set(settings, currentRequest);
  }

  /** Replaces every setting. `currentRequest` is the number of the last request served (windows start after it). */
  set(settings: FaultSettings, currentRequest: number): void {
    this.#settings = new Map();
    for (const name of FAULT_NAMES) {
      const setting = settings[name];
      if (setting === undefined) continue;
      if (typeof setting === 'number') {
        if (!(setting >= 0 && setting <= 1)) throw new RangeError(`fault ${name}: a rate must be between 0 and 1`);
        if (setting > 0) this.#settings.set(name, { kind: 'rate', rate: setting });
      } else {
        this.#settings.set(name, { kind: 'window', from: currentRequest + 1, to: currentRequest + setting.next });
      }
    }
  }

  decide(request: number): FaultDecision {
    const response: ResponseFault | null = this.#hits('429', request)
      ? '429'
      : this.#inBurst(request)
        ? '5xx'
        : this.#hits('drop', request)
          ? 'drop'
          : this.#hits('truncate', request)
            ? 'truncate'
            : null;
    return {
      response,
      serverStatus: [500, 502, 503][hash32(this.#seedHash, request, 0x5e) % 3]!,
      slow: this.#hits('slow', request),
      churn: this.#hits('churn', request),
    };
  }

  #hits(name: FaultName, request: number): boolean {
    const setting = this.#settings.get(name);
    if (!setting) return false;
    if (setting.kind === 'window') return request >= setting.from && request <= setting.to;
    return unit(hash32(this.#seedHash, hashText(name), request)) < setting.rate;
  }

  /** A 5xx burst starting at request s covers s … s+len-1, len in 1..3 drawn from (seed, s). */
  #inBurst(request: number): boolean {
    const setting = this.#settings.get('5xx');
    if (!setting) return false;
    if (setting.kind === 'window') return request >= setting.from && request <= setting.to;
    for (let back = 0; back < MAX_BURST; back++) {
      const start = request - back;
      if (start < 1) break;
      const length = 1 + (hash32(this.#seedHash, 0xb0, start) % MAX_BURST);
      if (length > back && this.#hits('5xx', start)) return true;
    }
    return false;
  }
}

/** `429,5xx,churn` → default rates for those faults. */
export function parseFaultList(list: string): FaultSettings {
  const settings: FaultSettings = {};
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (name === 'all') return { ...DEFAULT_FAULT_RATES };
    if (!(FAULT_NAMES as readonly string[]).includes(name)) throw new Error(`unknown fault "${name}" (known: ${FAULT_NAMES.join(', ')}, all)`);
    settings[name as FaultName] = DEFAULT_FAULT_RATES[name as FaultName];
  }
  return settings;
}
