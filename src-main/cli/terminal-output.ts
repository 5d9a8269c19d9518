import { Writable } from 'node:stream';
import type { CliIo } from './cli-io';

/**
 * What `tec` prints on a terminal cannot drive the terminal. Device names, users, space names and echoed arguments
 * come from the tenant or the command line; printed byte for byte, `ESC [2J` clears the admin's screen, OSC sequences
 * retitle the window or write the clipboard, and a bidi override (U+202E) makes `exe.txt` read as `txt.exe`. So on a
 * terminal every write goes through here: control characters (C0 but newline and tab, DEL, C1), bidi controls and
 * line/paragraph separators are shown escaped (`\x1B`, `\u202E`). With --json the same characters become JSON's own
 * `\uXXXX` escapes: the output stays exact JSON with the same values. A pipe or a file gets the bytes unchanged.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0B-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
// JSON.stringify already escapes C0; what it leaves raw is DEL, C1, the bidi controls and the separators.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_JSON = /[\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

const hex = (char: string, width: number) => char.codePointAt(0)!.toString(16).toUpperCase().padStart(width, '0');

/** Text as a terminal may show it: every unsafe character escaped visibly. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (char) => (char.codePointAt(0)! <= 0xff ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`));
}

/** JSON text with every character a terminal would act on written as a JSON escape (same value when parsed). */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char, 4)}`);
}

type OutputStream = CliIo['stdout'];
const RAW = Symbol('raw terminal stream');

/**
 * The streams every command writes to: on a terminal, wrapped so each write is escaped (stdout as JSON when the
 * command line asks for --json); otherwise returned as they are.
 */
export function terminalSafeIo(io: CliIo, json: boolean): CliIo {
  return { ...io, stdout: terminalSafe(io.stdout, json ? escapeJsonForTerminal : escapeForTerminal), stderr: terminalSafe(io.stderr, escapeForTerminal) };
}

function terminalSafe(stream: OutputStream, escape: (text: string) => string): OutputStream {
  if (stream.isTTY !== true || RAW in stream) return stream;
  const safe = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      stream.write(escape(typeof chunk === 'string' ? chunk : chunk.toString('utf8')));
      done();
    },
  });
  Object.defineProperty(safe, 'columns', { get: () => stream.columns });
  return Object.assign(safe, { isTTY: true, [RAW]: stream });
}

/**
 * The terminal under a terminal-safe stream, for the one writer that sends control sequences on purpose (the progress
 * line's carriage return and erase-line); it escapes its own text with escapeForTerminal.
 */
export function rawTerminal(stream: OutputStream): OutputStream {
  return (stream as OutputStream & { [RAW]?: OutputStream })[RAW] ?? stream;
}
