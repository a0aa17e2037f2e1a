// What the browser tests need around the browser: a real warung server on port 0 with
// its own SQLite file, the command line, the public API, and Debian's Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

export const binary = process.env.WARUNG_BINARY || path.resolve(here, '../../build/warung');
export const artifacts = process.env.WARUNG_ARTIFACTS || path.resolve(here, '../../build/browser-artifacts');
mkdirSync(artifacts, { recursive: true });

export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'warung-browser-'));
  return { dir, file: (name) => path.join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function cli(db, args, input) {
  return execFileSync(binary, [...args, '--db', db], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

// Starts `warung serve` and resolves once both listeners announced their ports.
export function startServer(db, { config = '', consoleDir = process.env.WARUNG_CONSOLE_DIR, dir }) {
  const cfg = path.join(dir, 'warung.toml');
  writeFileSync(cfg, `[log]\nlevel = "warn"\n[server]\naccess_log = false\n[admin]\n${consoleDir ? `console_dir = "${consoleDir}"\n` : ''}${config}`);
  const child = spawn(binary, ['serve', '--config', cfg, '--db', db, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 20000);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const api = out.match(/warung listening on (http:\/\/[\d.]+:\d+)/);
      const admin = out.match(/warung admin on (http:\/\/[\d.]+:\d+)/);
      if (api && admin) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({
          api: api[1], admin: admin[1],
          stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }),
        });
      }
    });
  });
}

// A game service (manual: no provider route) at Rp 10.000, imported as the CLI does.
export function importCatalog(db, dir) {
  const file = path.join(dir, 'catalog.json');
  writeFileSync(file, JSON.stringify([{
    kind: 'game', code: 'PULSA10', name: 'Pulsa 10.000', note: '',
    category: { main: 'Pulsa', slug: 'pulsa' },
    fields: {
      title: 'Masukkan Nomor', info: '',
      field1: { type: 'input', input: { type: 'number', label: 'Nomor HP', minlength: 8, maxlength: 15, placeholder: '08xx' } },
      field2: { type: 'none' }, field3: { type: 'none' },
    },
    price: { list: { standar: 10000, premium: 9800, spesial: 9600 } },
    cutoff: { start: '00:00', end: '00:00' }, status: 'ready',
  }]));
  cli(db, ['service', 'import', file]);
}

// POST /api/game as a reseller's code does (form body, key + md5 sign).
async function gameApi(api, userId, key, fields) {
  const sign = createHash('md5').update(userId + key).digest('hex');
  const res = await fetch(`${api}/api/game`, { method: 'POST', body: new URLSearchParams({ key, sign, ...fields }) });
  const answer = await res.json();
  if (!answer.status) throw new Error(`${fields.type} refused: ${JSON.stringify(answer)}`);
  return answer.data;
}

export const placeGameOrder = (api, userId, key, service, data1) =>
  gameApi(api, userId, key, { type: 'order', service, data1 });

export const orderStatus = async (api, userId, key, refId) =>
  (await gameApi(api, userId, key, { type: 'status', ref_id: refId }))[0];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}
