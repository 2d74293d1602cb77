// Hand-built engine states for component tests (the UI renders whatever the engine says;
// these mirror the shapes in src/engine/types.ts).
import type { Catalog, Playbook } from '../../src/engine/model.js';
import type { AskEffect, RunEffect } from '../../src/session/types.js';
import type { Hypothesis, SessionState } from '../../src/engine/types.js';

export const playbook: Playbook = {
  id: 'intermittent-connectivity',
  title: 'Service works sometimes, fails sometimes',
  summary: 'Reproduce, classify, then narrow down: endpoints, replicas, nodes, MTU, kernel.',
  file: '/x/playbooks/intermittent-connectivity.yaml',
  inputs: [
    { name: 'namespace', prompt: 'Namespace of the service', default: 'default', required: true, pattern: '^[a-z0-9-]+$' },
    { name: 'service', prompt: 'Service that fails sometimes', required: true, choices: { argv: ['kubectl', 'get', 'svc', '-o', 'json'], target: { kind: 'workstation' }, parse: 'kubectl-list', field: 'name' } },
  ],
  causes: [
    { id: 'selector-overlap', title: 'Service selector matches two workloads', explanation: 'Endpoints mix pods of two workloads.', fix: { text: 'Give each workload its own label.', commands: [['kubectl', 'label', 'deploy/be', 'role=be']] }, references: [] },
    { id: 'overlay-mtu', title: 'Overlay MTU larger than the underlay allows', explanation: 'Encapsulated packets exceed the node NIC MTU and are dropped.', fix: { text: 'Lower the tunnel MTU to the NIC MTU minus the overhead.', commands: [['kubectl', '-n', 'kube-system', 'set', 'env', 'daemonset/calico-node', 'FELIX_IPINIPMTU=1430']] }, references: ['https://docs.tigera.io/calico/latest/networking/configuring/mtu'] },
    { id: 'tw-recycle-nat', title: 'tcp_tw_recycle drops SYNs from NATed clients', explanation: 'Non-monotonic timestamps.', fix: { text: 'Set net.ipv4.tcp_tw_recycle=0.', commands: [] }, references: [] },
  ],
  steps: [
    { id: 'classify', title: 'Hit the service 20 times and classify each try', why: 'The kind of failure steers everything after.', kind: 'run', run: { argv: ['curl', '-sS', 'http://web'], target: { kind: 'pod', pod: 'client' }, timeoutMs: 10000, mutates: false }, transitions: [] },
    { id: 'scale', title: 'Scale the deployment to one replica', why: 'With one replica the failure either becomes steady or disappears.', kind: 'run', run: { argv: ['kubectl', 'scale', 'deployment/web', '--replicas=1'], target: { kind: 'workstation' }, timeoutMs: 10000, mutates: true, undo: ['kubectl', 'scale', 'deployment/web', '--replicas=3'] }, transitions: [] },
    { id: 'symptom', title: 'Which symptom do you see?', why: 'The symptom decides where to look first.', kind: 'ask', ask: { type: 'choice', prompt: 'What fails?', choices: ['timeout', 'refused', 'wrong answer'] }, transitions: [] },
    { id: 'done', title: 'Conclude', why: 'Enough evidence.', kind: 'conclude', conclude: { cause: 'overlay-mtu', evidence: 'x' }, transitions: [] },
  ],
};

export const catalog: Catalog = { [playbook.id]: playbook };

export function hyp(causeId: string, status: Hypothesis['status'], evidence?: string): Hypothesis {
  return {
    causeId,
    playbookId: playbook.id,
    status,
    evidence: evidence ? [{ seq: 1, stepId: 'classify', playbookId: playbook.id, effect: status === 'ruled-out' ? 'rule_out' : status === 'confirmed' ? 'confirm' : 'support', text: evidence }] : [],
  };
}

export function state(patch: Partial<SessionState> = {}): SessionState {
  return {
    version: 1,
    rootPlaybook: playbook.id,
    status: 'running',
    frames: [{ playbookId: playbook.id, stepId: 'classify', facts: { namespace: 'shop', service: 'web' } }],
    hypotheses: {
      'selector-overlap': hyp('selector-overlap', 'open'),
      'overlay-mtu': hyp('overlay-mtu', 'open'),
      'tw-recycle-nat': hyp('tw-recycle-nat', 'open'),
    },
    history: [],
    pending: [],
    stepsTaken: 0,
    nextEffectSeq: 1,
    options: { readOnly: false, dryRun: false, maxSteps: 200 },
    ...patch,
  };
}

export const runEffect: RunEffect = {
  type: 'run',
  id: 'e1',
  playbookId: playbook.id,
  stepId: 'classify',
  title: 'Hit the service 20 times and classify each try',
  why: 'The kind of failure steers everything after.',
  argv: ['curl', '-sS', '-m', '2', 'http://web.shop'],
  target: { kind: 'pod', pod: 'client-7d9', namespace: 'shop' },
  timeoutMs: 30000,
  mutates: false,
};

export const scaleEffect: RunEffect = {
  type: 'run',
  id: 'e2',
  playbookId: playbook.id,
  stepId: 'scale',
  title: 'Scale the deployment to one replica',
  why: 'With one replica the failure either becomes steady or disappears.',
  argv: ['kubectl', 'scale', 'deployment/web', '--replicas=1'],
  target: { kind: 'workstation' },
  timeoutMs: 10000,
  mutates: true,
  undo: ['kubectl', 'scale', 'deployment/web', '--replicas=3'],
};

export const askEffect: AskEffect = {
  type: 'ask',
  id: 'e3',
  playbookId: playbook.id,
  stepId: 'symptom',
  title: 'Which symptom do you see?',
  why: 'The symptom decides where to look first.',
  question: { type: 'choice', prompt: 'What fails?', choices: ['timeout', 'refused', 'wrong answer'] },
};

export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  ctrlC: '\u0003',
  backspace: '\u007F',
} as const;

/** Wait for Ink to process input and re-render (input is handled on the next tick). */
export async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Poll a frame until it contains `text` (Ink renders asynchronously). */
export async function waitForFrame(lastFrame: () => string | undefined, text: string | RegExp, tries = 100): Promise<string> {
  for (let i = 0; i < tries; i++) {
    const f = lastFrame() ?? '';
    if (typeof text === 'string' ? f.includes(text) : text.test(f)) return f;
    await settle(10);
  }
  throw new Error(`frame never showed ${String(text)}; last frame:\n${lastFrame()}`);
}

/** Poll until `check` holds (effects and input handling run asynchronously). */
export async function waitUntil(check: () => boolean, what = 'condition', tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await settle(10);
  }
  throw new Error(`${what} never became true`);
}

/** Write one key and wait until the frame changes: Ink reads stdin in chunks, so two keys
 * written before it reads would arrive as one (and a double backspace reads as none). */
export async function press(stdin: { write(s: string): void }, lastFrame: () => string | undefined, key: string): Promise<void> {
  const before = lastFrame();
  stdin.write(key);
  for (let i = 0; i < 200 && lastFrame() === before; i++) await settle(5);
}
