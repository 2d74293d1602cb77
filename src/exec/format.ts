// Showing an argv to a person (confirmations, `netwiz undo`, transcripts): POSIX-quoted so
// it can be copied into a shell as is. Display only: netwiz itself never runs a string.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteArg(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}
