/**
 * Help for one command group or one of its subcommands, cut from the group's usage text, so the synopsis an admin
 * reads in `tec integration add --help` is the same text a usage error prints (one text, never two that drift).
 *
 * A usage text is a list of blocks: a block starts with a line `tec GROUP …` (leading spaces allowed) and takes the
 * indented lines after it; a blank line ends the blocks, and what follows is notes shown with every help.
 */

const HELP_FLAGS = new Set(['--help', '-h']);

/** `--help` or `-h` among the arguments (before a `--`, after which everything is an operand). */
export function asksForHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (HELP_FLAGS.has(arg)) return true;
  }
  return false;
}

export function commandHelp(group: string, summary: string, usage: string, argv: readonly string[]): string {
  const { blocks, notes } = parseUsage(usage);
  const sub = argv.find((arg) => !arg.startsWith('-'));
  const matching = sub === undefined ? [] : blocks.filter((block) => firstWords(block[0]!, 3) === `tec ${group} ${sub}`);
  const shown = matching.length > 0 ? matching : blocks;
  return [
    `tec ${group}: ${summary}`,
    '',
    'Usage:',
    ...shown.flat().map((line) => `  ${line}`),
    ...(notes.length > 0 ? ['', ...notes] : []),
    '',
    'Every command also takes --data-dir DIR (or TEC_DATA_DIR); --json prints one JSON document on stdout.',
    '',
  ].join('\n');
}

function parseUsage(usage: string): { blocks: string[][]; notes: string[] } {
  const lines = usage.split('\n');
  const blocks: string[][] = [];
  let index = 0;
  for (; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '') break;
    if (line.trimStart().startsWith('tec ')) blocks.push([line.trim()]);
    else blocks[blocks.length - 1]?.push(line.replace(/^\s+/, (indent) => indent.slice(Math.min(indent.length, 7))));
  }
  const notes = lines.slice(index + 1).filter((line, i, all) => line.trim() !== '' || i < all.length - 1);
  return { blocks, notes };
}

function firstWords(line: string, count: number): string {
  return line.split(/\s+/).slice(0, count).join(' ');
}
