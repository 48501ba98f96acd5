// Entering records as a field worker does: checks as they type, dates, NIKs, episodes,
// households, and leaving a form with unsaved text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, launchBrowser, newPhone, login, details } from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('dates still to come are refused where they cannot be, dates typed without dashes are read, a NIK already used is pointed out', async () => {
  const relay = await startRelay();
  const { page, context } = await newPhone(browser);
  try {
    await login(page, relay.url, 'desa-balearjo');
    await page.goto(`${relay.url}/orang`);
    await page.locator('ul.people li a').first().click();
    const otherName = (await page.locator('.person-name').textContent()).trim();
    const otherPath = new URL(page.url()).pathname;
    const nik = (await page.locator('.details [data-field="nik"] dd').textContent()).trim();
    assert.match(nik, /^\d{16}$/);

    await page.goto(`${relay.url}/orang/baru`);
    await page.locator('#f-full_name').waitFor();
    assert.equal(await page.locator('.person-form .msg').count(), 0, 'an untouched form says nothing');
    // Scrolled to the end of the long form, the sync status stays in sight, whole, with
    // nothing of the title bar peeking out under it.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForFunction(() => window.scrollY > 0);
    const bar = await page.evaluate(() => {
      const el = document.querySelector('.sync-status');
      const r = el.getBoundingClientRect();
      const at = (y) => document.elementFromPoint(r.left + r.width / 2, y);
      return { top: r.top, visible: el.contains(at(r.top + r.height / 2)), below: at(r.bottom + 4)?.closest('.topbar') ? 'the title bar' : 'the page' };
    });
    assert.deepEqual(bar, { top: 0, visible: true, below: 'the page' });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('.field:has(#f-full_name) .msg.error', { hasText: 'Wajib diisi' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'f-full_name', null, { timeout: 5_000 });
    const alert = page.locator('[role="alert"]', { hasText: 'Periksa isian' });
    await alert.waitFor();
    await page.locator('#f-full_name').fill('Tanggal Depan');
    await alert.waitFor({ state: 'detached' });
    // Leaving with unsaved text asks first; staying keeps it.
    const asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.dismiss(); }));
    await page.locator('a.brand').click();
    const left = page.waitForURL((u) => u.pathname !== '/orang/baru').then(() => 'left the form without asking');
    assert.match(await Promise.race([asked, left]), /belum disimpan/);
    assert.equal(await page.locator('#f-full_name').inputValue(), 'Tanggal Depan', 'still on the form, text kept');

    await page.locator('#f-birth_date').fill('17-08-2031');
    await page.locator('.field:has(#f-birth_date) .msg.error', { hasText: 'belum lewat' }).waitFor();
    await page.locator('#f-full_name').focus();
    await page.getByRole('button', { name: 'Simpan' }).click();
    await alert.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'f-birth_date', null, { timeout: 5_000 });
    assert.equal(await page.locator('#f-full_name').count(), 1, 'still on the form');
    await page.locator('#f-birth_date').fill('17081990');
    await page.locator('.field:has(#f-birth_date) .msg').waitFor({ state: 'detached' });

    await page.locator('#f-nik').fill(nik);
    const used = page.locator('.field:has(#f-nik) .msg.warning', { hasText: `sudah dipakai ${otherName}` });
    await used.waitFor();
    assert.equal(await used.getByRole('link', { name: 'Lihat' }).getAttribute('href'), otherPath);
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('.person-name', { hasText: 'Tanggal Depan' }).waitFor();
    assert.equal((await page.locator('.details [data-field="birth_date"] dd').textContent()).trim(), '17-08-1990');

    // Abroad since a day still to come cannot be; planned can.
    await page.getByRole('button', { name: '+ Tambah perjalanan' }).click();
    // Typed in lower case with stray spaces: stored as the one spelling of the country.
    await page.locator('#e-destination_country').fill(' malaysia ');
    await page.locator('#e-departure_date').fill('01-01-2030');
    await page.getByRole('button', { name: 'Simpan perjalanan' }).click();
    await page.locator('.field:has(#e-departure_date) .msg.error', { hasText: 'belum lewat' }).waitFor();
    assert.equal(await page.locator('.episode').count(), 0);
    await page.locator('#e-state').selectOption('Planned');
    await page.getByRole('button', { name: 'Simpan perjalanan' }).click();
    await page.locator('.episode[data-state="Planned"]').waitFor();
    assert.equal(await page.locator('.category').textContent(), 'CPMI');
    assert.equal((await page.locator('.episode strong').first().textContent()).trim(), 'Malaysia');

    // From a household, a new member starts with the family's No. KK and dusun.
    await page.goto(`${relay.url}${otherPath}`);
    const kk = (await page.locator('.details [data-field="no_kk"] dd').textContent()).trim();
    const dusun = (await page.locator('.details [data-field="dusun"] dd').textContent()).trim();
    const otherRelation = (await page.locator('.details [data-field="relation"] dd').textContent()).trim();
    await page.getByRole('link', { name: '+ Tambah anggota keluarga' }).click();
    assert.equal(await page.locator('#f-no_kk').inputValue(), kk);
    assert.equal(await page.locator('#f-dusun').inputValue(), dusun);
    await page.locator('#f-full_name').fill('Anak Baru');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('.person-name', { hasText: 'Anak Baru' }).waitFor();
    await page.locator('ul.household a', { hasText: otherName }).waitFor();
    // The family list names each member's place in it, and this person as such, not as a
    // link to the page already open.
    const self = page.locator('ul.household li[aria-current="page"]');
    assert.equal((await self.locator('.member').textContent()).trim(), 'Anak Baru');
    assert.match(await self.textContent(), /orang ini/);
    assert.equal(await page.locator('ul.household a', { hasText: 'Anak Baru' }).count(), 0);
    const otherRow = page.locator('ul.household li', { has: page.locator('a', { hasText: otherName }) });
    assert.equal((await otherRow.locator('.muted').textContent()).trim(), otherRelation);
  } finally {
    await context.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('the form checks fields as they are typed; episodes are added and edited; the category follows', async () => {
  const relay = await startRelay();
  const { page, context } = await newPhone(browser);
  try {
    await login(page, relay.url, 'desa-balearjo');
    await page.getByRole('link', { name: '+ Tambah orang' }).click();
    await page.locator('#f-full_name').fill('Wulan Pratiwi');
    await page.locator('#f-nik').fill('12345');
    await page.locator('.field:has(#f-nik) .msg.error', { hasText: 'NIK harus 16 angka' }).waitFor();
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('[role="alert"]', { hasText: 'Periksa isian' }).waitFor();
    // A NIK that disagrees with the sex is a warning, which does not block saving.
    await page.locator('#f-nik').fill('3507331201950003');
    await page.locator('#f-sex').selectOption('Female');
    await page.locator('.field:has(#f-nik) .msg.warning').waitFor();
    await page.getByRole('button', { name: 'Simpan' }).click();
    // If the save never lands, say what the form shows (a save that hung was seen once).
    await page.locator('.person-name', { hasText: 'Wulan Pratiwi' }).waitFor().catch(async (e) => {
      const shown = await page.locator('.msg, [role="alert"], button[type="submit"]').allInnerTexts();
      throw new Error(`the save did not land at ${page.url()}; the form shows ${JSON.stringify(shown)}: ${e.message}`);
    });
    assert.equal(await page.locator('.category').textContent(), 'Warga lain');
    // Reloading on the edit page (or opening its address) still saves.
    await page.getByRole('link', { name: 'Ubah', exact: true }).click();
    await page.reload();
    await page.locator('#f-phone').fill('081299990000');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('.person-name', { hasText: 'Wulan Pratiwi' }).waitFor();
    assert.match(await details(page), /081299990000/);

    await page.getByRole('button', { name: '+ Tambah perjalanan' }).click();
    await page.locator('#e-destination_country').fill('Taiwan');
    // An open episode form with typed text asks before the page is left.
    const asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.dismiss(); }));
    const personPath = new URL(page.url()).pathname;
    await page.locator('a.brand').click();
    const left = page.waitForURL((u) => u.pathname !== personPath).then(() => 'left without asking');
    assert.match(await Promise.race([asked, left]), /belum disimpan/);
    await page.locator('#e-departure_date').fill('01-03-2023');
    await page.getByRole('button', { name: 'Simpan perjalanan' }).click();
    await page.locator('.episode', { hasText: 'Taiwan' }).waitFor();
    assert.equal(await page.locator('.category').textContent(), 'PMI');

    // A full placement: every field the episode declares.
    const placement = {
      sector: 'Informal', occupation: 'pengasuh lansia', employer: 'Lin Mei-hua', agency: 'PT Contoh Jaya',
      contract_end: '01-03-2025', passport_number: 'C1234567', placement_decree_number: 'KEP.77/2023',
      insurance: 'BPJS Ketenagakerjaan', return_reason: 'Kontrak selesai',
    };
    await page.locator('.episode').getByRole('button', { name: 'Ubah perjalanan' }).click();
    await page.locator('.episode #e-state').selectOption('Returned');
    await page.locator('.episode #e-return_date').fill('01-03-2025');
    await page.locator('.episode #e-procedural').selectOption('Yes');
    for (const [field, value] of Object.entries(placement)) await page.locator(`.episode #e-${field}`).fill(value);
    await page.locator('.episode').getByRole('button', { name: 'Simpan perjalanan' }).click();
    await page.locator('.episode[data-state="Returned"]').waitFor();
    await page.reload();
    await page.locator('.episode').getByRole('button', { name: 'Ubah perjalanan' }).click();
    // Kept as typed, but the job in its one spelling ("pengasuh lansia" is "Perawat lansia").
    const kept = { ...placement, occupation: 'Perawat lansia' };
    for (const [field, value] of Object.entries(kept)) {
      assert.equal(await page.locator(`.episode #e-${field}`).inputValue(), value, `${field} kept`);
    }
    assert.equal(await page.locator('.episode #e-procedural').inputValue(), 'Yes');
    await page.locator('.episode').getByRole('button', { name: 'Batal' }).click();
    assert.equal(await page.locator('.category').textContent(), 'Purna PMI');
    // The history names who changed what.
    assert.match(await page.locator('.history').textContent(), /desa-balearjo/);
  } finally {
    await context.close();
    await relay.stop();
    relay.cleanup();
  }
});
