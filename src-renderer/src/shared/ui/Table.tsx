import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A data table in a box that scrolls sideways when the columns are wider than the card it sits in, so a wide table
 * never pushes past its card. Only while it overflows is the box a named, focusable region, so the keyboard can
 * scroll it; a table that fits adds no tab stop. `columns` gives the header row (a column header each; null, undefined
 * and false leave a column out), so children are the body.
 */
export function Table({
  label,
  caption,
  className,
  columns,
  children,
}: {
  label: string;
  caption?: boolean;
  className?: string;
  columns?: ReactNode[];
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const overflows = useOverflow(ref);
  return (
    <div ref={ref} className="ui-table-scroll" {...(overflows ? { role: 'region', 'aria-label': label, tabIndex: 0 } : {})}>
      <table className={className ? `data-table ${className}` : 'data-table'} aria-label={caption ? undefined : label}>
        {caption ? <caption className="visually-hidden">{label}</caption> : null}
        {columns ? (
          <thead>
            <tr>
              {columns.map((column, i) =>
                column === null || column === undefined || column === false ? null : (
                  // oxlint-disable-next-line react/no-array-index-key -- a header's place is its identity
                  <th key={i} scope="col">
                    {column}
                  </th>
                ),
              )}
            </tr>
          </thead>
        ) : null}
        {children}
      </table>
    </div>
  );
}

function useOverflow(ref: React.RefObject<HTMLElement | null>): boolean {
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setOverflows(element.scrollWidth > element.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, [ref]);
  return overflows;
}
