// Builds the console into OUTDIR (default ./dist): index.html plus content-hashed
// assets/app-HASH.js and assets/app-HASH.css, which the admin listener serves
// (src/http/static_files.*, immutable caching for assets/).
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(process.argv[2] ?? path.join(here, 'dist'));

await rm(outdir, { recursive: true, force: true });
await mkdir(path.join(outdir, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: path.join(here, 'src/main.jsx') },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: path.join(outdir, 'assets'),
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`build produced no ${js ? 'css' : 'js'}: ${outputs.join(', ')}`);

const template = await readFile(path.join(here, 'src/index.html'), 'utf8');
await writeFile(
  path.join(outdir, 'index.html'),
  template.replace('%CSS%', `/assets/${css}`).replace('%JS%', `/assets/${js}`),
);
console.log(`console built in ${outdir}: ${js}, ${css}`);
