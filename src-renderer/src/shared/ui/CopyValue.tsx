import { useState } from 'react';

/** A value to paste into Ivanti, with a copy button that says what it copied (announced to screen readers). */
export function CopyValue({ label, value }: { label: string; value: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      // Clipboard access can be refused (permissions, an unfocused window): the value stays selectable to copy by hand.
      setState('failed');
    }
  }

  return (
    <span className="ui-copy-value">
      <code className="mono ui-copy-text" aria-label={label}>
        {value}
      </code>
      <button type="button" onClick={() => void copy()} aria-label={`Copy ${label}`}>
        Copy
      </button>
      <span role="status" className="small">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy: select the value and copy it' : ''}
      </span>
    </span>
  );
}
