// The field app in a real browser against a real relay process: working offline, surviving
// reloads, opening without network, new builds, sessions that end, tabs, logging out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  startRelay, launchBrowser, launchProfile, newPhone, copyOfBuild, deployNextBuild,
  login, synced, serviceWorkerInControl, createPerson, countMatching, unzip,
} from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('offline: a person created with the relay down survives a reload, then reaches the district', async () => {
  let relay = await startRelay();
  const port = new URL(relay.url).port;
  const phone = await launchProfile();
  try {
    await login(phone.page, relay.url, 'desa-arjowilangun');
    await synced(phone.page);
    await serviceWorkerInControl(phone.page);

    assert.equal(await phone.page.locator('#village').count(), 0, 'one village: nothing to switch');

    await relay.stop();
    await createPerson(phone.page, 'Siti Luring');
    await phone.page.locator('.sync-status[data-state="offline"]').waitFor();
    // Offline stays "offline" through the retries, with the next attempt's time: no flicker.
    const states = await phone.page.evaluate(() => new Promise((resolve) => {
      const el = document.querySelector('.sync-status');
      const seen = [el.dataset.state];
      let last = el.querySelector('.next-retry')?.textContent;
      let retries = 0;
      new MutationObserver(() => {
        seen.push(el.dataset.state);
        const now = el.querySelector('.next-retry')?.textContent;
        if (now && now !== last) {
          last = now;
          if (++retries === 2) resolve(seen);
        }
      }).observe(el, { subtree: true, attributes: true, childList: true, characterData: true });
    }));
    assert.ok(states.every((st) => st === 'offline'), states.join(' → '));
    assert.match(await phone.page.locator('.next-retry').textContent(), /^coba lagi \d\d:\d\d:\d\d$/);
    // "Try now" tries at once.
    const attempt = phone.page.evaluate(() => new Promise((resolve) => {
      const el = document.querySelector('.sync-status');
      new MutationObserver(() => { if (el.dataset.state === 'connecting') resolve(true); })
        .observe(el, { attributes: true });
    }));
    await phone.page.getByRole('button', { name: 'Coba sekarang' }).click();
    assert.ok(await attempt);
    await phone.page.locator('.sync-status[data-state="offline"]').waitFor();
    assert.ok(Number(await phone.page.locator('.sync-status .pending').getAttribute('data-count')) > 0);

    await phone.page.reload();
    await phone.page.locator('.person-name', { hasText: 'Siti Luring' }).waitFor();
    // The unsent count leads to the persons whose changes have not left the phone.
    await phone.page.locator('.sync-status a.pending').click();
    await phone.page.locator('.person', { hasText: 'Siti Luring' }).locator('.marker.unsent').waitFor();
    assert.equal(await phone.page.locator('ul.people li').count(), 1, 'only the unsent person');

    relay = await startRelay({ dataDir: relay.dataDir, listen: `127.0.0.1:${port}` });
    await synced(phone.page);
    assert.equal(await phone.page.locator('.sync-status .pending').getAttribute('data-count'), '0');
    // Sent: the list of unsent persons empties, and the marker goes.
    await phone.page.locator('.result-count[data-total="0"]').waitFor();
    await phone.page.goto(`${relay.url}/orang?q=Siti%20Luring`);
    await phone.page.locator('.person', { hasText: 'Siti Luring' }).waitFor();
    assert.equal(await phone.page.locator('.marker.unsent').count(), 0);

    const office = await newPhone(browser);
    await login(office.page, relay.url, 'disnaker-malang');
    // "Synced" means every village has arrived: the overview has all their counts by then.
    await synced(office.page);
    const rows = office.page.locator('.district tbody tr');
    assert.equal(await rows.count(), 4);
    assert.equal(await office.page.locator('.district tbody tr[data-loaded]').count(), 4);
    for (const row of await rows.all()) {
      const family = Number(await row.locator('td').nth(4).textContent());
      assert.ok(family > 0, `${await row.textContent()}: every village's families are counted`);
    }
    await office.page.locator('#village').selectOption({ label: 'Arjowilangun' });
    await office.page.getByRole('link', { name: 'Daftar orang' }).click();
    await office.page.locator('input.search').fill('Siti Luring');
    await office.page.locator('.person strong', { hasText: 'Siti Luring' }).waitFor();
    await office.context.close();
  } finally {
    await phone.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('with the relay stopped, a device that opened the app before opens it from the service worker, and makes a workbook', async () => {
  const relay = await startRelay();
  const phone = await launchProfile({ acceptDownloads: true });
  try {
    await login(phone.page, relay.url, 'desa-brongkal');
    await synced(phone.page);
    await serviceWorkerInControl(phone.page);
    const before = await phone.page.locator('.count[data-category="Pmi"] strong').textContent();
    await relay.stop();
    await assert.rejects(fetch(relay.url), TypeError, 'the relay is really gone');
    await phone.page.reload();
    await phone.page.locator('.counts .count').first().waitFor();
    assert.equal(await phone.page.locator('.count[data-category="Pmi"] strong').textContent(), before);
    await phone.page.locator('.sync-status[data-state="offline"]').waitFor();

    // The file module is not part of opening the app: it loads when a workbook is asked for,
    // here with no network at all, from what the service worker keeps.
    await phone.page.goto(`${relay.url}/orang`);
    await phone.page.locator('.person-list li').first().waitFor();
    const loaded = () => phone.page.evaluate(() => performance.getEntriesByType('resource')
      .some((e) => /\/files-[0-9a-f]+_bg\.wasm$/.test(e.name)));
    assert.equal(await loaded(), false, 'the file module is not in the first download');
    const [xlsx] = await Promise.all([
      phone.page.waitForEvent('download'),
      phone.page.getByRole('button', { name: 'Unduh Excel (XLSX)' }).click(),
    ]);
    assert.equal(await loaded(), true);
    const files = unzip(await readFile(await xlsx.path()));
    assert.match(files.get('xl/sharedStrings.xml'), /NIK/, 'the persons sheet has its headers');
    assert.ok(files.has('xl/worksheets/sheet2.xml'), 'and a sheet of stays abroad');
  } finally {
    await phone.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('a build deployed while the app is open is offered by a banner; what is being typed stays until the user reloads', async () => {
  const site = copyOfBuild();
  const relay = await startRelay({ staticDir: site });
  const phone = await launchProfile();
  try {
    const { page } = phone;
    await login(page, relay.url, 'desa-brongkal');
    await serviceWorkerInControl(page);
    await page.getByRole('link', { name: '+ Tambah orang' }).click();
    await page.locator('#f-full_name').fill('Sedang Diketik');

    const next = deployNextBuild(site);
    // Opening the app in a second tab is a navigation: the browser looks for a new service worker.
    const other = await phone.context.newPage();
    await other.goto(relay.url);
    const banner = page.locator('.update-banner');
    await banner.waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#f-full_name').inputValue(), 'Sedang Diketik', 'the banner does not reload by itself');
    assert.equal(await page.locator(`link[href="/${next}"]`).count(), 0, 'still the old build');

    await banner.getByRole('button', { name: 'Muat ulang' }).click();
    await page.locator(`link[href="/${next}"]`).waitFor({ state: 'attached', timeout: 30_000 });
    await page.locator('#f-full_name').waitFor();
    const shells = await page.evaluate(() => caches.keys());
    assert.equal(shells.length, 1, `one app shell is kept: ${shells}`);
    assert.match(shells[0], /-next$/, 'the shell of the new build is the one kept');
  } finally {
    await phone.close();
    await relay.stop();
    relay.cleanup();
    rmSync(site, { recursive: true, force: true });
  }
});

test('Chromium reports no installability errors', async () => {
  const relay = await startRelay();
  const phone = await launchProfile();
  try {
    await phone.page.goto(relay.url);
    await serviceWorkerInControl(phone.page);
    const cdp = await phone.context.newCDPSession(phone.page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
  } finally {
    await phone.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('when the relay ends the session, work goes on, and logging in again sends it without losing anything', async () => {
  const relay = await startRelay();
  const { page, context } = await newPhone(browser);
  try {
    await login(page, relay.url, 'desa-sumberpetung');
    await synced(page);
    execFileSync(process.env.SYNC_SERVER_BIN, ['user', 'revoke', '--username', 'desa-sumberpetung', '--data-dir', relay.dataDir]);
    await page.locator('.sync-status[data-state="expired"]').waitFor({ timeout: 60_000 });

    await createPerson(page, 'Tetap Tersimpan');
    assert.ok(Number(await page.locator('.sync-status .pending').getAttribute('data-count')) > 0);

    await page.getByRole('link', { name: 'Masuk lagi' }).click();
    await page.locator('#username').fill('desa-sumberpetung');
    await page.locator('#password').fill('demo-desmigratif');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await synced(page);
    assert.equal(await page.locator('.sync-status .pending').getAttribute('data-count'), '0');

    const office = await newPhone(browser);
    await login(office.page, relay.url, 'disnaker-malang');
    await office.page.locator('#village').selectOption({ label: 'Sumberpetung' });
    await office.page.getByRole('link', { name: 'Daftar orang' }).click();
    await office.page.locator('input.search').fill('Tetap Tersimpan');
    await office.page.locator('.person strong', { hasText: 'Tetap Tersimpan' }).waitFor();
    await office.context.close();
  } finally {
    await context.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('two tabs of one phone add people at the same moment: both are kept, in both tabs and after a reload', async () => {
  const relay = await startRelay();
  const phone = await launchProfile();
  try {
    const tabA = phone.page;
    await login(tabA, relay.url, 'desa-arjowilangun');
    await synced(tabA);
    await serviceWorkerInControl(tabA);
    const tabB = await phone.context.newPage();
    await tabB.goto(relay.url);
    await tabB.locator('.counts .count').first().waitFor({ timeout: 30_000 });
    // Offline, so only the device's own storage and its tabs are involved.
    await relay.stop();
    await Promise.all([createPerson(tabA, 'Dari Tab A'), createPerson(tabB, 'Dari Tab B')]);
    await countMatching(tabA, relay.url, 'Dari Tab', 2);
    await countMatching(tabB, relay.url, 'Dari Tab', 2);
    await tabB.close();
    await tabA.reload();
    await tabA.locator('input.search').fill('Dari Tab');
    await tabA.waitForFunction(() => document.querySelector('.result-count')?.dataset.total === '2', null, { timeout: 30_000 });
  } finally {
    await phone.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('logging out with unsent changes warns first, and staying keeps them', async () => {
  const relay = await startRelay();
  const phone = await launchProfile();
  try {
    const { page } = phone;
    await login(page, relay.url, 'desa-arjowilangun');
    await synced(page);
    await serviceWorkerInControl(page);
    await relay.stop();
    await createPerson(page, 'Belum Terkirim');
    await page.locator('.sync-status[data-state="offline"]').waitFor();
    await page.goto(relay.url);
    await page.locator('.counts .count').first().waitFor();
    const asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.dismiss(); }));
    await page.getByRole('button', { name: 'Keluar' }).click();
    assert.match(await asked, /belum terkirim/);
    // Still logged in, the unsent person still here.
    await countMatching(page, relay.url, 'Belum Terkirim', 1);
    // Counted once the documents are read (the list is drawn from the stored view before).
    await page.waitForFunction(() => Number(document.querySelector('.sync-status .pending')?.dataset.count) > 0);
  } finally {
    await phone.close();
    await relay.stop();
    relay.cleanup();
  }
});
