// Start-up marks: where `netwiz run` spends the time before its first command. Off unless
// NETWIZ_STARTUP_MARKS=1; then one line per mark (ms since the process started) goes to
// stderr at exit. bench/time-to-cause.ts and profiling use it; it costs one env lookup.
const on = process.env.NETWIZ_STARTUP_MARKS === '1';
const marks: [string, number][] = [];

export function startupMark(name: string): void {
  if (!on) return;
  if (marks.length === 0) process.once('exit', () => process.stderr.write(`netwiz startup marks: ${marks.map(([n, t]) => `${n}=${t.toFixed(1)}`).join(' ')}\n`));
  marks.push([name, performance.now()]);
}
