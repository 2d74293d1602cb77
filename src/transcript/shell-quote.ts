// POSIX sh quoting for showing and exporting argv. Whatever an argument holds — `$(…)`,
// backticks, `;`, quotes, newlines — the quoted form is one literal word for sh.

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE_WORD.test(arg)) return arg;
  // inside single quotes nothing is special; a ' is closed, escaped, reopened
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
