import { AppError } from '../../../src-shared/errors';
import type { SqlCondition } from './sql-condition';

/**
 * The small integer codes the device indexes hold for the platform and the registration state (migration 0028's
 * `platform_code` and `state_code`, VIRTUAL columns generated from the text). A value Ivanti documents has a code of
 * its own; every other value has code 0, so a filter on one also compares the text (reading the row, for those few
 * devices only); NULL stays NULL. The tables repeat the migration's frozen CASE expressions; a test compares them value
 * by value.
 */
export interface CodedColumn {
  /** The generated column of `devices d` the indexes hold. */
  code: string;
  /** The text column it is generated from. */
  text: string;
  codes: Readonly<Record<string, number>>;
}

export const PLATFORM: CodedColumn = { code: 'd.platform_code', text: 'd.platform_type', codes: { ANDROID: 1, IOS: 2, OTHER: 3, WINDOWS_PHONE: 4 } };
export const REGISTRATION_STATE: CodedColumn = { code: 'd.state_code', text: 'd.registration_state', codes: { ACTIVE: 1, RETIRED: 2, RETIRE_PENDING: 3 } };

/** The code of every value Ivanti does not document. */
export const OTHER_VALUE = 0;

/** A value's code, as the generated column holds it. */
export function codeOf(column: CodedColumn, value: string | null): number | null {
  if (value === null) return null;
  return Object.hasOwn(column.codes, value) ? column.codes[value] : OTHER_VALUE;
}

/** The value a code other than OTHER_VALUE stands for. */
export function valueOfCode(column: CodedColumn, code: number | null): string | null {
  if (code === null) return null;
  const value = Object.keys(column.codes).find((k) => column.codes[k] === code);
  if (value === undefined) throw new AppError('DB_CORRUPT', `The device indexes hold the code ${code}, which stands for no single value (migration 0028).`);
  return value;
}

/**
 * `column = value` by its code, which an index checks in its entries (`+` when the walk of a sort index must keep its
 * order, device-selection.ts); a value Ivanti does not document is compared by its text too.
 */
export function equalsValue(column: CodedColumn, value: string, walkInOrder: boolean): SqlCondition {
  const code = codeOf(column, value);
  const coded = `${walkInOrder ? '+' : ''}${column.code} = ?`;
  return code === OTHER_VALUE ? { sql: `${coded} AND ${column.text} = ?`, params: [code, value], readsRows: true } : { sql: coded, params: [code] };
}
