import fs from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, createHash } from 'node:crypto';
import type { AuditSignatureState, AuditVerification } from '../../../src-shared/domain/audit';
import { toErrorPayload } from '../../../src-shared/errors';
import { secretAccount, type SecretStore } from '../secrets/secret-store';
import { canonicalJson, type AuditLog } from './audit-log';

/** Late stretches kept in the head; older ones fall off (the head must stay a small keychain item). */
const MAX_LATE_STRETCHES = 20;

/**
 * The newest chain entry, signed with the console's Ed25519 key. It lives in the keychain, outside the database, so
 * someone who can edit the database but cannot use the keychain can neither shorten the log below it nor recompute
 * the chain under it without the mismatch showing.
 */
export interface SignedHead {
  seq: number;
  hash: string;
  /** Stretches [from, to] signed after the fact (written while the keychain was unavailable, or just before a crash). */
  late: [number, number][];
  /** SPKI DER, base64: lets anyone holding an export check the signature offline. */
  publicKey: string;
  signature: string;
}

function signedBytes(head: Pick<SignedHead, 'seq' | 'hash' | 'late'>): Buffer {
  return Buffer.from(`tec-audit-head\n${canonicalJson({ seq: head.seq, hash: head.hash, late: head.late })}`);
}

/** Whether the head carries a valid signature by the key it names. */
export function headSignatureValid(head: SignedHead): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(head.publicKey, 'base64'), format: 'der', type: 'spki' });
    return verify(null, signedBytes(head), key, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Names a data folder in keychain account names: a hash of its real path (the path itself may be personal). */
export function dataDirId(dataDir: string): string {
  return createHash('sha256').update(fs.realpathSync(dataDir)).digest('hex').slice(0, 16);
}

/** A short, comparable name for a public key (what an admin reads aloud or compares with an export's). */
export function keyFingerprint(publicKey: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

export function parseSignedHead(text: string | null): SignedHead | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as SignedHead;
    if (Number.isSafeInteger(v.seq) && typeof v.hash === 'string' && Array.isArray(v.late) && typeof v.publicKey === 'string' && typeof v.signature === 'string') return v;
  } catch {
    // falls through: an unreadable head is treated as a forged one by the verifier
  }
  return { seq: 0, hash: '', late: [], publicKey: '', signature: '' };
}

/**
 * Signs the chain head after each write. Audit entries are written inside the action's own transaction and keytar is
 * async, so signing follows the commit (the head may lag by one transaction; the next start catches it up). A locked
 * or missing keychain never blocks the action: its entries stay unsigned until signing succeeds again, and are then
 * recorded in the head as a late stretch. The app and `tec` may both sign: the higher sequence wins, and a head is
 * only ever extended over entries whose chain continues from it, so a rewrite is never laundered into a new signature.
 */
export class AuditHeadSigner {
  #scheduled: NodeJS.Immediate | null = null;
  #running: Promise<void> = Promise.resolve();
  /** The first entry this process appended since its last successful signature (later ones are signed promptly). */
  #promptFrom: number | null = null;

  constructor(
    private readonly log: AuditLog,
    private readonly secrets: SecretStore,
    /** secretAccount.auditSignedHead(...) of this database's data folder. */
    private readonly headAccount: string,
  ) {}

  /** Called after an entry is appended; the signature follows once the transaction has committed. */
  appended(seq: number): void {
    this.#promptFrom ??= seq;
    this.schedule();
  }

  schedule(): void {
    this.#scheduled ??= setImmediate(() => this.#start());
  }

  /** Resolves once every scheduled signature has been attempted (before the database closes). */
  async settle(): Promise<void> {
    while (this.#scheduled) {
      clearImmediate(this.#scheduled);
      this.#start();
      await this.#running;
    }
    await this.#running;
  }

  #start(): void {
    this.#scheduled = null;
    this.#running = this.#running.then(() => this.#signHead()).catch(() => {
      // A keychain that does not answer leaves the entries unsigned; verification reports them.
      this.#promptFrom = null;
    });
  }

  async #signHead(): Promise<void> {
    let keyPem = await this.secrets.get(secretAccount.auditSigningKey());
    const stored = parseSignedHead(await this.secrets.get(this.headAccount));
    // Once signing started, a missing head or key means it was removed: never start a second history over the first
    // (verification reports it instead).
    if (stored === null && this.log.signingStarted() !== null) return;
    if (keyPem === null) {
      if (stored !== null) return;
      keyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      await this.secrets.set(secretAccount.auditSigningKey(), keyPem);
    }
    const head = this.log.head();
    if (!head) return;
    const from = stored?.seq ?? 0;
    if (head.seq <= from) return;
    // Only extend a head the database still continues from; otherwise keep the evidence for verification.
    if (stored && this.log.hashAt(stored.seq) !== stored.hash) return;
    // The stored head's hash still matches, so only the entries after it need checking (not the whole chain per signature).
    if (!this.log.verifyAfter(stored).ok) return;
    const lateTo = (this.#promptFrom ?? head.seq + 1) - 1;
    const late = [...(stored?.late ?? []), ...(lateTo > from ? [[from + 1, lateTo] as [number, number]] : [])].slice(-MAX_LATE_STRETCHES);
    const body = { seq: head.seq, hash: head.hash, late };
    const signed: SignedHead = { ...body, publicKey: publicKeyOf(keyPem), signature: sign(null, signedBytes(body), createPrivateKey(keyPem)).toString('base64') };
    // Higher sequence wins when the app and tec sign at once: re-read just before writing.
    const latest = parseSignedHead(await this.secrets.get(this.headAccount));
    if (latest && latest.seq >= signed.seq) return;
    await this.secrets.set(this.headAccount, JSON.stringify(signed));
    this.log.recordSigningStarted(signed.publicKey, signed.seq);
    this.#promptFrom = null;
  }
}

