/** One line of a chart's table: the value (a button opening the explorer on it) and its figures. */
export interface ChartTableRow {
  key: string;
  label: string;
  /** The button's accessible name: what picking the value shows. */
  pickLabel: string;
  cells: string[];
  onPick(): void;
}

/**
 * The accessible alternative of a chart: the same figures as a table (screen readers, the keyboard, and anyone who
 * wants the exact numbers), each value a button that opens what the bar opens.
 */
export function ChartTable({ caption, valueHeader = 'Value', columns, rows }: { caption: string; valueHeader?: string; columns: string[]; rows: ChartTableRow[] }) {
  return (
    // Scrolls sideways inside its card when the card is narrower than the figures (200 % zoom); its value buttons
    // keep the scroll box reachable by keyboard.
    <div className="ui-table-scroll">
      <table className="overview-chart-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{valueHeader}</th>
            {columns.map((c) => (
              <th key={c} scope="col" className="overview-numeric">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">
                <button type="button" className="overview-chart-pick" onClick={row.onPick} aria-label={row.pickLabel}>
                  {row.label}
                </button>
              </th>
              {row.cells.map((cell, i) => (
                <td key={i} className="overview-numeric">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function percentOf(count: number, total: number): string {
  return `${total === 0 ? 0 : Math.round((count / total) * 1000) / 10}%`;
}
