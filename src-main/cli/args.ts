import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './cli-io';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with our error wording: an unknown or malformed option is a usage error naming the option. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, positionals: { min: number; max: number; usage: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw usageError(`${text.replace(/\. To specify a positional argument.*$/s, '')}\nUsage: ${positionals.usage}`);
  }
  const count = parsed.positionals.length;
  if (count > positionals.max) {
    const extra = parsed.positionals.map((p) => `"${p}"`).join(' ');
    const hint = positionals.max > 0 ? ' A name with spaces must be quoted, for example "Acme Android".' : '';
    throw usageError(`Too many arguments: ${extra}.${hint}\nUsage: ${positionals.usage}`);
  }
  if (count < positionals.min) throw usageError(`Missing argument.\nUsage: ${positionals.usage}`);
  return parsed;
}

/**
 * parseArgs reads `--limit -1` as an option followed by another option ("ambiguous"): a value that looks like a negative
 * number is joined to its option (`--limit=-1`) so the option's own check can say what is wrong with it.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A whole-number option such as --limit: absent gives the default; anything else outside min..max is a usage error. */
export function wholeNumberOption(name: string, value: string | undefined, range: { min: number; max: number; fallback: number }): number {
  if (value === undefined) return range.fallback;
  const number = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || number < range.min || number > range.max) {
    throw usageError(`--${name} takes a whole number from ${range.min} to ${range.max}, not "${value}".`);
  }
  return number;
}
