/**
 * The Trusted Endpoints Configuration Key is issued by Duo and shown in the Duo Admin Panel; the console never invents
 * one. The seed shows one example (`DPK` + 16 upper-case alphanumerics), not a documented format, so another shape
 * gets a warning and a confirmation, never a refusal.
 */

/** Whitespace anywhere (a paste often brings a newline or a space) and invisible format characters (zero-width, BOM). */
const NOISE = /[\s\u00A0\u200B-\u200F\u2028-\u202F\u2060-\u2064\uFEFF]/g;

export function cleanPastedKey(pasted: string): string {
  return pasted.replace(NOISE, '');
}

export function looksLikeDuoConfigurationKey(key: string): boolean {
  return /^DPK[A-Z0-9]{16}$/.test(key);
}

export const UNUSUAL_KEY_WARNING =
  "This doesn't look like the keys Duo shows (DPK followed by 16 letters and digits): check that you copied all of it. Save it anyway only if it is exactly what the Duo Admin Panel shows.";

export const WHERE_DUO_SHOWS_THE_KEY =
  'Duo Admin Panel → Trusted Endpoints → this integration → "Configuration Key" (Duo shows it after the integration is added).';
