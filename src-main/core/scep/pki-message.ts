import { AppError } from '../../../src-shared/errors';
import type { CertificateFields } from './certificate-fields';
import { type Asn1, octetString, printableString, readOctetString, readText, utf8String } from './der';
import { buildEnvelopedData, type ContentCipher } from './enveloped-data';
import { OID } from './oids';
import {
  buildSignedData,
  findAttribute,
  parseSignedData,
  signerMatches,
  verifySigner,
  type CmsAttribute,
  type SignedDataSigner,
  type SignerInfo,
} from './signed-data';

/**
 * SCEP pkiMessages (RFC 8894 section 3): a SignedData, signed by the requester, around an EnvelopedData encrypted to
 * the CA/RA, with the SCEP attributes in the signed attributes.
 */

export const MESSAGE_TYPE = { certRep: '3', renewalReq: '17', pkcsReq: '19', certPoll: '20' } as const;
export type MessageType = (typeof MESSAGE_TYPE)[keyof typeof MESSAGE_TYPE];

export const PKI_STATUS = { success: '0', failure: '2', pending: '3' } as const;

export const FAIL_INFO_NAMES: Record<string, string> = {
  '0': 'badAlg',
  '1': 'badMessageCheck',
  '2': 'badRequest',
  '3': 'badTime',
  '4': 'badCertId',
};

/** The SCEP attributes of a pkiMessage, as strings and bytes. */
export interface ScepAttributes {
  messageType?: string;
  transactionId?: string;
  senderNonce?: Buffer;
  recipientNonce?: Buffer;
  pkiStatus?: string;
  failInfo?: string;
  failInfoText?: string;
}

export function scepAttributes(values: ScepAttributes): CmsAttribute[] {
  const attributes: CmsAttribute[] = [];
  const add = (type: string, value: Asn1 | undefined) => {
    if (value) attributes.push({ type, values: [value] });
  };
  add(OID.scepMessageType, values.messageType === undefined ? undefined : printableString(values.messageType));
  add(OID.scepTransactionId, values.transactionId === undefined ? undefined : printableString(values.transactionId));
  add(OID.scepSenderNonce, values.senderNonce && octetString(values.senderNonce));
  add(OID.scepRecipientNonce, values.recipientNonce && octetString(values.recipientNonce));
  add(OID.scepPkiStatus, values.pkiStatus === undefined ? undefined : printableString(values.pkiStatus));
  add(OID.scepFailInfo, values.failInfo === undefined ? undefined : printableString(values.failInfo));
  add(OID.scepFailInfoText, values.failInfoText === undefined ? undefined : utf8String(values.failInfoText));
  return attributes;
}

export function readScepAttributes(signer: SignerInfo): ScepAttributes {
  const text = (type: string, what: string) => {
    const node = findAttribute(signer, type);
    return node === undefined ? undefined : readText(node, what);
  };
  const bytes = (type: string, what: string) => {
    const node = findAttribute(signer, type);
    return node === undefined ? undefined : readOctetString(node, what);
  };
  return {
    messageType: text(OID.scepMessageType, 'messageType'),
    transactionId: text(OID.scepTransactionId, 'transactionID'),
    senderNonce: bytes(OID.scepSenderNonce, 'senderNonce'),
    recipientNonce: bytes(OID.scepRecipientNonce, 'recipientNonce'),
    pkiStatus: text(OID.scepPkiStatus, 'pkiStatus'),
    failInfo: text(OID.scepFailInfo, 'failInfo'),
    failInfoText: text(OID.scepFailInfoText, 'failInfoText'),
  };
}

export interface PkiRequestInput {
  messageType: MessageType;
  transactionId: string;
  senderNonce: Buffer;
  /** The PKCS#10 request (PKCSReq, RenewalReq) or IssuerAndSubject (CertPoll), DER. */
  content: Buffer;
  recipient: CertificateFields;
  cipher: ContentCipher;
  signer: SignedDataSigner;
}

