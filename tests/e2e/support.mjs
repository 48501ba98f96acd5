// Helpers shared by the browser tests: a real relay process on a free port, and headless
// Chromium with a fresh profile.
import { spawn } from 'node:child_process';
import { inflateRawSync } from 'node:zlib';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests with \`cargo xtask test\``);
  return v;
};

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `desmigratif-${prefix}-`));
}

/// Starts the relay binary on 127.0.0.1:0 with its own data directory. Resolves once it
/// prints the address it listens on. `lines` collects everything it printed.
export async function startRelay({ dataDir = tempDir('data'), args = [], extraEnv = {}, listen = '127.0.0.1:0', startTimeout = 30_000, staticDir = env('DESMIGRATIF_DIST') } = {}) {
  const child = spawn(env('SYNC_SERVER_BIN'), [
    'serve', '--listen', listen, '--data-dir', dataDir, '--static-dir', staticDir, ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'info', ...extraEnv } });
  const lines = [];
  const logs = [];
  createInterface({ input: child.stderr }).on('line', (l) => logs.push(l));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${lines.join('\n')}\n${logs.join('\n')}`)), startTimeout);
    child.on('exit', (code) => reject(new Error(`relay exited with ${code}:\n${logs.join('\n')}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const m = line.match(/^listening on (http:\/\/\S+)$/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  return {
    url, lines, logs, dataDir, child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
    cleanup() { rmSync(dataDir, { recursive: true, force: true }); },
  };
}

/// A copy of the built app that a test may redeploy (see `deployNextBuild`).
export function copyOfBuild() {
  const dir = tempDir('site');
  cpSync(env('DESMIGRATIF_DIST'), dir, { recursive: true });
  return dir;
}

/// Turns the build in `dir` into the next one, as `cargo xtask build-web` would after a change
/// to the style sheet: a new content-named file, an `index.html` and a service worker naming it,
/// a new shell version, each precompressed again. Returns the new style sheet's name.
export function deployNextBuild(dir) {
  const old = readdirSync(dir).find((f) => /^style-[0-9a-f]+\.css$/.test(f));
  const next = old.replace(/^style-([0-9a-f]+)/, (_, h) => `style-${[...h].reverse().join('')}`);
  const write = (name, text) => {
    writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, `${name}.br`), brotliCompressSync(Buffer.from(text)));
    writeFileSync(join(dir, `${name}.gz`), gzipSync(Buffer.from(text)));
  };
  write(next, `${readFileSync(join(dir, old), 'utf8')}\n.next-build { display: none; }\n`);
  write('index.html', readFileSync(join(dir, 'index.html'), 'utf8').replaceAll(old, next));
  write('sw.js', readFileSync(join(dir, 'sw.js'), 'utf8').replaceAll(old, next)
    .replace(/const VERSION = '([^']*)'/, (_, v) => `const VERSION = '${v}-next'`));
  for (const ext of ['', '.br', '.gz']) rmSync(join(dir, old + ext), { force: true });
  return next;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/// Headless Chromium (Debian's), started as the machine allows.
export async function launchBrowser() {
  return chromium.launch({ executablePath: env('CHROMIUM_PATH'), headless: true, args: CHROMIUM_ARGS });
}

/// A browser with a real, fresh profile directory (not incognito), as an installed app has.
export async function launchProfile({ autoUnlock = true, ...options } = {}) {
  const dir = tempDir('profile');
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: env('CHROMIUM_PATH'), headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 360, height: 740 }, locale: 'id-ID', ...options,
  });
  if (autoUnlock) unlockOnEveryLoad(context);
  return { context, page: context.pages()[0] ?? await context.newPage(), close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Logs `username` in through the relay's API (as a stock client would) from `device`; the
 * session the relay answers, with its token. */
export async function apiLogin(url, username, device) {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo-desmigratif', device }),
  });
  if (res.status !== 200) throw new Error(`login of ${username}: ${res.status}`);
  return res.json();
}

