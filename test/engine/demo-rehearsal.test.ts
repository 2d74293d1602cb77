// Rehearsals of the shipped demo playbook: the real YAML, with command outcomes given as
// data, for the paths a machine cannot be made to take on demand (a name that does not
// resolve, a listener that answers only sometimes). The real-command runs are in
// test/cli-run/run.test.ts.
import { describe, expect, it } from 'vitest';
import { applyEvent, startSession } from '../../src/engine/index.js';
import type { Effect, EngineEvent, SessionState } from '../../src/engine/types.js';
import { loadCatalog } from '../../src/playbook/index.js';
import { result } from './helpers.js';

const catalog = loadCatalog([], { env: false }).catalog;

const curlJson = (exitcode: number, errormsg = '') =>
  JSON.stringify({ exitcode, errormsg, remote_ip: exitcode === 7 ? '' : '127.0.0.1', remote_port: exitcode === 7 ? 0 : 8080 });

type Reply = (effect: Exclude<Effect, { type: 'done' }>, n: number) => EngineEvent;

function rehearse(reply: Reply): { state: SessionState; path: string[] } {
  let t = startSession(catalog, 'demo-local', { port: '8080' });
  let n = 0;
  while (t.state.status === 'running') {
    const e = t.state.pending[0]!;
    if (e.type === 'done') throw new Error('done pending');
    t = applyEvent(catalog, t.state, reply(e, n++));
  }
  return { state: t.state, path: t.state.history.map((h) => `${h.playbookId}/${h.stepId}`) };
}

describe('demo-local rehearsals', () => {
  it('a name that does not resolve concludes name-not-resolving at once', () => {
    const { state, path } = rehearse((e) => ({ type: 'command-finished', effectId: e.id, result: result({ exitCode: 2 }) }));
    expect(path).toEqual(['demo-local/resolve', 'demo-local/conclude-dns']);
    expect(state.outcome).toMatchObject({ status: 'concluded', cause: 'name-not-resolving', evidence: ['localhost does not resolve on this machine', 'getent ahosts localhost exited 2'] });
  });

  it('a listener that answers some attempts only concludes flaky-listener', () => {
    let curl = 0;
    const { state, path } = rehearse((e) => {
      if (e.type === 'ask') return { type: 'answered', effectId: e.id, value: 'sometimes' };
      if (e.argv[0] === 'getent') return { type: 'command-finished', effectId: e.id, result: result({ stdout: '127.0.0.1 STREAM localhost\n' }) };
      if (e.argv[0] === 'ss') return { type: 'command-finished', effectId: e.id, result: result({ stdout: 'LISTEN 0 511 127.0.0.1:8080 0.0.0.0:*\n' }) };
      // the first probe connects; then every other attempt is refused
      const code = curl++ % 2 === 0 ? 0 : 7;
      return { type: 'command-finished', effectId: e.id, result: result({ exitCode: code, stdout: curlJson(code, code ? 'Failed to connect' : '') }) };
    });
    expect(path).toEqual([
      'demo-local/resolve',
      'demo-local/listeners',
      'demo-local/symptom',
      'demo-tcp-probe/connect',
      'demo-tcp-probe/connected',
      'demo-local/first-probe',
      'demo-local/repeat-probe',
      'demo-local/conclude-flaky',
    ]);
    expect(state.outcome).toMatchObject({ status: 'concluded', cause: 'flaky-listener' });
    expect(state.hypotheses['nothing-listening']!.status).toBe('ruled-out');
    expect(curl).toBe(7);
  });

  it('a listener that times out every attempt ends inconclusive with what to check next', () => {
    const { state } = rehearse((e) => {
      if (e.type === 'ask') return { type: 'answered', effectId: e.id, value: 'timeout' };
      if (e.argv[0] === 'curl') return { type: 'command-finished', effectId: e.id, result: result({ exitCode: 28, stdout: curlJson(28, 'Operation timed out') }) };
      return { type: 'command-finished', effectId: e.id, result: result({ stdout: 'one line\n' }) };
    });
    expect(state.outcome).toMatchObject({
      status: 'inconclusive',
      evidence: ['every attempt to localhost:8080 failed (Operation timed out)', expect.stringMatching(/^ruled out name-not-resolving/), expect.stringMatching(/^ruled out nothing-listening/)],
      next: 'Check a local firewall (nft list ruleset) and the address the service binds to',
    });
    expect(state.frames[0]!.facts.first).toMatchObject({ status: 'concluded', cause: 'timeout' });
  });

  it('curl missing everywhere: the probes are facts with spawn errors and the session still ends', () => {
    const { state } = rehearse((e) => {
      if (e.type === 'ask') return { type: 'skipped', effectId: e.id, reason: 'operator skipped' };
      if (e.argv[0] === 'curl') return { type: 'command-finished', effectId: e.id, result: result({ exitCode: null, spawnError: 'ENOENT: curl not found' }) };
      return { type: 'command-finished', effectId: e.id, result: result() };
    });
    expect(state.outcome!.status).toBe('inconclusive');
    expect(state.outcome!.evidence[0]).toContain('the probes did not report a connection result');
    expect(state.frames[0]!.facts.attempts).toHaveLength(6);
  });
});
