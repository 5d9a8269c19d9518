import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import forgeDes from 'node-forge/lib/des';
import forgeUtil from 'node-forge/lib/util';
import { AppError } from '../../../src-shared/errors';
import {
  identifies,
  issuerAndSerialNumber,
  readCertificateIdentifier,
  type CertificateFields,
} from './certificate-fields';
import {
  algorithmIdentifier,
  children,
  contentBytes,
  expectSequence,
  expectSet,
  explicitTag,
  implicitPrimitive,
  isContextTag,
  isUniversal,
  octetString,
  oid,
  parseDer,
  readOctetString,
  readOid,
  sequence,
  set,
  smallInteger,
  toDer,
  Type,
} from './der';
import { OID } from './oids';

/**
 * CMS EnvelopedData (RFC 5652 section 6) with RSA key transport: what a SCEP request is encrypted into (to the CA/RA)
 * and what the issued certificate comes back in (to our signer certificate).
 */

/** Ciphers we send. RFC 8894 forbids single DES; "AES" in GetCACaps means AES-128-CBC (RFC 8894 section 3.5.2). */
export type ContentCipher = 'aes-128-cbc' | 'des-ede3-cbc';

const CIPHERS: Record<string, { node: string | null; keyLength: number; ivLength: number; label: string }> = {
  [OID.aes128Cbc]: { node: 'aes-128-cbc', keyLength: 16, ivLength: 16, label: 'AES-128-CBC' },
  [OID.aes192Cbc]: { node: 'aes-192-cbc', keyLength: 24, ivLength: 16, label: 'AES-192-CBC' },
  [OID.aes256Cbc]: { node: 'aes-256-cbc', keyLength: 32, ivLength: 16, label: 'AES-256-CBC' },
  [OID.desEde3Cbc]: { node: 'des-ede3-cbc', keyLength: 24, ivLength: 8, label: '3DES-CBC' },
  // Inbound only: micromdm/scep replies with DES-CBC whatever GetCACaps says, and OpenSSL 3 (under Node) has no
  // single DES outside its legacy provider, so node-forge's DES decrypts it. Never used to send.
  [OID.desCbc]: { node: null, keyLength: 8, ivLength: 8, label: 'DES-CBC' },
};

const OUTBOUND_OID: Record<ContentCipher, string> = {
  'aes-128-cbc': OID.aes128Cbc,
  'des-ede3-cbc': OID.desEde3Cbc,
};

/** DES keys carry odd parity in the low bit of each byte; OpenSSL ignores it, some CAs' CryptoAPI code does not. */
function withOddParity(key: Buffer): Buffer {
  for (let i = 0; i < key.length; i++) {
    const byte = key[i]! & 0xfe;
    let ones = 0;
    for (let bit = 1; bit < 0x100; bit <<= 1) if (byte & bit) ones++;
    key[i] = byte | (ones % 2 === 0 ? 1 : 0);
  }
  return key;
}

export function buildEnvelopedData(content: Buffer, recipient: CertificateFields, cipher: ContentCipher): Buffer {
  const cipherOid = OUTBOUND_OID[cipher];
  const spec = CIPHERS[cipherOid]!;
  let key: Buffer = randomBytes(spec.keyLength);
  if (cipher === 'des-ede3-cbc') key = withOddParity(key);
  const iv = randomBytes(spec.ivLength);
  const encryptor = createCipheriv(cipher, key, iv);
  const encrypted = Buffer.concat([encryptor.update(content), encryptor.final()]);

  const publicKey = createPublicKey({ key: recipient.publicKeyInfo, format: 'der', type: 'spki' });
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new AppError('SCEP_UNSUPPORTED', 'The CA/RA encryption certificate does not hold an RSA key; SCEP needs one.', {
      keyType: publicKey.asymmetricKeyType,
    });
  }
  // PKCS#1 v1.5 key transport: the one RSA key-transport scheme every SCEP server implements.
  const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, key);

  const recipientInfo = sequence([
    smallInteger(0),
    issuerAndSerialNumber(recipient),
    algorithmIdentifier(OID.rsaEncryption),
    octetString(encryptedKey),
  ]);
  const encryptedContentInfo = sequence([
    oid(OID.data),
    sequence([oid(cipherOid), octetString(iv)]),
    implicitPrimitive(0, encrypted),
  ]);
  const envelopedData = sequence([smallInteger(0), set([recipientInfo]), encryptedContentInfo]);
  return toDer(sequence([oid(OID.envelopedData), explicitTag(0, envelopedData)]));
}

