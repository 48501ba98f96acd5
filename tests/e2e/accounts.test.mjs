// Lost phones and accounts: a district clerk revokes one village phone from the office PC; the
// phone, with the app open, erases the village's data and says why, while the account's other
// device goes on; the clerk creates a village account whose password is shown once; the
// administrator reads who did what.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startRelay, launchBrowser, launchProfile, newPhone, login, synced, createPerson, choosePin,
} from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Every record the app keeps in IndexedDB, as text (keys and values). */
const storedText = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('desmigratif');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const names = [...db.objectStoreNames];
    if (names.length === 0) { db.close(); resolve({ records: 0, text: '' }); return; }
    const tx = db.transaction(names, 'readonly');
    let records = 0; let text = '';
    for (const name of names) {
      const cursor = tx.objectStore(name).openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return;
        records += 1;
        const v = c.value;
        text += `${c.key}\n`;
        if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) text += new TextDecoder('utf-8', { fatal: false }).decode(v);
        c.continue();
      };
    }
    tx.oncomplete = () => { db.close(); resolve({ records, text }); };
    tx.onerror = () => reject(tx.error);
  };
}));

const accountCard = (page, username) => page.locator(`section.account[data-username="${username}"]`);

test('a clerk revokes one lost phone: it erases the village data and says why, the other device goes on', async () => {
  const relay = await startRelay();
  const phone = await launchProfile();
  const laptop = await newPhone(browser);
  const clerk = await newPhone(browser, { viewport: { width: 1280, height: 900 } });
  try {
    await login(phone.page, relay.url, 'desa-brongkal', 'HP Bu Sri');
    await createPerson(phone.page, 'Sutinah Rahasia Uji');
    await synced(phone.page);
    const before = await storedText(phone.page);
    assert.ok(before.records > 0, 'the phone keeps the village');
    await login(laptop.page, relay.url, 'desa-brongkal', 'Laptop Balai');
    await synced(laptop.page);

    // The clerk sees both devices of the account, with their app version.
    await login(clerk.page, relay.url, 'disnaker-malang', 'PC Kantor');
    await clerk.page.getByRole('link', { name: 'Akun & perangkat' }).click();
    const card = accountCard(clerk.page, 'desa-brongkal');
    const sri = card.locator('li.device', { hasText: 'HP Bu Sri' });
    await sri.waitFor();
    await card.locator('li.device', { hasText: 'Laptop Balai' }).waitFor();
    assert.match(await sri.textContent(), /versi \d+\.\d+\.\d+/);
    assert.match(await sri.textContent(), /Aktif/);

    // Revoking asks first, and warns that unsent changes on the phone are lost.
    const asked = new Promise((resolve) => clerk.page.once('dialog', (d) => { resolve(d.message()); d.accept(); }));
    await sri.getByRole('button', { name: 'Cabut perangkat' }).click();
    assert.match(await asked, /HP Bu Sri.*desa-brongkal.*terhapus/s);
    await card.locator('li.device[data-revoked="true"]', { hasText: 'HP Bu Sri' }).waitFor();
    await clerk.page.locator('.msg.ok', { hasText: 'Perangkat dicabut' }).waitFor();

    // The phone, with the app open, is cut off, erases the account's data and says why.
    await phone.page.locator('.login .erased', { hasText: 'desa-brongkal' }).waitFor({ timeout: 60_000 });
    const after = await storedText(phone.page);
    assert.equal(after.records, 0, 'no chunk, sync state or stored view is left');
    assert.ok(!after.text.includes('Sutinah'), 'no record content is left');
    const kept = await phone.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('desmigratif.')).sort());
    assert.deepEqual(kept, ['desmigratif.erased'], 'no session, device id or cached figure is left');

    // The other device of the account goes on syncing.
    await laptop.page.goto(relay.url);
    await createPerson(laptop.page, 'Setelah Pencabutan Uji');
    await synced(laptop.page);

    // Back with its worker, the phone logs in as a new device and downloads the village again.
    await login(phone.page, relay.url, 'desa-brongkal', 'HP Bu Sri');
    await synced(phone.page);
    assert.equal(await phone.page.locator('.login .erased').count(), 0);
    await clerk.page.reload();
    await accountCard(clerk.page, 'desa-brongkal').locator('li.device', { hasText: 'HP Bu Sri' }).nth(1).waitFor();
    assert.equal(await accountCard(clerk.page, 'desa-brongkal').locator('li.device[data-revoked="true"]').count(), 1);
    assert.deepEqual(clerk.errors, [], 'the clerk saw no errors');
  } finally {
    await phone.close();
    await laptop.context.close();
    await clerk.context.close();
    await relay.stop();
  }
});

