import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './cli-io';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with our error wording: an unknown or malformed option is a usage error naming the option. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, positionals: { min: number; max: number; usage: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw usageError(`${text.replace(/\. To specify a positional argument.*$/s, '')}\nUsage: ${positionals.usage}`);
  }
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max) {
    throw usageError(`Wrong number of arguments.\nUsage: ${positionals.usage}`);
  }
  return parsed;
}
