import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * A stand-in for an Electron release zip, for tests on machines that cannot download Electron: the files
 * electron-builder unpacks, with an `electron` executable that carries a fuse wire behind Electron's fuse sentinel
 * (what @electron/fuses reads and flips), holding Electron's default fuse values. Given a `launcher`, the executable
 * is a Node script that records each launch (arguments, working directory, environment) and exits 0.
 */

// @electron/fuses' sentinel, then wire version 1, wire length, one byte per fuse ('1' on, '0' off), in FuseV1Options
// order: RunAsNode, EnableCookieEncryption, EnableNodeOptionsEnvironmentVariable, EnableNodeCliInspectArguments,
// EnableEmbeddedAsarIntegrityValidation, OnlyLoadAppFromAsar, LoadBrowserProcessSpecificV8Snapshot,
// GrantFileProtocolExtraPrivileges.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_DEFAULT_FUSES = '10110001';

interface ZipEntry {
  name: string;
  data: Buffer;
  mode: number;
}

/** A zip with stored (uncompressed) entries and Unix modes, enough for electron-builder's extractor. */
export function storedZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes carry the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100000 | entry.mode) * 0x10000, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** One launch of the recording stand-in, as it wrote it: a JSON object per line of the record file. */
export interface StandInLaunch {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Where the executable sits in Electron's zip for each OS (what electron/install.js writes to path.txt). */
const EXECUTABLE: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'electron',
  darwin: 'Electron.app/Contents/MacOS/Electron',
};

export interface StandInOptions {
  platform?: NodeJS.Platform;
  arch?: string;
  /** Makes the executable a Node script that appends each launch to this file (JSON lines) and exits 0. */
  launcher?: { recordFile: string };
}

/**
 * The files a mirror serves for `electron-v<version>-<platform>-<arch>.zip` (linux-x64 unless told): the zip and its
 * SHASUMS256.txt, both under `/v<version>/` as ELECTRON_MIRROR expects.
 */
export function standInElectronRelease(version: string, options: StandInOptions = {}): Record<string, Buffer> {
  const platform = options.platform ?? 'linux';
  const arch = options.arch ?? 'x64';
  const executable = EXECUTABLE[platform];
  if (!executable) throw new Error(`No stand-in Electron layout for ${platform}`);
  const head = options.launcher
    ? '#!/usr/bin/env node\n' +
      `require('node:fs').appendFileSync(${JSON.stringify(options.launcher.recordFile)}, ` +
      'JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env }) + "\\n");\n' +
      '// '
    : '#!/bin/sh\n# stand-in Electron for packaging tests\n';
  const binary = Buffer.concat([
    Buffer.from(head),
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
    Buffer.from(ELECTRON_DEFAULT_FUSES),
    Buffer.from('\n'),
  ]);
  const file = (name: string, data: string | Buffer, mode = 0o644): ZipEntry => ({ name, data: Buffer.from(data), mode });
  const zip = storedZip([
    file(executable, binary, 0o755),
    file('chrome-sandbox', '', 0o755),
    file('chrome_crashpad_handler', '', 0o755),
    file('LICENSE', 'MIT'),
    file('LICENSES.chromium.html', ''),
    file('version', version),
    file('resources/default_app.asar', ''),
  ]);
  const zipName = `electron-v${version}-${platform}-${arch}.zip`;
  const sum = createHash('sha256').update(zip).digest('hex');
  return {
    [`/v${version}/${zipName}`]: zip,
    [`/v${version}/SHASUMS256.txt`]: Buffer.from(`${sum} *${zipName}\n`),
  };
}
