import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The renderer's class-name convention (docs/architecture.md, "The renderer's visual language"): a feature's
 * stylesheet styles only what carries its own prefix, so no class leaks from one feature into another, and a feature
 * imports no other feature's stylesheet. Shared classes live in the kit (src/shared/ui/base.css).
 */
const SRC = path.resolve(__dirname, '../../src-renderer/src');
const FEATURES = path.join(SRC, 'features');

const classesIn = (css: string) => [...css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/\.([a-zA-Z][\w-]*)/g)].map((m) => m[1]);
const kitClasses = new Set(
  [path.join(SRC, 'shared/ui/base.css'), path.join(SRC, 'app/app.css')].flatMap((file) => classesIn(fs.readFileSync(file, 'utf8'))),
);

/** Every selector of a stylesheet (rule preludes split on commas; @media preludes skipped). */
export function selectors(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\{[^{}]*\}/g, '{}');
  return [...text.matchAll(/([^{}]+)\{\}/g)]
    .map((m) => m[1].trim())
    .filter((prelude) => !prelude.startsWith('@'))
    .flatMap((prelude) => prelude.split(',').map((s) => s.trim()));
}

/** What is wrong with a feature selector: a class that is neither the feature's own (prefixed) nor the kit's. */
export function selectorProblems(feature: string, selector: string, kit: Set<string>): string[] {
  const classes = classesIn(selector);
  const own = classes.filter((c) => c.startsWith(`${feature}-`));
  const problems = classes.filter((c) => !c.startsWith(`${feature}-`) && !kit.has(c)).map((c) => `.${c} is neither "${feature}-…" nor a kit class`);
  if (own.length === 0) problems.push(`styles no "${feature}-…" class, so it would reach into every feature`);
  return problems;
}

const features = fs.readdirSync(FEATURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const filesOf = (feature: string, pattern: RegExp) => fs.readdirSync(path.join(FEATURES, feature)).filter((f) => pattern.test(f));

describe('renderer class names', () => {
  it("a feature stylesheet styles only classes with its feature's prefix (kit classes only beneath them)", () => {
    const problems = features.flatMap((feature) =>
      filesOf(feature, /\.css$/).flatMap((file) =>
        selectors(fs.readFileSync(path.join(FEATURES, feature, file), 'utf8')).flatMap((selector) =>
          selectorProblems(feature, selector, kitClasses).map((p) => `features/${feature}/${file}: "${selector}": ${p}`),
        ),
      ),
    );
    expect(problems).toEqual([]);
  });

  it("a feature imports only its own stylesheets", () => {
    const crossing = features.flatMap((feature) =>
      filesOf(feature, /\.tsx?$/).flatMap((file) => {
        const source = fs.readFileSync(path.join(FEATURES, feature, file), 'utf8');
        return [...source.matchAll(/import\s+['"]([^'"]+\.css)['"]/g)].map((m) => m[1]).filter((spec) => !/^\.\/[\w-]+\.css$/.test(spec)).map((spec) => `features/${feature}/${file} imports ${spec}`);
      }),
    );
    expect(crossing).toEqual([]);
  });

  it('flags an unprefixed class and a selector with no class of its feature', () => {
    const kit = new Set(['inline']);
    expect(selectorProblems('sync', '.sync-changes .inline', kit)).toEqual([]);
    expect(selectorProblems('sync', '.tabs [role="tab"]', kit)).toHaveLength(2);
    expect(selectorProblems('sync', 'table td', kit)).toEqual(['styles no "sync-…" class, so it would reach into every feature']);
    expect(selectors('@media (max-width: 1px) { .a, .b:hover { color: red; } } .c { x: y; }')).toEqual(['.a', '.b:hover', '.c']);
  });
});
