import type { CliIo } from './cli-io';
import { escapeForTerminal, rawTerminal } from './terminal-output';

/**
 * A one-line progress bar on stderr, redrawn in place; only on a terminal (a pipe or a log file gets no bar, so
 * scripts and `--json` output stay clean). stdout is never touched.
 */
export class ProgressLine {
  readonly #stream: CliIo['stderr'];
  readonly #enabled: boolean;
  #drawn = false;

  constructor(io: CliIo) {
    // Its own carriage return and erase-line go to the terminal itself; the text (space names) is escaped.
    this.#stream = rawTerminal(io.stderr);
    this.#enabled = io.stderr.isTTY === true;
  }

  /** `fraction` in [0, 1], or null when the total is not known yet (no bar, text only). */
  update(fraction: number | null, text: string): void {
    if (!this.#enabled) return;
    const columns = Math.max(40, this.#stream.columns ?? 80);
    const barWidth = 24;
    const bar =
      fraction === null
        ? ''
        : `[${'#'.repeat(Math.round(Math.min(1, Math.max(0, fraction)) * barWidth)).padEnd(barWidth, '-')}] ${String(Math.floor(Math.min(1, Math.max(0, fraction)) * 100)).padStart(3)}% `;
    const line = `${bar}${escapeForTerminal(text)}`.slice(0, columns - 1);
    this.#stream.write(`\r${line}\x1b[K`);
    this.#drawn = true;
  }

  /** Clears the bar so the next line starts clean. */
  clear(): void {
    if (this.#enabled && this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
