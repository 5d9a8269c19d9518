import { create } from 'zustand';
import type { SyncedDevice, SyncStatus } from '../../../../src-shared/domain/sync';
import { call } from '../../shared/api';
import { LatestAnswers } from '../../shared/latest-answer';

export interface SyncCheck {
  identifier: string;
  /** Synced records with this identifier in the integration checked. */
  here: SyncedDevice[];
  /** Found only in other integrations (a common mix-up: the device's platform has its own integration). */
  elsewhere: SyncedDevice[];
  status: SyncStatus | null;
}

interface SyncCheckState {
  byIntegration: Record<string, { check: SyncCheck | null; busy: boolean; error: unknown }>;
  check(integrationId: string, identifier: string): Promise<void>;
}

const EMPTY = { check: null, busy: false, error: null };
const answers = new LatestAnswers();

/** "Check if devices have synced": one exact Device Client ID lookup per integration, answered from the local database. */
export const useDeviceSyncCheck = create<SyncCheckState>((set) => {
  const patch = (integrationId: string, change: Partial<SyncCheckState['byIntegration'][string]>) =>
    set((state) => ({
      byIntegration: { ...state.byIntegration, [integrationId]: { ...(state.byIntegration[integrationId] ?? EMPTY), ...change } },
    }));
  return {
    byIntegration: {},
    // One key per integration: the answer for an identifier checked before the last one is dropped.
    check: (integrationId, identifier) =>
      answers.load(integrationId, () => Promise.all([call('devices.find', { identifier }), call('sync.status', { integrationId }).catch(() => null)]), {
        start: () => patch(integrationId, { busy: true, error: null }),
        value: ([everywhere, status]) => {
          const here = everywhere.filter((d) => d.integrationId === integrationId);
          patch(integrationId, { check: { identifier: identifier.trim(), here, elsewhere: here.length > 0 ? [] : everywhere, status } });
        },
        error: (error) => patch(integrationId, { error, check: null }),
        done: () => patch(integrationId, { busy: false }),
      }),
  };
});
