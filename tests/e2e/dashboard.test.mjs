// The dashboard and the monthly report, as a district clerk and a village officer use them.
// Every expected figure is counted here from the documents themselves, read through the stock
// automerge-repo client (not from the app's own code, and never copied from the screen).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { readFile } from 'node:fs/promises';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { startRelay, launchBrowser, newPhone, login, synced, unzip } from './support.mjs';

const BRONGKAL = '35.07.33.2006';
let relay;
let browser;
let repo;
/** code → { name, doc } for every demo village, as the relay holds them. */
const villages = new Map();

before(async () => {
  relay = await startRelay();
  browser = await launchBrowser();
  const res = await fetch(`${relay.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'disnaker-malang', password: 'demo-desmigratif', device: 'js-count' }),
  });
  const session = await res.json();
  const ws = relay.url.replace('http', 'ws');
  repo = new Repo({
    network: [new WebSocketClientAdapter(`${ws}/sync?token=${session.token}&session=js`, 500)],
    peerId: 'disnaker-malang/js-count/js',
    isEphemeral: true,
  });
  for (const g of session.documents.filter((d) => d.kind === 'village')) {
    const handle = await repo.find(`automerge:${g.doc_id}`);
    villages.set(g.code, { name: g.name, doc: handle.doc() });
  }
});
after(async () => {
  await repo?.shutdown();
  await browser?.close();
  await relay?.stop();
  relay?.cleanup();
});

// --- Counting from the documents -------------------------------------------------------------

const str = (v) => (v == null ? null : String(v));
const countryKey = (c) => String(c ?? '').trim().split(/\s+/).join(' ').toLowerCase();
const monthOf = (date) => str(date)?.slice(0, 7);

/** The live persons of a village document and each one's live episodes, oldest departure first. */
function people(doc) {
  const persons = Object.values(doc.persons).filter((p) => !p.deleted);
  const episodes = new Map(persons.map((p) => [str(p.id), []]));
  for (const e of Object.values(doc.episodes)) {
    if (!e.deleted && episodes.has(str(e.person))) episodes.get(str(e.person)).push(e);
  }
  for (const list of episodes.values()) {
    list.sort((a, b) => (str(a.departure_date) ?? '').localeCompare(str(b.departure_date) ?? ''));
  }
  return persons.map((p) => ({ person: p, episodes: episodes.get(str(p.id)) }));
}

const abroadNow = (e) => ['Abroad', 'Missing'].includes(str(e.state));

/** Figures for one village: `sex` ('Female'/'Male'/null), `country` (or null), months from–to. */
function count(doc, { sex = null, country = null, from, to }) {
  const out = { persons: 0, abroad: 0, departures: 0, returns: 0 };
  const inCountry = (e) => country == null || countryKey(e.destination_country) === countryKey(country);
  const inPeriod = (d) => d != null && monthOf(d) >= from && monthOf(d) <= to;
  for (const { person, episodes } of people(doc)) {
    if (sex && str(person.sex) !== sex) continue;
    out.persons += 1;
    const deceased = episodes.some((e) => str(e.state) === 'Deceased');
    const current = [...episodes].reverse().find(abroadNow);
    if (!deceased && current && inCountry(current)) out.abroad += 1;
    for (const e of episodes.filter(inCountry)) {
      if (inPeriod(e.departure_date)) out.departures += 1;
      if (inPeriod(e.return_date)) out.returns += 1;
    }
  }
  return out;
}

function district(filter) {
  const sum = { persons: 0, abroad: 0, departures: 0, returns: 0 };
  for (const { doc } of villages.values()) {
    const f = count(doc, filter);
    for (const k of Object.keys(sum)) sum[k] += f[k];
  }
  return sum;
}

// The dashboard's default period: the last twelve months up to this one.
function lastYear() {
  const now = new Date();
  const to = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  const start = new Date(now.getFullYear(), now.getMonth() - 11, 1);
  const from = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}`;
  return { from, to };
}

// --- What the screen shows -------------------------------------------------------------------

async function tiles(page) {
  await page.locator('.dashboard[data-loaded]').waitFor();
  const read = async (key) => Number(await page.locator(`[data-figure="${key}"] strong`).textContent());
  return {
    persons: await read('persons'),
    abroad: await read('abroad'),
    departures: await read('departures'),
    returns: await read('returns'),
  };
}

/** Waits until the tiles show `expected` (filters apply as the screen re-renders). */
async function tilesShow(page, expected) {
  const selector = Object.entries(expected)
    .map(([k, v]) => `[data-figure="${k}"] strong`)
    .join(',');
  await page.waitForFunction(
    ([sel, want]) => {
      const got = [...document.querySelectorAll(sel)].map((e) => Number(e.textContent));
      return JSON.stringify(got) === JSON.stringify(want);
    },
    [selector, Object.values(expected)],
    { timeout: 15_000 },
  ).catch(() => {});
  return tiles(page);
}

test('the district dashboard shows what the documents hold, and filters narrow it', async () => {
  const { page, errors } = await newPhone(browser);
  await login(page, relay.url, 'disnaker-malang');
  await synced(page);
  await page.getByRole('link', { name: 'Dasbor & laporan' }).click();
  const period = lastYear();
  const everyone = district({ ...period });
  assert.ok(everyone.abroad > 20 && everyone.departures > 0, JSON.stringify(everyone));
  assert.deepEqual(await tiles(page), everyone);

  // "How many of our women are in Hong Kong, by village?"
  await page.locator('select[name="jk"]').selectOption('P');
  await page.locator('select[name="negara"]').selectOption('Hong Kong');
  const women = district({ ...period, sex: 'Female', country: 'Hong Kong' });
  assert.ok(women.abroad > 0 && women.abroad < everyone.abroad, JSON.stringify(women));
  assert.deepEqual(await tilesShow(page, women), women);
  // Each village's row agrees with its own document.
  const rows = await page.locator('.villages-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  assert.equal(rows.length, villages.size);
  for (const { name, doc } of villages.values()) {
    const row = rows.find((r) => r[0] === name);
    const f = count(doc, { ...period, sex: 'Female', country: 'Hong Kong' });
    assert.deepEqual(row.slice(1, 5).map(Number), [f.persons, f.abroad, f.departures, f.returns], name);
  }

  // The filters live in the address: a reload keeps them.
  assert.match(page.url(), /jk=P/);
  assert.match(page.url(), /negara=Hong%20Kong/);
  await page.reload();
  assert.deepEqual(await tiles(page), women);
  assert.equal(await page.locator('select[name="negara"]').inputValue(), 'Hong Kong');

  // One village, a longer period.
  const arjo = [...villages.entries()].find(([code]) => code === '35.07.11.2008')[1];
  await page.goto(`${relay.url}/dasbor?desa=${encodeURIComponent(await docId('35.07.11.2008'))}&dari=2024-12&sampai=${period.to}`);
  const arjoFigures = count(arjo.doc, { from: '2024-12', to: period.to });
  assert.deepEqual(await tilesShow(page, arjoFigures), arjoFigures);
  // Every chart has its numbers as a table, and the trend covers 24 months.
  for (const chart of await page.locator('figure.chart').all()) {
    assert.equal(await chart.locator('table.numbers').count(), 1);
  }
  assert.equal(await page.locator('[data-chart="trend"] tbody tr').count(), 24);
  const trendDepartures = await page.locator('[data-chart="trend"] tbody tr td:nth-child(2)').allTextContents();
  assert.equal(trendDepartures.map(Number).reduce((a, b) => a + b, 0), arjoFigures.departures);
  // Nothing is wider than the phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  assert.deepEqual(errors, []);
});

async function docId(code) {
  const res = await fetch(`${relay.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'disnaker-malang', password: 'demo-desmigratif', device: 'js-ids' }),
  });
  return (await res.json()).documents.find((d) => d.code === code).doc_id;
}

test('the monthly report prints to an A4 PDF with the period, the office and the totals', async () => {
  const { page } = await newPhone(browser);
  await login(page, relay.url, 'disnaker-malang');
  await synced(page);
  // The month with the most departures in the demo data, so the totals are not all zero.
  const months = new Map();
  for (const { doc } of villages.values()) {
    for (const e of Object.values(doc.episodes)) {
      const m = monthOf(e.departure_date);
      if (m) months.set(m, (months.get(m) ?? 0) + 1);
    }
  }
  const month = [...months.entries()].filter(([m]) => m >= lastYear().from).sort((a, b) => b[1] - a[1])[0][0];
  await page.goto(`${relay.url}/laporan?bulan=${month}`);
  await page.locator('.report[data-loaded]').waitFor();
  const pdf = await page.pdf({ format: 'A4' });
  const doc = await getDocument({ data: new Uint8Array(pdf) }).promise;
  const first = await doc.getPage(1);
  assert.deepEqual(first.view.map(Math.round), [0, 0, 596, 843], 'an A4 page');
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    text += (await (await doc.getPage(i)).getTextContent()).items.map((t) => t.str).join(' ') + '\n';
  }
  text = text.replace(/\s+/g, ' ');
  const names = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
  const [y, m] = month.split('-').map(Number);
  assert.match(text, new RegExp(`Periode ${names[m - 1]} ${y}`));
  assert.match(text, /Dinas Tenaga Kerja Kabupaten Malang/i);
  const expected = district({ from: month, to: month });
  const figure = (label) => Number(text.match(new RegExp(`${label} (\\d+)`))?.[1]);
  assert.equal(figure('Orang tercatat'), expected.persons);
  assert.equal(figure('PMI di luar negeri'), expected.abroad);
  assert.equal(figure('Berangkat bulan ini'), expected.departures);
  assert.ok(expected.departures > 0);
  assert.equal(figure('Pulang bulan ini'), expected.returns);
  for (const { name } of villages.values()) assert.match(text, new RegExp(name));
  // Printed without the app around it.
  assert.doesNotMatch(text, /\bKeluar\b|Tersinkron|Menyinkron|Belum tersinkron/);
});

test('a village officer sees only their own village on the dashboard', async () => {
  const { page } = await newPhone(browser);
  await login(page, relay.url, 'desa-brongkal');
  await synced(page);
  await page.goto(`${relay.url}/dasbor`);
  const own = count(villages.get(BRONGKAL).doc, { ...lastYear() });
  assert.deepEqual(await tiles(page), own);
  assert.equal(await page.locator('select[name="desa"]').count(), 0, 'no village choice');
  assert.equal(await page.locator('.villages-table').count(), 0, 'no comparison with other villages');
  // A link naming another village's document shows the officer's own village, nothing else.
  await page.goto(`${relay.url}/dasbor?desa=${encodeURIComponent(await docId('35.07.11.2008'))}`);
  assert.deepEqual(await tiles(page), own);
  assert.doesNotMatch(page.url(), /desa=/);
});

test('a partner sees only aggregate figures, small cells hidden, and downloads them as CSV', async () => {
  const { page, context, errors } = await newPhone(browser, { acceptDownloads: true });
  await page.goto(relay.url);
  await page.locator('#username').fill('bank-bni');
  await page.locator('#password').fill('demo-desmigratif');
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.locator('.partner[data-state="fresh"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('.sync-status').count(), 0, 'a partner has nothing to sync');
  // Each village's total is its live persons; every number shown is at least 5.
  for (const [code, { doc }] of villages) {
    const total = Object.values(doc.persons).filter((p) => !p.deleted).length;
    const shown = await page.locator(`.partner-village[data-code="${code}"] summary strong`).textContent();
    assert.equal(Number(shown), total, code);
  }
  const cells = await page.locator('.partner-village tbody td:last-child').allTextContents();
  assert.ok(cells.includes('<5'), 'small cells are hidden');
  for (const c of cells.filter((c) => /^\d+$/.test(c))) assert.ok(Number(c) >= 5, c);
  // Not a name or NIK of anyone is on the page.
  const text = await page.locator('main').textContent();
  for (const { doc } of villages.values()) {
    for (const p of Object.values(doc.persons).slice(0, 50)) {
      assert.ok(!text.includes(String(p.full_name)), 'a name on the partner page');
      assert.ok(!text.includes(String(p.nik)), 'a NIK on the partner page');
    }
  }
  // The CSV holds the same cells.
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Unduh CSV' }).click(),
  ]);
  assert.match(file.suggestedFilename(), /^agregat-35\.07\.csv$/);
  const csv = (await readFile(await file.path(), 'utf8')).replace(/^\uFEFF/, '');
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines[0], 'kode_desa,desa,kategori,negara_tujuan,jenis_kelamin,jumlah');
  assert.equal(lines.length - 1, cells.length);
  assert.ok(lines.some((l) => l.endsWith(',<5')));
  assert.deepEqual(errors, []);
  await context.close();
});

// --- Reading the exported files back ---------------------------------------------------------

const unescapeXml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** A sheet's rows as arrays of { type, value } (shared strings resolved), by column letter. */
function sheetRows(files, n) {
  const strings = [...(files.get('xl/sharedStrings.xml') ?? '').matchAll(/<si>.*?<t[^>]*>(.*?)<\/t>.*?<\/si>/gs)].map((m) => unescapeXml(m[1]));
  const xml = files.get(`xl/worksheets/sheet${n}.xml`);
  return [...xml.matchAll(/<row[^>]*>(.*?)<\/row>/gs)].map((row) => {
    const cells = {};
    for (const c of row[1].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)) {
      const type = /t="(\w+)"/.exec(c[2])?.[1] ?? 'n';
      const v = /<v>(.*?)<\/v>/s.exec(c[3] ?? '')?.[1];
      cells[c[1]] = { type, value: type === 's' ? strings[Number(v)] : v };
    }
    return cells;
  });
}

/** CSV lines into fields (quotes and doubled quotes). */
function parseCsv(text) {
  const rows = [];
  for (const line of text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)) {
    const fields = [];
    let field = '', quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted && ch === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) { fields.push(field); field = ''; }
      else field += ch;
    }
    fields.push(field);
    rows.push(fields);
  }
  return rows;
}

test('exports open as spreadsheets: the filtered persons, NIK as text, dates as dates', async () => {
  const { page, context, errors } = await newPhone(browser, { acceptDownloads: true });
  await login(page, relay.url, 'disnaker-malang');
  await synced(page);
  // Women who went to Hong Kong, in every village: counted from the documents.
  const expected = [];
  for (const { name, doc } of villages.values()) {
    for (const { person, episodes } of people(doc)) {
      if (str(person.sex) === 'Female' && episodes.some((e) => countryKey(e.destination_country) === 'hong kong')) {
        expected.push([name, str(person.nik)]);
      }
    }
  }
  assert.ok(expected.length > 5);
  await page.goto(`${relay.url}/dasbor?jk=P&negara=Hong%20Kong`);
  await page.locator('.dashboard[data-loaded]').waitFor();
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Unduh Excel (XLSX)' }).click(),
  ]);
  assert.match(xlsx.suggestedFilename(), /^desmigratif-kabupaten-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const files = unzip(await readFile(await xlsx.path()));
  const persons = sheetRows(files, 1);
  assert.equal(persons[0].B.value, 'NIK');
  const rows = persons.slice(1);
  assert.deepEqual(rows.map((r) => [r.A.value, r.B.value]).sort(), expected.sort());
  for (const r of rows) {
    assert.equal(r.B.type, 's', 'NIK is a text cell');
    if (r.G) assert.equal(r.G.type, 'n', 'the birth date is a date (a number with a date format)');
  }
  assert.ok(sheetRows(files, 2).length > rows.length, 'the episodes sheet has their stays');

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Unduh CSV' }).click(),
  ]);
  const table = parseCsv(await readFile(await csv.path(), 'utf8'));
  assert.equal(table[0][1], 'NIK');
  assert.deepEqual(table.slice(1).map((r) => [r[0], r[1]]).sort(), expected.map(([v, nik]) => [v, `="${nik}"`]).sort());
  assert.deepEqual(errors, []);
  await context.close();
});
