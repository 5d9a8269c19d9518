import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Integration } from '../../../../src-shared/domain/integration';
import type { SyncRun } from '../../../../src-shared/domain/sync';
import { count, runStatusLabel } from '../sync/sync-text';
import { ChartTable } from './ChartTable';

/** Added is good news, removed needs a look, changed is neither: the same tokens as every other chart. */
const SERIES = [
  { key: 'added', name: 'Added', colour: 'var(--color-chart-good)' },
  { key: 'changed', name: 'Changed', colour: 'var(--color-chart-1)' },
  { key: 'removed', name: 'Removed', colour: 'var(--color-chart-bad)' },
] as const;

/** Runs the table under the chart lists (newest first); the chart shows them all. */
const TABLE_RUNS = 8;

/**
 * Sync history: per run, how many devices it added, changed and removed, oldest on the left. Dates are slanted and
 * thinned out so they never overlap; a run (bar or table line) opens the explorer on that run's integration.
 */
export function SyncHistoryChart({ runs, integrations, onPick }: { runs: SyncRun[]; integrations: Integration[]; onPick(run: SyncRun): void }) {
  const names = new Map(integrations.map((i) => [i.id, i.name]));
  const data = runs.map((run) => ({
    run,
    label: new Date(run.startedAt).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
    added: run.added,
    changed: run.changed,
    removed: run.removed,
  }));
  return (
    <section className="panel overview-chart overview-chart-wide" aria-labelledby="chart-sync-title" data-chart="sync-history">
      <h2 id="chart-sync-title">Sync history</h2>
      {runs.length === 0 ? (
        <p className="overview-chart-empty">No sync has run yet. Each sync appears here with what it added, changed and removed.</p>
      ) : (
        <>
          <div className="overview-chart-area" aria-hidden="true">
            <ResponsiveContainer width="100%" height={240}>
              <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--color-chart-grid)" />
                <XAxis dataKey="label" tick={{ fontSize: 11, fill: 'currentColor' }} angle={-35} textAnchor="end" height={48} interval="preserveStartEnd" minTickGap={12} />
                <YAxis tick={{ fontSize: 11, fill: 'currentColor' }} allowDecimals={false} width={64} tickFormatter={(v: number) => v.toLocaleString()} />
                <Tooltip formatter={(value) => Number(value).toLocaleString()} />
                <Legend />
                {SERIES.map((series) => (
                  <Bar
                    key={series.key}
                    dataKey={series.key}
                    name={series.name}
                    stackId="changes"
                    fill={series.colour}
                    cursor="pointer"
                    isAnimationActive={false}
                    onClick={(_d, index) => onPick(data[index].run)}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ChartTable
            caption={`The ${Math.min(TABLE_RUNS, runs.length)} latest sync runs`}
            valueHeader="Run"
            columns={['Result', 'Devices', ...SERIES.map((s) => s.name)]}
            rows={[...runs]
              .reverse()
              .slice(0, TABLE_RUNS)
              .map((run) => {
                const label = `${names.get(run.integrationId) ?? 'Deleted integration'}: ${new Date(run.startedAt).toLocaleString()}`;
                return {
                  key: String(run.id),
                  label,
                  pickLabel: `Show the devices of ${label}`,
                  cells: [runStatusLabel(run), count(run.devicesSeen), count(run.added), count(run.changed), count(run.removed)],
                  onPick: () => onPick(run),
                };
              })}
          />
        </>
      )}
    </section>
  );
}
