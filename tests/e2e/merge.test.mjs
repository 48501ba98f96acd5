// Two phones edit the same records offline: different fields merge, the same field is a
// conflict that a person settles, for persons and for their episodes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, launchBrowser, newPhone, login, synced, createPerson, editField, editFields, details } from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('two phones edit one person offline: different fields merge, the same field is a conflict a person resolves', async () => {
  const relay = await startRelay();
  const a = await newPhone(browser);
  const b = await newPhone(browser);
  try {
    await login(a.page, relay.url, 'desa-arjowilangun');
    await login(b.page, relay.url, 'desa-arjowilangun', 'HP Bu Sri');
    await createPerson(a.page, 'Karti Bersama');
    await synced(a.page);
    const personUrl = a.page.url();
    await b.page.goto(personUrl);
    await b.page.locator('.person-name', { hasText: 'Karti Bersama' }).waitFor();

    // Offline: A changes the phone, B the address.
    for (const p of [a, b]) {
      await p.context.setOffline(true);
      await p.page.locator('.sync-status[data-state="offline"]').waitFor();
    }
    await editField(a.page, 'phone', '081211112222');
    await editField(b.page, 'address', 'Jl. Mawar 5');
    for (const p of [a, b]) await p.context.setOffline(false);
    for (const p of [a, b]) {
      await synced(p.page);
      await p.page.waitForFunction(() => {
        const t = document.querySelector('dl.details')?.textContent ?? '';
        return t.includes('081211112222') && t.includes('Jl. Mawar 5');
      }, null, { timeout: 30_000 });
    }

    // Offline again, both change the phone: each device shows the conflict.
    for (const p of [a, b]) {
      await p.context.setOffline(true);
      await p.page.locator('.sync-status[data-state="offline"]').waitFor();
    }
    await editFields(a.page, { phone: '081233334444', address: 'Jl. Melati 1' });
    await editFields(b.page, { phone: '081255556666', address: 'Jl. Kenanga 2' });
    for (const p of [a, b]) await p.context.setOffline(false);
    for (const p of [a, b]) {
      await synced(p.page);
      await p.page.locator('.badge.conflict').waitFor({ timeout: 30_000 });
    }

    // The home screen says someone has to choose, and leads to exactly that person.
    await b.page.goto(relay.url);
    const notice = b.page.locator('a.notice.conflict');
    await notice.waitFor({ timeout: 30_000 });
    assert.equal(await notice.getAttribute('data-count'), '1');
    assert.equal(await b.page.locator('.sync-status a.conflicts').textContent(), '1 perlu dipilih', 'the sync status says so too');
    await notice.click();
    await b.page.waitForURL(/konflik=1/);
    await b.page.locator('ul.people li .marker.conflict').waitFor();
    assert.deepEqual(await b.page.locator('ul.people li strong').allTextContents(), ['Karti Bersama']);
    await b.page.locator('ul.people li a').click();
    await b.page.locator('.badge.conflict').waitFor();

    // A chooses B's number and A's own address; the dialog stays until both are settled.
    await a.page.locator('.badge.conflict').click();
    const dialog = a.page.getByRole('dialog', { name: 'Perubahan bersamaan' });
    await dialog.waitFor();
    assert.deepEqual((await dialog.locator('.conflict-field h3').allTextContents()).sort(), ['Alamat', 'No. HP']);
    const choice = dialog.locator('.choice', { hasText: '081255556666' });
    assert.match(await choice.textContent(), /desa-arjowilangun \(HP Bu Sri\)/, 'the other phone by the name it was given');
    assert.match(await dialog.locator('.choice', { hasText: '081233334444' }).textContent(), /perangkat ini/, 'this device is named as such');
    await choice.getByRole('button', { name: 'Pilih ini' }).click();
    await dialog.locator('.conflict-field[data-field="phone"]').waitFor({ state: 'detached' });
    assert.equal(await dialog.locator('.conflict-field').count(), 1, 'the address still waits for a choice');
    await dialog.locator('.choice', { hasText: 'Jl. Melati 1' }).getByRole('button', { name: 'Pilih ini' }).click();
    await dialog.waitFor({ state: 'detached' });
    const history = await a.page.locator('ul.history').textContent();
    assert.match(history, /Nilai dipilih/);
    assert.match(history, /No\. HP: 0812\d+ → 081255556666/, history);
    assert.match(history, /Alamat: Jl\. Mawar 5 → Jl\. Melati 1/, history);
    for (const p of [a, b]) {
      await synced(p.page);
      await p.page.locator('.badge.conflict').waitFor({ state: 'detached', timeout: 30_000 });
      assert.match(await details(p.page), /081255556666/);
    }
    await b.page.goto(relay.url);
    await b.page.locator('.counts .count').first().waitFor();
    await b.page.locator('.sync-status[data-state="synced"]').waitFor();
    assert.equal(await b.page.locator('a.notice.conflict').count(), 0, 'nothing left to choose');

    // The same for an episode: both phones change its employer offline; the episode says so.
    await a.page.getByRole('button', { name: '+ Tambah perjalanan' }).click();
    await a.page.locator('#e-destination_country').fill('Taiwan');
    await a.page.getByRole('button', { name: 'Simpan perjalanan' }).click();
    await a.page.locator('.episode', { hasText: 'Taiwan' }).waitFor();
    await synced(a.page);
    await b.page.goto(personUrl);
    await b.page.locator('.episode', { hasText: 'Taiwan' }).waitFor({ timeout: 30_000 });
    for (const p of [a, b]) {
      await p.context.setOffline(true);
      await p.page.locator('.sync-status[data-state="offline"]').waitFor();
    }
    for (const [p, employer] of [[a, 'Majikan Satu'], [b, 'Majikan Dua']]) {
      await p.page.locator('.episode').getByRole('button', { name: 'Ubah perjalanan' }).click();
      await p.page.locator('.episode #e-employer').fill(employer);
      await p.page.locator('.episode').getByRole('button', { name: 'Simpan perjalanan' }).click();
      await p.page.locator('.episode-form').waitFor({ state: 'detached' });
    }
    for (const p of [a, b]) await p.context.setOffline(false);
    for (const p of [a, b]) {
      await synced(p.page);
      await p.page.locator('.episode .badge.conflict').waitFor({ timeout: 30_000 });
    }
    await a.page.locator('.episode .badge.conflict').click();
    const episodeDialog = a.page.getByRole('dialog', { name: 'Perubahan bersamaan' });
    assert.deepEqual(await episodeDialog.locator('.conflict-field h3').allTextContents(), ['Pemberi kerja']);
    await episodeDialog.locator('.choice', { hasText: 'Majikan Dua' }).getByRole('button', { name: 'Pilih ini' }).click();
    await episodeDialog.waitFor({ state: 'detached' });
    for (const p of [a, b]) {
      await synced(p.page);
      await p.page.locator('.episode .badge.conflict').waitFor({ state: 'detached', timeout: 30_000 });
    }
  } finally {
    await a.context.close();
    await b.context.close();
    await relay.stop();
    relay.cleanup();
  }
});
