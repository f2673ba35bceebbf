/**
 * Progress on stderr. When stderr is a terminal: one status line redrawn in place, with a bar over
 * the run's stages and the elapsed time ticking while a long step (loading, measuring, rendering)
 * runs. Otherwise (a pipe, a CI log): plain lines, one per step, with the elapsed seconds.
 * NO_COLOR turns colour off; --quiet turns everything off.
 */
export interface Progress {
  (msg: string): void;
  /** Start step `index` (1-based) of `total`. */
  stage(index: number, total: number, label: string): void;
  /**
   * Inside the current stage, `done` of `total` items of a long step (charts rendered...). A
   * terminal gets a second bar on the status line; otherwise a plain line at the first item, at
   * every tenth of the way, and at the end.
   */
  step(label: string, done: number, total: number): void;
  /** End the status line (call once at the end, also on failure). */
  done(): void;
}

export function makeProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
  if (quiet) {
    return Object.assign((_msg: string) => {}, { stage: () => {}, step: () => {}, done: () => {} });
  }
  const tty = stream.isTTY === true;
  const color = tty && !process.env.NO_COLOR;
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  if (!tty) {
    const line = (msg: string) => {
      stream.write(`${secs().padStart(6)}s ${msg}\n`);
    };
    let lastTenth = -1;
    const step = (label: string, done: number, total: number) => {
      const tenth = total > 0 ? Math.floor((done * 10) / total) : 10;
      if (done === 0) lastTenth = -1;
      if (tenth === lastTenth && done !== total) return;
      lastTenth = tenth;
      line(`${label} ${done}/${total}`);
    };
    return Object.assign(line, { stage: (i: number, n: number, label: string) => line(`[${i}/${n}] ${label}`), step, done: () => {} });
  }
  let status = '';
  let sub = '';
  let timer: NodeJS.Timeout | null = null;
  const width = 20;
  const draw = () => stream.write(`\r\x1b[2K${status.replace('{t}', dim(`${secs()}s`))}${sub}`);
  const line = (msg: string) => {
    stream.write(`\r\x1b[2K${dim(`${secs().padStart(6)}s`)} ${msg}\n`);
    if (status) draw();
  };
  const stage = (i: number, n: number, label: string) => {
    const filled = Math.round(((i - 1) / n) * width);
    status = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${i}/${n} ${label} {t}`;
    sub = '';
    draw();
    if (!timer) {
      timer = setInterval(draw, 250);
      timer.unref();
    }
  };
  const step = (label: string, done: number, total: number) => {
    const w = 10;
    const filled = total > 0 ? Math.round((done / total) * w) : w;
    sub = `  ${label} [${'='.repeat(filled)}${' '.repeat(w - filled)}] ${done}/${total}`;
    draw();
  };
  const done = () => {
    if (timer) clearInterval(timer);
    timer = null;
    if (status) stream.write('\r\x1b[2K');
    status = '';
    sub = '';
  };
  return Object.assign(line, { stage, step, done });
}