function publicKeyOf(privatePem: string): string {
  return createPublicKey(createPrivateKey(privatePem)).export({ format: 'der', type: 'spki' }).toString('base64');
}

/**
 * The chain checked against the keychain's signed head. Someone without the keychain can edit, delete, reorder or
 * recompute entries, or delete the newest ones; each shows as a chain break or a mismatch with the head.
 */
export async function verifySignedLog(log: AuditLog, secrets: SecretStore, headAccount: string): Promise<AuditVerification> {
  return (await sealAuditLog(log, secrets, headAccount)).verification;
}

/** What an audit export carries so anyone can verify it offline: the verification and the signed head it used. */
export interface AuditSeal {
  verification: AuditVerification;
  signedHead: SignedHead | null;
}

export async function sealAuditLog(log: AuditLog, secrets: SecretStore, headAccount: string): Promise<AuditSeal> {
  let stored: SignedHead | null;
  try {
    stored = parseSignedHead(await secrets.get(headAccount));
  } catch (error) {
    const chain = log.verify();
    const note = `The keychain did not answer, so only the hash chain was checked: ${toErrorPayload(error).message}`;
    return { verification: { ...chain, signature: { state: 'unavailable', signedThrough: null, unsigned: chain.checked, late: [], publicKey: null, note } }, signedHead: null };
  }
  return { verification: compareWithSignedHead(log.verify(), log.signingStarted()?.startedSeq ?? null, (seq) => log.hashAt(seq), stored), signedHead: stored };
}

/** Pure comparison of a verified chain with a signed head; the offline export check uses it too. */
export function compareWithSignedHead(
  chain: AuditVerification,
  signingStartedAt: number | null,
  hashAt: (seq: number) => string | null,
  stored: SignedHead | null,
): AuditVerification {
  const state = (s: AuditSignatureState['state'], note: string | null, head: SignedHead | null = stored): AuditSignatureState => ({
    state: s,
    signedThrough: head?.seq ?? null,
    unsigned: Math.max(0, chain.checked - (head?.seq ?? 0)),
    late: head?.late ?? [],
    publicKey: head ? keyFingerprint(head.publicKey) : null,
    note,
  });
  if (!chain.ok) return { ...chain, signature: state('checked', null) };
  const total = chain.checked;
  if (!stored) {
    if (signingStartedAt !== null) {
      return { ok: false, checked: total, brokenAt: null, reason: `the signed head is missing from the keychain although signing started at entry ${signingStartedAt}: it was removed, so truncation and rewrites cannot be ruled out`, signature: state('missing', null) };
    }
    return { ...chain, signature: state('unsigned', total === 0 ? null : `no entry is signed yet: the keychain has not been available to sign ${entries(total)}`) };
  }
  if (!headSignatureValid(stored)) {
    return { ok: false, checked: total, brokenAt: null, reason: 'the signed head in the keychain does not carry a valid signature', signature: state('invalid', null) };
  }
  if (total < stored.seq) {
    return { ok: false, checked: total, brokenAt: null, reason: `truncated after ${total}: the signed head is entry ${stored.seq}, so ${entries(stored.seq - total)} newer than it ${stored.seq - total === 1 ? 'was' : 'were'} removed`, signature: state('truncated', null) };
  }
  if (hashAt(stored.seq) !== stored.hash) {
    return { ok: false, checked: total, brokenAt: null, reason: `entry ${stored.seq} no longer matches the signed head: an entry at or before it was changed and the chain recomputed`, signature: state('mismatch', null) };
  }
  const behind = total - stored.seq;
  const lateNote = stored.late.length ? ` Signed late: ${stored.late.map(([a, b]) => (a === b ? `entry ${a}` : `entries ${a}–${b}`)).join(', ')}.` : '';
  const note = behind > 0 ? `head behind by ${entries(behind)} whose chain verifies (signed at the next start).${lateNote}` : lateNote.trim() || null;
  return { ...chain, signature: state(behind > 0 ? 'behind' : 'signed', note) };
}

function entries(n: number): string {
  return n === 1 ? '1 entry' : `${n} entries`;
}
