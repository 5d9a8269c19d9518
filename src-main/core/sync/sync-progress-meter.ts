import type { SyncPhase, SyncProgress } from '../../../src-shared/domain/sync';

export interface ProgressSnapshot {
  phase: SyncPhase;
  space: string | null;
  spaceIndex: number;
  spacesTotal: number;
  page: number;
  devicesSoFar: number;
  devicesExpected: number | null;
}

/** The rate is measured over this much recent time, so a slow start or a pause for throttling fades out of it. */
const RATE_WINDOW_MS = 15_000;

/**
 * Turns a run's state into `sync.progress` events: at most one per `intervalMs` (the UI redraws on each, and a fast
 * sync writes hundreds of pages a second), with a rate over recent time and an ETA from it.
 */
export class SyncProgressMeter {
  #last: SyncProgress | null = null;
  #lastEmitAt = Number.NEGATIVE_INFINITY;
  #notice: string | null = null;
  readonly #samples: { at: number; devices: number }[] = [];

  constructor(
    private readonly ids: { integrationId: string; runId: number; resumed: boolean },
    private readonly emit: (progress: SyncProgress) => void,
    private readonly clock: () => number,
    private readonly intervalMs: number,
  ) {}

  get latest(): SyncProgress | null {
    return this.#last;
  }

  /** A passing condition shown with the next events until `clearNotice`. */
  notice(text: string): void {
    this.#notice = text;
  }

  clearNotice(): void {
    this.#notice = null;
  }

  /** Records the state; emits when the interval has passed or `force` (phase changes, the end). */
  update(snapshot: ProgressSnapshot, force = false): void {
    const at = this.clock();
    this.#samples.push({ at, devices: snapshot.devicesSoFar });
    while (this.#samples.length > 2 && this.#samples[0]!.at < at - RATE_WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const elapsed = (at - first.at) / 1000;
    const rate = elapsed > 0 ? Math.max(0, (snapshot.devicesSoFar - first.devices) / elapsed) : 0;
    const remaining = snapshot.devicesExpected === null ? null : Math.max(0, snapshot.devicesExpected - snapshot.devicesSoFar);
    this.#last = {
      ...this.ids,
      ...snapshot,
      devicesPerSecond: Math.round(rate * 10) / 10,
      etaSeconds: remaining === null || rate <= 0 ? null : Math.round(remaining / rate),
      notice: this.#notice,
    };
    if (force || at - this.#lastEmitAt >= this.intervalMs) {
      this.#lastEmitAt = at;
      this.emit(this.#last);
    }
  }
}
