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
    ['{ a }', 'query A { a }', 'query B {\n  b\n}', '```\nquery C { c }'],
  );
  assert.equal(blocks[1].line, 5);
});

test('a README without graphql blocks gives none', () => {
  assert.deepEqual(extract('```js\nquery()\n```\ntext'), []);
});

test('takes the documents of shell commands: JSON bodies, GET query strings, quoted operations', () => {
  const md = [
    '```sh',
    'curl -s "$API" -d \'{',
    '  "query": "query Q($s: String!) { c(slug: $s) { name \\"x\\" } }",',
    '  "variables": {"s": "a"}',
    '}\'',
    "curl -G \"$API\" --data-urlencode 'query={ node(id: \"x\") { id } }'",
    "go run ./examples/subscribe -url \"$API\" 'subscription S { changes { cursor } }'",
    '```',
  ].join('\n');
  assert.deepEqual(
    extract(md).map((b) => b.text),
    ['query Q($s: String!) { c(slug: $s) { name "x" } }', '{ node(id: "x") { id } }', 'subscription S { changes { cursor } }'],
  );
});
