import type { Page } from '@playwright/test';

/** 1280×720, and the same window at 200 % browser zoom: the page then lays out in 640×360 CSS pixels. */
export const DESKTOP = { width: 1280, height: 720 };
export const ZOOM_200 = { width: 640, height: 360 };

/**
 * Elements whose content is wider than they are, outside any scroll container: text or a table pushing past its
 * card. Wide content inside a box that scrolls sideways is fine (that box is the answer), and so is a cell that cuts
 * its text with an ellipsis on purpose. The page's own scroller (main) and any open dialog count too: the page
 * must never need scrolling sideways.
 */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const scrolls = (el: Element) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const describe = (el: HTMLElement) => {
      const name = el.getAttribute('aria-label') ?? el.id ?? '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
      return `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}${name ? ` "${name}"` : ''}> ${el.scrollWidth} px in ${el.clientWidth} px: ${text}`;
    };
    const roots = [document.querySelector('main'), ...document.querySelectorAll('[role="dialog"], dialog[open]')].filter((r): r is HTMLElement => r instanceof HTMLElement);
    const found: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      // Name the outermost elements that stick out past the window's right edge.
      const out = [...document.body.querySelectorAll<HTMLElement>('*')].filter(
        (el) => el.getBoundingClientRect().right > window.innerWidth + 1 && (el.parentElement?.getBoundingClientRect().right ?? 0) <= window.innerWidth + 1,
      );
      found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in ${window.innerWidth} px, widened by ${out.slice(0, 3).map(describe).join('; ') || 'nothing visible'}`);
    }
    for (const root of roots) {
      if (root.scrollWidth > root.clientWidth + 1) found.push(describe(root));
      for (const el of root.querySelectorAll<HTMLElement>('*')) {
        if (!(el instanceof HTMLElement) || el.getClientRects().length === 0) continue;
        // A text field scrolls its own value: a long identifier typed into it is not a layout fault.
        if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth <= 1 || el.matches('input, textarea, select')) continue;
        const style = getComputedStyle(el);
        if (scrolls(el) || style.textOverflow === 'ellipsis') continue;
        let inside = false;
        for (let a = el.parentElement; a && a !== root; a = a.parentElement) {
          if (scrolls(a)) {
            inside = true;
            break;
          }
        }
        if (inside) continue;
        // Name the child that sticks out, when one does: that is what to fix.
        const right = el.getBoundingClientRect().left + el.clientWidth;
        const culprit = [...el.children].find((c): c is HTMLElement => c instanceof HTMLElement && c.getBoundingClientRect().right > right + 1);
        found.push(culprit ? `${describe(el)} ← widened by ${describe(culprit)}` : describe(el));
      }
    }
    return found;
  });
}

export async function expectNothingOverflows(page: Page, screen: string): Promise<void> {
  const found = await overflowingElements(page);
  if (found.length > 0) throw new Error(`On "${screen}" at ${page.viewportSize()?.width} px, content runs past its container:\n  ${found.slice(0, 12).join('\n  ')}`);
}