function decryptFailed(reason: string, cause?: unknown): AppError {
  return new AppError(
    'SCEP_DECRYPT_FAILED',
    'The SCEP server\'s reply could not be decrypted with the request\'s key: it was encrypted for someone else or damaged.',
    { reason },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * RSAES-PKCS1-v1_5 decryption. Node 20 refuses RSA_PKCS1_PADDING in privateDecrypt (CVE-2023-46809, a
 * Bleichenbacher timing oracle for servers); we take the raw RSA result and remove the padding here. A SCEP client
 * decrypts one reply per transaction and reports failures without timing detail, so it offers no such oracle.
 */
function rsaPkcs1Decrypt(privateKey: KeyObject, encrypted: Buffer): Buffer {
  const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, encrypted);
  if (block[0] !== 0x00 || block[1] !== 0x02) throw decryptFailed('bad key-transport padding');
  const separator = block.indexOf(0x00, 2);
  if (separator < 10) throw decryptFailed('bad key-transport padding');
  return block.subarray(separator + 1);
}

function decryptContent(cipherOid: string, key: Buffer, iv: Buffer, encrypted: Buffer): Buffer {
  const spec = CIPHERS[cipherOid];
  if (!spec) {
    throw new AppError('SCEP_UNSUPPORTED', 'The SCEP server encrypted its reply with a cipher the console does not support.', {
      cipher: cipherOid,
    });
  }
  if (key.length !== spec.keyLength || iv.length !== spec.ivLength) throw decryptFailed(`wrong ${spec.label} key or IV length`);
  try {
    if (spec.node) {
      const decipher = createDecipheriv(spec.node, key, iv);
      return Buffer.concat([decipher.update(encrypted), decipher.final()]);
    }
    const decipher = forgeDes.createDecryptionCipher(key.toString('binary'), 'CBC');
    decipher.start(iv.toString('binary'));
    decipher.update(forgeUtil.createBuffer(encrypted.toString('binary')));
    if (!decipher.finish()) throw new Error('bad DES padding');
    return Buffer.from(decipher.output.getBytes(), 'binary');
  } catch (error) {
    throw decryptFailed(`${spec.label} decryption failed`, error);
  }
}

/** Decrypts a ContentInfo holding EnvelopedData addressed to `recipient`, whose private key is `privateKey`. */
export function decryptEnvelopedData(der: Buffer, recipient: CertificateFields, privateKey: KeyObject): Buffer {
  const what = 'encrypted reply';
  const [contentType, wrapped] = expectSequence(parseDer(der, what), what);
  if (readOid(contentType, `${what} content type`) !== OID.envelopedData) {
    throw new AppError('SCEP_BAD_RESPONSE', 'The SCEP server\'s reply does not hold CMS EnvelopedData.');
  }
  const fields = expectSequence(children(wrapped, what)[0], `${what} EnvelopedData`);
  // [0] originatorInfo is optional and precedes recipientInfos.
  const offset = isContextTag(fields[1], 0) ? 2 : 1;
  const recipients = expectSet(fields[offset], `${what} recipientInfos`)
    .filter((node) => isUniversal(node, Type.SEQUENCE))
    .map((node) => {
      const [, rid, algorithm, encryptedKey] = expectSequence(node, `${what} recipientInfo`);
      return {
        id: readCertificateIdentifier(rid, `${what} recipient identifier`),
        algorithm: readOid(expectSequence(algorithm, `${what} key encryption algorithm`)[0], `${what} key encryption algorithm`),
        encryptedKey: readOctetString(encryptedKey, `${what} encrypted key`),
      };
    });
  // Some CAs re-encode the recipient's serial number; with a single recipient that recipient is us.
  const ours = recipients.find((r) => identifies(r.id, recipient)) ?? (recipients.length === 1 ? recipients[0] : undefined);
  if (!ours) throw decryptFailed('no recipientInfo for our certificate');
  if (ours.algorithm !== OID.rsaEncryption) {
    throw new AppError('SCEP_UNSUPPORTED', 'The SCEP server used a key-transport algorithm other than RSA PKCS#1 v1.5.', {
      algorithm: ours.algorithm,
    });
  }
  let key: Buffer;
  try {
    key = rsaPkcs1Decrypt(privateKey, ours.encryptedKey);
  } catch (error) {
    throw error instanceof AppError ? error : decryptFailed('RSA decryption failed', error);
  }

  const [, algorithmNode, encryptedNode] = expectSequence(fields[offset + 1], `${what} encryptedContentInfo`);
  const [cipherNode, ivNode] = expectSequence(algorithmNode, `${what} content encryption algorithm`);
  if (!isContextTag(encryptedNode, 0)) throw decryptFailed('no encrypted content');
  return decryptContent(
    readOid(cipherNode, `${what} content encryption algorithm`),
    key,
    readOctetString(ivNode, `${what} IV`),
    contentBytes(encryptedNode, `${what} encrypted content`),
  );
}
