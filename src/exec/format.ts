// Showing an argv to a person (confirmations, `netwiz undo`, transcripts): POSIX-quoted so
// it can be copied into a shell as is. Display only: netwiz itself never runs a string.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `show` shapes the text inside the quotes (the UI makes escape codes inert there). */
export function quoteArg(arg: string, show: (s: string) => string = (s) => s): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${show(arg).replace(/'/g, `'\\''`)}'`;
}

export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => quoteArg(a)).join(' ');
}
