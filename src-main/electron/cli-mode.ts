/**
 * The installed app doubles as the `tec` command line: `<app binary> --cli [--] <tec arguments>`. The fuses forbid
 * ELECTRON_RUN_AS_NODE, so the app's own main process runs the CLI instead of opening a window; the deb's
 * /usr/bin/tec, the macOS bundle's Resources/bin/tec and the Windows tec.cmd are shims that call it that way.
 *
 * Only the first `--cli` counts and everything after it belongs to the CLI, whatever Electron or Chromium put before
 * it (`electron . --cli` in development, `--ozone-platform=headless --cli` from the Linux shim). The shims add `--`
 * after `--cli` so Chromium stops reading switches there (base::CommandLine treats `--` as the end of switches) and a
 * tec option can never be taken for a Chromium one; the `--` is dropped here.
 */
export const CLI_SWITCH = '--cli';

/** The CLI's arguments when the app was started in CLI mode, or null for a normal (window) start. */
export function extractCliArgs(argv: readonly string[]): string[] | null {
  const index = argv.indexOf(CLI_SWITCH);
  if (index === -1) return null;
  const rest = argv.slice(index + 1);
  return rest[0] === '--' ? rest.slice(1) : rest;
}
