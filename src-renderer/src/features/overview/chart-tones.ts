/**
 * What a chart's colour says. good / bad / warn / neutral carry a meaning (trusted, not compliant, retire pending,
 * unknown) and are the same on every chart; values without a meaning (platforms, integrations) take categorical
 * colours that avoid the meaningful ones. All are design tokens from the colour-blind-safe Okabe–Ito set, and every
 * value is also written out in the chart's table, so colour is never the only carrier.
 */
export type ChartTone = 'good' | 'bad' | 'warn' | 'neutral';

const TONE_TOKENS: Record<ChartTone, string> = {
  good: '--color-chart-good',
  bad: '--color-chart-bad',
  warn: '--color-chart-warn',
  neutral: '--color-chart-neutral',
};

/** Categorical tokens: blue, sky, purple, olive; none of them reads as good or bad. */
const CATEGORY_TOKENS = ['--color-chart-1', '--color-chart-5', '--color-chart-4', '--color-chart-8'];

export function toneColour(tone: ChartTone | undefined, index: number): string {
  return `var(${tone ? TONE_TOKENS[tone] : CATEGORY_TOKENS[index % CATEGORY_TOKENS.length]})`;
}
