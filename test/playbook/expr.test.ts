import { describe, expect, it } from 'vitest';
import { compileExpr, evalBool, evalValue, exprRefPositions, exprRefs, fromCel, toCel } from '../../src/engine/expr.js';

describe('CEL expressions', () => {
  it('reports syntax errors with a 1-based line:col inside the expression', () => {
    expect(compileExpr('a > 1 && b.c == "x"')).toEqual({ ok: true });
    expect(compileExpr('a >')).toMatchObject({ ok: false, line: 1 });
    expect(compileExpr('a &&\n  b +')).toEqual({ ok: false, message: 'found + but expecting end of input', line: 2, col: 5 });
  });

  it('reports functions CEL does not have here, which would otherwise only fail at run time', () => {
    expect(compileExpr('xs.exists(x, x > 1) && has(a.b) && size(a) > 0 && a.startsWith("x") && int(s) in [1, 2]')).toEqual({ ok: true });
    expect(compileExpr('a &&\n  x.lowerAscii() == "x"')).toEqual({ ok: false, message: "unknown function 'lowerAscii'", line: 2, col: 5 });
    expect(compileExpr('foo(1)')).toEqual({ ok: false, message: "unknown function 'foo'", line: 1, col: 1 });
    expect(compileExpr('has(x)')).toEqual({ ok: false, message: 'has() takes one field selection, like has(x.field)', line: 1, col: 1 });
    expect(compileExpr('xs.exists(1, true)')).toEqual({
      ok: false,
      message: 'exists() takes a loop variable and an expression, like list.exists(x, x > 0)',
      line: 1,
      col: 4,
    });
  });

  it('lists root identifiers, leaving out macro variables, type names and has(facts.x)', () => {
    expect(exprRefs('pods.items.exists(p, p.ip == target.ip) && size(xs.map(x, x + n)) > 0')).toEqual(['pods', 'target', 'xs', 'n']);
    expect(exprRefs('facts["read-mtu"].mtu > 1400 && facts.links.ok')).toEqual(['read-mtu', 'links']);
    expect(exprRefs('has(facts.maybe) && type(v) == int')).toEqual(['v']);
    expect(exprRefs('[a, {"k": b}]')).toEqual(['a', 'b']);
    expect(exprRefs('not valid ((')).toEqual([]);
    expect(exprRefPositions('x && facts["s-1"].ok')).toEqual([
      { name: 'x', offset: 0 },
      { name: 's-1', offset: 11 },
    ]);
  });

  it('evaluates over facts: integers are CEL ints, doubles stay doubles, dashes via facts[...]', () => {
    const facts = { links: { mtu: 1450, nic: 1500, ratio: 0.5 }, 'read-mtu': { ok: true }, pods: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] };
    expect(evalBool('links.mtu > links.nic - 100 && links.mtu + 1 == 1451', facts)).toEqual({ ok: true, value: true });
    expect(evalBool('links.ratio < 1.0', facts)).toEqual({ ok: true, value: true });
    expect(evalBool('facts["read-mtu"].ok', facts)).toEqual({ ok: true, value: true });
    expect(evalBool('pods.exists(p, p.ip == "10.0.0.2")', facts)).toEqual({ ok: true, value: true });
    expect(evalBool('size(pods) == 2', facts)).toEqual({ ok: true, value: true });
  });

  it('returns errors as values: missing fields, non-bool results, syntax errors', () => {
    expect(evalBool('nope.x', {})).toMatchObject({ ok: false });
    expect(evalBool('a.missing', { a: {} })).toEqual({ ok: false, error: 'field not found: missing' });
    expect(evalBool('a', { a: 3 })).toEqual({ ok: false, error: 'expression yields an int, not a bool' });
    expect(evalBool('a &&', { a: true })).toMatchObject({ ok: false });
  });

  it('evalValue converts CEL lists, maps and ints back to plain JSON', () => {
    const facts = { pods: { items: [{ name: 'a', ready: true, restarts: 2 }, { name: 'b', ready: false, restarts: 0 }] } };
    expect(evalValue('pods.items.filter(p, p.ready)', facts)).toEqual({ ok: true, value: [{ name: 'a', ready: true, restarts: 2 }] });
    expect(evalValue('pods.items.map(p, {"n": p.name, "r": p.restarts * 2})', facts)).toEqual({
      ok: true,
      value: [{ n: 'a', r: 4 }, { n: 'b', r: 0 }],
    });
    expect(evalValue('[1, 2] + [3]', {})).toEqual({ ok: true, value: [1, 2, 3] });
    expect(evalValue('1u + 2u', {})).toEqual({ ok: true, value: 3 });
    expect(evalValue('"x" + string(1)', {})).toEqual({ ok: true, value: 'x1' });
  });

  it('converts between JSON and CEL inputs', () => {
    expect(toCel({ a: [1, 1.5, 'x', null, true] })).toEqual({ a: [1n, 1.5, 'x', null, true] });
    expect(fromCel(5n)).toBe(5);
  });

  it('never evaluates JavaScript', () => {
    expect(evalValue('process.exit(1)', {})).toMatchObject({ ok: false });
    expect(evalValue('constructor', {})).toMatchObject({ ok: false });
  });
});
