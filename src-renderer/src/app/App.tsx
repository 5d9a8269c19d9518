import { useEffect, useRef } from 'react';
import { AuditPage } from '../features/audit/AuditPage';
import { CertificatesPage } from '../features/certificates/CertificatesPage';
import { DevicesPage } from '../features/devices/DevicesPage';
import { IntegrationsPage } from '../features/integrations/IntegrationsPage';
import { OverviewPage } from '../features/overview/OverviewPage';
import { SettingsPage } from '../features/settings/SettingsPage';
import { subscribe } from '../shared/api';
import { ErrorBoundary } from './ErrorBoundary';
import { KeychainBanner } from './KeychainBanner';
import { SECTIONS, useNavigation, type SectionId } from './navigation-store';
import { Toasts } from '../shared/ui/Toasts';
import { useToasts } from '../shared/ui/toast-store';

const PAGES: Record<SectionId, () => React.JSX.Element> = {
  integrations: IntegrationsPage,
  devices: DevicesPage,
  overview: OverviewPage,
  certificates: CertificatesPage,
  audit: AuditPage,
  settings: SettingsPage,
};

export function App() {
  const { section, go } = useNavigation();
  const mainRef = useRef<HTMLElement>(null);
  const Page = PAGES[section];

  useEffect(
    () =>
      subscribe('app.notice', (notice) =>
        useToasts.getState().notify(notice.level === 'info' ? 'info' : 'warning', notice.message),
      ),
    [],
  );

  // A section chosen from the navigation moves focus into it (screen readers announce the page); the first load leaves
  // focus where the browser put it, so the first Tab reaches the skip link and then the navigation.
  const firstSection = useRef(true);
  useEffect(() => {
    if (firstSection.current) {
      firstSection.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [section]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar" role="banner">
        <span className="brand">Trusted Endpoints Console</span>
        <span className="subtitle">Duo Trusted Endpoints · Ivanti Neurons for MDM</span>
      </header>
      <KeychainBanner />
      <nav className="sidebar" aria-label="Sections">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className="nav-item"
                aria-current={section === s.id ? 'page' : undefined}
                onClick={() => go(s.id)}
              >
                {s.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={mainRef} tabIndex={-1} className="content" aria-label={SECTIONS.find((s) => s.id === section)?.label}>
        <ErrorBoundary resetKey={section}>
          <Page />
        </ErrorBoundary>
      </main>
      <Toasts />
    </div>
  );
}
