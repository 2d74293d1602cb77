// The fake kubectl (test/fixtures/exec/fake-kubectl.mjs) of the narrow exec tests: where it
// is, and the calls it appended to $FAKE_KUBECTL_LOG (one JSON object a line).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fakeKubectl = join(import.meta.dirname, '..', 'fixtures', 'exec', 'fake-kubectl.mjs');

export interface FakeKubectlCall {
  argv: string[];
  /** what it read on stdin, when it was given any */
  stdin?: string;
}

/** every call logged to `log`, oldest first; none when the fake never ran */
export function fakeKubectlCalls(log: string): FakeKubectlCall[] {
  return existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FakeKubectlCall)
    : [];
}
