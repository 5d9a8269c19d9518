/**
 * The device name as the explorer sorts it: case and accents folded, so "Ada's iPad", "ada-laptop" and "Ádám's
 * Pixel" sort together, as an admin reads them. SQLite here has no ICU collation, so the folded form is
 * `devices.device_name_key`, indexed like every sort column: since migration 0033 a VIRTUAL column, SQLite's lower() of
 * the name, or the stored `device_name_key_override` where that is not this function's result (sync/device-row.ts
 * deviceNameKeyOverride). A change of this rule needs a migration that recomputes the stored overrides.
 * Letters that Unicode does not decompose into a base letter and a mark are folded by hand.
 */
const UNDECOMPOSED: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i' };

/**
 * Text of ASCII characters alone: NFKD leaves it as it is, and it holds no mark and no letter folded by hand, so
 * toLowerCase folds exactly A-Z in it (as SQLite's lower() does).
 */
export const ASCII_TEXT = /^[^\u0080-\uffff]*$/;

export function deviceNameSortKey(name: string): string;
export function deviceNameSortKey(name: string | null): string | null;
export function deviceNameSortKey(name: string | null): string | null {
  if (name === null) return null;
  // Nearly every name a fleet holds ("Ada's iPhone"): the same key without the normalization and the three scans.
  if (ASCII_TEXT.test(name)) return name.toLowerCase().trim();
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðłþı]/g, (letter) => UNDECOMPOSED[letter] ?? letter)
    .trim();
}
