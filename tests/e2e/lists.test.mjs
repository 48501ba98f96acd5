// Finding people: the paged, filtered person list, and a district's overview of its villages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, launchBrowser, newPhone, login, synced, documentsLoaded } from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a district office lands on its overview: it fits the phone, totals add up, a tap opens a village, a reload keeps it', async () => {
  const relay = await startRelay();
  const { page, context } = await newPhone(browser, { timezoneId: 'Asia/Jakarta' });
  try {
    await login(page, relay.url, 'disnaker-malang');
    await synced(page);
    const order = await page.evaluate(() => [...document.querySelectorAll('.district, .counts')].map((e) => e.className));
    assert.match(order[0], /district/, `the overview comes first: ${order}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360, 'no sideways scrolling');
    const rows = page.locator('.district tbody tr');
    const n = await rows.count();
    assert.equal(n, 4);
    for (let col = 1; col <= 4; col++) {
      let sum = 0;
      for (let r = 0; r < n; r++) sum += Number(await rows.nth(r).locator('td').nth(col).textContent());
      assert.equal(Number(await page.locator('.district tfoot td').nth(col).textContent()), sum, `column ${col} adds up`);
    }
    const target = page.locator('.district tbody tr:not(.current)').last();
    const name = (await target.locator('td button span').textContent()).trim();
    const pmi = (await target.locator('td').nth(2).textContent()).trim();
    await target.getByRole('button').click();
    await page.locator('.district tbody tr.current', { hasText: name }).waitFor();
    await page.waitForFunction((want) => document.querySelector('.count[data-category="Pmi"] strong')?.textContent === want, pmi);
    assert.equal(await page.locator('#village option:checked').textContent(), name);
    assert.match(await page.locator('.district tbody tr.current small').textContent(), /^\d\d-\d\d-\d{4} \d\d:\d\d WIB$/, 'times say their zone');
    await page.reload();
    await page.locator('.district tbody tr.current', { hasText: name }).waitFor();
    assert.equal(await page.locator('#village option:checked').textContent(), name, 'the choice survives a reload');
  } finally {
    await context.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('the list reaches every person page by page; search, filters and page survive Back and a reload; deleted persons can be shown and restored', async () => {
  const relay = await startRelay({ args: ['--demo-households', '150'] });
  const { page, context } = await newPhone(browser);
  page.on('dialog', (d) => d.accept());
  const rowHrefs = () => page.locator('ul.people li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const shown = () => page.locator('.result-count').textContent();
  try {
    await login(page, relay.url, 'desa-brongkal');
    await synced(page);
    await page.getByRole('link', { name: 'Daftar orang' }).click();
    await page.locator('ul.people li').first().waitFor();
    const total = Number(await page.locator('.result-count').getAttribute('data-total'));
    assert.ok(total > 200, `the demo village fills more than two pages: ${total}`);
    assert.equal(await shown(), `1–100 dari ${total} orang`);
    const seen = new Set();
    for (;;) {
      const hrefs = await rowHrefs();
      hrefs.forEach((h) => seen.add(h));
      const next = page.locator('.pager button.next');
      if (await next.isDisabled()) break;
      await next.click();
      await page.waitForFunction((first) => document.querySelector('ul.people li a')?.getAttribute('href') !== first, hrefs[0]);
    }
    assert.equal(seen.size, total, 'every person is on exactly one page');
    assert.match(await shown(), new RegExp(`^${Math.floor((total - 1) / 100) * 100 + 1}–${total} dari ${total} orang$`));

    // A search, a filter and a page, then a person, then Back.
    await page.goto(`${relay.url}/orang`);
    await page.locator('select[aria-label="Kategori"]').selectOption('Keluarga');
    await page.waitForURL(/kategori=Keluarga/);
    await page.locator('input.search').fill('i');
    await page.waitForURL(/q=i/);
    const matching = Number(await page.locator('.result-count').getAttribute('data-total'));
    assert.ok(matching > 100, `enough matches for a second page: ${matching}`);
    const firstOfPage1 = (await rowHrefs())[0];
    await page.locator('.pager button.next').click();
    await page.waitForFunction((first) => document.querySelector('ul.people li a')?.getAttribute('href') !== first, firstOfPage1);
    const page2 = await rowHrefs();
    const range = await shown();
    await page.locator('ul.people li a').first().click();
    await page.locator('.person-name').waitFor();
    await page.goBack();
    await page.locator('ul.people li').first().waitFor();
    const same = async (when) => {
      assert.equal(await page.locator('input.search').inputValue(), 'i', `search kept ${when}`);
      assert.equal(await page.locator('select[aria-label="Kategori"]').inputValue(), 'Keluarga', `filter kept ${when}`);
      assert.equal(await shown(), range, `page kept ${when}`);
      assert.deepEqual(await rowHrefs(), page2, `same rows ${when}`);
    };
    await same('after Back');
    await page.reload();
    await page.locator('ul.people li').first().waitFor();
    await same('after a reload');

    // Deleted persons leave the list, come back with "show deleted", and can be restored.
    await page.goto(page2[0].startsWith('/') ? `${relay.url}${page2[0]}` : page2[0]);
    const name = (await page.locator('.person-name').textContent()).trim();
    await page.getByRole('button', { name: 'Hapus' }).click();
    await page.getByRole('button', { name: 'Pulihkan' }).waitFor();
    await page.goto(`${relay.url}/orang?q=${encodeURIComponent(name)}`);
    await documentsLoaded(page);
    await page.locator('.result-count').waitFor();
    assert.equal(await page.locator(`ul.people li a[href="${page2[0]}"]`).count(), 0, 'a deleted person is not listed');
    await page.getByLabel('Tampilkan yang dihapus').check();
    const row = page.locator(`ul.people li a[href="${page2[0]}"]`);
    await row.locator('.marker.deleted').waitFor();
    await page.waitForURL(/dihapus=1/);
    await row.click();
    await page.getByRole('button', { name: 'Pulihkan' }).click();
    await page.getByRole('button', { name: 'Hapus' }).waitFor();
    await page.goto(`${relay.url}/orang?q=${encodeURIComponent(name)}`);
    await page.locator(`ul.people li a[href="${page2[0]}"]`).waitFor();
  } finally {
    await context.close();
    await relay.stop();
    relay.cleanup();
  }
});
