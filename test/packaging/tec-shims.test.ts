import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { extractCliArgs } from '../../src-main/electron/cli-mode';

/**
 * The shims that give an installed app its `tec` command run for real here, against a stand-in for the app binary
 * that prints the arguments it got and exits with a chosen code.
 */

const root = resolve(__dirname, '..', '..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
const shim = (...parts: string[]) => join(root, 'resources', 'packaging', ...parts);
const tecArgs = ['devices', 'search', 'name with spaces', '--json', '--verbose'];

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tec shim '));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function fakeApp(path: string): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\nprintf "%s\\n" "$@"\nexit 7\n');
  chmodSync(path, 0o755);
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { code: result.status, argv: result.stdout.split('\n').slice(0, -1) };
}

describe('tec shims', () => {
  it('deb: /usr/bin/tec runs the installed app binary in headless CLI mode with the arguments intact', () => {
    const installed = `/opt/${config.productName}/${config.linux.executableName}`;
    const text = readFileSync(shim('linux', 'tec'), 'utf8');
    expect(text).toContain(`exec "${installed}" --ozone-platform=headless --cli -- "$@"`);

    const app = join(scratch, 'opt', config.productName, config.linux.executableName);
    fakeApp(app);
    const copy = join(scratch, 'tec');
    writeFileSync(copy, text.replace(installed, app));
    chmodSync(copy, 0o755);

    const { code, argv } = run(copy, tecArgs);
    expect(argv).toEqual(['--ozone-platform=headless', '--cli', '--', ...tecArgs]);
    expect(extractCliArgs([app, ...argv])).toEqual(tecArgs);
    expect(code).toBe(7);
  });

  it('macOS: the bundle\'s tec finds the app binary through a symlink on PATH', () => {
    const bundle = join(scratch, 'Applications', `${config.productName}.app`, 'Contents');
    expect(config.mac.extraResources[0].to).toBe('bin/tec');
    const inBundle = join(bundle, 'Resources', 'bin', 'tec');
    mkdirSync(resolve(inBundle, '..'), { recursive: true });
    copyFileSync(shim('mac', 'tec'), inBundle);
    chmodSync(inBundle, 0o755);
    const app = join(bundle, 'MacOS', config.productName);
    fakeApp(app);
    const onPath = join(scratch, 'usr-local-bin', 'tec');
    mkdirSync(resolve(onPath, '..'));
    symlinkSync(inBundle, onPath);

    const { code, argv } = run(onPath, tecArgs);
    expect(argv).toEqual(['--cli', '--', ...tecArgs]);
    expect(extractCliArgs([app, ...argv])).toEqual(tecArgs);
    expect(code).toBe(7);
  });

  it('Windows: tec.cmd next to the exe passes every argument after --cli -- and returns the exit code', () => {
    const text = readFileSync(shim('win', 'tec.cmd'), 'utf8');
    expect(text.split('\r\n').filter(Boolean)).toEqual(
      expect.arrayContaining([`"%~dp0${config.productName}.exe" --cli -- %*`, 'exit /b %ERRORLEVEL%']),
    );
    expect(text.replace(/\r\n/g, '')).not.toContain('\n'); // cmd.exe wants CRLF line ends
    expect(config.win.extraFiles[0].to).toBe('tec.cmd');
  });

  it('are valid POSIX shell', () => {
    for (const file of [shim('linux', 'tec'), shim('mac', 'tec')]) execFileSync('sh', ['-n', file]);
  });
});
