/**
 * Resolves at the first SIGTERM or SIGINT, after saying so: a long-running process (`serve`,
 * `worker`) then drains. The handlers are removed, so a second signal ends the process as usual.
 */
export function untilStopSignal(say: (line: string) => void): Promise<void> {
  return new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      say(`${signal}: draining (running tasks stop at their next turn boundary)`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolveStop();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}
