import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { POPULAR_NPM, POPULAR_PYPI } from './popular-packages.ts';
import { damerauLevenshtein, lookAlike } from './typosquat.ts';

test('distance counts an adjacent swap as one edit', () => {
  const cases: Array<[string, string, number]> = [
    ['lodash', 'lodash', 0],
    ['lodahs', 'lodash', 1],
    ['expresss', 'express', 1],
    ['reqeusts', 'requests', 1],
    ['axois', 'axios', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['ca', 'abc', 3],
  ];
  for (const [a, b, d] of cases) assert.equal(damerauLevenshtein(a, b), d, `${a} ${b}`);
  assert.equal(damerauLevenshtein('completely', 'different', 2), 3, 'capped at max + 1');
});

test('distance is symmetric and the cap never hides a closer match', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b) => {
      const d = damerauLevenshtein(a, b);
      assert.equal(damerauLevenshtein(b, a), d);
      assert.equal(damerauLevenshtein(a, b, 2), Math.min(d, 3));
    }),
  );
});

test('typosquats of popular npm names, with what gives them away', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['lodahs', 'lodash', /swapped/],
    ['expresss', 'express', /extra s/],
    ['raect', 'react', /swapped/],
    ['axioss', 'axios', /extra s/],
    ['chalkk', 'chalk', /added/],
    ['momnet', 'moment', /swapped/],
    ['react_dom', 'react-dom', /separators/],
    ['reactdom', 'react-dom', /separators/],
    ['@types-node', '@types/node', /scope flattened/],
    ['types-node', '@types/node', /scope flattened/],
    ['lodashjs', 'lodash', /"js" added/],
    ['express-js', 'express', /"-js" added/],
    ['cor', 'cors', /s dropped/],
    ['webpak', 'webpack', /missing/],
  ];
  for (const [name, target, how] of cases) {
    const found = lookAlike(name, POPULAR_NPM);
    assert.equal(found?.target, target, name);
    assert.match(found?.how ?? '', how, name);
  }
});

test('popular names and unrelated names are not squats', () => {
  for (const name of ['lodash', 'React', 'express', '@types/node', 'left-pad-extreme-edition', 'zzzzzzzz'])
    assert.equal(lookAlike(name, POPULAR_NPM), undefined, name);
});

test('PyPI names compare as PyPI does: case and separators do not make a new name', () => {
  assert.equal(lookAlike('Python_DateUtil', POPULAR_PYPI, true), undefined);
  assert.equal(lookAlike('reqeusts', POPULAR_PYPI, true)?.target, 'requests');
  assert.equal(lookAlike('python-requests', POPULAR_PYPI, true)?.target, 'requests');
  assert.equal(lookAlike('numpyy', POPULAR_PYPI, true)?.target, 'numpy');
  assert.equal(lookAlike('scikitlearn', POPULAR_PYPI, true)?.how, 'separators changed');
});
