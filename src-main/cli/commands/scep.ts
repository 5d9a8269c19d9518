import { access, writeFile } from 'node:fs/promises';
import type { CertificateSummary } from '../../../src-shared/domain/certificate';
import type { CaCertificates } from '../../core/scep/ca-certificates';
import type { ScepClient, ScepClientOptions } from '../../core/scep/scep-client';
import { generateRsaKeyPair } from '../../core/scep/rsa-key-pair';
import { parseCommandArgs } from '../args';
import { EXIT, printJson, readSecretFromStdin, reportError, usageError, type CliIo } from '../cli-io';

/**
 * `tec scep caps|cacert|enroll`: SCEP against a CA exactly as an MDM would use it. `npm run bench:scep` times `enroll`
 * against Debian's Go scepclient, so start-up matters: `enroll` starts generating its key first and loads the SCEP
 * core (node-forge's ASN.1 module, node:http) while the primes are computed; the NDES challenge fetcher (axios) loads
 * only for --challenge-url.
 */

export const USAGE = [
  'tec scep caps   --url URL [--json] [--allow-http] [--timeout SECONDS]',
  'tec scep cacert --url URL [--out FILE] [--json] [--allow-http] [--timeout SECONDS]',
  'tec scep enroll --url URL --subject DN',
  '                (--challenge-stdin | TEC_SCEP_CHALLENGE=… | --challenge-url URL --ndes-user DOMAIN\\USER [--ndes-auth auto|basic|ntlm])',
  '                [--out-cert FILE] [--out-key FILE] [--json] [--allow-http] [--timeout SECONDS]',
  '',
  '  The NDES password comes from TEC_NDES_PASSWORD, else from standard input.',
  '  The private key is written only with --out-key (mode 0600, never over an existing file).',
].join('\n');

const COMMON = {
  url: { type: 'string' },
  json: { type: 'boolean', default: false },
  'allow-http': { type: 'boolean', default: false },
  timeout: { type: 'string' },
} as const;

export async function runScepCommand(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const json = argv.includes('--json');
  try {
    switch (command) {
      case 'caps':
        return await caps(rest, io);
      case 'cacert':
        return await cacert(rest, io);
      case 'enroll':
        return await enroll(rest, io);
      case undefined:
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw usageError(`Unknown command "scep ${command}".\nUsage:\n${USAGE}`);
    }
  } catch (error) {
    return reportError(io, error, json);
  }
}

function timeoutMsFrom(values: { timeout?: string }): number | undefined {
  if (values.timeout === undefined) return undefined;
  const seconds = Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`--timeout takes a number of seconds, not "${values.timeout}".`);
  return seconds * 1000;
}

/** Checks the options every subcommand shares; the SCEP core itself loads in clientFor. */
function clientOptions(values: { url?: string; 'allow-http'?: boolean; timeout?: string }, usage: string): ScepClientOptions {
  if (!values.url) throw usageError(`--url is required.\nUsage: ${usage}`);
  return { url: values.url, allowPlainHttp: values['allow-http'], timeoutMs: timeoutMsFrom(values) };
}

async function clientFor(options: ScepClientOptions): Promise<ScepClient> {
  const { ScepClient } = await import('../../core/scep/scep-client');
  return new ScepClient(options);
}

async function caps(argv: string[], io: CliIo): Promise<number> {
  const usage = 'tec scep caps --url URL [--json]';
  const { values } = parseCommandArgs(argv, COMMON, { min: 0, max: 0, usage });
  const result = await (await clientFor(clientOptions(values, usage))).getCaCaps({ signal: io.signal });
  if (values.json) printJson(io, { ok: true, caps: result });
  else io.stdout.write(result.keywords.length > 0 ? `${result.keywords.join('\n')}\n` : '(the CA advertises no capabilities)\n');
  return EXIT.ok;
}

function roles(ca: CaCertificates, index: number): string[] {
  const certificate = ca.certificates[index];
  const out: string[] = [];
  if (certificate === ca.recipient) out.push('encryption');
  if (certificate === ca.signer) out.push('signature');
  if (certificate === ca.issuer) out.push('issuing CA');
  return out;
}

function describe(summary: CertificateSummary): string[] {
  return [
    `  Subject:      ${summary.subject}`,
    `  Issuer:       ${summary.issuer}`,
    `  Serial:       ${summary.serialNumber}`,
    `  Valid:        ${summary.notBefore} to ${summary.notAfter}`,
    `  Key usage:    ${summary.keyUsage.length > 0 ? summary.keyUsage.join(', ') : '(any)'}`,
    `  SHA-256:      ${summary.sha256Fingerprint}`,
  ];
}

