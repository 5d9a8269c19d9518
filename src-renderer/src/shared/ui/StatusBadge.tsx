import type { ReactNode } from 'react';

/** What a badge means; each has its own colour pair in the tokens, and the text always says it too (never colour alone). */
export type Tone = 'ok' | 'warning' | 'danger' | 'info' | 'neutral';

export function StatusBadge({ tone, children, className }: { tone: Tone; children: ReactNode; className?: string }) {
  return <span className={`ui-badge ui-badge-${tone}${className ? ` ${className}` : ''}`}>{children}</span>;
}
