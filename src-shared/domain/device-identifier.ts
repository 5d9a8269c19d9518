/**
 * The one comparison of Device Client IDs (`clientDeviceIdentifier`), used by every lookup: the synced check, the
 * device search, the trust prediction and the CLI, and stored in `devices.identifier_key` (migrations/*-device-identifier-key.ts).
 *
 * Duo does not document how it compares the identifier Duo Mobile reports with the MDM's. We ASSUME it ignores
 * surrounding white space and letter case (Android ids are hex, iOS ids upper-case UUIDs, and admins paste either);
 * the README says so. If Duo's rule turns out different, change it here and add a migration that recomputes the column.
 */
export function normalizeDeviceIdentifier(identifier: string): string {
  return identifier.trim().toLowerCase();
}
