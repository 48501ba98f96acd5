// Benchmark (not a test): what a field worker feels, in headless Chromium on a 360 px phone
// screen against a real relay, at normal speed and with the CPU throttled 4× (a cheap Android
// phone), for villages of about 2,000 and 10,000 persons. Run by `cargo xtask bench`; the
// figures go into BENCHMARKS.md.
//
// BENCH_HOUSEHOLDS (e.g. "500,2500") and BENCH_THROTTLE (e.g. "1,4") choose the runs;
// BENCH_VILLAGE_ONLY=1 measures one village phone only, BENCH_IMPORT_ONLY=1 the import only.
import { startRelay, launchProfile, choosePin } from '../e2e/support.mjs';
import { statSync } from 'node:fs';

const householdRuns = (process.env.BENCH_HOUSEHOLDS ?? '500,2500').split(',').map(Number);
const throttles = (process.env.BENCH_THROTTLE ?? '1,4').split(',').map(Number);
// BENCH_VILLAGE_ONLY=1 skips the district office and the day of traffic.
const villageOnly = process.env.BENCH_VILLAGE_ONLY === '1';
// BENCH_IMPORT_ONLY=1 measures the 5,000-row import only.
const importOnly = process.env.BENCH_IMPORT_ONLY === '1';
// BENCH_DISTRICT_VILLAGES=20 gives the district that many villages (the four, then others of
// Kabupaten Malang; default 4); BENCH_DISTRICT_ONLY=1 measures the district office only.
const districtVillages = Number(process.env.BENCH_DISTRICT_VILLAGES ?? '4');
const districtOnly = process.env.BENCH_DISTRICT_ONLY === '1';
// BENCH_PROFILE=1 samples the page's CPU during the save and prints where the time went (build
// with DESMIGRATIF_WASM_NAMES=1 so wasm functions have names).
const profile = process.env.BENCH_PROFILE === '1';

/// The functions that took the most time of their own in a CDP CPU profile, on stderr.
function printProfile(what, { nodes, samples, timeDeltas }) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const self = new Map();
  samples.forEach((id, i) => {
    const { functionName, url } = byId.get(id).callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').pop()}`;
    self.set(name, (self.get(name) ?? 0) + (timeDeltas[i] ?? 0) / 1000);
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.error(`# ${what}: self time, ms`);
  for (const [name, ms] of top) console.error(`${ms.toFixed(1).padStart(8)}  ${name}`);
}
const LONG = 180_000;

// Records every long main-thread task (≥ 50 ms is what the browser reports) with its span.
const recordLongTasks = () => {
  window.__longtasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
};

async function longestTaskSince(page, since) {
  return page.evaluate((t0) => Math.round(Math.max(0, ...window.__longtasks
    .filter(([start, d]) => start + d >= t0).map(([, d]) => d))), since);
}

const now = (page) => page.evaluate(() => performance.now());

// The app's marks on the page's timeline (boot, wasm ready, views ready, documents loaded).
const marks = (page) => page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark')
  .filter((m) => m.name.startsWith('desmigratif:'))
  .map((m) => [m.name.slice('desmigratif:'.length), Math.round(m.startTime)])));

// Where a save's time went, from the tap (t0, on the page's timeline): the window's marks and
// the documents' worker's own (read through the worker), put on one clock by their origins.
async function saveParts(page, t0) {
  const since = (entries, origin, name) => {
    const m = entries.find((e) => e.name === `desmigratif:${name}` && origin + e.startTime >= pageOrigin + t0);
    return m ? Math.round(origin + m.startTime - (pageOrigin + t0)) : null;
  };
  const read = () => [performance.timeOrigin, performance.getEntriesByType('mark').map((m) => ({ name: m.name, startTime: m.startTime }))];
  const [pageOrigin, pageMarks] = await page.evaluate(read);
  const parts = {};
  for (const name of ['save-tapped', 'edit-sent', 'view-followed', 'edit-answered']) parts[name] = since(pageMarks, pageOrigin, name);
  for (const worker of page.workers()) {
    const [origin, entries] = await worker.evaluate(read).catch(() => [0, []]);
    for (const name of ['edit-received', 'edit-applied', 'edit-sent-to-screens', 'edit-stored']) {
      const at = since(entries, origin, name);
      if (at !== null) parts[name] = at;
    }
  }
  return parts;
}

async function login(page, url, username) {
  await page.goto(url);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill('demo-desmigratif');
  await page.getByRole('button', { name: 'Masuk' }).click();
  await choosePin(page);
  await page.locator('.counts .count').first().waitFor({ timeout: LONG });
  await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });
}

// Once the first download is in, the app stores the villages' views for the next opening.
async function viewsStored(page, count) {
  await page.waitForFunction((n) => performance.getEntriesByName('desmigratif:view-stored').length >= n,
    count, { timeout: LONG, polling: 100 });
}

