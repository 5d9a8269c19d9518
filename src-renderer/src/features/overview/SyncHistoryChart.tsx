import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Integration } from '../../../../src-shared/domain/integration';
import type { SyncRun } from '../../../../src-shared/domain/sync';

/** Added is good news, removed is the one to look at, changed is neutral: the tokens' chart meanings. */
const CHANGE_COLOURS = { added: 'var(--color-chart-good)', changed: 'var(--color-chart-1)', removed: 'var(--color-chart-bad)' } as const;

/**
 * Sync history: per run, how many devices it added, changed and removed, oldest on the left. A run (bar or list line)
 * opens the explorer on that run's integration.
 */
export function SyncHistoryChart({ runs, integrations, onPick }: { runs: SyncRun[]; integrations: Integration[]; onPick(run: SyncRun): void }) {
  const names = new Map(integrations.map((i) => [i.id, i.name]));
  const data = runs.map((run) => ({
    run,
    label: `${new Date(run.startedAt).toLocaleDateString()} #${run.id}`,
    added: run.added,
    changed: run.changed,
    removed: run.removed,
  }));
  return (
    <section className="panel overview-chart overview-chart-wide" aria-labelledby="chart-sync-title" data-chart="sync-history">
      <h2 id="chart-sync-title">Sync history</h2>
      {runs.length === 0 ? (
        <p className="muted">No sync has run yet.</p>
      ) : (
        <>
          <div className="overview-chart-area" aria-hidden="true">
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--color-chart-grid)" />
                <XAxis dataKey="label" tick={{ fontSize: 11, fill: 'var(--color-text-muted)' }} />
                <YAxis tick={{ fontSize: 11, fill: 'var(--color-text-muted)' }} allowDecimals={false} width={64} />
                <Tooltip formatter={(value) => Number(value).toLocaleString()} />
                <Legend />
                {(['added', 'changed', 'removed'] as const).map((key) => (
                  <Bar
                    key={key}
                    dataKey={key}
                    stackId="changes"
                    fill={CHANGE_COLOURS[key]}
                    cursor="pointer"
                    isAnimationActive={false}
                    onClick={(_d, index) => onPick(data[index].run)}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ul className="overview-chart-values">
            {[...runs].reverse().slice(0, 8).map((run) => (
              <li key={run.id}>
                <button type="button" className="link" onClick={() => onPick(run)}>
                  {names.get(run.integrationId) ?? run.integrationId}: {new Date(run.startedAt).toLocaleString()}
                </button>
                <span className="small">
                  {run.status} · {run.devicesSeen.toLocaleString()} seen · +{run.added.toLocaleString()} ~{run.changed.toLocaleString()} −{run.removed.toLocaleString()}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
