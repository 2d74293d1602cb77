// Does a command visibly change the cluster? Used to keep `parallel` branches read-only:
// the author's `mutates: true` is the rule, this catches the kubectl verbs that change
// state when the flag was forgotten. It looks at literal argv only (a templated verb is
// not guessed) and knows kubectl and `sysctl -w`; anything else is the author's word.

/** kubectl subcommands that create, change or delete objects (or start pods). */
const KUBECTL_MUTATING = new Set([
  'annotate', 'apply', 'autoscale', 'certificate', 'cordon', 'cp', 'create', 'debug', 'delete', 'drain', 'edit',
  'expose', 'label', 'patch', 'replace', 'run', 'scale', 'set', 'taint', 'uncordon',
]);
/** `kubectl rollout X`: these change the workload; status and history only read. */
const ROLLOUT_MUTATING = new Set(['pause', 'restart', 'resume', 'undo']);
/** global flags written as `--flag value`, whose value is not the subcommand */
const KUBECTL_VALUE_FLAGS = new Set(['-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server', '--as', '--token', '--request-timeout']);

/** The argv index of the element that makes the command a change, or -1 when none is known. */
export function mutatingArgIndex(argv: readonly string[]): number {
  const tool = (argv[0] ?? '').split('/').pop();
  if (tool === 'kubectl') {
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (a.startsWith('-')) {
        if (!a.includes('=') && KUBECTL_VALUE_FLAGS.has(a)) i++;
        continue;
      }
      if (a.includes('{{')) return -1;
      if (KUBECTL_MUTATING.has(a)) return i;
      if (a === 'rollout') {
        const sub = argv.slice(i + 1).findIndex((x) => !x.startsWith('-'));
        return sub >= 0 && ROLLOUT_MUTATING.has(argv[i + 1 + sub]!) ? i : -1;
      }
      return -1;
    }
    return -1;
  }
  if (tool === 'sysctl') {
    const w = argv.findIndex((a) => a === '-w' || a === '--write');
    if (w > 0) return w;
    // `sysctl key=value` writes too
    return argv.findIndex((a, i) => i > 0 && !a.startsWith('-') && a.includes('='));
  }
  return -1;
}
