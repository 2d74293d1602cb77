import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answersInteraction } from '../../src/cli/commands/run.js';
import {
  UsageError,
  clusterOptionsFrom,
  loadAnswers,
  loadSessionCatalog,
  needsCluster,
  parseMaxSteps,
  parseVars,
  reachableCatalog,
  resolveInputs,
  unresolvedInputs,
} from '../../src/cli/session-setup.js';
import type { SessionState } from '../../src/engine/types.js';
import type { Step } from '../../src/engine/model.js';
import type { AskEffect } from '../../src/session/types.js';
import { ask, call, catalogOf, foreach, playbook, run, runSpec } from '../engine/helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwiz-setup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('session setup', () => {
  it('parses --var NAME=VALUE, keeping later = signs in the value', () => {
    expect(parseVars(['a=b', 'sel=app=web', 'empty='])).toEqual({ a: 'b', sel: 'app=web', empty: '' });
    expect(() => parseVars(['=x'])).toThrow(UsageError);
  });

  it('parses --max-steps', () => {
    expect(parseMaxSteps(undefined)).toBe(500);
    expect(parseMaxSteps('12')).toBe(12);
    expect(() => parseMaxSteps('0')).toThrow(/at least 1/);
    expect(() => parseMaxSteps('1.5')).toThrow(UsageError);
  });

  it('reads answers files in YAML and JSON and rejects other shapes', async () => {
    await writeFile(join(dir, 'a.yaml'), 'symptom: timeout\nagain: [yes, no]\n');
    await writeFile(join(dir, 'a.json'), '{"demo-local:symptom": "refused"}');
    await writeFile(join(dir, 'bad.yaml'), '- just\n- a list\n');
    expect(await loadAnswers(join(dir, 'a.yaml'))).toEqual({ symptom: 'timeout', again: ['yes', 'no'] });
    expect(await loadAnswers(join(dir, 'a.json'))).toEqual({ 'demo-local:symptom': 'refused' });
    await expect(loadAnswers(join(dir, 'bad.yaml'))).rejects.toThrow(/expected a map of step id/);
    await expect(loadAnswers(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read it/);
    expect(await loadAnswers(undefined)).toEqual({});
  });

  it('applies input defaults, names missing required inputs and checks patterns', () => {
    const pb = playbook('p', [run('a', ['true'])], {
      inputs: [
        { name: 'ns', prompt: 'Namespace', required: true, pattern: '^[a-z]+$' },
        { name: 'port', prompt: 'Port', required: true, default: '80' },
        { name: 'extra', prompt: 'Extra', required: false },
      ],
    });
    expect(resolveInputs(pb, { ns: 'shop' })).toEqual({ ns: 'shop', port: '80' });
    expect(() => resolveInputs(pb, {})).toThrow('missing input ns (Namespace): pass --var ns=VALUE');
    expect(() => resolveInputs(pb, { ns: 'a;b' })).toThrow('input ns="a;b" does not match ^[a-z]+$');
    expect(unresolvedInputs(pb, {}).map((i) => i.name)).toEqual(['ns']);
  });

  it('finds the playbooks a root can reach and whether they need a cluster', () => {
    const leaf = playbook('leaf', [run('k', ['kubectl', 'get', 'pods'])]);
    const mid = playbook('mid', [foreach('f', '[1]', 'x', 1, { call: { playbook: 'leaf', with: {} } })]);
    const root = playbook('root', [call('c', 'mid')]);
    const alone = playbook('alone', [run('a', ['true']), foreach('f', '[1]', 'x', 1, { run: runSpec(['ping', '{{x}}']) })]);
    const cat = catalogOf(root, mid, leaf, alone);
    expect(Object.keys(reachableCatalog(cat, 'root')).sort()).toEqual(['leaf', 'mid', 'root']);
    expect(needsCluster(reachableCatalog(cat, 'root'))).toBe(true);
    expect(needsCluster(reachableCatalog(cat, 'alone'))).toBe(false);
    // a cluster command only in a branch of a parallel step still needs the preflight and sweep
    const branch = (id: string, argv: string[]) => ({ id, title: id, why: 'test', run: runSpec(argv), transitions: [] });
    const par = playbook('par', [{ id: 'p', title: 'p', why: 'test', transitions: [], kind: 'parallel', parallel: [branch('a', ['true']), branch('b', ['kubectl', 'get', 'nodes'])] } as Step]);
    expect(needsCluster(catalogOf(par))).toBe(true);
  });

  it('loads the built-in catalog and a playbook given as a file', async () => {
    const builtin = await loadSessionCatalog('demo-local', []);
    expect(builtin.root.id).toBe('demo-local');
    expect(builtin.catalog['demo-tcp-probe']).toBeDefined();
    const file = join(dir, 'mine.yaml');
    await writeFile(
      file,
      'id: mine\ntitle: Mine\nsummary: x\nsteps:\n  - id: go\n    title: Go\n    why: x\n    call: {playbook: demo-tcp-probe, with: {host: localhost, port: "1"}}\n',
    );
    const fromFile = await loadSessionCatalog(file, []);
    expect(fromFile.root.id).toBe('mine');
    await expect(loadSessionCatalog('nope', [])).rejects.toThrow(/unknown playbook "nope"/);
  });
});