export function buildPkiRequest(input: PkiRequestInput): Buffer {
  return buildSignedData({
    content: buildEnvelopedData(input.content, input.recipient, input.cipher),
    signer: input.signer,
    attributes: scepAttributes({
      messageType: input.messageType,
      transactionId: input.transactionId,
      senderNonce: input.senderNonce,
    }),
  });
}

export type PkiStatus = 'SUCCESS' | 'FAILURE' | 'PENDING';

export interface CertRep {
  status: PkiStatus;
  failInfo: string | null;
  failInfoText: string | null;
  /** The EnvelopedData holding the issued certificate (SUCCESS only). */
  envelope: Buffer | null;
}

/** Server text shown to an admin: printable characters only, bounded. */
function cleanServerText(text: string | undefined): string | null {
  if (text === undefined) return null;
  const cleaned = text.replace(/\p{Cc}+/gu, ' ').trim().slice(0, 500);
  return cleaned === '' ? null : cleaned;
}

/**
 * Reads a CertRep and checks, in this order, that it is signed by one of the CA/RA certificates from GetCACert,
 * that its content is what was signed, that it answers our transaction and that it echoes our nonce. Only then is its
 * status believed.
 */
export function readCertRep(
  der: Buffer,
  trusted: CertificateFields[],
  expected: { transactionId: string; senderNonce: Buffer },
): CertRep {
  const signedData = parseSignedData(der, 'PKIOperation reply');
  const pairs = signedData.signers.flatMap((signer) =>
    trusted.filter((certificate) => signerMatches(signer, certificate)).map((certificate) => ({ signer, certificate })),
  );
  const pair = pairs[0];
  if (!pair) {
    throw new AppError(
      'SCEP_BAD_SIGNATURE',
      'The reply is signed by a certificate that the SCEP server did not publish as its CA/RA certificate (GetCACert).',
      { signers: signedData.signers.length },
    );
  }
  verifySigner(signedData, pair.signer, pair.certificate);

  const attributes = readScepAttributes(pair.signer);
  if (attributes.messageType !== MESSAGE_TYPE.certRep) {
    throw new AppError('SCEP_BAD_RESPONSE', 'The SCEP server answered with a message that is not a CertRep.', {
      messageType: attributes.messageType ?? null,
    });
  }
  if (attributes.transactionId !== expected.transactionId) {
    throw new AppError(
      'SCEP_TRANSACTION_MISMATCH',
      'The SCEP server answered a different transaction than the one the console started. A proxy or load balancer may be mixing up requests.',
      { expected: expected.transactionId, received: attributes.transactionId ?? null },
    );
  }
  if (!attributes.recipientNonce || !attributes.recipientNonce.equals(expected.senderNonce)) {
    throw new AppError(
      'SCEP_NONCE_MISMATCH',
      'The SCEP server\'s reply does not echo this request\'s nonce: it is a replayed or misrouted answer.',
    );
  }
  const status =
    attributes.pkiStatus === PKI_STATUS.success
      ? 'SUCCESS'
      : attributes.pkiStatus === PKI_STATUS.failure
        ? 'FAILURE'
        : attributes.pkiStatus === PKI_STATUS.pending
          ? 'PENDING'
          : null;
  if (!status) {
    throw new AppError('SCEP_BAD_RESPONSE', 'The SCEP server\'s reply has no valid pkiStatus.', {
      pkiStatus: attributes.pkiStatus ?? null,
    });
  }
  if (status === 'SUCCESS' && !signedData.content) {
    throw new AppError('SCEP_BAD_RESPONSE', 'The SCEP server reported SUCCESS but sent no certificate.');
  }
  return {
    status,
    failInfo: attributes.failInfo ?? null,
    failInfoText: cleanServerText(attributes.failInfoText),
    envelope: status === 'SUCCESS' ? signedData.content : null,
  };
}