async function measure(relay, households, throttle) {
  const r = { households, throttle };
  const phone = await launchProfile();
  const other = await launchProfile();
  const { page } = phone;
  await page.addInitScript(recordLongTasks);
  const cdp = await phone.context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  try {
    let t = Date.now();
    await login(page, relay.url, 'desa-arjowilangun');
    r.first_login_to_usable_ms = Date.now() - t;
    r.first_login_marks_ms = await marks(page);
    // The worker's own (on its clock, put on the page's): its socket, the relay's first word.
    const [pageOrigin] = await page.evaluate(() => [performance.timeOrigin]);
    for (const worker of page.workers()) {
      const entries = await worker.evaluate(() => [performance.timeOrigin, performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])]).catch(() => [0, []]);
      for (const [name, at] of entries[1]) {
        if (name.startsWith('desmigratif:')) r.first_login_marks_ms[`worker:${name.slice(12)}`] = Math.round(entries[0] + at - pageOrigin);
      }
    }
    await viewsStored(page, 1);

    t = Date.now();
    await page.reload();
    await page.locator('.counts .count strong').first().waitFor({ timeout: LONG });
    r.reload_to_counts_ms = Date.now() - t;
    // The document itself loads after the first screen; syncing starts once it has.
    await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });
    r.reload_to_synced_ms = Date.now() - t;
    r.reload_longest_task_ms = await longestTaskSince(page, 0);
    r.reload_marks_ms = await marks(page);
    t = Date.now();
    await page.goto(`${relay.url}/orang`);
    await page.locator('ul.people li').first().waitFor({ timeout: LONG });
    r.open_list_ms = Date.now() - t;
    const total = await page.locator('.result-count').textContent();
    r.persons = Number.parseInt(total.replace(/.*dari\s+/, ''), 10);

    // One keystroke in the search box to the next frame drawn with the list updated (the app
    // filters in the input handler's microtasks, so the frame after it shows the result).
    const sample = await page.locator('ul.people li strong').nth(3).textContent();
    for (const [name, prefix, ch] of [['search_keystroke_name_ms', sample.slice(0, 2), sample[2]],
                                      ['search_keystroke_nik_ms', '350', '7']]) {
      await page.locator('input.search').fill(prefix);
      const [ms, shown] = await page.evaluate(async (text) => {
        const input = document.querySelector('input.search');
        const t0 = performance.now();
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
        return [Math.round(performance.now() - t0), document.querySelector('.result-count')?.textContent];
      }, prefix + ch);
      r[name] = ms;
      r[`${name}_shown`] = shown;
      await page.locator('input.search').fill('');
      await page.waitForFunction((b) => document.querySelector('.result-count')?.textContent === b, total, { polling: 'raf' });
    }

    // Exports of the whole village from the list: from the tap to the browser's download.
    for (const [name, label] of [['export_csv', 'Unduh CSV'], ['export_xlsx', 'Unduh Excel (XLSX)']]) {
      const button = page.getByRole('button', { name: label });
      await button.scrollIntoViewIfNeeded();
      const t1 = await now(page);
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: LONG }),
        button.click(),
      ]);
      r[`${name}_ms`] = Math.round((await now(page)) - t1);
      r[`${name}_bytes`] = statSync(await download.path()).size;
    }

    // Opening a person from the list, from the tap to their name on the page: the first time in
    // a page load the person's page's code (the records chunk) comes from the service worker's
    // cache and is compiled; the second time it is in memory.
    for (const [name, nth] of [['open_person_first_ms', 5], ['open_person_again_ms', 6]]) {
      r[name] = await page.evaluate(async (n) => {
        const link = document.querySelectorAll('ul.people li a')[n];
        const t0 = performance.now();
        link.click();
        await new Promise((done) => {
          const seen = () => document.querySelector('h1.person-name');
          if (seen()) return done();
          new MutationObserver((_, o) => { if (seen()) { o.disconnect(); done(); } })
            .observe(document.body, { subtree: true, childList: true });
        });
        return Math.round(performance.now() - t0);
      }, nth);
      await page.goBack();
      await page.locator('ul.people li').first().waitFor({ timeout: LONG });
    }

    // Save an edited phone number: from the tap on "Simpan" to the person's page showing it.
    const href = await page.locator('ul.people li a').nth(3).getAttribute('href');
    await page.goto(`${relay.url}${href}/ubah`);
    await page.locator('#f-phone').waitFor({ timeout: LONG });
    // The save alone: the documents are read (and synced) before the tap, as after any moment
    // of use; the reload's own cost is measured above.
    await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });
    const phoneNumber = `08${String(Date.now()).slice(-10)}`;
    await page.locator('#f-phone').fill(phoneNumber);
    if (profile) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.setSamplingInterval', { interval: 100 })).then(() => cdp.send('Profiler.start'));
    // The moment the new number is in the page, seen by an observer in the page itself (not by
    // the bench's polling).
    await page.evaluate((phone) => {
      window.__shown = new Promise((resolve) => {
        const seen = () => document.querySelector('.details [data-field="phone"] dd')?.textContent.includes(phone);
        new MutationObserver((_, o) => { if (seen()) { o.disconnect(); resolve(performance.now()); } })
          .observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    }, phoneNumber);
    let t0 = await now(page);
    await page.locator('button[type="submit"]').click();
    await page.locator('.details [data-field="phone"] dd', { hasText: phoneNumber }).waitFor({ timeout: LONG });
    if (profile) printProfile('the save, on the page', (await cdp.send('Profiler.stop')).profile);
    // From the app's tap handler (the bench's click takes its own ~20-30 ms before it) to the
    // number in the page.
    const tapped = await page.evaluate((since) => performance.getEntriesByName('desmigratif:save-tapped').find((m) => m.startTime >= since)?.startTime, t0);
    r.save_to_saved_on_screen_ms = Math.round((await page.evaluate(() => window.__shown)) - tapped);
    r.save_longest_task_ms = await longestTaskSince(page, t0);
    r.save_parts_ms = await saveParts(page, t0);
    await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });

    // A change from another phone arriving while the list is open.
    await page.goto(`${relay.url}/orang`);
    await page.locator('ul.people li').first().waitFor({ timeout: LONG });
    await other.page.addInitScript(() => {});
    await login(other.page, relay.url, 'desa-arjowilangun');
    const firstHref = await page.locator('ul.people li a').first().getAttribute('href');
    await other.page.goto(`${relay.url}${firstHref}/ubah`);
    await other.page.locator('#f-full_name').waitFor({ timeout: LONG });
    // The other phone has read its documents (its save does not wait for them).
    await other.page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });
    const newName = `AAA Bench ${Date.now()}`;
    await other.page.locator('#f-full_name').fill(newName);
    t0 = await now(page);
    await other.page.locator('button[type="submit"]').click();
    await page.getByText(newName).waitFor({ timeout: LONG });
    r.received_change_to_screen_ms = Math.round((await now(page)) - t0);
    r.received_longest_task_ms = await longestTaskSince(page, t0);
  } finally {
    await phone.close();
    await other.close();
  }
  return r;
}

