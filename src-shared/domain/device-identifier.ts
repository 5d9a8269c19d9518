/**
 * The one comparison of Device Client IDs (`clientDeviceIdentifier`), used by every lookup: the synced check, the
 * device search, the trust prediction and the CLI, and indexed as `devices.identifier_key`: since migration 0024 a
 * VIRTUAL column, SQLite's lower() of the identifier, or the stored `identifier_key_override` where that is not this
 * function's result (sync/device-row.ts identifierKeyOverride).
 *
 * Duo does not document how it compares the identifier Duo Mobile reports with the MDM's. We ASSUME it ignores
 * surrounding white space and letter case (Android ids are hex, iOS ids upper-case UUIDs, and admins paste either);
 * the README says so. If Duo's rule turns out different, change it here and in identifierKeyOverride, and add a
 * migration that recomputes the stored overrides (or the column's expression).
 */
export function normalizeDeviceIdentifier(identifier: string): string {
  return identifier.trim().toLowerCase();
}
