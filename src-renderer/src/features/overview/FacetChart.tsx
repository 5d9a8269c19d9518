import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface ChartBar {
  key: string;
  label: string;
  count: number;
}

const COLORS = ['#1f6f43', '#2563eb', '#8a5a00', '#7c3aed', '#b3261e', '#0f766e', '#64748b', '#c2410c'];

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
        <div className="chart-area" aria-hidden="true">
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 11 }} interval={0} />
              <YAxis tick={{ fontSize: 11 }} allowDecimals={false} width={56} />
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
      <ul className="chart-values">
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