/** The PIN the tests choose for a phone's records. */
export const PIN = '246810';

/** Each full page load of the app asks for the PIN, as a phone's user would type it: on every
 * page of `context` that loads the app locked, type it (tests of the lock itself opt out). */
export function unlockOnEveryLoad(context) {
  const watch = (page) => page.on('domcontentloaded', () => { unlockIfLocked(page).catch(() => {}); });
  context.pages().forEach(watch);
  context.on('page', watch);
}

async function unlockIfLocked(page) {
  const state = await page.locator('html[data-lock]').getAttribute('data-lock', { timeout: 30_000 });
  if (state !== 'locked') return;
  await page.locator('#unlock-pin').fill(PIN, { timeout: 10_000 });
  await page.locator('#unlock-submit').click({ timeout: 10_000 });
}

/** After the first login on a device, an account with records chooses the PIN that locks them. */
export async function choosePin(page) {
  await page.locator('#pin-new').fill(PIN);
  await page.locator('#pin-again').fill(PIN);
  await page.getByRole('button', { name: 'Simpan PIN' }).click();
}

/// A fresh browser profile (context) on a phone-sized screen, recording console errors.
export async function newPhone(browser, { autoUnlock = true, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'id-ID', ...options });
  if (autoUnlock) unlockOnEveryLoad(context);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}
export async function login(page, url, username, device) {
  await page.goto(url);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill('demo-desmigratif');
  if (device) await page.locator('#device-name').fill(device);
  await page.getByRole('button', { name: 'Masuk' }).click();
  // A new device chooses its PIN; the same account logging in again keeps the one it has.
  await page.locator('#pin-new, .counts .count').first().waitFor({ timeout: 30_000 });
  if (await page.locator('#pin-new').isVisible()) await choosePin(page);
  await page.locator('.counts .count').first().waitFor({ timeout: 30_000 });
}

export const synced = (page, timeout = 60_000) =>
  page.locator('.sync-status[data-state="synced"]').waitFor({ timeout });

/** Resolves once the app has read its documents: until then a reopened app shows the views it
 * stored, which may predate the last edits. */
export const documentsLoaded = (page) =>
  page.waitForFunction(() => performance.getEntriesByName('desmigratif:documents-loaded').length > 0, null, { timeout: 30_000 });

export async function serviceWorkerInControl(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
}

export async function createPerson(page, name) {
  await page.getByRole('link', { name: '+ Tambah orang' }).click();
  await page.locator('#f-full_name').fill(name);
  await page.getByRole('button', { name: 'Simpan' }).click();
  await page.locator('.person-name', { hasText: name }).waitFor();
}

export async function editField(page, field, value) {
  await page.getByRole('link', { name: 'Ubah', exact: true }).click();
  await page.locator(`#f-${field}`).fill(value);
  await page.getByRole('button', { name: 'Simpan' }).click();
  await page.locator('.person-name').waitFor();
}

export async function editFields(page, fields) {
  await page.getByRole('link', { name: 'Ubah', exact: true }).click();
  for (const [field, value] of Object.entries(fields)) await page.locator(`#f-${field}`).fill(value);
  await page.getByRole('button', { name: 'Simpan' }).click();
  await page.locator('.person-name').waitFor();
}

export const details = (page) => page.locator('dl.details').textContent();

export async function countMatching(page, url, text, expected) {
  await page.goto(`${url}/orang`);
  await page.locator('input.search').fill(text);
  await page.waitForFunction(
    ([n]) => document.querySelector('.result-count')?.dataset.total === String(n),
    [expected],
    { timeout: 30_000 },
  );
}

/** The files of a zip archive (an XLSX), by name, read through its central directory. */
export function unzip(buf) {
  let end = buf.length - 22;
  while (buf.readUInt32LE(end) !== 0x06054b50) end -= 1;
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const files = new Map();
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    at += 46 + nameLen + extra + comment;
  }
  return files;
}
