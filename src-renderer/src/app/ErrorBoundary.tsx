import { Component, type ErrorInfo, type ReactNode } from 'react';
import { errorText } from '../shared/error-text';

interface Props {
  children: ReactNode;
  /** Changing this value clears a shown error (e.g. when the admin moves to another section). */
  resetKey: string;
}

interface State {
  error: unknown;
  resetKey: string;
}

/** Keeps one broken view from blanking the whole console; the admin can move on or retry. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('view failed', error, info.componentStack);
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div role="alert" className="panel error-panel">
        <h2>This view ran into a problem</h2>
        <p>{errorText(this.state.error)}</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
