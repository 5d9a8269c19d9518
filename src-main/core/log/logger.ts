import { redactSecrets, redactValue } from './secret-redaction';
import { RotatingLogFile } from './rotating-log-file';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where formatted lines go: a RotatingLogFile in the app, anything with `write` in a test or a tool. */
export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  /** Entries below this level are dropped. */
  level?: LogLevel;
  /** Names the part of the app that logs, e.g. `sync` or `scep`. */
  scope?: string;
  clock?: () => Date;
  /**
   * Told when the sink fails (disk full, directory removed). Logging never throws into the code that logs: losing a
   * line is better than failing a sync because the log disk is full.
   */
  onSinkError?: (error: unknown) => void;
}

/** Entries are capped so one runaway payload (a whole HTML page) cannot fill the log by itself. */
export const MAX_ENTRY_CHARS = 16_384;

/**
 * Writes one line per entry: `2026-11-28T17:45:00.123Z INFO  [sync] message {"fields":"as JSON"}`. Every line is
 * redacted (message and fields) just before it is written, whatever the caller passed.
 */
export class Logger {
  private readonly threshold: number;

  constructor(
    private readonly sink: LogSink,
    private readonly options: LoggerOptions = {},
  ) {
    this.threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  }

  child(scope: string): Logger {
    const joined = this.options.scope ? `${this.options.scope}/${scope}` : scope;
    return new Logger(this.sink, { ...this.options, scope: joined });
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (LOG_LEVELS.indexOf(level) < this.threshold) return;
    try {
      this.sink.write(this.format(level, message, fields));
    } catch (error) {
      this.options.onSinkError?.(error);
    }
  }

  private format(level: LogLevel, message: string, fields?: Record<string, unknown>): string {
    const time = (this.options.clock ?? (() => new Date()))().toISOString();
    const scope = this.options.scope ? ` [${this.options.scope}]` : '';
    // One entry per line keeps rotation and grep honest: newlines inside a message are escaped.
    const text = redactSecrets(message).replace(/\r?\n/g, '\\n');
    const data = fields === undefined ? '' : ` ${JSON.stringify(redactValue(fields))}`;
    const line = `${time} ${level.toUpperCase().padEnd(5)}${scope} ${text}${data}`;
    return line.length > MAX_ENTRY_CHARS ? `${line.slice(0, MAX_ENTRY_CHARS)}… [${line.length - MAX_ENTRY_CHARS} chars cut]` : line;
  }
}

export interface LogFileSettings {
  /** The platform's log directory (Electron: `app.getPath('logs')`); see defaultLogDirectory for the CLI. */
  directory: string;
  /** `main.log` for the app, `cli.log` for the command line: one writer per file. */
  fileName: string;
  maxBytes?: number;
  maxFiles?: number;
}

export const DEFAULT_MAX_LOG_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_LOG_FILES = 5;

/** A logger writing to a rotating file in the given directory; close the file at exit. */
export function openFileLogger(settings: LogFileSettings, options: LoggerOptions = {}): { logger: Logger; file: RotatingLogFile } {
  const file = new RotatingLogFile({
    directory: settings.directory,
    fileName: settings.fileName,
    maxBytes: settings.maxBytes ?? DEFAULT_MAX_LOG_BYTES,
    maxFiles: settings.maxFiles ?? DEFAULT_MAX_LOG_FILES,
  });
  return { logger: new Logger(file, options), file };
}
