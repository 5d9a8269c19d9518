import type { ReactNode } from 'react';

/** What a screen shows when there is nothing yet: what will appear here, why it is empty, and the way forward. */
export function EmptyState({ title, level = 2, action, children }: { title: ReactNode; level?: 2 | 3; action?: ReactNode; children?: ReactNode }) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <div className="empty-state">
      <Heading>{title}</Heading>
      {children}
      {action ? <div className="actions">{action}</div> : null}
    </div>
  );
}
