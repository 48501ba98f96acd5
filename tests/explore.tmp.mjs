import { startRelay, newPhone, login, launchBrowser, synced, editField } from './e2e/support.mjs';
const relay = await startRelay();
const browser = await launchBrowser();
try {
  const { page } = await newPhone(browser);
  await login(page, relay.url, 'desa-brongkal', 'HP Bu Sri');
  await synced(page);
  const shot = async (name, p = page) => { await p.waitForTimeout(400); await p.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: false }); };
  await page.goto(relay.url + '/orang'); await page.waitForSelector('ul.people li');
  await page.locator('ul.people li a').nth(2).click(); await page.waitForSelector('dl.details');
  const path = new URL(page.url()).pathname;
  await page.goto(relay.url + path + '/ubah'); await page.waitForTimeout(800); await shot('10-edit-form');
  await page.goto(relay.url + path);
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight)); await shot('11-person-end');
  const links = await page.evaluate(() => [...document.querySelectorAll('a')].map(a => a.getAttribute('href')).filter(h => h && h.startsWith('/')));
  console.log([...new Set(links)].join(' '));
  for (const [i, href] of ['/layanan', '/layanan/kasus', '/layanan/kasus/baru', '/layanan/usaha', '/layanan/koperasi', '/layanan/pelatihan/baru'].entries()) {
    await page.goto(relay.url + href); await shot(`2${i}-${href.slice(1).replaceAll('/', '_')}`);
  }
} finally {
  await browser.close(); await relay.stop(); relay.cleanup();
}
