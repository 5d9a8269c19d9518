import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { findSigningSecrets } from '../../resources/packaging/find-signing-secrets.mjs';

type Finding = { file: string; line?: number; reason: string };
const root = resolve(__dirname, '..', '..');

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

function repoWith(files: Record<string, string | Buffer>): string {
  scratch = mkdtempSync(join(tmpdir(), 'tec-secrets-'));
  execFileSync('git', ['init', '-q'], { cwd: scratch });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(scratch, name, '..'), { recursive: true });
    writeFileSync(join(scratch, name), content);
  }
  return scratch;
}

// Built at run time so this file itself holds no secret-shaped text for the scan of the real repository to find.
const assign = (name: string, value: string) => `${name}=${value}`;
const yamlEnv = (name: string, value: string) => `  ${name}: ${value}`;
const pemKey = (label: string) =>
  [`-----BEGIN ${label}PRIVATE KEY-----`, ...Array.from({ length: 6 }, () => 'QUJD'.repeat(16)), `-----END ${label}PRIVATE KEY-----`].join('\n');

describe('signing secrets in the repository', () => {
  it('finds none in this repository', () => {
    expect(findSigningSecrets(root)).toEqual([]);
  });

  it('finds certificate files, private keys and literal signing passwords', () => {
    const repo = repoWith({
      'build/cert.p12': Buffer.from([0x30, 0x82, 0x01, 0x00]),
      'build/AuthKey_ABC123.p8': 'key',
      'docs/notes.md': `Use this:\n${pemKey('RSA ')}\n`,
      '.env': `${assign('CSC_KEY_PASSWORD', 'hunter2')}\n${assign('APPLE_APP_SPECIFIC_PASSWORD', 'abcd-efgh-ijkl-mnop')}\n`,
      'ci.yml': ['env:', yamlEnv('WIN_CSC_LINK', 'MIIKcQIBAzCCCjcGCSqGSIb3DQEHAaCCCigEggokMIIKIDCCBNcGCSqGSIb3')].join('\n'),
    });
    const findings: Finding[] = findSigningSecrets(repo);
    expect(findings.map((f) => `${f.file}${f.line ? `:${f.line}` : ''}`).sort()).toEqual(
      ['.env:1', '.env:2', 'build/AuthKey_ABC123.p8', 'build/cert.p12', 'ci.yml:2', 'docs/notes.md:2'].sort(),
    );
  });

  it('accepts references to secrets held elsewhere, prose that names the variables, and test fixtures', () => {
    const repo = repoWith({
      'release.yml': [
        'env:',
        yamlEnv('CSC_LINK', '${{ secrets.MAC_CSC_LINK }}'),
        yamlEnv('CSC_KEY_PASSWORD', "${{ matrix.name == 'macos' && secrets.MAC_CSC_KEY_PASSWORD || '' }}"),
        yamlEnv('WIN_CSC_KEY_PASSWORD', '""'),
        `  run: echo "${assign('APPLE_API_KEY', '$RUNNER_TEMP/AuthKey.p8')}" >> "$GITHUB_ENV"`,
      ].join('\n'),
      'sign.sh': `export ${assign('CSC_KEY_PASSWORD', '"$MAC_PASSWORD"')}\n`,
      'sign.cmd': `set ${assign('WIN_CSC_LINK', '%CERT_PATH%')}\n`,
      'config.js': `const env = { ${yamlEnv('"CSC_KEY_PASSWORD"', 'process.env.CSC_KEY_PASSWORD').trim()} };\n`,
      'README.md': 'Set CSC_LINK (the .p12, base64) and CSC_KEY_PASSWORD in the CI secrets.\n',
      'test/fixtures/ca.key': pemKey(''),
      'src/redaction.test.ts': "const sample = '-----BEGIN RSA PRIVATE KEY-----\\nMIIEow\\n-----END RSA PRIVATE KEY-----';\n",
    });
    expect(findSigningSecrets(repo)).toEqual([]);
  });

  it('ignores what git ignores (dependencies, build output)', () => {
    const repo = repoWith({ '.gitignore': 'dist/\n', 'dist/cert.pfx': 'x' });
    expect(findSigningSecrets(repo)).toEqual([]);
  });
});
