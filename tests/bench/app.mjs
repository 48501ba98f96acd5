// Benchmark (not a test): how long the app takes to open a village of about 2,000 persons and
// to search it, in headless Chromium against a real relay. Run by `cargo xtask bench`.
import { startRelay, launchProfile } from '../e2e/support.mjs';

const households = Number(process.env.BENCH_HOUSEHOLDS ?? 500);
const relay = await startRelay({ args: ['--demo-households', String(households)] });
const phone = await launchProfile();
const { page } = phone;
const ms = (t) => Math.round(performance.now() - t);
const results = {};
try {
  await page.goto(relay.url);
  await page.locator('#username').fill('desa-arjowilangun');
  await page.locator('#password').fill('demo-desmigratif');
  let t = performance.now();
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.locator('.counts .count').first().waitFor({ timeout: 120_000 });
  results.first_open_with_download_ms = ms(t);
  await page.locator('.sync-status[data-state="synced"]').waitFor({ timeout: 120_000 });

  t = performance.now();
  await page.reload();
  await page.locator('.counts .count').first().waitFor({ timeout: 120_000 });
  results.reopen_from_device_ms = ms(t);

  await page.getByRole('link', { name: 'Daftar orang' }).click();
  await page.locator('.result-count').waitFor({ timeout: 120_000 });
  const total = await page.locator('.result-count').textContent();
  results.persons = Number.parseInt(total, 10);
  for (const [name, query] of [['search_name_ms', 'sri'], ['search_nik_ms', '0001']]) {
    const before = await page.locator('.result-count').textContent();
    t = performance.now();
    await page.locator('input.search').fill(query);
    await page.waitForFunction((b) => document.querySelector('.result-count')?.textContent !== b, before, { polling: 'raf' });
    results[name] = ms(t);
    await page.locator('input.search').fill('');
    await page.waitForFunction((b) => document.querySelector('.result-count')?.textContent === b, total, { polling: 'raf' });
  }
  console.log(JSON.stringify(results));
} finally {
  await phone.close();
  await relay.stop();
  relay.cleanup();
}
