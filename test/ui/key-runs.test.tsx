// Keys read from the terminal in one chunk. When netwiz reads the terminal late (a busy
// event loop on a loaded machine), key presses made one after the other arrive together:
// two Enters as "\r\r", "jj" as "jj". Ink hands such a run to useInput as one event, which
// its keypress parser does not recognise; the wizard dropped all of them and looked deaf
// (the wizard-lab terminal test hung on its first input beside the crash-loop test).
// ink-testing-library's stdin.write delivers its argument as one chunk, as the tty did.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { WizardApp, type WizardController } from '../../src/ui/App.js';
import { WizardStore } from '../../src/ui/wizard-store.js';
import type { PlaybookChoice } from '../../src/ui/start-flow.js';
import { isKeyRun, keyOfChar, nextOfRun } from '../../src/ui/hooks/use-wizard-keys.js';
import { fileKeyTrace, traceStdinReads } from '../../src/ui/debug-keys.js';
import { resolveKey } from '../../src/ui/keys.js';
import { KEYS, waitForFrame, waitUntil } from './fixtures.js';

afterEach(() => cleanup());

const cluster = { context: 'lab', namespace: 'app-system', source: 'flag' as const };
const pb: PlaybookChoice = {
  id: 'intermittent-connectivity',
  title: 'A Service works sometimes and fails sometimes',
  summary: 'x',
  inputs: [
    { name: 'namespace', prompt: 'Namespace of the service', required: true },
    { name: 'service', prompt: 'Name of the Service that fails sometimes', required: true, choices: { argv: ['kubectl', 'get', 'svc'], target: { kind: 'workstation' }, parse: 'kubectl-list', field: 'name' } },
    { name: 'port', prompt: 'Port of the Service', default: '80', required: true },
    { name: 'path', prompt: 'Path to request', default: '/', required: false },
  ],
};

function ctl(): WizardController & { calls: string[] } {
  const calls: string[] = [];
  return { calls, start: vi.fn((c) => calls.push(`start ${JSON.stringify(c.inputs)}`)), cancel: vi.fn(), abort: vi.fn(), exit: vi.fn((c) => calls.push(`exit ${c}`)) };
}

/** The wizard on the service list (loaded from the "cluster"), as in the lab test. */
async function onServiceList() {
  const c = ctl();
  const r = render(
    <WizardApp store={new WizardStore()} controller={c} cluster={cluster} playbooks={[pb]} playbookId={pb.id} preset={{ namespace: 'app-system' }} loadChoices={async () => ['apiserver', 'console']} size={{ columns: 100, rows: 30 }} />,
  );
  await waitForFrame(r.lastFrame, 'Is that right?');
  r.stdin.write('y');
  await waitForFrame(r.lastFrame, '› apiserver');
  return { ...r, c };
}

describe('a run of keys read in one chunk', () => {
  it('two Enters in one chunk choose the listed service and accept the next default', async () => {
    const { stdin, lastFrame } = await onServiceList();
    stdin.write('\r\r');
    const f = await waitForFrame(lastFrame, '? Path to request');
    expect(f).toContain('input 3 of 3');
  });

  it('every Enter of a run acts, each on the screen the previous one left, up to the start', async () => {
    const { stdin, c } = await onServiceList();
    stdin.write('\r\r\r');
    await waitUntil(() => c.calls.length > 0, 'a controller call');
    expect(c.calls).toEqual(['start {"namespace":"app-system","service":"apiserver","port":"80","path":"/"}']);
  });

  it('"jj" moves down twice; a key arriving while a run is acted on waits its turn', async () => {
    const c = ctl();
    const { stdin, lastFrame } = render(
      <WizardApp store={new WizardStore()} controller={c} cluster={cluster} playbooks={[pb]} playbookId={pb.id} preset={{ namespace: 'app-system' }} loadChoices={async () => ['a', 'b', 'c']} size={{ columns: 100, rows: 30 }} />,
    );
    await waitForFrame(lastFrame, 'Is that right?');
    stdin.write('y');
    await waitForFrame(lastFrame, '› a');
    stdin.write('jj');
    stdin.write('\r');
    await waitForFrame(lastFrame, '? Port of the Service');
    stdin.write('\r\r');
    await waitUntil(() => c.calls.length > 0, 'a controller call');
    expect(c.calls[0]).toContain('"service":"c"');
  });

  it('typed text and Enter in one chunk: the text goes into the field, then Enter submits it', async () => {
    const { stdin, lastFrame, c } = await onServiceList();
    stdin.write('\r'); // apiserver
    await waitForFrame(lastFrame, '? Port of the Service');
    stdin.write('\u007F\u007F8080\rhealthz\r'); // the path keeps its default /
    await waitUntil(() => c.calls.length > 0, 'a controller call');
    expect(c.calls).toEqual(['start {"namespace":"app-system","service":"apiserver","port":"8080","path":"/healthz"}']);
  });

  it('two Ctrl-C in one chunk still stop the wizard', async () => {
    const { stdin, c } = await onServiceList();
    stdin.write(`${KEYS.ctrlC}${KEYS.ctrlC}`);
    await waitUntil(() => c.calls.length > 0, 'a controller call');
    expect(c.calls[0]).toBe('exit 130');
  });
});

