export interface SignalHandlers {
  /** First SIGTERM/SIGINT: start the ordered shutdown. */
  onFirst(signal: NodeJS.Signals): void;
  /** Second signal while shutting down: the operator insists; exit at once. */
  onSecond(signal: NodeJS.Signals): void;
}

/** Installs SIGTERM/SIGINT handlers; returns a function that removes them. */
export function installSignalHandlers(handlers: SignalHandlers, target: NodeJS.Process = process): () => void {
  let seen = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (seen) {
      handlers.onSecond(signal);
      return;
    }
    seen = true;
    handlers.onFirst(signal);
  };
  target.on('SIGTERM', handle);
  target.on('SIGINT', handle);
  return () => {
    target.off('SIGTERM', handle);
    target.off('SIGINT', handle);
  };
}