test('a clerk creates a village account (password shown once); the administrator reads the audit log', async () => {
  const relay = await startRelay();
  const clerk = await newPhone(browser);
  const worker = await newPhone(browser);
  const admin = await newPhone(browser, { viewport: { width: 1280, height: 900 } });
  try {
    await login(clerk.page, relay.url, 'disnaker-malang', 'PC Kantor');
    await clerk.page.goto(`${relay.url}/akun`);
    await clerk.page.getByText('+ Akun desa baru').click();
    // A village from the official list; the username follows its name.
    await clerk.page.locator('#new-village').selectOption('35.07.13.2002');
    assert.equal(await clerk.page.locator('#new-username').inputValue(), 'desa-sengguruh');
    await clerk.page.getByRole('button', { name: 'Buat akun' }).click();
    const password = (await clerk.page.locator('.password-once code').textContent()).trim();
    assert.ok(password.length >= 8, password);
    await accountCard(clerk.page, 'desa-sengguruh').locator('p.muted', { hasText: 'Belum pernah masuk' }).waitFor();
    // The same village again under the same username: refused in words.
    await clerk.page.locator('#new-village').selectOption('35.07.13.2002');
    await clerk.page.getByRole('button', { name: 'Buat akun' }).click();
    await clerk.page.locator('.msg.error', { hasText: 'sudah dipakai' }).waitFor();

    // The new village's worker logs in with that password and starts the village's records.
    await worker.page.goto(relay.url);
    await worker.page.locator('#username').fill('desa-sengguruh');
    await worker.page.locator('#password').fill(password);
    await worker.page.getByRole('button', { name: 'Masuk' }).click();
    await choosePin(worker.page);
    await worker.page.locator('h1', { hasText: 'Desa Sengguruh' }).waitFor();
    await createPerson(worker.page, 'Warga Pertama Sengguruh');
    await synced(worker.page);

    // Disabled, the account's phone is told its session ended; a village account cannot open the page.
    await clerk.page.reload();
    clerk.page.once('dialog', (d) => d.accept());
    await accountCard(clerk.page, 'desa-sengguruh').getByRole('button', { name: 'Nonaktifkan' }).click();
    await accountCard(clerk.page, 'desa-sengguruh').locator('.badge.bad', { hasText: 'Nonaktif' }).waitFor();
    await worker.page.locator('.sync-status[data-state="expired"]').waitFor({ timeout: 60_000 });
    await worker.page.goto(`${relay.url}/akun`);
    await worker.page.locator('.msg.error', { hasText: 'kantor kabupaten dan admin' }).waitFor();

    // The administrator's home is the account page with the audit log.
    await admin.page.goto(relay.url);
    await admin.page.locator('#username').fill('admin');
    await admin.page.locator('#password').fill('demo-desmigratif');
    await admin.page.getByRole('button', { name: 'Masuk' }).click();
    const log = admin.page.locator('.audit-log');
    await log.locator('li', { hasText: 'menonaktifkan akun' }).waitFor();
    assert.match(await log.textContent(), /disnaker-malang membuat akun desa-sengguruh/);
    assert.ok(!(await log.textContent()).includes(password), 'no password in the log');
    await accountCard(admin.page, 'bank-bni').waitFor();
    assert.equal(await admin.page.locator('.sync-status').count(), 0, 'an administrator has nothing to sync');
    // The browser logs the refused duplicate (409) itself; nothing else may fail.
    const unexpected = [...clerk.errors, ...admin.errors].filter((e) => !/status of 409/.test(e));
    assert.deepEqual(unexpected, [], 'no errors');
  } finally {
    for (const p of [clerk, worker, admin]) await p.context.close();
    await relay.stop();
  }
});
