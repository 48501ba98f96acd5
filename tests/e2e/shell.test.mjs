// The relay serves the real Leptos build, and headless Chromium renders it on a phone screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  startRelay, launchBrowser, newPhone, login, createPerson, serviceWorkerInControl,
} from './support.mjs';

let relay, browser;
before(async () => { relay = await startRelay(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await relay?.stop(); relay?.cleanup(); });

test('a new device sees the login, in Bahasa Indonesia, without console errors', async () => {
  const { page, errors } = await newPhone(browser);
  await page.goto(relay.url);
  await page.locator('#username').waitFor();
  assert.equal(await page.locator('label[for="username"]').textContent(), 'Nama pengguna');
  assert.equal(await page.locator('html').getAttribute('lang'), 'id');
  assert.deepEqual(errors, [], 'no console errors (CSP violations would show here)');
});

test('English on request, kept across reloads', async () => {
  const { page } = await newPhone(browser);
  await page.goto(relay.url);
  const label = page.locator('label[for="username"]');
  await label.waitFor();
  await page.getByRole('button', { name: 'EN' }).click();
  assert.equal(await label.textContent(), 'Username');
  await page.reload();
  await label.waitFor();
  assert.equal(await label.textContent(), 'Username');
  await page.getByRole('button', { name: 'ID' }).click();
  assert.equal(await label.textContent(), 'Nama pengguna');
});

test('fits a 360 px wide phone without sideways scrolling', async () => {
  const { page } = await newPhone(browser);
  await page.goto(relay.url);
  await page.locator('#username').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width}px wide`);
});

test('assets carry the right types, caching and security headers', async () => {
  const index = await fetch(relay.url);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.match(index.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  const html = await index.text();
  const wasm = html.match(/href="\/(app-[0-9a-f]{16}_bg\.wasm)"/)[1];
  const res = await fetch(`${relay.url}/${wasm}`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  assert.match(res.headers.get('cache-control'), /immutable/);
  for (const path of ['/sw.js', '/manifest.webmanifest']) {
    assert.equal((await fetch(`${relay.url}${path}`)).headers.get('cache-control'), 'no-cache', path);
  }
  assert.equal(await (await fetch(`${relay.url}/healthz`)).text(), 'ok');
  // A deep link into the app gets the app, not a 404.
  const deep = await fetch(`${relay.url}/orang/baru`);
  assert.equal(deep.status, 200);
  assert.match(await deep.text(), /<title>Desmigratif<\/title>/);
});

test('the app is sent as the build compressed it: brotli at its highest level', async () => {
  const html = await (await fetch(relay.url)).text();
  const wasm = html.match(/href="\/(app-[0-9a-f]{16}_bg\.wasm)"/)[1];
  // Raw bytes on the wire (fetch would decompress them).
  const { encoding, bytes } = await new Promise((resolve, reject) => {
    http.get(`${relay.url}/${wasm}`, { headers: { 'accept-encoding': 'br, gzip' } }, (res) => {
      let n = 0;
      res.on('data', (c) => { n += c.length; });
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes: n }));
    }).on('error', reject);
  });
  assert.equal(encoding, 'br');
  const built = statSync(join(process.env.DESMIGRATIF_DIST, `${wasm}.br`)).size;
  assert.equal(bytes, built, 'the precompressed file, not one compressed on the fly');
  assert.ok(bytes < statSync(join(process.env.DESMIGRATIF_DIST, wasm)).size / 3);
});

test('pages beyond the first screen arrive when first opened, and open without signal once installed', async () => {
  const { page, context } = await newPhone(browser);
  const asked = [];
  page.on('request', (request) => asked.push(new URL(request.url()).pathname));
  const chunk = (name) => asked.filter((path) => path.startsWith(`/app-split_${name}-`));
  await login(page, relay.url, 'desa-brongkal', 'HP Uji');
  await page.getByRole('link', { name: 'Daftar orang' }).click();
  await page.locator('ul.people li').first().waitFor();
  assert.ok(asked.some((path) => /^\/app-[0-9a-f]{16}_bg\.wasm$/.test(path)), 'the first screen\'s wasm');
  assert.deepEqual(chunk('office'), [], 'home and the list need none of the office\'s pages');
  const reloaded = asked.length;
  await page.goto(relay.url);
  await createPerson(page, 'Warga Bertahap');
  // Brought by the form, or earlier while idle once the service worker has the app (see below).
  assert.equal(asked.slice(reloaded).filter((path) => path.startsWith('/app-split_records-')).length, 1,
    'the records chunk, once in this page load');
  assert.deepEqual(chunk('office'), [], 'not the office\'s pages');
  // The service worker keeps every chunk: the dashboard opens with no network at all.
  await serviceWorkerInControl(page);
  await context.setOffline(true);
  await page.goto(`${relay.url}/dasbor`);
  await page.locator('h1', { hasText: 'Dasbor' }).waitFor();
  await context.close();
});

test('once installed, the app fetches the records pages while idle, so the first person opens without a fetch', async () => {
  const { page, context } = await newPhone(browser);
  try {
    await login(page, relay.url, 'desa-brongkal', 'HP Siap');
    await serviceWorkerInControl(page);
    const asked = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    const records = (path) => /^\/app-split_records-[0-9a-f]{16}\.wasm$/.test(path);
    const preloaded = page.waitForRequest((request) => records(new URL(request.url()).pathname), { timeout: 60_000 });
    await page.reload();
    await page.locator('.counts .count').first().waitFor();
    await preloaded;
    assert.ok(!asked.some((path) => path.startsWith('/app-split_office-')), 'not the office\'s pages');
    // Opening a person now takes nothing more from the network or the cache.
    const before = asked.length;
    await page.getByRole('link', { name: 'Daftar orang' }).click();
    await page.locator('ul.people li a').first().click();
    await page.locator('.person-name').waitFor();
    assert.deepEqual(asked.slice(before).filter(records), [], 'the chunk was fetched once');
  } finally {
    await context.close();
  }
});

test('a page whose code cannot be fetched says so, the app goes on, and "Coba lagi" fetches it', async () => {
  // No service worker, so every chunk comes from the network, where the records chunk fails:
  // a phone with bad signal in the minutes before the app was kept for offline use.
  const { page, context, errors } = await newPhone(browser, { serviceWorkers: 'block' });
  let fails = true;
  await context.route(/\/app-split_records-[0-9a-f]{16}\.wasm$/, (route) => (fails ? route.abort() : route.continue()));
  await login(page, relay.url, 'desa-brongkal', 'HP Sinyal Lemah');
  await page.getByRole('link', { name: '+ Tambah orang' }).click();
  await page.getByRole('alert').filter({ hasText: 'belum tersimpan di perangkat ini' }).waitFor();
  // The rest of the app still answers.
  await page.locator('a.brand').click();
  await page.locator('.counts .count').first().waitFor();
  await page.getByRole('link', { name: '+ Tambah orang' }).click();
  // The page says so again (its own fetch failed too) before the signal comes back.
  await page.getByRole('alert').filter({ hasText: 'belum tersimpan di perangkat ini' }).waitFor();
  fails = false;
  await page.getByRole('button', { name: 'Coba lagi' }).click();
  await page.locator('#f-full_name').waitFor();
  assert.ok(!errors.some((e) => /unreachable|RuntimeError/.test(e)), `the wasm did not abort: ${errors.join('\n')}`);
  await context.close();
});
