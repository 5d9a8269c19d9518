import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** The impacts the acceptance refuses: a screen with one of these is not accessible enough to ship. */
const REFUSED = new Set(['serious', 'critical']);

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2.x A and AA rules plus best practices) over the page as it is now: drawers and dialogs open included. */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  // Legacy mode runs axe in the page itself: the console has no frames, and the default mode opens a second page per
  // run to merge frame results, which costs more than the analysis.
  const results = await new AxeBuilder({ page }).setLegacyMode(true).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => REFUSED.has(v.impact ?? ''))
    .map((v) => ({ rule: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Fails with every serious or critical finding, named by rule and element, so the message alone says what to fix. */
export async function expectNoSeriousAxeFindings(page: Page, screen: string): Promise<void> {
  const findings = await seriousAxeFindings(page);
  if (findings.length === 0) return;
  const lines = findings.map((f) => `  ${f.impact} ${f.rule} (${f.help}): ${f.targets.slice(0, 5).join(' | ')}${f.targets.length > 5 ? ` and ${f.targets.length - 5} more` : ''}`);
  throw new Error(`axe found ${findings.length} serious or critical issue${findings.length === 1 ? '' : 's'} on "${screen}":\n${lines.join('\n')}`);
}