// A district office: reload to the overview with every village's counts, and switching the
// village on screen.
async function measureDistrict(relay, households, throttle) {
  const r = { district: true, households, throttle };
  const office = await launchProfile();
  const { page } = office;
  await page.addInitScript(recordLongTasks);
  const cdp = await office.context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  try {
    let t = Date.now();
    await login(page, relay.url, 'disnaker-malang');
    r.first_login_to_usable_ms = Date.now() - t;
    const villages = await page.locator('.district tbody tr').count();
    r.villages = villages;
    await viewsStored(page, villages);
    t = Date.now();
    await page.reload();
    await page.waitForFunction((n) => document.querySelectorAll('.district tbody tr[data-loaded]').length === n,
      villages, { timeout: LONG, polling: 'raf' });
    r.reload_to_overview_ms = Date.now() - t;
    await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });
    r.reload_to_synced_ms = Date.now() - t;
    r.reload_longest_task_ms = await longestTaskSince(page, 0);
    r.reload_marks_ms = await marks(page);
    const options = await page.locator('#village option').evaluateAll((os) => os.map((o) => o.value));
    const switches = [];
    for (const value of options.slice(1).concat(options.slice(0, 1))) {
      const before = await page.locator('.counts:not(.pillars)').textContent();
      const t0 = await now(page);
      await page.locator('#village').selectOption(value);
      await page.waitForFunction((b) => document.querySelector('.counts:not(.pillars)')?.textContent !== b, before, { polling: 'raf' });
      switches.push(Math.round((await now(page)) - t0));
    }
    r.switch_village_ms = switches;
  } finally {
    await office.close();
  }
  return r;
}

