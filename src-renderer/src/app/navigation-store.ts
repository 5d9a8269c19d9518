import { create } from 'zustand';

export const SECTIONS = [
  { id: 'integrations', label: 'Integrations' },
  { id: 'devices', label: 'Devices' },
  { id: 'overview', label: 'Overview' },
  { id: 'certificates', label: 'Certificates' },
  { id: 'audit', label: 'Audit' },
  { id: 'settings', label: 'Settings' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

interface NavigationState {
  section: SectionId;
  /** Optional focus inside a section, e.g. an integration id or a device filter. */
  params: Record<string, string>;
  go(section: SectionId, params?: Record<string, string>): void;
}

export const useNavigation = create<NavigationState>((set) => ({
  section: 'integrations',
  params: {},
  go: (section, params = {}) => set({ section, params }),
}));
