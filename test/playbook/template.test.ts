import { describe, expect, it } from 'vitest';
import { invalidPlaceholders, parsePath, renderArgv, renderTemplate, templateRefs } from '../../src/engine/template.js';

const facts = {
  ns: 'prod',
  deploy: { spec: { replicas: 3 }, name: 'web' },
  nodes: ['node-a', 'node-b'],
  'read-mtu': { ok: true, mtu: 1450 },
  evil: 'x; rm -rf / $(id) "q"',
  flag: false,
  nothing: null,
};

describe('templates', () => {
  it('parses dotted, indexed and quoted paths; facts["id"] starts at id', () => {
    expect(parsePath('a.b[0].c')).toEqual(['a', 'b', 0, 'c']);
    expect(parsePath(' read-mtu.mtu ')).toEqual(['read-mtu', 'mtu']);
    expect(parsePath('facts["read-mtu"].mtu')).toEqual(['read-mtu', 'mtu']);
    expect(parsePath("x['k y']")).toEqual(['x', 'k y']);
    expect(parsePath('a..b')).toBeUndefined();
    expect(parsePath('a b')).toBeUndefined();
    expect(parsePath('1abc')).toBeUndefined();
  });

  it('lists the root names a template reads, once each', () => {
    expect(templateRefs('kubectl -n {{ns}} {{deploy.name}} {{ns}} {{facts["read-mtu"].mtu}}')).toEqual(['ns', 'deploy', 'read-mtu']);
    expect(templateRefs('no placeholders')).toEqual([]);
    expect(invalidPlaceholders('{{ok}} {{not ok}}').map((p) => [p.raw, p.offset])).toEqual([['not ok', 7]]);
  });

  it('renders strings as is, numbers/bools/null as text, objects and lists as compact JSON', () => {
    expect(renderTemplate('deployment/{{deploy.name}} x{{deploy.spec.replicas}}', facts)).toEqual({ ok: true, value: 'deployment/web x3' });
    expect(renderTemplate('{{nodes[1]}} {{flag}} {{nothing}}', facts)).toEqual({ ok: true, value: 'node-b false null' });
    expect(renderTemplate('{{deploy.spec}} {{nodes}}', facts)).toEqual({ ok: true, value: '{"replicas":3} ["node-a","node-b"]' });
    expect(renderTemplate('{{read-mtu.mtu}}={{facts["read-mtu"].mtu}}', facts)).toEqual({ ok: true, value: '1450=1450' });
  });

  it('reports every missing placeholder instead of rendering a guess', () => {
    expect(renderTemplate('{{ns}} {{nope}} {{deploy.missing}} {{nodes[5]}} {{nope}}', facts)).toEqual({
      ok: false,
      missing: ['nope', 'deploy.missing', 'nodes[5]'],
    });
    expect(renderTemplate('{{bad path}}', facts)).toEqual({ ok: false, missing: ['bad path'] });
  });

  it('renders each argv element into exactly one argument, whatever the fact holds', () => {
    const r = renderArgv(['echo', '{{evil}}', '--name={{deploy.name}}'], facts);
    expect(r).toEqual({ ok: true, value: ['echo', 'x; rm -rf / $(id) "q"', '--name=web'] });
    expect(renderArgv(['a', '{{x}}', '{{y}}', '{{x}}'], facts)).toEqual({ ok: false, missing: ['x', 'y'] });
  });
});