describe('non-interactive answers', () => {
  const state = {} as SessionState;
  const effect = (stepId: string, type: 'choice' | 'confirm' | 'text', choices?: string[]): AskEffect => ({
    type: 'ask',
    id: 'e1',
    playbookId: 'pb',
    stepId,
    title: stepId,
    why: '',
    question: { type, prompt: `${stepId}?`, ...(choices ? { choices } : {}) },
  });

  it('answers by step id or playbook:step, lists one per time asked, and aborts when out of answers', async () => {
    const lines: string[] = [];
    const i = answersInteraction({ again: ['yes', false], 'pb:pick': 'b', pick: 'a' }, (l) => lines.push(l));
    expect(await i.ask(effect('pick', 'choice', ['a', 'b']), state)).toEqual({ type: 'answer', value: 'b' });
    expect(await i.ask(effect('again', 'confirm'), state)).toEqual({ type: 'answer', value: true });
    expect(await i.ask(effect('again', 'confirm'), state)).toEqual({ type: 'answer', value: false });
    expect(await i.ask(effect('again', 'confirm'), state)).toEqual({
      type: 'abort',
      reason: 'step again ("again?") was asked 3 times; --answers has only 2 answers for it',
    });
    expect(await i.ask(effect('free', 'text'), state)).toMatchObject({ type: 'abort', reason: expect.stringContaining('add "free: <answer>"') });
    expect(i.asked()).toBe(5);
    expect(lines).toEqual(['  ? pick? → b', '  ? again? → yes', '  ? again? → no']);
  });

  it('never agrees to a change and always restores', async () => {
    const i = answersInteraction({}, () => undefined);
    expect(await i.confirmMutation({} as never, state)).toBe('no');
    expect(await i.confirmRestore([{ argv: ['x'], undo: ['y'] }])).toBe(true);
  });
});

describe('clusterOptionsFrom', () => {
  const base = { var: [], playbooks: [] };
  it('passes --kubeconfig, --context and --namespace through as given', () => {
    expect(clusterOptionsFrom({ ...base, kubeconfig: '/k', context: 'prod', namespace: 'shop' }, {})).toEqual({
      kubeconfig: '/k',
      context: 'prod',
      namespace: 'shop',
    });
  });

  it('records a single $KUBECONFIG file so an undo reaches the same cluster', () => {
    expect(clusterOptionsFrom(base, { KUBECONFIG: '/home/a/.kube/lab' }).kubeconfig).toBe('/home/a/.kube/lab');
  });

  it('leaves a $KUBECONFIG list to kubectl, which merges it', () => {
    expect(clusterOptionsFrom(base, { KUBECONFIG: '/a/one:/a/two' }).kubeconfig).toBeUndefined();
    expect(clusterOptionsFrom({ ...base, kubeconfig: '/k' }, { KUBECONFIG: '/a/one:/a/two' }).kubeconfig).toBe('/k');
  });
});
