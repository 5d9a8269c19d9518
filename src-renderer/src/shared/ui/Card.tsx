import { useId, type ReactNode } from 'react';

export type CardTone = 'default' | 'warning' | 'danger';

/** A titled surface: the panel every screen groups its parts in. The title names the region for assistive tech. */
export function Card({
  title,
  level = 2,
  tone = 'default',
  className,
  actions,
  children,
}: {
  title?: ReactNode;
  level?: 2 | 3;
  tone?: CardTone;
  className?: string;
  /** Buttons shown at the right of the title. */
  actions?: ReactNode;
  children: ReactNode;
}) {
  const headingId = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  const classes = ['panel', tone === 'default' ? null : `ui-card-${tone}`, className].filter(Boolean).join(' ');
  return (
    <section className={classes} aria-labelledby={title ? headingId : undefined}>
      {title ? (
        <div className="ui-card-header">
          <Heading id={headingId}>{title}</Heading>
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}
