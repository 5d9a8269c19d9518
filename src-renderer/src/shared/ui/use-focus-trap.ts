import { useEffect, useState, type KeyboardEvent, type RefObject } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Focus for anything that holds the admin's attention until it closes (the kit's Dialog, the explorer's device
 * drawer): on opening, focus moves to `initialFocus` (a selector) or the first control inside; Tab and Shift+Tab go
 * round the visible controls inside and never out to the page behind; on closing (unmount), focus goes back to what
 * had it before. When that element is gone meanwhile (a virtual table re-rendered its row), `findOpenerAgain` may
 * find its replacement. Returns the keydown handler for the container.
 */
export function useFocusTrap(
  container: RefObject<HTMLElement | null>,
  options: { initialFocus?: string; findOpenerAgain?(opener: HTMLElement): HTMLElement | null } = {},
): (event: KeyboardEvent<HTMLElement>) => void {
  // Read at the first render, before any effect: a modal <dialog> moves focus into itself as soon as it is shown.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useEffect(() => {
    const root = container.current;
    if (root) {
      const first = (options.initialFocus ? root.querySelector<HTMLElement>(options.initialFocus) : null) ?? root.querySelector<HTMLElement>(FOCUSABLE);
      (first ?? root).focus();
    }
    return () => {
      const back = opener?.isConnected ? opener : opener && options.findOpenerAgain ? options.findOpenerAgain(opener) : null;
      back?.focus({ preventScroll: true });
    };
    // Opened once per mount; the options are read at that moment only.
    // oxlint-disable-next-line react-hooks/exhaustive-deps -- see above
  }, []);

  return (event) => {
    const root = container.current;
    if (event.key !== 'Tab' || !root) return;
    const items = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    const inside = root.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  };
}
