import { AppError } from '../../../src-shared/errors';
import type { ContentCipher } from './enveloped-data';
import type { DigestName } from './oids';

/** What a CA answered to GetCACaps (RFC 8894 section 3.5.2), keywords as sent plus the ones we act on. */
export interface ScepCaps {
  keywords: string[];
  postPkiOperation: boolean;
  renewal: boolean;
  aes: boolean;
  des3: boolean;
  sha1: boolean;
  sha256: boolean;
  sha512: boolean;
  getNextCaCert: boolean;
  scepStandard: boolean;
}

export interface ScepAlgorithms {
  cipher: ContentCipher;
  digest: DigestName;
}

/** One keyword a line; servers differ in case and line endings. */
export function parseCaps(text: string): ScepCaps {
  const keywords = text
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && line.length < 64);
  const has = (keyword: string) => keywords.some((k) => k.toLowerCase() === keyword.toLowerCase());
  // SCEPStandard promises AES, SHA-256 and POSTPKIOperation (RFC 8894 section 3.5.2).
  const standard = has('SCEPStandard');
  return {
    keywords,
    postPkiOperation: standard || has('POSTPKIOperation'),
    renewal: has('Renewal'),
    aes: standard || has('AES'),
    des3: has('DES3'),
    sha1: has('SHA-1'),
    sha256: standard || has('SHA-256'),
    sha512: has('SHA-512'),
    getNextCaCert: has('GetNextCACert'),
    scepStandard: standard,
  };
}

/**
 * AES and SHA-256 when offered, Triple DES and SHA-1 only when that is all the CA offers; never single DES or MD5,
 * which is what RFC 8894 says a CA advertising neither would expect.
 */
export function chooseAlgorithms(caps: ScepCaps): ScepAlgorithms {
  const cipher: ContentCipher | null = caps.aes ? 'aes-128-cbc' : caps.des3 ? 'des-ede3-cbc' : null;
  const digest: DigestName | null = caps.sha256 ? 'sha256' : caps.sha512 ? 'sha512' : caps.sha1 ? 'sha1' : null;
  if (!cipher || !digest) {
    throw new AppError(
      'SCEP_UNSUPPORTED',
      `The CA offers ${cipher ? '' : 'neither AES nor Triple DES'}${!cipher && !digest ? ', and ' : ''}${digest ? '' : 'no SHA digest'} (GetCACaps). The console does not fall back to single DES or MD5; update the CA's SCEP configuration.`,
      { caps: caps.keywords },
    );
  }
  return { cipher, digest };
}
