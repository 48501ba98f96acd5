// The field app in a real browser against a real relay process: logging in, working offline,
// surviving reloads, merging two devices' edits, resolving conflicts, opening without network.
import { execFileSync } from 'node:child_process';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRelay, launchBrowser, launchProfile, newPhone, copyOfBuild, deployNextBuild } from './support.mjs';
import { rmSync } from 'node:fs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function login(page, url, username, device) {
  await page.goto(url);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill('demo-desmigratif');
  if (device) await page.locator('#device-name').fill(device);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.locator('.counts .count').first().waitFor({ timeout: 30_000 });
}

const synced = (page, timeout = 60_000) =>
  page.locator('.sync-status[data-state="synced"]').waitFor({ timeout });

async function serviceWorkerInControl(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
}

async function createPerson(page, name) {
  await page.getByRole('link', { name: '+ Tambah orang' }).click();
  await page.locator('#f-full_name').fill(name);
  await page.getByRole('button', { name: 'Simpan' }).click();
  await page.locator('.person-name', { hasText: name }).waitFor();
}

async function editField(page, field, value) {
  await page.getByRole('link', { name: 'Ubah' }).click();
  await page.locator(`#f-${field}`).fill(value);
  await page.getByRole('button', { name: 'Simpan' }).click();
  await page.locator('.person-name').waitFor();
}

async function editFields(page, fields) {
  await page.getByRole('link', { name: 'Ubah' }).click();
  for (const [field, value] of Object.entries(fields)) await page.locator(`#f-${field}`).fill(value);
  await page.getByRole('button', { name: 'Simpan' }).click();
  await page.locator('.person-name').waitFor();
}

const details = (page) => page.locator('dl.details').textContent();

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

    relay = await startRelay({ dataDir: relay.dataDir, listen: `127.0.0.1:${port}` });
    await synced(phone.page);
    assert.equal(await phone.page.locator('.sync-status .pending').getAttribute('data-count'), '0');

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

test('with the relay stopped, a device that opened the app before opens it from the service worker', async () => {
  const relay = await startRelay();
  const phone = await launchProfile();
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
    await page.locator('#e-destination_country').fill('Malaysia');
    await page.locator('#e-departure_date').fill('01-01-2030');
    await page.getByRole('button', { name: 'Simpan perjalanan' }).click();
    await page.locator('.field:has(#e-departure_date) .msg.error', { hasText: 'belum lewat' }).waitFor();
    assert.equal(await page.locator('.episode').count(), 0);
    await page.locator('#e-state').selectOption('Planned');
    await page.getByRole('button', { name: 'Simpan perjalanan' }).click();
    await page.locator('.episode[data-state="Planned"]').waitFor();
    assert.equal(await page.locator('.category').textContent(), 'CPMI');

    // From a household, a new member starts with the family's No. KK and dusun.
    await page.goto(`${relay.url}${otherPath}`);
    const kk = (await page.locator('.details [data-field="no_kk"] dd').textContent()).trim();
    const dusun = (await page.locator('.details [data-field="dusun"] dd').textContent()).trim();
    await page.getByRole('link', { name: '+ Tambah anggota keluarga' }).click();
    assert.equal(await page.locator('#f-no_kk').inputValue(), kk);
    assert.equal(await page.locator('#f-dusun').inputValue(), dusun);
    await page.locator('#f-full_name').fill('Anak Baru');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('.person-name', { hasText: 'Anak Baru' }).waitFor();
    await page.locator('ul.household a', { hasText: otherName }).waitFor();
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
    await page.locator('.person-name', { hasText: 'Wulan Pratiwi' }).waitFor();
    assert.equal(await page.locator('.category').textContent(), 'Warga lain');
    // Reloading on the edit page (or opening its address) still saves.
    await page.getByRole('link', { name: 'Ubah' }).click();
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
      sector: 'Informal', occupation: 'Pengasuh lansia', employer: 'Lin Mei-hua', agency: 'PT Contoh Jaya',
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
    for (const [field, value] of Object.entries(placement)) {
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

async function countMatching(page, url, text, expected) {
  await page.goto(`${url}/orang`);
  await page.locator('input.search').fill(text);
  await page.waitForFunction(
    ([n]) => document.querySelector('.result-count')?.dataset.total === String(n),
    [expected],
    { timeout: 30_000 },
  );
}

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
