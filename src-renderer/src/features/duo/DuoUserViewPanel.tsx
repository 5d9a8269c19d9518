import { useEffect } from 'react';
import { errorText } from '../../shared/error-text';
import { DuoEndpointList } from './DuoEndpointList';
import { useDuoView } from './duo-view-store';

/** Duo's own record of a user's endpoints, beside the console's prediction (verify panel and device drawer). */
export function DuoUserViewPanel({ user }: { user: string }) {
  const entry = useDuoView((s) => s.views[user]);
  const loadView = useDuoView((s) => s.loadView);
  useEffect(() => {
    void loadView(user);
  }, [user, loadView]);

  const headingId = `duo-view-${user.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <section aria-labelledby={headingId} className="duo-view">
      <h3 id={headingId}>Duo's view</h3>
      {!entry ? <p role="status">Loading Duo's view…</p> : null}
      {entry?.error ? <p role="alert">{errorText(entry.error)}</p> : null}
      {entry?.view ? (
        <>
          {entry.view.duoUser ? (
            <p className="small">
              Duo user <strong>{entry.view.duoUser.username}</strong> (matched by Duo {entry.view.duoUser.matchedBy}
              {entry.view.ivantiMatch ? `; ${entry.view.ivantiMatch}` : ''}), read from Duo{' '}
              {entry.view.readAt === null ? 'never' : new Date(entry.view.readAt).toLocaleString()}.
            </p>
          ) : null}
          {entry.view.note ? <p className="muted">{entry.view.note}</p> : null}
          {entry.view.endpoints.length > 0 ? <DuoEndpointList endpoints={entry.view.endpoints} label={`Duo's endpoints for ${user}`} /> : null}
        </>
      ) : null}
    </section>
  );
}
