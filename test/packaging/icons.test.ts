import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { generateIcons, ICON_SOURCE, LINUX_ICON_SIZES, sourceHash } from '../../resources/packaging/generate-icons.mjs';

const committed = resolve(__dirname, '..', '..', 'resources', 'icons');

function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(file);
  expect(data.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Sizes in an ICO directory (a width byte of 0 means 256). */
function icoSizes(file: string): number[] {
  const data = readFileSync(file);
  expect(data.readUInt16LE(0)).toBe(0);
  expect(data.readUInt16LE(2)).toBe(1);
  return Array.from({ length: data.readUInt16LE(4) }, (_, i) => data[6 + i * 16] || 256);
}

/** Chunk types in an ICNS file. */
function icnsTypes(file: string): string[] {
  const data = readFileSync(file);
  expect(data.subarray(0, 4).toString('latin1')).toBe('icns');
  expect(data.readUInt32BE(4)).toBe(data.length);
  const types: string[] = [];
  for (let at = 8; at < data.length; at += data.readUInt32BE(at + 4)) types.push(data.subarray(at, at + 4).toString('latin1'));
  return types;
}

function checkIconSet(dir: string) {
  expect(pngSize(join(dir, 'icon.png'))).toEqual({ width: 1024, height: 1024 });
  for (const size of LINUX_ICON_SIZES) expect(pngSize(join(dir, 'png', `${size}x${size}.png`))).toEqual({ width: size, height: size });
  expect(icoSizes(join(dir, 'icon.ico'))).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  // ic10 is the 1024 px (512@2x) image macOS uses on Retina displays; ic07 the 128 px one Finder lists use.
  expect(icnsTypes(join(dir, 'icon.icns'))).toEqual(expect.arrayContaining(['ic07', 'ic10']));
}

let regenerated: string;
beforeAll(() => {
  regenerated = mkdtempSync(join(tmpdir(), 'tec-icons-'));
  generateIcons(regenerated);
});
afterAll(() => rmSync(regenerated, { recursive: true, force: true }));

describe('icons', () => {
  it('are committed for every platform, at every size, in valid formats', () => {
    checkIconSet(committed);
  });

  it('were generated from the current icon.svg (run `npm run icons` after editing it)', () => {
    expect(readFileSync(join(committed, 'source.sha256'), 'utf8').split(' ')[0]).toBe(sourceHash(readFileSync(ICON_SOURCE)));
  });

  it('regenerate from the one source image with `npm run icons`', () => {
    checkIconSet(regenerated);
    expect(readdirSync(regenerated).sort()).toEqual(readdirSync(committed).sort());
  });
});
