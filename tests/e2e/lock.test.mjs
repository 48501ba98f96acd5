// The app lock (issue 12, on the device): the records a phone keeps are sealed with a key only
// its PIN opens, wrong PINs open nothing and ten of them erase the account's data, the app
// locks itself after the idle time without losing what is being typed, and a phone upgraded
// from a version that kept its records in the clear keeps every one of them, sealed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as A from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import {
  startRelay, launchBrowser, newPhone, login, synced, createPerson, PIN, apiLogin,
} from './support.mjs';

let browser;
let relay;
before(async () => {
  browser = await launchBrowser();
  relay = await startRelay();
});
after(async () => {
  await browser?.close();
  await relay?.stop();
  relay?.cleanup();
});

/** Every value the app keeps in IndexedDB, as the raw bytes a thief would read, by key. */
const rawStore = (page) => page.evaluate(async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('desmigratif');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const all = [];
  for (const name of ['chunks', 'meta']) {
    const tx = db.transaction(name);
    const store = tx.objectStore(name);
    const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()].map((r) => new Promise((resolve) => { r.onsuccess = () => resolve(r.result); })));
    keys.forEach((k, i) => all.push([String(k), Array.from(new Uint8Array(values[i].buffer ?? values[i]))]));
  }
  db.close();
  return all;
});

const contains = (bytes, text) => Buffer.from(bytes).includes(Buffer.from(text, 'utf8'));

const locked = (page) => page.locator('html[data-lock="locked"] #unlock-pin').waitFor();

/** Types the PIN on the lock screen and waits until the app is open. */
async function unlock(page) {
  await locked(page);
  await page.locator('#unlock-pin').fill(PIN);
  await page.locator('#unlock-submit').click();
  await page.locator('html[data-lock="open"]').waitFor();
}

/** Searches the person list (a full page load, so the PIN is asked) for `name`. */
async function findPerson(page, name) {
  await page.goto(`${relay.url}/orang`);
  await unlock(page);
  await page.locator('input.search').fill(name);
  await page.locator('.people li', { hasText: name }).waitFor();
}

/** The village document as the relay holds it, read by a stock client of `username`. */
async function relayDoc(username, device) {
  const session = await apiLogin(relay.url, username, device);
  const village = session.documents.find((d) => d.kind === 'village');
  const adapter = new WebSocketClientAdapter(`${relay.url.replace('http', 'ws')}/sync?token=${session.token}&session=js`, 500);
  const repo = new Repo({ network: [adapter], peerId: `${username}/${device}/js`, isEphemeral: true });
  try {
    const handle = await repo.find(`automerge:${village.doc_id}`);
    return { session, village, doc: A.clone(handle.doc()) };
  } finally {
    await repo.shutdown();
  }
}

test('the records on the phone are sealed: no name, NIK or token in its storage; a wrong PIN opens nothing, the right one everything', async () => {
  const { page, context } = await newPhone(browser, { autoUnlock: false });
  try {
    await login(page, relay.url, 'desa-brongkal');
    await synced(page);
    await createPerson(page, 'Wulan Tersegel');
    await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: 60_000 });
    const values = await rawStore(page);
    assert.ok(values.length > 3, 'the village, its sync state and its view are kept');
    // NIKs of the village as the relay holds them: none may be readable on the phone.
    const { doc } = await relayDoc('desa-brongkal', 'uji-nik.0a0b0c');
    const niks = Object.values(doc.persons).map((p) => String(p.nik ?? '')).filter((n) => /^\d{16}$/.test(n)).slice(0, 20);
    assert.ok(niks.length > 5, 'the demo village has NIKs');
    for (const [key, bytes] of values) {
      assert.equal(Buffer.from(bytes.slice(0, 4)).toString(), 'DMe1', `${key} is sealed`);
      assert.ok(!contains(bytes, 'Wulan Tersegel'), `${key} holds no name`);
      for (const nik of niks) assert.ok(!contains(bytes, nik), `${key} holds no NIK`);
    }
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('desmigratif.session')));
    assert.equal(kept.token, '', 'no token in the clear');
    assert.match(kept.sealed_token, /^[0-9a-f]+$/);
    const everything = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
    assert.ok(!everything.includes('Wulan'), 'no record in localStorage');

    await page.reload();
    await locked(page);
    assert.equal(await page.locator('.shell').isHidden(), true, 'nothing shows behind the lock');
    await page.locator('#unlock-pin').fill('135790');
    await page.locator('#unlock-submit').click();
    await page.getByText('PIN salah. Sisa 9 percobaan.').waitFor();
    assert.equal(await page.locator('html').getAttribute('data-lock'), 'locked');
    await unlock(page);
    await findPerson(page, 'Wulan Tersegel');
  } finally {
    await context.close();
  }
});

