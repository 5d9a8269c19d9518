import { AppError } from '../../../src-shared/errors';

/** PEM armour (RFC 7468) for certificates handed to or taken from an admin. */

export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every block with `label`, in file order. */
export function pemToDerList(pem: string, label = 'CERTIFICATE'): Buffer[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...pem.matchAll(pattern)].map((match) => Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'));
}

export function pemToDer(pem: string, label = 'CERTIFICATE'): Buffer {
  const [first] = pemToDerList(pem, label);
  if (!first) throw new AppError('VALIDATION_FAILED', `That text holds no PEM ${label.toLowerCase()}.`, { label });
  return first;
}
