// Accessibility: axe-core (WCAG 2.1 A and AA rules) over every screen a field worker and a
// district clerk use, on a phone-sized screen; every screen has exactly one h1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startRelay, launchBrowser, newPhone, choosePin } from './support.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let relay, browser;
before(async () => { relay = await startRelay(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await relay?.stop(); relay?.cleanup(); });

/// Runs axe on the page as it is (evaluated through the debugger, so the app's CSP stays strict).
async function check(page, screen) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  assert.deepEqual(violations, [], `${screen}: ${violations.join('\n')}`);
  assert.equal(await page.locator('h1:visible').count(), 1, `${screen}: one h1`);
  // Tap targets a thumb can hit: at least 44 px high (the whole row where a link fills one).
  const small = await page.evaluate(() => [...document.querySelectorAll('a[href], button, input, select, textarea')]
    .filter((el) => el.offsetParent !== null && el.type !== 'checkbox')
    .map((el) => ({ el, box: el.getBoundingClientRect() }))
    .filter(({ box }) => box.height < 43.5)
    .map(({ el, box }) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${Math.round(box.height)}px`));
  assert.deepEqual(small, [], `${screen}: tap targets under 44 px`);
}

async function login(page, username, { checkPinScreen = false } = {}) {
  await page.goto(relay.url);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill('demo-desmigratif');
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.locator('#pin-new').waitFor();
  if (checkPinScreen) await check(page, 'choose a PIN');
  await choosePin(page);
  await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: 60_000 });
}

test('a field worker\'s screens have no WCAG A/AA violations', async () => {
  const { page, context } = await newPhone(browser);
  try {
    await page.goto(relay.url);
    await page.locator('#username').waitFor();
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.locator('.login [role="alert"]', { hasText: 'Isi nama pengguna' }).waitFor();
    await check(page, 'login');
    await login(page, 'desa-brongkal', { checkPinScreen: true });
    await check(page, 'home');
    await page.getByRole('link', { name: 'Daftar orang' }).click();
    await page.locator('ul.people li').first().waitFor();
    await check(page, 'person list');
    await page.locator('ul.people li a').first().click();
    await page.locator('.person-name').waitFor();
    await check(page, 'person');
    await page.getByRole('button', { name: '+ Tambah perjalanan' }).click();
    await check(page, 'person with the episode form');
    await page.getByRole('link', { name: 'Ubah', exact: true }).click();
    await page.locator('#f-full_name').waitFor();
    await check(page, 'person form');
    await page.goto(`${relay.url}/layanan`);
    await page.getByRole('heading', { name: 'Layanan Desmigratif' }).waitFor();
    await check(page, 'the services');
    // Each kind of service record's list.
    const kinds = await page.locator('.services a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(kinds.length >= 8, kinds.join(' '));
    for (const href of kinds) {
      await page.locator(`.services a[href="${href}"]`).click();
      await page.waitForURL((u) => u.pathname === href);
      await page.locator('main h1').waitFor();
      await check(page, href);
      // …and its form for a new record.
      await page.locator(`main a[href="${href}/baru"]`).click();
      await page.waitForURL((u) => u.pathname === `${href}/baru`);
      await page.locator('main form').waitFor();
      await check(page, `${href}/baru`);
      await page.goBack();
      await page.goBack();
      await page.getByRole('heading', { name: 'Layanan Desmigratif' }).waitFor();
    }
    // An address the app has no page for: a heading, and the way home.
    await page.goto(`${relay.url}/kasus`);
    await page.getByRole('heading', { name: 'Halaman tidak ada' }).waitFor();
    await check(page, 'an address with no page');
    await page.getByRole('link', { name: 'Ke beranda' }).click();
    await page.locator('.counts .count').first().waitFor();
    await page.getByRole('button', { name: 'EN' }).click();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'the document says its language');
  } finally {
    await context.close();
  }
});

test('a district clerk\'s home, dashboard, report, reference data, import and accounts have no WCAG A/AA violations', async () => {
  const { page, context } = await newPhone(browser);
  try {
    await login(page, 'disnaker-malang');
    await page.locator('.district tbody tr[data-loaded]').first().waitFor();
    await check(page, 'district home');
    await page.getByRole('link', { name: 'Dasbor & laporan' }).click();
    await page.locator('.dashboard[data-loaded]').waitFor();
    await check(page, 'dashboard');
    await page.locator('[data-chart="countries"] summary').click();
    await check(page, 'dashboard with a chart\'s table open');
    await page.getByRole('link', { name: 'Laporan bulanan' }).click();
    await page.locator('.report[data-loaded]').waitFor();
    await check(page, 'monthly report');
    await page.goto(page.url().replace(/\/laporan.*$/, '/info'));
    await page.locator('#p3mi .ref-items li').first().waitFor();
    await page.locator('#lowongan details summary').first().click();
    await check(page, 'district information, with edit links');
    await page.locator('#p3mi .edit-link').first().click();
    await page.locator('#r-name').waitFor();
    await check(page, 'an agency\'s form');
    await page.goto(page.url().replace(/\/info.*$/, '/impor'));
    await page.locator('#import-file').setInputFiles({
      name: 'daftar.csv', mimeType: 'text/csv',
      buffer: Buffer.from('Nama;NIK;Negara\nSiti;3,5E+15;Taiwan\nSri;3507114707920009;Hong Kong\n'),
    });
    await page.locator('.import-counts').waitFor();
    await check(page, 'an import\'s columns and preview');
    await page.goto(page.url().replace(/\/impor.*$/, '/akun'));
    await page.locator('section.account li.device').first().waitFor();
    await page.getByText('+ Akun desa baru').click();
    await check(page, 'accounts and devices, with the new account form open');
    await page.goto(page.url().replace(/\/akun.*$/, '/duplikat'));
    await page.locator('.duplicates h1').waitFor();
    await check(page, 'possible duplicates');
  } finally {
    await context.close();
  }
});

test('a partner\'s page has no WCAG A/AA violations', async () => {
  const { page, context } = await newPhone(browser);
  try {
    await page.goto(relay.url);
    await page.locator('#username').fill('bank-bni');
    await page.locator('#password').fill('demo-desmigratif');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.locator('.partner[data-state="fresh"]').waitFor({ timeout: 30_000 });
    await page.locator('.partner-village summary').first().click();
    await check(page, 'partner page');
  } finally {
    await context.close();
  }
});
