// The district's reference data: the district office publishes agencies, announcements and the
// rest; a village reads them on its phone, also with the relay gone, and the episode form
// checks the agency and the destination against them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startRelay, launchBrowser, launchProfile, newPhone, login, synced, serviceWorkerInControl, createPerson,
} from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A day as the forms take it (DD-MM-YYYY), `days` from today. */
function day(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getDate())}-${two(d.getMonth() + 1)}-${d.getFullYear()}`;
}

const item = (page, section, text) => page.locator(`#${section} .ref-items li`, { hasText: text });

test('the district publishes reference data; a village reads it offline and its episode form checks against it', async () => {
  const relay = await startRelay();
  const clerk = await newPhone(browser, { viewport: { width: 1280, height: 900 } });
  const village = await launchProfile();
  try {
    // The clerk adds a licensed agency and an announcement, and suspends an agency.
    await login(clerk.page, relay.url, 'disnaker-malang', 'pc-kantor');
    await clerk.page.goto(`${relay.url}/info`);
    await item(clerk.page, 'p3mi', 'PT Demo Karya Mandiri (fiktif)').waitFor();
    assert.equal(await clerk.page.locator('#p3mi .ref-items li').count(), 5, 'the demo district lists five agencies');

    await clerk.page.locator('#p3mi').getByRole('link', { name: '+ Tambah' }).click();
    await clerk.page.locator('#r-name').fill('PT Baru Berizin (uji)');
    await clerk.page.locator('#r-licence_number').fill('B.999/PPTKPLN/2026');
    // A malformed date is refused at the field, and nothing is saved.
    await clerk.page.locator('#r-licence_until').fill('31-13-2030');
    await clerk.page.getByRole('button', { name: 'Simpan' }).click();
    await clerk.page.locator('.field:has(#r-licence_until) .msg.error').waitFor();
    await clerk.page.locator('#r-licence_until').fill('31-12-2030');
    await clerk.page.getByRole('button', { name: 'Simpan' }).click();
    await item(clerk.page, 'p3mi', 'PT Baru Berizin (uji)').locator('.badge.good', { hasText: 'Berizin s.d. 31-12-2030' }).waitFor();

    await clerk.page.locator('#pengumuman').getByRole('link', { name: '+ Tambah' }).click();
    await clerk.page.locator('#r-title').fill('Rapat koordinasi desa (uji)');
    await clerk.page.locator('#r-body').fill('Hari Senin di Kepanjen.');
    await clerk.page.locator('#r-date').fill(day(-1));
    await clerk.page.getByRole('button', { name: 'Simpan' }).click();
    await item(clerk.page, 'pengumuman', 'Rapat koordinasi desa (uji)').waitFor();

    await item(clerk.page, 'p3mi', 'PT Contoh Jasa Tenaga (fiktif)').getByRole('link', { name: 'Ubah', exact: true }).click();
    await clerk.page.locator('#r-status').selectOption('Suspended');
    await clerk.page.getByRole('button', { name: 'Simpan' }).click();
    await item(clerk.page, 'p3mi', 'PT Contoh Jasa Tenaga (fiktif)').locator('.badge.bad', { hasText: 'Izin dibekukan' }).waitFor();
    await synced(clerk.page);

    // The village officer receives it all, reads it without edit links, and on the home.
    await login(village.page, relay.url, 'desa-arjowilangun', 'hp-desa');
    await synced(village.page);
    await serviceWorkerInControl(village.page);
    await village.page.locator('.district-news li', { hasText: 'Rapat koordinasi desa (uji)' }).waitFor();
    await village.page.goto(`${relay.url}/info`);
    await item(village.page, 'p3mi', 'PT Baru Berizin (uji)').waitFor();
    assert.equal(await village.page.getByRole('link', { name: '+ Tambah' }).count(), 0, 'a village cannot add');
    assert.equal(await village.page.locator('.edit-link').count(), 0, 'a village cannot edit');
    await village.page.goto(`${relay.url}/info/p3mi/baru`);
    await village.page.locator('.msg.warning', { hasText: 'Hanya Disnaker' }).waitFor();
    assert.equal(await village.page.locator('#r-name').count(), 0);

    // With the relay gone, the reopened app still shows the district's data and checks with it.
    await clerk.context.close();
    assert.deepEqual(clerk.errors, [], 'the clerk saw no errors');
    await relay.stop();
    await village.page.goto(`${relay.url}/info`);
    await item(village.page, 'pengumuman', 'Rapat koordinasi desa (uji)').locator('.ref-body', { hasText: 'Hari Senin' }).waitFor();
    await item(village.page, 'p3mi', 'PT Contoh Jasa Tenaga (fiktif)').locator('.badge.bad', { hasText: 'Izin dibekukan' }).waitFor();
    await item(village.page, 'p3mi', 'PT Contoh Lama Abadi (fiktif)').locator('.badge.bad', { hasText: 'Izin habis 30-06-2022' }).waitFor();
    await item(village.page, 'negara', 'Arab Saudi').locator('.badge.bad', { hasText: 'Moratorium' }).waitFor();

    await village.page.goto(`${relay.url}/`);
    await createPerson(village.page, 'Uji Cek P3MI');
    await village.page.getByRole('button', { name: '+ Tambah perjalanan' }).click();
    await village.page.locator('#e-destination_country').fill('Taiwan');
    await village.page.locator('#e-departure_date').fill('01-03-2024');
    const agencyWarning = village.page.locator('.field:has(#e-agency) .msg.warning');
    // The district's agencies are offered as the officer types.
    await village.page.locator('#e-agency-list option[value="PT Baru Berizin (uji)"]').waitFor({ state: 'attached' });
    await village.page.locator('#e-agency').fill('CV Calo Desa');
    await agencyWarning.filter({ hasText: 'tidak ada di daftar P3MI berizin' }).waitFor();
    await village.page.locator('#e-agency').fill('pt contoh lama abadi (fiktif)');
    await agencyWarning.filter({ hasText: 'berlaku sampai 30-06-2022' }).waitFor();
    await village.page.locator('#e-agency').fill('PT Contoh Jasa Tenaga (fiktif)');
    await agencyWarning.filter({ hasText: 'dibekukan' }).waitFor();
    await village.page.locator('#e-agency').fill('PT. Baru Berizin (uji)');
    await agencyWarning.waitFor({ state: 'detached' });
    await village.page.locator('#e-destination_country').fill('Arab Saudi');
    await village.page.locator('.field:has(#e-destination_country) .msg.warning', { hasText: 'moratorium' }).waitFor();

    // A warning does not block: the officer records what happened.
    await village.page.locator('#e-destination_country').fill('Taiwan');
    await village.page.locator('#e-agency').fill('CV Calo Desa');
    await agencyWarning.waitFor();
    await village.page.getByRole('button', { name: 'Simpan perjalanan' }).click();
    await village.page.locator('.episode', { hasText: 'CV Calo Desa' }).waitFor();

    // The information desk checks an agency a visitor asks about the same way.
    await village.page.goto(`${relay.url}/layanan/konsultasi/baru`);
    await village.page.locator('#f-agency').fill('PT Sampel Dicabut (fiktif)');
    await village.page.locator('.field:has(#f-agency) .msg.warning', { hasText: 'dicabut' }).waitFor();
    await village.page.locator('#f-agency-list option[value="PT Baru Berizin (uji)"]').waitFor({ state: 'attached' });
    await village.page.locator('#f-agency').fill('PT Baru Berizin (uji)');
    await village.page.locator('.field:has(#f-agency) .msg').waitFor({ state: 'detached' });
  } finally {
    await clerk.context.close();
    await village.close();
    await relay.stop();
    relay.cleanup();
  }
});
