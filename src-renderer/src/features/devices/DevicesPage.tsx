import { useNavigation } from '../../app/navigation-store';

export function DevicesPage() {
  const go = useNavigation((s) => s.go);
  return (
    <section aria-labelledby="devices-title">
      <h1 id="devices-title">Devices</h1>
      <div className="empty-state">
        <h2>No devices synced yet</h2>
        <p>Devices appear here after an integration's first sync from Ivanti Neurons. You can then search them offline.</p>
        <button type="button" onClick={() => go('integrations')}>
          Go to integrations
        </button>
      </div>
    </section>
  );
}
