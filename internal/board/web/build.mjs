// Builds the board's assets into ../assets: board.js (src/main.js with the
// graphql-ws client, bundled and minified), board.css, index.html, and
// THIRD_PARTY_LICENSES.txt (the license of every package in the bundle,
// found from esbuild's metafile). Run with `make web`.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, readdirSync, existsSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

const out = new URL('../assets/', import.meta.url).pathname;

const result = await esbuild.build({
  entryPoints: { board: 'src/main.js' },
  bundle: true,
  minify: true,
  format: 'iife',
  // Current Chromium, Firefox and Safari.
  target: ['es2022', 'chrome120', 'firefox120', 'safari16'],
  outdir: out,
  legalComments: 'none',
  // The bundle is committed: the same input always writes the same bytes.
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});
copyFileSync('src/index.html', join(out, 'index.html'));

const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
  if (m) packages.add(m[m.length - 1].replace(/^node_modules\//, '').replace(/\/$/, ''));
}
let text = 'The board bundles these packages (name@version, license):\n\n';
for (const name of [...packages].sort()) {
  const dir = join('node_modules', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  text += `================================================================\n${name}@${pkg.version} (${pkg.license})\n\n`;
  text += file ? readFileSync(join(dir, file), 'utf8').trim() + '\n\n' : `(no license file; package.json says ${pkg.license})\n\n`;
}
writeFileSync(join(out, 'THIRD_PARTY_LICENSES.txt'), text);
for (const f of ['board.js', 'board.css', 'index.html']) {
  if (!existsSync(join(out, f))) throw new Error(`the build wrote no ${f}`);
}
console.log(`board assets: ${packages.size} package(s) bundled`);
