// One person recorded in two villages: the district office sees the pair side by side, from the
// documents on its PC, and opens either record in its own village.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, launchBrowser, newPhone, login, synced } from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function createWithNik(page, name, nik) {
  await page.getByRole('link', { name: '+ Tambah orang' }).click();
  await page.locator('#f-full_name').fill(name);
  await page.locator('#f-nik').fill(nik);
  await page.getByRole('button', { name: 'Simpan' }).click();
  await page.locator('.person-name', { hasText: name }).waitFor();
}

test('the same NIK in two villages shows to the district as a pair, each record opening in its village', async () => {
  const relay = await startRelay({ args: ['--demo-households', '3'] });
  const brongkal = await newPhone(browser);
  const balearjo = await newPhone(browser);
  const office = await newPhone(browser, { viewport: { width: 1280, height: 900 } });
  try {
    await login(brongkal.page, relay.url, 'desa-brongkal', 'HP Brongkal');
    await createWithNik(brongkal.page, 'Siti Ganda Uji', '3507335708900003');
    await synced(brongkal.page);
    await login(balearjo.page, relay.url, 'desa-balearjo', 'HP Balearjo');
    await createWithNik(balearjo.page, 'Siti Ganda Uji', '3507335708900003');
    await synced(balearjo.page);

    await login(office.page, relay.url, 'disnaker-malang', 'PC Kantor');
    await synced(office.page);
    await office.page.getByRole('link', { name: 'Kemungkinan duplikat' }).click();
    const pair = office.page.locator('section[data-sign="SameNik"] li.dup-pair', { hasText: 'Siti Ganda Uji' });
    await pair.waitFor();
    assert.equal(await pair.getAttribute('data-across'), 'true');
    const text = await pair.textContent();
    assert.match(text, /Brongkal/);
    assert.match(text, /Balearjo/);
    assert.match(text, /3507335708900003/);

    // The Balearjo record opens on its page, in its village.
    await pair.locator('.dup-side', { hasText: 'Balearjo' }).getByRole('button').click();
    await office.page.locator('.person-name', { hasText: 'Siti Ganda Uji' }).waitFor();
    // The village on screen is now Balearjo's (the home's overview marks it).
    await office.page.goto(relay.url);
    await office.page.locator('.district tbody tr.current', { hasText: 'Balearjo' }).waitFor();
    assert.deepEqual(office.errors, [], 'the office saw no errors');
  } finally {
    for (const p of [brongkal, balearjo, office]) await p.context.close();
    await relay.stop();
  }
});
