/**
 * The trust verifier's view of the certificate inventory of legacy iOS certificate integrations. The inventory itself
 * belongs to the SCEP service (schema 5); trust only needs these two questions answered, so it depends on this
 * interface and the composition root plugs the inventory in.
 */
export interface IssuedCertificate {
  serialNumber: string;
  /** Epoch ms. */
  notAfter: number;
  /** Epoch ms when the console invalidated it (its integration was deleted, or an admin revoked it); null if never. */
  invalidatedAt: number | null;
}

export interface DeviceRef {
  /** The Device Client ID the admin asked about. */
  identifier: string;
  /** The tenant guids of the synced records with that identifier in this integration (may be empty). */
  guids: string[];
}

export interface CertificateLookup {
  /** Certificates this integration issued to the device, whatever their state. */
  forDevice(integrationId: string, device: DeviceRef): IssuedCertificate[];
  /** How many of this integration's certificates are still valid but expire before `before` (epoch ms). */
  expiringBefore(integrationId: string, now: number, before: number): number;
}

