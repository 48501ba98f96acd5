// One person recorded in two villages: the district office sees the pair side by side, from the
// documents on its PC, opens either record in its own village, and decides every pair (moved,
// the same person, two different people) until the screen is empty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, launchBrowser, newPhone, login, synced, details } from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function createWithNik(page, name, nik) {
  await createWith(page, { full_name: name, nik });
}

async function createWith(page, fields) {
  if (!(await page.getByRole('link', { name: '+ Tambah orang' }).count())) await page.goto(new URL(page.url()).origin);
  await page.getByRole('link', { name: '+ Tambah orang' }).click();
  for (const [field, value] of Object.entries(fields)) await page.locator(`#f-${field}`).fill(value);
  await page.getByRole('button', { name: 'Simpan' }).click();
  await page.locator('.person-name', { hasText: fields.full_name }).waitFor();
  return page.url();
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

test('the district decides every pair — moved, the same person, two people — until none is left; the villages see it', async () => {
  const relay = await startRelay({ args: ['--demo-households', '3'] });
  const brongkal = await newPhone(browser);
  const balearjo = await newPhone(browser);
  const office = await newPhone(browser);
  try {
    await login(brongkal.page, relay.url, 'desa-brongkal', 'HP Brongkal');
    const movedUrl = await createWith(brongkal.page, { full_name: 'Siti Pindah Uji', nik: '3507335708900004' });
    const kk = '3507330101260001';
    const keptUrl = await createWith(brongkal.page, { full_name: 'Dewi Sama Uji', no_kk: kk, phone: '081234500001', birth_date: '01-02-1991' });
    const twinUrl = await createWith(brongkal.page, { full_name: 'Dewi Sama Uji', no_kk: kk, birth_place: 'Malang' });
    await createWith(brongkal.page, { full_name: 'Budi Beda Uji', birth_date: '17-08-1990' });
    await synced(brongkal.page);
    await login(balearjo.page, relay.url, 'desa-balearjo', 'HP Balearjo');
    await createWith(balearjo.page, { full_name: 'Siti Pindah Uji', nik: '3507335708900004' });
    await createWith(balearjo.page, { full_name: 'Budi Beda Uji', birth_date: '17-08-1990' });
    await synced(balearjo.page);

    await login(office.page, relay.url, 'disnaker-malang', 'PC Kantor');
    await synced(office.page);
    await office.page.getByRole('link', { name: 'Kemungkinan duplikat' }).click();
    const pair = (name) => office.page.locator('li.dup-pair', { hasText: name });
    for (const name of ['Siti Pindah Uji', 'Dewi Sama Uji', 'Budi Beda Uji']) await pair(name).waitFor();

    // Moved: she lives in Balearjo now; Brongkal's record is marked, not erased.
    await pair('Siti Pindah Uji').locator('[data-answer="moved"]').click();
    await pair('Siti Pindah Uji').locator('.dup-choose').getByRole('button', { name: 'Balearjo' }).click();
    await pair('Siti Pindah Uji').waitFor({ state: 'detached', timeout: 10_000 }).catch(async (e) => {
      const disabled = await office.page.locator('li.dup-pair button[disabled]').count();
      throw new Error(`${await pair('Siti Pindah Uji').textContent()} disabled ${disabled} ${office.errors} ${office.logs ?? ''}: ${e.message}`);
    });

    // The same person, kept as the record with the phone number; the other's birth place is
    // taken over, and the other is removed.
    const dewi = pair('Dewi Sama Uji');
    assert.equal(await dewi.locator('[data-answer="moved"]').count(), 0, 'one village: nobody moved');
    await dewi.locator('[data-answer="same"]').click();
    // The record with the birth date (and the phone number) is kept, whichever number it has.
    const n = await dewi.locator('.dup-side', { hasText: '01-02-1991' }).getAttribute('data-n');
    await dewi.locator('.dup-choose').getByRole('button', { name: `Pertahankan data ${n}` }).click();
    await dewi.waitFor({ state: 'detached' });

    // Two different people: not asked again.
    await pair('Budi Beda Uji').locator('[data-answer="different"]').click();
    await pair('Budi Beda Uji').waitFor({ state: 'detached' });
    await office.page.locator('.duplicates .msg.ok', { hasText: 'Tidak ada kemungkinan duplikat' }).waitFor();
    await synced(office.page);
    // Remembered: after a reload the screen is still empty.
    await office.page.reload();
    await office.page.locator('.duplicates .msg.ok', { hasText: 'Tidak ada kemungkinan duplikat' }).waitFor({ timeout: 30_000 });
    assert.equal(await office.page.locator('li.dup-pair').count(), 0);
    // A wrong tap is not final: the decision is listed, undone, and the pair is back; decided
    // again, it goes.
    await office.page.locator('.dup-decided-list summary').click();
    const decision = office.page.locator('li.dup-decided', { hasText: 'Budi Beda Uji (Brongkal)' });
    await decision.getByRole('button', { name: 'Batalkan' }).click();
    await pair('Budi Beda Uji').locator('[data-answer="different"]').click();
    await pair('Budi Beda Uji').waitFor({ state: 'detached' });
    await office.page.locator('li.dup-decided', { hasText: 'Budi Beda Uji (Balearjo)' }).waitFor();

    // Brongkal's phone: the moved record says where she went; the kept Dewi has both fields,
    // the other Dewi is removed.
    await brongkal.page.goto(movedUrl);
    await brongkal.page.locator('.category', { hasText: 'pindah ke Balearjo' }).waitFor({ timeout: 30_000 });
    await brongkal.page.locator('.history .change', { hasText: 'Pindah ke desa' }).first().waitFor();
    // In the list with the removed records shown, she is marked as moved, not deleted.
    await brongkal.page.goto(`${relay.url}/orang?dihapus=1&q=Siti%20Pindah`);
    await brongkal.page.locator('li.person', { hasText: 'Siti Pindah Uji' })
      .locator('.marker.deleted', { hasText: 'pindah ke Balearjo' }).waitFor();
    await brongkal.page.goto(keptUrl);
    await brongkal.page.locator('.details [data-field="birth_place"] dd', { hasText: 'Malang' }).waitFor({ timeout: 30_000 });
    assert.match(await details(brongkal.page), /081234500001/);
    await brongkal.page.goto(twinUrl);
    await brongkal.page.locator('.category', { hasText: 'dihapus' }).waitFor({ timeout: 30_000 });
    for (const p of [brongkal, balearjo, office]) assert.deepEqual(p.errors, [], 'no errors');
  } finally {
    for (const p of [brongkal, balearjo, office]) await p.context.close();
    await relay.stop();
  }
});
