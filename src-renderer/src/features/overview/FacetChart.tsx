import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Text, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartTable, percentOf } from './ChartTable';
import { toneColour, type ChartTone } from './chart-tones';

export interface ChartBar {
  key: string;
  label: string;
  count: number;
  /** What the value means for the admin; values without one take the chart's categorical colours. */
  tone?: ChartTone;
}

/** One bar row's height: a two-line label fits beside its bar. */
const ROW_HEIGHT = 34;
const LABEL_WIDTH = 128;

/**
 * One overview chart: a horizontal bar per value, so every label sits on its own line beside its bar (long ones wrap
 * to two lines, never overlap), coloured by meaning. The chart is a picture for the eye (hidden from screen readers,
 * out of the Tab order); the table under it carries the same figures, each value opening the explorer filtered on it.
 */
export function FacetChart({
  id,
  title,
  bars,
  onPick,
  emptyText,
}: {
  id: string;
  title: string;
  bars: ChartBar[];
  onPick(bar: ChartBar): void;
  /** Said instead of a chart of zeros. */
  emptyText: string;
}) {
  const total = bars.reduce((n, b) => n + b.count, 0);
  return (
    <section className="panel overview-chart" aria-labelledby={`${id}-title`} data-chart={id}>
      <h2 id={`${id}-title`}>{title}</h2>
      {total === 0 ? (
        <p className="overview-chart-empty">{emptyText}</p>
      ) : (
        <>
          <div className="overview-chart-area" aria-hidden="true">
            <ResponsiveContainer width="100%" height={bars.length * ROW_HEIGHT + 36}>
              <BarChart data={bars} layout="vertical" accessibilityLayer={false} margin={{ top: 4, right: 16, bottom: 4, left: 4 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="var(--color-chart-grid)" />
                <XAxis type="number" tick={{ fontSize: 11, fill: 'currentColor' }} allowDecimals={false} tickFormatter={(v: number) => v.toLocaleString()} />
                <YAxis type="category" dataKey="label" width={LABEL_WIDTH} interval={0} tick={<CategoryTick />} />
                <Tooltip formatter={(value) => Number(value).toLocaleString()} cursor={{ fillOpacity: 0.15 }} />
                <Bar dataKey="count" name="Devices" cursor="pointer" onClick={(_data, index) => onPick(bars[index])} isAnimationActive={false} maxBarSize={22}>
                  {bars.map((bar, i) => (
                    <Cell key={bar.key} fill={toneColour(bar.tone, i)} data-tone={bar.tone ?? 'category'} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ChartTable
            caption={`${title}: devices per value`}
            columns={['Devices', 'Share']}
            rows={bars.map((bar) => ({
              key: bar.key,
              label: bar.label,
              pickLabel: `Show the ${bar.count.toLocaleString()} devices: ${title}, ${bar.label}`,
              cells: [bar.count.toLocaleString(), percentOf(bar.count, total)],
              onPick: () => onPick(bar),
            }))}
          />
        </>
      )}
    </section>
  );
}

/** A category label right-aligned against its bar, wrapped to at most two lines (then cut with an ellipsis). */
function CategoryTick(props: { x?: number; y?: number; payload?: { value: string } }) {
  return (
    <Text x={props.x} y={props.y} width={LABEL_WIDTH - 8} maxLines={2} textAnchor="end" verticalAnchor="middle" fontSize={12} fill="currentColor">
      {props.payload?.value ?? ''}
    </Text>
  );
}
