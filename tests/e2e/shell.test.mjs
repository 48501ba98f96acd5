// The relay serves the real Leptos build, and headless Chromium renders it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, launchBrowser, newPhone } from './support.mjs';

let relay, browser;
before(async () => { relay = await startRelay(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await relay?.stop(); relay?.cleanup(); });

test('the app renders the four villages with the document ids the relay stored', async () => {
  const { page, errors } = await newPhone(browser);
  await page.goto(relay.url);
  await page.locator('li.village').first().waitFor();
  const names = await page.locator('li.village strong').allTextContents();
  assert.deepEqual(names, ['Arjowilangun', 'Sumberpetung', 'Brongkal', 'Balearjo']);
  // The wasm build derives each village's document id itself; it must match the relay's.
  const shown = await page.locator('li.village .doc-id').allTextContents();
  for (const [i, id] of shown.entries()) {
    const banner = relay.lines.find((l) => l.startsWith('demo document') && l.includes(names[i]));
    assert.ok(banner?.endsWith(id), `relay banner for ${names[i]} ends with ${id}: ${banner}`);
  }
  assert.deepEqual(errors, [], 'no console errors (CSP violations would show here)');
});

test('Bahasa Indonesia first, English on request', async () => {
  const { page } = await newPhone(browser);
  await page.goto(relay.url);
  const heading = page.locator('#home h2');
  await heading.waitFor();
  assert.match(await heading.textContent(), /Desa Migran Produktif/);
  await page.getByRole('button', { name: 'EN' }).click();
  assert.match(await heading.textContent(), /Productive Migrant Villages/);
  await page.getByRole('button', { name: 'ID' }).click();
  assert.match(await heading.textContent(), /Desa Migran Produktif/);
});

test('fits a 360 px wide phone without sideways scrolling', async () => {
  const { page } = await newPhone(browser);
  await page.goto(relay.url);
  await page.locator('li.village').first().waitFor();
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
  assert.equal(await (await fetch(`${relay.url}/healthz`)).text(), 'ok');
  // A deep link into the app gets the app, not a 404.
  const deep = await fetch(`${relay.url}/desa/35.07.11.2008`);
  assert.equal(deep.status, 200);
  assert.match(await deep.text(), /<title>Desmigratif<\/title>/);
});