describe('splitting a run (pure)', () => {
  const none = keyOfChar('x').key;

  it('tells a run from a single key or a named key', () => {
    expect(isKeyRun('\r\r', none)).toBe(true);
    expect(isKeyRun('jj', none)).toBe(true);
    expect(isKeyRun('\r', { ...none, return: true })).toBe(false);
    expect(isKeyRun('j', none)).toBe(false);
    expect(isKeyRun('', { ...none, downArrow: true })).toBe(false);
    expect(isKeyRun('c', { ...none, ctrl: true })).toBe(false);
    // one emoji is one key, not a run
    expect(isKeyRun('😀', none)).toBe(false);
  });

  it('gives each character the key Ink gives it alone, so the bindings resolve', () => {
    expect(resolveKey('pick', keyOfChar('\r').input, keyOfChar('\r').key)).toBe('submit');
    expect(resolveKey('pick', keyOfChar('\n').input, keyOfChar('\n').key)).toBe('submit');
    expect(resolveKey('pick', keyOfChar('j').input, keyOfChar('j').key)).toBe('down');
    expect(resolveKey('text', keyOfChar('\u0003').input, keyOfChar('\u0003').key)).toBe('interrupt');
    expect(resolveKey('text', keyOfChar('\u0013').input, keyOfChar('\u0013').key)).toBe('skip');
    expect(keyOfChar('\u007F').key.delete).toBe(true);
    expect(keyOfChar('Y')).toMatchObject({ input: 'Y', key: { shift: true } });
  });

  it('takes printable text whole while typing, one key at a time elsewhere', () => {
    expect(nextOfRun('web\rx', 'text')).toMatchObject({ event: { input: 'web' }, rest: '\rx' });
    expect(nextOfRun('\rx', 'text')).toMatchObject({ event: { input: '\r', key: { return: true } }, rest: 'x' });
    expect(nextOfRun('web', 'pick')).toMatchObject({ event: { input: 'w' }, rest: 'eb' });
    expect(nextOfRun('😀a', 'pick')).toMatchObject({ event: { input: '😀' }, rest: 'a' });
  });
});

describe('NETWIZ_DEBUG_KEYS trace', () => {
  it('logs every chunk read from stdin as JSON lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nw-keytrace-'));
    try {
      const file = path.join(dir, 'keys.log');
      const chunks = ['\r\r', null];
      const stdin = { read: () => chunks.shift() ?? null } as unknown as NodeJS.ReadStream;
      traceStdinReads(stdin, fileKeyTrace(file));
      expect(stdin.read()).toBe('\r\r');
      expect(stdin.read()).toBe(null);
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toEqual([expect.objectContaining({ what: 'stdin', chunk: '\r\r' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wraps nothing when tracing is off', () => {
    const read = () => null;
    const stdin = { read } as unknown as NodeJS.ReadStream;
    traceStdinReads(stdin, null);
    expect(stdin.read).toBe(read);
  });
});
