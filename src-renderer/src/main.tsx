import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { UpgradeScreen } from './features/upgrade/UpgradeScreen';
import { listenForUpgradeStatus } from './features/upgrade/upgrade-store';
import './shared/ui/tokens.css';
import './shared/ui/base.css';
import './app/app.css';

// The desktop app's upgrade window loads this page as index.html#upgrade (src-main/electron/start-upgrade.ts).
const upgrading = window.location.hash === '#upgrade';
if (upgrading) listenForUpgradeStatus();

createRoot(document.getElementById('root') as HTMLElement).render(<StrictMode>{upgrading ? <UpgradeScreen /> : <App />}</StrictMode>);
