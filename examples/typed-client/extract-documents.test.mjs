// node --test: the README extraction takes graphql blocks and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extract } from './extract-documents.mjs';

test('takes graphql and gql blocks, fenced with backticks or tildes, indented in lists', () => {
  const md = [
    '# t',
    '```sh',
    'curl -d \'{"query": "{ a }"}\'',
    '```',
    '```graphql',
    'query A { a }',
    '```',
    '1. item',
    '',
    '   ~~~~gql',
    '   query B {',
    '     b',
    '   }',
    '   ~~~~',
    '````graphql',
    '```',
    'query C { c }',
    '````',
  ].join('\n');
  const blocks = extract(md);
  assert.deepEqual(
    blocks.map((b) => b.text),
    ['query A { a }', 'query B {\n  b\n}', '```\nquery C { c }'],
  );
  assert.equal(blocks[0].line, 5);
});

test('a README without graphql blocks gives none', () => {
  assert.deepEqual(extract('```js\nquery()\n```\ntext'), []);
});
