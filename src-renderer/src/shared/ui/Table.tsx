import type { ReactNode } from 'react';

/**
 * A data table in a box that scrolls sideways when the columns are wider than the card it sits in, so a wide table
 * never pushes past its card. The scroll box is focusable (and named) so the keyboard can scroll it too.
 */
export function Table({ label, caption, className, children }: { label: string; caption?: boolean; className?: string; children: ReactNode }) {
  return (
    <div className="ui-table-scroll" role="region" aria-label={label} tabIndex={0}>
      <table className={className ? `data-table ${className}` : 'data-table'} aria-label={caption ? undefined : label}>
        {caption ? <caption className="visually-hidden">{label}</caption> : null}
        {children}
      </table>
    </div>
  );
}
