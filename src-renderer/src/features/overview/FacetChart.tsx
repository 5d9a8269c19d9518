import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface ChartBar {
  key: string;
  label: string;
  count: number;
}

/** The chart colour sequence from the tokens (colour-blind safe), so the charts follow the light and dark themes. */
const COLORS = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `var(--color-chart-${n})`);

/**
 * One overview chart: a bar per value, each bar (and each line of the list under it, for the keyboard and screen
 * readers) opening the explorer filtered on that value.
 */
export function FacetChart({ id, title, bars, onPick }: { id: string; title: string; bars: ChartBar[]; onPick(bar: ChartBar): void }) {
  const total = bars.reduce((n, b) => n + b.count, 0);
  return (
    <section className="panel overview-chart" aria-labelledby={`${id}-title`} data-chart={id}>
      <h2 id={`${id}-title`}>{title}</h2>
      {total === 0 ? (
        <p className="muted">No devices.</p>
      ) : (
        <div className="overview-chart-area" aria-hidden="true">
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--color-chart-grid)" />
              <XAxis dataKey="label" tick={{ fontSize: 11, fill: 'var(--color-text-muted)' }} interval={0} />
              <YAxis tick={{ fontSize: 11, fill: 'var(--color-text-muted)' }} allowDecimals={false} width={56} />
              <Tooltip formatter={(value) => Number(value).toLocaleString()} />
              <Bar dataKey="count" cursor="pointer" onClick={(_data, index) => onPick(bars[index])} isAnimationActive={false}>
                {bars.map((bar, i) => (
                  <Cell key={bar.key} fill={COLORS[i % COLORS.length]} />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <ul className="overview-chart-values">
        {bars.map((bar) => (
          <li key={bar.key}>
            <button type="button" className="link" onClick={() => onPick(bar)} aria-label={`Show the ${bar.count.toLocaleString()} devices: ${title}, ${bar.label}`}>
              {bar.label}
            </button>
            <span className="mono small">
              {bar.count.toLocaleString()} ({total === 0 ? 0 : Math.round((bar.count / total) * 1000) / 10}%)
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
