// The four pillars' records on real phones: a case recorded and followed up offline on two
// phones, a confidential case kept from a second officer, consultations on a person's page, a
// training's participants, savings paid in on two phones offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { startRelay, launchBrowser, newPhone, login, synced, createPerson, documentsLoaded, unzip, serviceWorkerInControl } from './support.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const BRONGKAL = '35.07.33.2006';

/// A second officer account for a demo village, added with the relay's CLI while it runs.
function addOfficer(relay, username, village) {
  execFileSync(process.env.SYNC_SERVER_BIN, [
    'user', 'add', '--username', username, '--role', 'village', '--village', village,
    '--data-dir', relay.dataDir, '--password-stdin',
  ], { input: 'demo-desmigratif\n' });
}

async function addEntry(page, step, fields) {
  await page.locator('#entry-step').selectOption(step);
  for (const [field, value] of Object.entries(fields)) {
    const el = page.locator(`#entry-${field}`);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
  const before = await page.locator('.case-log ul.log li').count();
  await page.getByRole('button', { name: 'Simpan catatan' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('.case-log ul.log li').length === n + 1, before);
}

test('a case recorded offline, referred, and followed up on two phones offline keeps both notes; the log shows who did what', async () => {
  const relay = await startRelay({ args: ['--demo-households', '3'] });
  addOfficer(relay, 'desa-brongkal-budi', BRONGKAL);
  const a = await newPhone(browser);
  const b = await newPhone(browser);
  try {
    await login(a.page, relay.url, 'desa-brongkal', 'HP Ani');
    await login(b.page, relay.url, 'desa-brongkal-budi', 'HP Budi');
    await synced(a.page);
    // Ani records the case offline, from the person's page.
    await a.context.setOffline(true);
    await a.page.locator('.sync-status[data-state="offline"]').waitFor();
    await createPerson(a.page, 'Sulastri Kasus');
    const personUrl = a.page.url();
    assert.equal(await a.page.locator('.linked-records li').count(), 0);
    await a.page.getByRole('link', { name: '+ Kasus' }).click();
    await a.page.locator('.linked-person', { hasText: 'Sulastri Kasus' }).waitFor();
    await a.page.locator('#f-kind').selectOption('UnpaidWages');
    await a.page.locator('#f-country').fill('Malaysia');
    await a.page.locator('#f-description').fill('Gaji 5 bulan belum dibayar.');
    await a.page.getByRole('button', { name: 'Simpan' }).click();
    await a.page.locator('h1.record-title', { hasText: 'Sulastri Kasus' }).waitFor();
    const caseUrl = a.page.url();
    assert.match(caseUrl, /\/kasus\/[0-9a-f]{32}$/);
    await a.page.locator('.case-status[data-status="Reported"]').waitFor();
    // A referral without its destination is refused at the field.
    await a.page.locator('#entry-step').selectOption('Referred');
    await a.page.getByRole('button', { name: 'Simpan catatan' }).click();
    await a.page.locator('#entry-referred_to[aria-invalid="true"]').waitFor();
    assert.equal(await a.page.locator('.case-log ul.log li').count(), 0, 'nothing saved');
    await addEntry(a.page, 'Referred', { referred_to: 'Bp3mi', note: 'Dirujuk ke BP3MI Jawa Timur.' });
    await a.page.locator('.case-status[data-status="Referred"]').waitFor();
    // Back online: both phones have the case.
    await a.context.setOffline(false);
    await synced(a.page);
    await b.page.goto(caseUrl);
    await b.page.locator('.case-status[data-status="Referred"]').waitFor({ timeout: 30_000 });
    assert.match(await b.page.locator('h1.record-title').textContent(), /Sulastri Kasus/, 'an ordinary case names its person to every officer');

    // Both phones go offline and each writes to the case.
    for (const p of [a, b]) {
      await p.context.setOffline(true);
      await p.page.locator('.sync-status[data-state="offline"]').waitFor();
    }
    await addEntry(a.page, 'Note', { note: 'Keluarga ditelepon, menunggu kabar.' });
    await addEntry(b.page, 'InProgress', { note: 'BP3MI menghubungi agensi di Malaysia.' });
    // (This wait failed twice in full runs, never alone: the message says what the log held.)
    await b.page.locator('.case-status[data-status="InProgress"]').waitFor().catch(async (e) => {
      const steps = await b.page.locator('.case-log ul.log li').evaluateAll((lis) => lis.map((li) => `${li.dataset.step}: ${li.textContent}`));
      const status = await b.page.locator('.case-status').getAttribute('data-status');
      throw new Error(`case status ${status}, log ${JSON.stringify(steps)}: ${e.message}`);
    });
    for (const p of [a, b]) await p.context.setOffline(false);
    for (const p of [a, b]) {
      await synced(p.page);
      await p.page.waitForFunction(() => document.querySelectorAll('.case-log ul.log li').length === 3, null, { timeout: 30_000 });
      const log = await p.page.locator('.case-log ul.log').textContent();
      assert.match(log, /Dirujuk · desa-brongkal(?!-)/);
      assert.match(log, /Catatan tindak lanjut · desa-brongkal(?!-).*Keluarga ditelepon/s);
      assert.match(log, /Sedang ditangani · desa-brongkal-budi.*BP3MI menghubungi agensi/s);
      await p.page.locator('.case-status[data-status="InProgress"]').waitFor();
    }
    // The person's page lists the case; the village home counts it as open.
    await a.page.goto(personUrl);
    await a.page.locator('.linked-records li', { hasText: 'Sedang ditangani' }).waitFor();
    await a.page.goto(relay.url);
    await a.page.locator('[data-figure="open-cases"] strong', { hasText: '1' }).waitFor();
    // Going offline makes the browser itself report the failed connection attempts.
    const appErrors = (p) => p.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e));
    assert.deepEqual(appErrors(a), []);
    assert.deepEqual(appErrors(b), []);
  } finally {
    await a.context.close();
    await b.context.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('a confidential case names its person only to the officer who recorded it and to the district', async () => {
  const relay = await startRelay({ args: ['--demo-households', '3'] });
  addOfficer(relay, 'desa-brongkal-budi', BRONGKAL);
  const ani = await newPhone(browser);
  const budi = await newPhone(browser);
  const district = await newPhone(browser);
  try {
    await login(ani.page, relay.url, 'desa-brongkal', 'HP Ani');
    await createPerson(ani.page, 'Wartini Rahasia');
    await ani.page.getByRole('link', { name: '+ Kasus' }).click();
    await ani.page.locator('#f-kind').selectOption('Trafficking');
    await ani.page.locator('#f-reported_by').fill('Kakak kandung');
    await ani.page.getByRole('button', { name: 'Simpan' }).click();
    await ani.page.locator('h1.record-title', { hasText: 'Wartini Rahasia' }).waitFor();
    const caseUrl = ani.page.url();
    await synced(ani.page);

    await login(budi.page, relay.url, 'desa-brongkal-budi', 'HP Budi');
    await synced(budi.page);
    await budi.page.goto(`${relay.url}/layanan/kasus`);
    await budi.page.locator('ul.records li').first().waitFor({ timeout: 30_000 });
    const list = await budi.page.locator('ul.records').textContent();
    assert.doesNotMatch(list, /Wartini/, 'the list does not name the person');
    assert.match(list, /Kasus rahasia/);
    await budi.page.goto(caseUrl);
    await budi.page.locator('h1.record-title', { hasText: 'Kasus rahasia' }).waitFor();
    const page = await budi.page.locator('article').textContent();
    assert.doesNotMatch(page, /Wartini|Kakak kandung/, 'neither the person nor the reporter');
    assert.equal(await budi.page.locator('.case-log').count(), 0, 'nor the log');
    // The person's own page does not reveal that there is a case.
    await budi.page.goto(`${relay.url}/orang?q=Wartini`);
    await budi.page.locator('ul.people li a').first().click();
    await budi.page.locator('.person-name', { hasText: 'Wartini Rahasia' }).waitFor();
    assert.equal(await budi.page.locator('.linked-records li').count(), 0);

    await login(district.page, relay.url, 'disnaker-malang', 'PC Kantor');
    await district.page.locator('.district tbody tr', { hasText: 'Brongkal' }).getByRole('button').click();
    await district.page.locator('.district tbody tr.current', { hasText: 'Brongkal' }).waitFor();
    await district.page.goto(caseUrl);
    await district.page.locator('h1.record-title', { hasText: 'Wartini Rahasia' }).waitFor({ timeout: 30_000 });

    // The services workbook keeps the same secret: Budi's hides the person and the reporter,
    // the district's (every village) names them.
    const workbookText = async (page, button) => {
      await page.goto(`${relay.url}/layanan`);
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      assert.match(file.suggestedFilename(), /^desmigratif-layanan-.*\.xlsx$/);
      return [...unzip(await readFile(await file.path())).values()].join('\n');
    };
    const budiBook = await workbookText(budi.page, 'Unduh Excel desa ini');
    assert.match(budiBook, /Kasus/);
    assert.match(budiBook, /\(rahasia\)/);
    assert.doesNotMatch(budiBook, /Wartini|Kakak kandung/);
    const districtBook = await workbookText(district.page, 'Unduh Excel semua desa');
    assert.match(districtBook, /Wartini Rahasia/);
    assert.match(districtBook, /Kakak kandung/);
  } finally {
    for (const p of [ani, budi, district]) await p.context.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('a consultation for a visitor not yet recorded needs their name; one for a recorded person appears on their page', async () => {
  const relay = await startRelay({ args: ['--demo-households', '3'] });
  const { page, context, errors } = await newPhone(browser);
  try {
    await login(page, relay.url, 'desa-brongkal');
    await page.goto(`${relay.url}/layanan/konsultasi/baru`);
    await page.locator('#f-topic').selectOption('AgencyCheck');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('#f-visitor_name[aria-invalid="true"]').waitFor();
    await page.locator('#f-visitor_name').fill('Pak Tamu');
    await page.locator('#f-agency').fill('PT Maju Jaya');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('h1.record-title', { hasText: 'Pak Tamu' }).waitFor();
    await page.goto(relay.url);
    await createPerson(page, 'Ratna Konsultasi');
    await page.getByRole('link', { name: '+ Konsultasi' }).click();
    await page.locator('#f-topic').selectOption('Contract');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('h1.record-title', { hasText: 'Ratna Konsultasi' }).waitFor();
    await page.getByRole('link', { name: 'Ratna Konsultasi' }).click();
    await page.locator('.linked-records li', { hasText: 'Perjanjian kerja' }).waitFor();
    await page.goto(`${relay.url}/layanan/konsultasi`);
    await documentsLoaded(page);
    await page.locator('.result-count', { hasText: /^2 konsultasi$/ }).waitFor();
    assert.deepEqual((await page.locator('ul.records li .name').allTextContents()).sort(), ['Pak Tamu', 'Ratna Konsultasi']);
    await page.goto(relay.url);
    await page.locator('[data-figure="consultations-month"] strong', { hasText: '2' }).waitFor();
    // Started from the list, a consultation finds its recorded person by name.
    await page.goto(`${relay.url}/layanan/konsultasi/baru`);
    await page.locator('#f-person').fill('Ratna Kon');
    await page.locator('.person-link .pick', { hasText: 'Ratna Konsultasi' }).click();
    await page.locator('.linked-person', { hasText: 'Ratna Konsultasi' }).waitFor();
    await page.locator('#f-topic').selectOption('Remittance');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('h1.record-title', { hasText: 'Ratna Konsultasi' }).waitFor();
    await page.getByRole('link', { name: 'Ratna Konsultasi' }).click();
    await page.locator('.linked-records li', { hasText: 'Pengiriman uang' }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await relay.stop();
    relay.cleanup();
  }
});

test("a training's participants see it on their pages; savings paid in on two phones offline both count", async () => {
  const relay = await startRelay({ args: ['--demo-households', '3'] });
  const a = await newPhone(browser);
  const b = await newPhone(browser);
  try {
    await login(a.page, relay.url, 'desa-brongkal', 'HP Ani');
    const people = {};
    for (const name of ['Peserta Satu', 'Peserta Dua']) {
      await a.page.goto(relay.url);
      await createPerson(a.page, name);
      people[name] = a.page.url();
    }
    // A training, and both persons added to it by searching their names.
    await a.page.goto(`${relay.url}/layanan`);
    await a.page.getByRole('link', { name: 'Pelatihan', exact: true }).click();
    await a.page.getByRole('link', { name: '+ Pelatihan' }).click();
    await a.page.getByRole('button', { name: 'Simpan' }).click();
    await a.page.locator('#f-title[aria-invalid="true"]').waitFor();
    await a.page.locator('#f-title').fill('Pembuatan keripik tempe');
    await a.page.locator('#f-organiser').fill('BLK Malang');
    await a.page.getByRole('button', { name: 'Simpan' }).click();
    await a.page.locator('h1.record-title', { hasText: 'Pembuatan keripik tempe' }).waitFor();
    for (const name of ['Peserta Satu', 'Peserta Dua']) {
      await a.page.locator('#add-participant').fill('Peserta');
      await a.page.locator('.participants .pick', { hasText: name }).click();
      await a.page.locator('.participants-list li', { hasText: name }).waitFor();
    }
    const satu = a.page.locator('.participants-list li', { hasText: 'Peserta Satu' });
    await satu.getByLabel('Lulus').check();
    await a.page.locator('.participants-list li[data-completed="true"]', { hasText: 'Peserta Satu' }).waitFor();
    await synced(a.page);
    await a.page.reload();
    await documentsLoaded(a.page);
    await satu.waitFor();
    assert.ok(await satu.getByLabel('Lulus').isChecked(), 'completion is kept');
    assert.ok(!(await a.page.locator('.participants-list li', { hasText: 'Peserta Dua' }).getByLabel('Lulus').isChecked()));
    for (const name of ['Peserta Satu', 'Peserta Dua']) {
      await a.page.goto(people[name]);
      await a.page.locator('.linked-records li', { hasText: 'Pembuatan keripik tempe' }).waitFor();
    }

    // Satu joins the cooperative; two officers record a deposit each, offline.
    await a.page.goto(people['Peserta Satu']);
    await a.page.getByRole('link', { name: '+ Anggota koperasi' }).click();
    await a.page.locator('#f-cooperative').fill('Koperasi Senang Hati');
    await a.page.getByRole('button', { name: 'Simpan' }).click();
    await a.page.locator('.ledger').waitFor();
    const membershipUrl = a.page.url();
    await synced(a.page);
    await login(b.page, relay.url, 'desa-brongkal', 'HP Budi');
    await b.page.goto(membershipUrl);
    await b.page.locator('h1.record-title', { hasText: 'Peserta Satu' }).waitFor({ timeout: 30_000 });
    await synced(b.page);
    for (const p of [a, b]) {
      await p.context.setOffline(true);
      await p.page.locator('.sync-status[data-state="offline"]').waitFor();
    }
    for (const [p, amount, shown] of [[a, '50.000', 'Rp 50.000'], [b, '75000', 'Rp 75.000']]) {
      await p.page.getByRole('button', { name: 'Simpan transaksi' }).click();
      await p.page.locator('#entry-amount[aria-invalid="true"]').waitFor();
      await p.page.locator('#entry-amount').fill(amount);
      await p.page.getByRole('button', { name: 'Simpan transaksi' }).click();
      await p.page.locator('.ledger .savings', { hasText: shown }).waitFor();
    }
    for (const p of [a, b]) await p.context.setOffline(false);
    for (const p of [a, b]) {
      await synced(p.page);
      await p.page.locator('.ledger .savings', { hasText: 'Rp 125.000' }).waitFor({ timeout: 30_000 });
      assert.equal(await p.page.locator('.ledger ul.log li').count(), 2, 'both deposits');
    }
    await a.page.goto(relay.url);
    await a.page.locator('[data-figure="savings"] strong', { hasText: 'Rp 125.000' }).waitFor();
    await a.page.locator('[data-figure="members"] strong', { hasText: '1' }).waitFor();
  } finally {
    await a.context.close();
    await b.context.close();
    await relay.stop();
    relay.cleanup();
  }
});

test('a week of all four pillars on a phone without signal reaches the district whole', async () => {
  const relay = await startRelay({ args: ['--demo-households', '3'] });
  const phone = await newPhone(browser);
  const office = await newPhone(browser);
  const { page } = phone;
  const save = () => page.getByRole('button', { name: 'Simpan', exact: true }).click();
  const titled = (text) => page.locator('h1.record-title', { hasText: text }).waitFor();
  try {
    await login(page, relay.url, 'desa-brongkal', 'HP Lapangan');
    await synced(page);
    // The pages below are opened by address without signal: the app must be installed.
    await serviceWorkerInControl(page);
    await phone.context.setOffline(true);
    await page.locator('.sync-status[data-state="offline"]').waitFor();
    await createPerson(page, 'Warga Sepekan');
    const person = page.url();
    const fromPerson = async (button) => {
      await page.goto(person);
      await page.getByRole('link', { name: button }).click();
    };
    // Pillar 1: a consultation, a case referred and followed up, a session with attendees.
    await fromPerson('+ Konsultasi');
    await page.locator('#f-topic').selectOption('AgencyCheck');
    await save();
    await titled('Warga Sepekan');
    await fromPerson('+ Kasus');
    await page.locator('#f-kind').selectOption('UnpaidWages');
    await save();
    await titled('Warga Sepekan');
    await addEntry(page, 'Referred', { referred_to: 'Disnaker' });
    await addEntry(page, 'Note', { note: 'Disnaker menghubungi P3MI.' });
    await page.goto(`${relay.url}/layanan/sosialisasi/baru`);
    await page.locator('#f-topic').fill('Migrasi aman');
    await page.locator('#f-place').fill('Balai desa');
    await page.locator('#f-unregistered').fill('12');
    await save();
    await titled('Migrasi aman');
    await page.locator('#add-participant').fill('Warga Sepekan');
    await page.locator('.participants .pick', { hasText: 'Warga Sepekan' }).click();
    await page.locator('.participants-list li', { hasText: 'Warga Sepekan' }).waitFor();
    // Pillar 2: a training and a new business.
    await page.goto(`${relay.url}/layanan/pelatihan/baru`);
    await page.locator('#f-title').fill('Menjahit');
    await save();
    await titled('Menjahit');
    // A business started from the services list: the owner is picked first.
    await page.goto(`${relay.url}/layanan/usaha`);
    await page.getByRole('link', { name: '+ Usaha' }).click();
    await page.locator('#f-for-person').fill('Warga Sepe');
    await page.locator('.person-link .pick', { hasText: 'Warga Sepekan' }).click();
    await page.locator('.linked-person', { hasText: 'Warga Sepekan' }).waitFor();
    await page.locator('#f-kind').fill('Warung makan');
    await save();
    await titled('Warga Sepekan');
    // Pillar 3: a child's record, then its schooling updated.
    await fromPerson('+ Anak PMI');
    await page.locator('#f-school_status').selectOption('Attending');
    await save();
    await titled('Warga Sepekan');
    await page.getByRole('link', { name: 'Ubah', exact: true }).click();
    await page.locator('#f-school_status').selectOption('DroppedOut');
    await save();
    await page.locator('dl.details [data-field="school_status"]', { hasText: 'Putus sekolah' }).waitFor();
    // Pillar 4: a membership and two deposits.
    await fromPerson('+ Anggota koperasi');
    await page.locator('#f-cooperative').fill('Koperasi Desa Brongkal');
    await save();
    for (const amount of ['10.000', '20.000']) {
      await page.locator('#entry-amount').fill(amount);
      await page.getByRole('button', { name: 'Simpan transaksi' }).click();
      await page.locator('.ledger ul.log li', { hasText: `Rp ${amount}` }).waitFor();
    }
    await page.locator('.ledger .savings', { hasText: 'Rp 30.000' }).waitFor();

    // Signal again: everything reaches the relay, and the district sees all of it.
    await phone.context.setOffline(false);
    await synced(page);
    await login(office.page, relay.url, 'disnaker-malang', 'PC Kantor');
    await office.page.locator('.district tbody tr', { hasText: 'Brongkal' }).getByRole('button').click();
    await office.page.locator('.district tbody tr.current', { hasText: 'Brongkal' }).waitFor();
    await office.page.goto(person);
    await office.page.locator('.person-name', { hasText: 'Warga Sepekan' }).waitFor({ timeout: 30_000 });
    const linked = office.page.locator('.linked-records li');
    await office.page.waitForFunction(() => document.querySelectorAll('.linked-records li').length === 6, null, { timeout: 30_000 });
    const text = await linked.allTextContents();
    for (const expected of [/Konsultasi.*Cek perusahaan/, /Kasus.*Dirujuk/, /Sosialisasi.*Migrasi aman/, /Usaha.*Warung makan/, /Anak PMI.*Putus sekolah/, /Anggota koperasi.*Rp 30\.000/]) {
      assert.ok(text.some((t) => expected.test(t)), `${expected} in ${JSON.stringify(text)}`);
    }
    // Lists filter, and the filter stays in the address.
    await office.page.goto(`${relay.url}/layanan/kasus`);
    await office.page.locator('select[aria-label="Saring"]').selectOption('selesai');
    await office.page.waitForURL(/saring=selesai/);
    await office.page.locator('.result-count', { hasText: /^0 kasus$/ }).waitFor();
    await office.page.locator('select[aria-label="Saring"]').selectOption('terbuka');
    await office.page.locator('ul.records li', { hasText: 'Warga Sepekan' }).waitFor();
    await office.page.reload();
    assert.equal(await office.page.locator('select[aria-label="Saring"]').inputValue(), 'terbuka', 'the filter survives a reload');
    await office.page.goto(`${relay.url}/layanan/sosialisasi`);
    await office.page.locator('ul.records li', { hasText: '13 peserta' }).waitFor();
    await office.page.goto(`${relay.url}/layanan/pelatihan`);
    await office.page.locator('ul.records li', { hasText: 'Menjahit' }).waitFor();
    await office.page.goto(relay.url);
    await office.page.locator('[data-figure="savings"] strong', { hasText: 'Rp 30.000' }).waitFor();
    await office.page.locator('[data-figure="children-at-risk"] strong', { hasText: '1' }).waitFor();
  } finally {
    await phone.context.close();
    await office.context.close();
    await relay.stop();
    relay.cleanup();
  }
});
