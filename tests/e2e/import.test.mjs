// Importing a placement list in the browser: a messy CSV as a district office saves it, the
// column mapping, the preview, applying it once, and the village phone receiving the result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, launchBrowser, newPhone, login, synced } from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Windows-1252, semicolons, a NIK that went through a number, a repeated NIK, three ways of
 * writing a date and a spreadsheet serial. */
function placementList(existingNik) {
  const lines = [
    'No.;NAMA LENGKAP;NIK;Jenis Kelamin;Tgl. Lahir;Negara Tujuan;Jabatan;P3MI;Nomor SK/ID PMI;Tanggal Berangkat;Tgl Akhir Kontrak',
    '1;  Impor   Satu ;3507115208900011;P;12/08/1990;Hong Kong;Penata laksana rumah tangga;PT Demo Karya Mandiri (fiktif);KEP.901/2026;01-03-2025;45900',
    '2;Impor Dua;3,50712E+15;P;01/01/1991;Taiwan;Perawat lansia;;;;',
    '3;Impor Andr\u00e9;3507111708850013;L;17.08.1985;Malaysia;Pekerja kebun sawit;;;2026-02-10;',
    '4;Impor Ulang;3507115208900011;P;12/08/1990;;;;;;',
    `5;Nama Lain;${existingNik};;;Taiwan;Operator pabrik;;KEP.902/2026;02-02-2026;`,
  ];
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}

const count = (page, kind) => page.locator(`.import-counts [data-kind="${kind}"]`).getAttribute('data-count').then(Number);

test('a district clerk imports a messy placement list once; the village phone receives it', async () => {
  const relay = await startRelay();
  const clerk = await newPhone(browser, { viewport: { width: 1280, height: 900 } });
  const village = await newPhone(browser);
  try {
    await login(clerk.page, relay.url, 'disnaker-malang', 'pc-kantor');
    await synced(clerk.page);
    // A person of Arjowilangun with a NIK, to be matched.
    await clerk.page.goto(`${relay.url}/`);
    await clerk.page.locator('#village').selectOption({ label: 'Arjowilangun' });
    await clerk.page.goto(`${relay.url}/orang?q=35`);
    const existing = clerk.page.locator('ul.people li a').first();
    await existing.waitFor();
    const existingHref = await existing.getAttribute('href');
    await clerk.page.goto(`${relay.url}${existingHref}`);
    const existingNik = (await clerk.page.locator('.details [data-field="nik"] dd').textContent()).trim();
    const existingName = (await clerk.page.locator('.person-name').textContent()).trim();
    assert.match(existingNik, /^\d{16}$/);

    await clerk.page.goto(`${relay.url}/impor`);
    await clerk.page.locator('#import-village').selectOption({ label: 'Arjowilangun' });
    const file = { name: 'penempatan-uji.csv', mimeType: 'text/csv', buffer: placementList(existingNik) };
    await clerk.page.locator('#import-file').setInputFiles(file);
    // The columns are recognised from their headers.
    await clerk.page.locator('select[data-column="2"]').waitFor();
    assert.equal(await clerk.page.locator('select[data-column="0"]').inputValue(), '');
    assert.equal(await clerk.page.locator('select[data-column="1"]').inputValue(), 'full_name');
    assert.equal(await clerk.page.locator('select[data-column="2"]').inputValue(), 'nik');
    assert.equal(await clerk.page.locator('select[data-column="9"]').inputValue(), 'departure_date');

    await clerk.page.locator('.import-counts').waitFor();
    assert.equal(await count(clerk.page, 'new'), 2);
    assert.equal(await count(clerk.page, 'matched'), 1);
    assert.equal(await count(clerk.page, 'episodes'), 3);
    assert.equal(await count(clerk.page, 'rejected'), 2);
    await clerk.page.locator('.import-rows.rejected li[data-line="3"]', { hasText: 'sebagai angka' }).waitFor();
    await clerk.page.locator('.import-rows.rejected li[data-line="5"]', { hasText: 'baris 2' }).waitFor();
    await clerk.page.locator('.import-rows.new li', { hasText: 'Impor André' }).waitFor();
    // The matched person keeps their name unless the clerk takes the file's.
    const nameBox = clerk.page.locator(`.import-rows.matched li[data-line="6"] input[data-field="full_name"]`);
    assert.equal(await nameBox.isChecked(), false);

    await clerk.page.getByRole('button', { name: 'Terapkan' }).click();
    await clerk.page.locator('.msg.ok[data-applied="2-0-3"]').waitFor();
    await synced(clerk.page);

    // The same file again: nothing new; only the name the clerk left is offered again, and
    // applying without taking it writes nothing.
    await clerk.page.locator('#import-file').setInputFiles(file);
    await clerk.page.locator('.import-counts [data-kind="unchanged"][data-count="2"]').waitFor();
    assert.equal(await count(clerk.page, 'new'), 0);
    assert.equal(await count(clerk.page, 'episodes'), 0);
    assert.equal(await count(clerk.page, 'matched'), 1);
    assert.equal(await clerk.page.locator('.import-rows.matched input[type="checkbox"]').count(), 1);
    await clerk.page.getByRole('button', { name: 'Terapkan' }).click();
    await clerk.page.locator('.msg.ok[data-applied="0-0-0"]').waitFor();

    // The village phone receives the new PMI, with the file named in the history.
    await login(village.page, relay.url, 'desa-arjowilangun', 'hp-desa');
    await synced(village.page);
    await village.page.goto(`${relay.url}/orang?q=Impor%20Satu`);
    await village.page.locator('ul.people li a', { hasText: 'Impor Satu' }).click();
    await village.page.locator('.person-name', { hasText: 'Impor Satu' }).waitFor();
    assert.equal(await village.page.locator('.category').textContent(), 'PMI');
    await village.page.locator('.episode', { hasText: 'Hong Kong' }).waitFor();
    await village.page.locator('ul.history li', { hasText: 'penempatan-uji.csv' }).waitFor();
    await village.page.goto(`${relay.url}${existingHref}`);
    await village.page.locator('.person-name', { hasText: existingName }).waitFor();
    await village.page.locator('.episode', { hasText: 'Taiwan' }).first().waitFor();

    assert.deepEqual(clerk.errors, []);
    assert.deepEqual(village.errors, []);
  } finally {
    await clerk.context.close();
    await village.context.close();
    await relay.stop();
    relay.cleanup();
  }
});