async function cacert(argv: string[], io: CliIo): Promise<number> {
  const usage = 'tec scep cacert --url URL [--out FILE] [--json]';
  const { values } = parseCommandArgs(argv, { ...COMMON, out: { type: 'string' } }, { min: 0, max: 0, usage });
  const ca = await (await clientFor(clientOptions(values, usage))).getCaCertificates({ signal: io.signal });
  const [{ derToPem }, { summarizeCertificate }] = await Promise.all([
    import('../../core/scep/pem'),
    import('../../core/scep/certificate-summary'),
  ]);
  if (values.out) await writeFile(values.out, ca.certificates.map((c) => derToPem(c.der)).join(''));
  const certificates = ca.certificates.map((c, i) => ({ ...summarizeCertificate(c), roles: roles(ca, i) }));
  if (values.json) {
    printJson(io, { ok: true, form: ca.form, certificates, ...(values.out ? { file: values.out } : {}) });
    return EXIT.ok;
  }
  const lines = [`${ca.form === 'single' ? 'One CA certificate' : `${certificates.length} CA/RA certificates`}:`];
  certificates.forEach((c, i) => lines.push(`[${i + 1}] ${c.roles.join(', ') || 'chain'}`, ...describe(c)));
  if (values.out) lines.push(`Written to ${values.out} (PEM).`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

async function challengeFor(
  values: { 'challenge-stdin'?: boolean; 'challenge-url'?: string; 'ndes-user'?: string; 'ndes-auth'?: string; 'allow-http'?: boolean },
  io: CliIo,
  timeoutMs: number | undefined,
): Promise<{ password: string; caThumbprint?: string }> {
  const fromStdin = values['challenge-stdin'] === true;
  const challengeUrl = values['challenge-url'];
  if (fromStdin && challengeUrl) throw usageError('Give --challenge-stdin or --challenge-url, not both.');
  if (fromStdin) return { password: await readSecretFromStdin(io, 'challenge password') };
  if (!challengeUrl) {
    const fromEnv = io.env.TEC_SCEP_CHALLENGE;
    if (fromEnv) return { password: fromEnv };
    throw usageError(
      'A challenge password is required: --challenge-stdin, TEC_SCEP_CHALLENGE, or --challenge-url with --ndes-user.',
    );
  }
  const username = values['ndes-user'];
  if (!username) throw usageError('--challenge-url needs --ndes-user (DOMAIN\\user).');
  const auth = values['ndes-auth'] ?? 'auto';
  if (auth !== 'auto' && auth !== 'basic' && auth !== 'ntlm') throw usageError(`--ndes-auth is auto, basic or ntlm, not "${auth}".`);
  const password = io.env.TEC_NDES_PASSWORD ?? (await readSecretFromStdin(io, 'NDES password'));
  // axios and axios-ntlm load only on this path.
  const { fetchNdesChallenge } = await import('../../core/scep/ndes-challenge');
  const challenge = await fetchNdesChallenge({
    url: challengeUrl,
    username,
    password,
    auth,
    timeoutMs,
    signal: io.signal,
    allowPlainHttp: values['allow-http'],
  });
  return { password: challenge.challengePassword, caThumbprint: challenge.caThumbprint ?? undefined };
}

async function enroll(argv: string[], io: CliIo): Promise<number> {
  const usage = 'tec scep enroll --url URL --subject DN (--challenge-stdin | --challenge-url URL --ndes-user USER) [--out-cert FILE] [--out-key FILE] [--json]';
  const { values } = parseCommandArgs(
    argv,
    {
      ...COMMON,
      subject: { type: 'string' },
      'challenge-stdin': { type: 'boolean', default: false },
      'challenge-url': { type: 'string' },
      'ndes-user': { type: 'string' },
      'ndes-auth': { type: 'string' },
      'out-cert': { type: 'string' },
      'out-key': { type: 'string' },
    },
    { min: 0, max: 0, usage },
  );
  if (!values.subject) throw usageError(`--subject is required (e.g. --subject "CN=device-42,O=Acme").\nUsage: ${usage}`);
  const options = clientOptions(values, usage);
  // Checked before enrolling: a challenge password is single-use, and the key is never written over a file.
  if (values['out-key'] && (await access(values['out-key']).then(() => true, () => false))) {
    throw usageError(`${values['out-key']} already exists; the private key is not written over an existing file.`);
  }
  // Key generation is most of an enrollment's time: start it before anything else loads.
  const keyPair = generateRsaKeyPair();
  keyPair.catch(() => undefined); // handed to enroll below; a usage error before then must not surface as unhandled
  const client = await clientFor(options);
  const challenge = await challengeFor(values, io, options.timeoutMs);

  const result = await client.enroll({
    subject: values.subject,
    challengePassword: challenge.password,
    caThumbprint: challenge.caThumbprint,
    keyPair,
    signal: io.signal,
    onPending: ({ attempt }) => {
      if (!values.json) io.stderr.write(`The CA holds the request for approval; checking again (${attempt})…\n`);
    },
  });

  if (values['out-cert']) await writeFile(values['out-cert'], result.certificatePem);
  if (values['out-key']) {
    // The one place the key leaves memory, on the admin's explicit request.
    const pem = result.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    try {
      await writeFile(values['out-key'], pem, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw usageError(`${values['out-key']} already exists; the key is not written over an existing file.`);
      }
      throw error;
    }
  }

  if (values.json) {
    printJson(io, {
      ok: true,
      certificate: result.summary,
      certificatePem: result.certificatePem,
      transactionId: result.transactionId,
      algorithms: result.algorithms,
      pollAttempts: result.pollAttempts,
      files: { certificate: values['out-cert'] ?? null, privateKey: values['out-key'] ?? null },
    });
    return EXIT.ok;
  }
  const lines = ['Certificate issued:', ...describe(result.summary)];
  if (values['out-cert']) lines.push(`Certificate written to ${values['out-cert']}.`);
  if (values['out-key']) lines.push(`Private key written to ${values['out-key']} (mode 0600).`);
  io.stdout.write(`${lines.join('\n')}\n${values['out-cert'] ? '' : result.certificatePem}`);
  return EXIT.ok;
}
