import { create } from 'zustand';
import type { UpgradeStatus } from '../../../../src-shared/contract/app';
import { subscribe } from '../../shared/api';

interface UpgradeState {
  /** The last status start-up sent the upgrade window; null until the first. */
  status: UpgradeStatus | null;
}

export const useUpgrade = create<UpgradeState>(() => ({ status: null }));

/**
 * Listens for start-up's `app.upgrade` statuses. Called when the page's script runs, before React renders: main sends
 * the first status once the page has loaded, and none may be missed.
 */
export function listenForUpgradeStatus(): void {
  subscribe('app.upgrade', (status) => useUpgrade.setState({ status }));
}