test('ten wrong PINs erase the account\'s data from the phone, after a warning; logging in again brings back what was sent', async () => {
  const { page, context } = await newPhone(browser, { autoUnlock: false });
  try {
    await login(page, relay.url, 'desa-balearjo');
    await synced(page);
    await page.reload();
    await locked(page);
    for (let i = 1; i <= 7; i++) {
      await page.locator('#unlock-pin').fill(`00000${i}`);
      await page.locator('#unlock-submit').click();
      await page.getByText(`PIN salah. Sisa ${10 - i} percobaan.`).waitFor();
    }
    await page.locator('.wipe-warning', { hasText: 'Setelah 3 PIN salah lagi' }).waitFor();
    assert.ok((await rawStore(page)).length > 0, 'nothing erased yet');
    for (let i = 8; i <= 10; i++) {
      await page.locator('#unlock-pin').fill(`00000${i}`);
      await page.locator('#unlock-submit').click();
      if (i < 10) await page.getByText(`PIN salah. Sisa ${10 - i} percobaan.`).waitFor();
    }
    await page.locator('.erased', { hasText: 'PIN salah 10 kali berturut-turut' }).waitFor();
    assert.deepEqual(await rawStore(page), [], 'the account\'s records are gone from the phone');
    const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('desmigratif.vault') || k === 'desmigratif.session'));
    assert.deepEqual(keys, []);

    await page.locator('#username').fill('desa-balearjo');
    await page.locator('#password').fill('demo-desmigratif');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.locator('#pin-new').fill(PIN);
    await page.locator('#pin-again').fill(PIN);
    await page.getByRole('button', { name: 'Simpan PIN' }).click();
    await synced(page);
    assert.ok(Number(await page.locator('.count[data-category="Pmi"] strong').textContent()) > 0);
  } finally {
    await context.close();
  }
});

test('after the idle time the app locks; what was being typed is there after the PIN', async () => {
  const { page, context } = await newPhone(browser, { autoUnlock: false });
  try {
    await page.clock.install();
    await login(page, relay.url, 'desa-arjowilangun');
    await synced(page);
    await page.goto(`${relay.url}/orang/baru`);
    await unlock(page);
    await page.locator('#f-full_name').fill('Sedang Diketik');
    await page.clock.fastForward('05:10');
    await locked(page);
    assert.equal(await page.locator('.shell').isHidden(), true);
    await unlock(page);
    assert.equal(await page.locator('#f-full_name').inputValue(), 'Sedang Diketik');
  } finally {
    await context.close();
  }
});

test('a phone whose records the previous version kept in the clear keeps every one, unsent included, sealed from its first start', async () => {
  // What the previous version left on a phone: the session with its token, and the village
  // document in the clear, with a person added on the phone and never sent.
  let { session, village, doc } = await relayDoc('desa-sumberpetung', 'HP_lama.a1b2c3');
  const id = 'bb'.repeat(16);
  doc = A.change(doc, (d) => { d.persons[id] = { id, full_name: 'Belum Terkirim Lama', deleted: false }; });
  const saved = Array.from(A.save(doc));

  const { page, context } = await newPhone(browser, { autoUnlock: false });
  try {
    await page.goto(relay.url);
    await page.locator('#username').waitFor();
    await page.evaluate(async ({ session, docId, saved }) => {
      localStorage.setItem('desmigratif.session', JSON.stringify(session));
      localStorage.setItem('desmigratif.device', session.device);
      // The database as the previous version made it.
      const db = await new Promise((resolve) => {
        const r = indexedDB.open('desmigratif', 1);
        r.onupgradeneeded = () => { r.result.createObjectStore('chunks'); r.result.createObjectStore('meta'); };
        r.onsuccess = () => resolve(r.result);
      });
      const tx = db.transaction('chunks', 'readwrite');
      tx.objectStore('chunks').put(new Uint8Array(saved), `${docId}/c/1-legacy`);
      await new Promise((resolve) => { tx.oncomplete = resolve; });
      db.close();
    }, { session, docId: village.doc_id, saved });
    const old = await rawStore(page);
    assert.equal(old.length, 1);
    assert.notEqual(Buffer.from(old[0][1].slice(0, 4)).toString(), 'DMe1', 'the old store is in the clear');

    await page.reload();
    await page.locator('html[data-lock="setup"] #pin-new').fill(PIN);
    await page.locator('#pin-again').fill(PIN);
    await page.getByRole('button', { name: 'Simpan PIN' }).click();
    await page.locator('.counts .count').first().waitFor();
    // The change the old version never sent reaches the relay.
    await synced(page);
    for (const [key, bytes] of await rawStore(page)) {
      assert.equal(Buffer.from(bytes.slice(0, 4)).toString(), 'DMe1', `${key} is sealed`);
      assert.ok(!contains(bytes, 'Belum Terkirim Lama'), `${key} holds no name`);
    }
    await findPerson(page, 'Belum Terkirim Lama');
    const atRelay = await relayDoc('desa-sumberpetung', 'uji-relay.d4e5f6');
    assert.equal(String(atRelay.doc.persons[id]?.full_name), 'Belum Terkirim Lama');
  } finally {
    await context.close();
  }
});
