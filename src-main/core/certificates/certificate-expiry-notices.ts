import type { Settings } from '../../../src-shared/contract/app';
import type { EventBus } from '../events/event-bus';
import type { CertificateInventory } from './certificate-inventory';

/**
 * Expiry warnings pushed as `app.notice` (the Certificates page and the integration overview show them on request).
 * Checked after every finished sync of an integration, so while the app runs the scheduler's syncs make it periodic;
 * an integration is announced at most once a day, so hourly syncs do not repeat the same warning.
 */
export class CertificateExpiryNotices {
  private readonly announcedOn = new Map<string, string>();

  constructor(
    private readonly inventory: CertificateInventory,
    private readonly settings: () => Settings,
    private readonly events: EventBus,
    private readonly now: () => Date,
  ) {}

  /** Subscribes to `sync.finished`; returns the unsubscribe function. */
  watchSyncs(): () => void {
    return this.events.subscribe((name, payload) => {
      if (name === 'sync.finished') this.check((payload as { integrationId: string }).integrationId);
    });
  }

  /** Announces the integration's (or every integration's) expiring device certificates, once a day each. */
  check(integrationId?: string): void {
    const days = this.settings().certificateWarningDays;
    const today = this.now().toISOString().slice(0, 10);
    for (const warning of this.inventory.expiryWarnings(days)) {
      if (integrationId !== undefined && warning.integrationId !== integrationId) continue;
      if (this.announcedOn.get(warning.integrationId) === today) continue;
      this.announcedOn.set(warning.integrationId, today);
      const plural = warning.count === 1 ? 'certificate expires' : 'certificates expire';
      this.events.emit('app.notice', {
        level: 'warning',
        code: 'certificates-expiring',
        message: `${warning.count} device ${plural} within ${days} days in "${warning.integrationName}" (the first on ${warning.soonestNotAfter.slice(0, 10)}). Legacy certificates no longer renew: move these devices to iOS (App Config).`,
      });
    }
  }
}