// The bytes a phone sends and receives for a day's work done offline (50 new persons, 100 field
// edits) once it syncs, and for a reconnect with nothing new.
async function measureDay(relay) {
  const r = { day_of_work: true };
  const phone = await launchProfile();
  const { page, context } = phone;
  const traffic = { sent: 0, received: 0, frames_sent: 0, frames_received: 0 };
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => { traffic.sent += payload.length; traffic.frames_sent += 1; });
    ws.on('framereceived', ({ payload }) => { traffic.received += payload.length; traffic.frames_received += 1; });
  });
  const reset = () => Object.keys(traffic).forEach((k) => { traffic[k] = 0; });
  try {
    await login(page, relay.url, 'desa-arjowilangun');
    await context.setOffline(true);
    await page.locator('.sync-status[data-state="offline"]').waitFor({ timeout: LONG });
    const ids = [];
    for (let i = 0; i < 50; i += 1) {
      await page.goto(`${relay.url}/orang/baru`);
      await page.locator('#f-full_name').fill(`Warga Baru ${i}`);
      await page.locator('button[type="submit"]').click();
      await page.locator('.person-name', { hasText: `Warga Baru ${i}` }).waitFor({ timeout: LONG });
      ids.push(new URL(page.url()).pathname);
    }
    for (let i = 0; i < 100; i += 1) {
      await page.goto(`${relay.url}${ids[i % ids.length]}/ubah`);
      const phoneNumber = `0813${String(i).padStart(8, '0')}`;
      await page.locator('#f-phone').fill(phoneNumber);
      await page.locator('button[type="submit"]').click();
      await page.locator('.details [data-field="phone"] dd', { hasText: phoneNumber }).waitFor({ timeout: LONG });
    }
    reset();
    await context.setOffline(false);
    await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });
    Object.assign(r, Object.fromEntries(Object.entries(traffic).map(([k, v]) => [`day_${k}`, v])));
    await context.setOffline(true);
    await page.locator('.sync-status[data-state="offline"]').waitFor({ timeout: LONG });
    reset();
    await context.setOffline(false);
    await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });
    Object.assign(r, Object.fromEntries(Object.entries(traffic).map(([k, v]) => [`reconnect_${k}`, v])));
  } finally {
    await phone.close();
  }
  return r;
}

/** A placement list of `n` rows as a district office gets it: NIKs never seen in the demo. */
function placementCsv(n, seed) {
  const lines = ['NAMA;NIK;JENIS KELAMIN;TGL LAHIR;NEGARA TUJUAN;JABATAN;NOMOR SK;TANGGAL BERANGKAT'];
  for (let i = 0; i < n; i += 1) {
    const serial = String(i + 1).padStart(4, '0');
    const day = 41 + (i % 28);
    lines.push(`Impor ${seed}-${i};3507${seed}${day}0890${serial};P;${String(day - 40).padStart(2, '0')}/08/1990;Taiwan;Perawat lansia;KEP.${seed}.${i}/2026;01/03/2025`);
  }
  return Buffer.from(lines.join('\r\n'));
}

// Importing a placement list of 5,000 rows into a village of the run's size: from choosing the
// file to the preview's counts, and from "Terapkan" to "Tersimpan".
async function measureImport(relay, households, throttle, village, seed) {
  const r = { import: true, households, throttle, rows: 5000 };
  const phone = await launchProfile();
  const { page } = phone;
  await page.addInitScript(recordLongTasks);
  const cdp = await phone.context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  try {
    await login(page, relay.url, village);
    await page.goto(`${relay.url}/impor`);
    await page.locator('#import-file').waitFor({ timeout: LONG });
    // The village is downloaded and stored first (as for the save): the import's own cost.
    await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: LONG });
    let t0 = await now(page);
    await page.locator('#import-file').setInputFiles({ name: 'bench.csv', mimeType: 'text/csv', buffer: placementCsv(5000, seed) });
    await page.locator('.import-counts [data-kind="new"][data-count="5000"]').waitFor({ timeout: LONG });
    r.import_preview_ms = Math.round((await now(page)) - t0);
    r.import_preview_longest_task_ms = await longestTaskSince(page, t0);
    t0 = await now(page);
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.locator('.msg.ok[data-applied="5000-0-5000"]').waitFor({ timeout: LONG });
    r.import_apply_ms = Math.round((await now(page)) - t0);
    r.import_apply_longest_task_ms = await longestTaskSince(page, t0);
    r.import_apply_parts_ms = await saveParts(page, t0);
  } finally {
    await phone.close();
  }
  return r;
}

for (const households of householdRuns) {
  // Seeding four large demo villages takes a while.
  const relay = await startRelay({
    args: ['--demo-households', String(households), '--demo-villages', String(districtVillages)],
    startTimeout: LONG * 5,
  });
  try {
    for (const throttle of throttles) {
      if (importOnly) break;
      if (!districtOnly) console.log(JSON.stringify(await measure(relay, households, throttle)));
      if (!villageOnly) console.log(JSON.stringify(await measureDistrict(relay, households, throttle)));
    }
    if (districtOnly) continue;
    if (households === householdRuns[0] && !villageOnly && !importOnly) console.log(JSON.stringify(await measureDay(relay)));
    // Last: an import adds 5,000 persons. Each throttle imports into another village.
    const importers = ['desa-sumberpetung', 'desa-brongkal', 'desa-balearjo'];
    for (const [i, throttle] of throttles.entries()) {
      console.log(JSON.stringify(await measureImport(relay, households, throttle, importers[i % 3], 11 + i)));
    }
  } finally {
    await relay.stop();
    relay.cleanup();
  }
}
