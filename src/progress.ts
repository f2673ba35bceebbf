/** Progress to stderr: plain lines (a terminal gets the same lines, prefixed with the elapsed time). */
export function makeProgress(quiet: boolean): (msg: string) => void {
  if (quiet) return () => {};
  const t0 = Date.now();
  const tty = process.stderr.isTTY === true;
  const color = tty && !process.env.NO_COLOR;
  return (msg: string) => {
    const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(5);
    const prefix = color ? `\x1b[2m${s}s\x1b[0m` : `${s}s`;
    process.stderr.write(`${prefix} ${msg}\n`);
  };
}
