import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFreshBuild, type FreshBuild } from './fresh-build';
import { useTempDir } from './temp-dir';

const tempDir = useTempDir('tec-fresh-build-');

/** A project whose "build" copies src/entry.ts to out/entry.js and counts its builds in builds.txt. */
function project(): { root: string; build: FreshBuild; builds: () => number; at: (file: string) => string } {
  const root = tempDir();
  const at = (file: string) => path.join(root, file);
  fs.mkdirSync(at('src/nested'), { recursive: true });
  fs.writeFileSync(at('src/entry.ts'), 'export const a = 1;');
  fs.writeFileSync(at('src/nested/part.ts'), 'export const b = 2;');
  fs.writeFileSync(at('build.config'), '{}');
  const script = "const fs = require('fs'); fs.mkdirSync('out', { recursive: true }); fs.copyFileSync('src/entry.ts', 'out/entry.js'); fs.appendFileSync('builds.txt', 'x');";
  return {
    root,
    at,
    build: { root, outputs: ['out/entry.js'], sources: ['src', 'build.config'], command: [process.execPath, '-e', script], lock: 'out/.build.lock' },
    builds: () => (fs.existsSync(at('builds.txt')) ? fs.readFileSync(at('builds.txt'), 'utf8').length : 0),
  };
}

/** Sets a file's modification time `seconds` after the output's: as an edit after the build leaves it. */
function editedAfterBuild(file: string, output: string, seconds = 10): void {
  const built = fs.statSync(output).mtime.getTime() / 1000;
  fs.utimesSync(file, built + seconds, built + seconds);
}

describe('a test that needs a build', () => {
  it('builds when there is no output (a fresh clone), and not again while the output is newer than its sources', () => {
    const { build, builds, at } = project();
    expect(ensureFreshBuild(build)).toBe(true);
    expect(fs.readFileSync(at('out/entry.js'), 'utf8')).toBe('export const a = 1;');
    expect(ensureFreshBuild(build)).toBe(false);
    expect(builds()).toBe(1);
    expect(fs.existsSync(at('out/.build.lock'))).toBe(false);
  });

  it('builds again when a source is newer than the output: an edit, a file deep in a folder, the build config', () => {
    const { build, builds, at } = project();
    ensureFreshBuild(build);
    fs.writeFileSync(at('src/entry.ts'), 'export const a = 3;');
    editedAfterBuild(at('src/entry.ts'), at('out/entry.js'));
    expect(ensureFreshBuild(build)).toBe(true);
    expect(fs.readFileSync(at('out/entry.js'), 'utf8')).toBe('export const a = 3;');

    editedAfterBuild(at('src/nested/part.ts'), at('out/entry.js'));
    expect(ensureFreshBuild(build)).toBe(true);
    editedAfterBuild(at('build.config'), at('out/entry.js'));
    expect(ensureFreshBuild(build)).toBe(true);
    expect(builds()).toBe(4);
  });

  it('builds again when a file was added to a source folder (a new migration), or when one output is missing', () => {
    const { build, builds, at } = project();
    ensureFreshBuild(build);
    fs.writeFileSync(at('src/nested/0042-new.ts'), 'export {};');
    editedAfterBuild(at('src/nested/0042-new.ts'), at('out/entry.js'));
    expect(ensureFreshBuild(build)).toBe(true);
    expect(ensureFreshBuild({ ...build, outputs: [...build.outputs, 'out/other.js'] })).toBe(true);
    expect(builds()).toBe(3);
  });

  it('waits for another builder holding the lock, then gives up naming it', () => {
    const { build, builds, at } = project();
    fs.mkdirSync(at('out/.build.lock'), { recursive: true });
    expect(() => ensureFreshBuild({ ...build, waitMs: 600 })).toThrow(`another build holds ${at('out/.build.lock')}`);
    expect(builds()).toBe(0);
  });
});
