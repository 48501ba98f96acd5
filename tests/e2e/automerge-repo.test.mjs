// A stock automerge-repo client (the npm packages, as a third-party device would use them)
// syncs village documents through the relay, within the access its account has.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import WebSocket from 'ws';
import { startRelay, launchBrowser, newPhone, login as loginPhone, synced, editField, apiLogin } from './support.mjs';

const ARJO = '35.07.11.2008';
let relay;
const repos = [];
before(async () => { relay = await startRelay(); });
after(async () => {
  for (const r of repos) await r.shutdown();
  await relay?.stop();
  relay?.cleanup();
});

const tokens = [];
async function login(username, device) {
  const session = await apiLogin(relay.url, username, device);
  tokens.push(session.token);
  return session;
}

/// A repo connected to the relay as `username` from `device`.
async function connect(username, device) {
  const session = await login(username, device);
  const ws = relay.url.replace('http', 'ws');
  const adapter = new WebSocketClientAdapter(`${ws}/sync?token=${session.token}&session=js`, 500);
  const repo = new Repo({ network: [adapter], peerId: `${username}/${device}/js`, isEphemeral: true });
  repos.push(repo);
  return { repo, session };
}

const docUrl = (session, kind, code) =>
  `automerge:${session.documents.find((d) => d.kind === kind && (!code || d.code === code)).doc_id}`;

const within = (ms, promise) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

test('a stock client reads its village, writes a person, and the district office sees it', async () => {
  const { repo, session } = await connect('desa-arjowilangun', 'js-phone');
  const handle = await within(20_000, repo.find(docUrl(session, 'village')));
  const doc = handle.doc();
  assert.equal(String(doc.meta.code), ARJO); // Rust writes scalar strings: ImmutableString in JS
  const before = Object.keys(doc.persons).length;
  assert.ok(before > 100, `the demo village has persons (${before})`);

  const id = 'aa'.repeat(16);
  handle.change((d) => { d.persons[id] = { id, full_name: 'Dari Klien JS', deleted: false }; });

  const office = await connect('disnaker-malang', 'js-office');
  const url = docUrl(office.session, 'village', ARJO);
  // Waits on the handle's change events, not on a clock.
  const seen = await within(20_000, (async () => {
    const h = await office.repo.find(url);
    if (h.doc().persons[id]) return h.doc().persons[id];
    return new Promise((resolve) => {
      h.on('change', ({ doc: d }) => { if (d.persons[id]) resolve(d.persons[id]); });
    });
  })());
  assert.equal(seen?.full_name, 'Dari Klien JS');
});

test('a person a stock client writes (strings as text objects) shows on the village phone, editable, with its history', async () => {
  const { repo, session } = await connect('desa-arjowilangun', 'js-tablet');
  const handle = await within(20_000, repo.find(docUrl(session, 'village')));
  const id = 'bb'.repeat(16);
  handle.change((d) => {
    d.persons[id] = { id, full_name: 'Teks Klien JS', nik: '3507115208900002', sex: 'Female', birth_date: '1990-08-12', dusun: 'Krajan', deleted: false };
  });
  const browser = await launchBrowser();
  const { page, context, errors } = await newPhone(browser);
  try {
    await loginPhone(page, relay.url, 'desa-arjowilangun', 'hp-uji');
    await synced(page);
    await page.goto(`${relay.url}/orang/${id}`);
    await page.locator('.person-name', { hasText: 'Teks Klien JS' }).waitFor();
    assert.equal((await page.locator('.details [data-field="birth_date"] dd').textContent()).trim(), '12-08-1990');
    assert.equal((await page.locator('.details [data-field="sex"] dd').textContent()).trim(), 'Perempuan');
    assert.equal(await page.locator('.damaged, .msg.error').count(), 0, 'not shown as damaged');
    await page.locator('ul.history li', { hasText: 'aplikasi lain' }).waitFor();

    await editField(page, 'phone', '081299990000');
    await page.locator('.details [data-field="phone"] dd', { hasText: '081299990000' }).waitFor();
    // The stock client receives the edit: a scalar string in its document.
    const phone = await within(20_000, new Promise((resolve) => {
      const now = handle.doc().persons[id]?.phone;
      if (now) resolve(now);
      handle.on('change', ({ doc: d }) => { if (d.persons[id]?.phone) resolve(d.persons[id].phone); });
    }));
    assert.equal(String(phone), '081299990000');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await browser.close();
  }
});

test('a stock client cannot open another village', async () => {
  const { repo } = await connect('desa-brongkal', 'js-phone-2');
  const other = (await login('disnaker-malang', 'js-office-2')).documents.find((d) => d.code === ARJO).doc_id;
  // The relay answers doc-unavailable, exactly as for a document that does not exist; a mere
  // timeout would not show that the relay refused.
  await assert.rejects(within(20_000, repo.find(`automerge:${other}`)), /unavailable/i);
});

test('a wrong token is refused with 401 before the upgrade', async () => {
  const ws = relay.url.replace('http', 'ws');
  const status = await new Promise((resolve) => {
    const socket = new WebSocket(`${ws}/sync?token=not-a-token`);
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    socket.on('open', () => resolve(101));
    socket.on('error', () => {});
  });
  assert.equal(status, 401);
});

test('the relay logs neither tokens nor NIKs, even at debug level', async () => {
  const debug = await startRelay({ extraEnv: { RUST_LOG: 'debug' } });
  try {
    const res = await fetch(`${debug.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'desa-arjowilangun', password: 'demo-desmigratif', device: 'log-check' }),
    });
    const { token, documents } = await res.json();
    const ws = debug.url.replace('http', 'ws');
    const repo = new Repo({
      network: [new WebSocketClientAdapter(`${ws}/sync?token=${token}&session=log`, 500)],
      peerId: 'desa-arjowilangun/log-check/log', isEphemeral: true,
    });
    const handle = await within(20_000, repo.find(`automerge:${documents[0].doc_id}`));
    assert.ok(Object.keys(handle.doc().persons).length > 0);
    await repo.shutdown();
    await debug.stop();
    const logs = debug.logs.join('\n');
    assert.ok(logs.includes('peer connected'), 'debug logs were captured');
    assert.ok(!logs.includes(token), 'a token appeared in the logs');
    assert.doesNotMatch(logs, /\d{16}/, 'a 16-digit number (a NIK or No. KK) appeared in the logs');
  } finally {
    await debug.stop();
    debug.cleanup();
  }
  for (const t of tokens) assert.ok(!relay.logs.join('\n').includes(t));
});
