import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One visual language (issue 18): colours are written in the token file only, so light and dark themes stay whole and
 * a new screen cannot invent a colour. Every other renderer file (ts, tsx, css) refers to tokens (var(--color-…)).
 */
const RENDERER = path.resolve(__dirname, '../../src-renderer');
const TOKEN_FILE = path.join(RENDERER, 'src/shared/ui/tokens.css');

// The 148 CSS named colours (CSS Color Module Level 4), written out so the test depends on no package.
const NAMED = `aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan
darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred
darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink
deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold
goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush
lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey
lightpink lightsalmon lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow
lime limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen
mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin
navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise
palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue
saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray slategrey snow
springgreen steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen`.split(/\s+/);

const HEX = /#[0-9a-f]{3,8}\b/i;
const FUNCTION = /\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(/i;
const NAMED_WORD = new RegExp(`(?<![\\w-])(?:${NAMED.join('|')})(?![\\w-])`, 'i');

/** Colour literals in a stylesheet's declaration values (selectors such as #id or :hover are not values). */
export function cssColourLiterals(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const found: string[] = [];
  for (const [, property, value] of text.matchAll(/([a-z-]+)\s*:\s*([^;{}]+)(?=[;}])/gi)) {
    if (property.startsWith('--')) continue;
    const hit = HEX.exec(value) ?? FUNCTION.exec(value) ?? NAMED_WORD.exec(value);
    if (hit) found.push(`${property}: ${value.trim()}`);
  }
  return found;
}

/** Colour literals in a script's string literals: a hex or colour function anywhere, a named colour as the whole string. */
export function scriptColourLiterals(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const found: string[] = [];
  for (const match of text.matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`/g)) {
    const [literal, body] = [match[0], match[1] ?? match[2] ?? match[3]];
    if (HEX.test(body) || FUNCTION.test(body) || NAMED.includes(body.trim().toLowerCase())) found.push(literal);
  }
  return found;
}

function rendererFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return rendererFiles(full);
    return /\.(tsx?|css)$/.test(entry.name) ? [full] : [];
  });
}

describe('colour literals in the renderer', () => {
  it('are written only in the token file', () => {
    const files = rendererFiles(RENDERER).filter((f) => f !== TOKEN_FILE);
    expect(files.length).toBeGreaterThan(50);
    const offences = files.flatMap((file) => {
      const text = fs.readFileSync(file, 'utf8');
      const hits = file.endsWith('.css') ? cssColourLiterals(text) : scriptColourLiterals(text);
      return hits.map((hit) => `${path.relative(RENDERER, file)}: ${hit}`);
    });
    expect(offences, 'use a token from src-renderer/src/shared/ui/tokens.css (var(--color-…)) instead').toEqual([]);
  });

  it('the token file defines light and dark values for every colour it names', () => {
    const tokens = fs.readFileSync(TOKEN_FILE, 'utf8');
    const [light, dark] = tokens.split('@media (prefers-color-scheme: dark)');
    const names = (block: string) => new Set([...block.matchAll(/(--color-[a-z0-9-]+)\s*:/g)].map((m) => m[1]));
    expect(dark, 'a prefers-color-scheme: dark block').toBeDefined();
    expect([...names(light)].filter((n) => !names(dark).has(n))).toEqual([]);
  });

  it('recognises each kind of literal it refuses, and leaves tokens, selectors and prose alone', () => {
    expect(cssColourLiterals('.a { color: #fff; } .b { background: rgb(0 0 0 / 0.1); } .c { border-color: white; }')).toHaveLength(3);
    expect(cssColourLiterals('#main:hover .red-row { color: var(--color-text); white-space: nowrap; }')).toEqual([]);
    expect(scriptColourLiterals(`const c = ['#1f6f43']; <Cell fill="red" />; style={{ color: 'hsl(1 2% 3%)' }}`)).toHaveLength(3);
    expect(scriptColourLiterals(`<p>A red flag is not a colour</p>; fill="var(--color-chart-1)"; label: \`Run #\${id}\``)).toEqual([]);
  });
});
