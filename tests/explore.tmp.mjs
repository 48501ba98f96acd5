import { startRelay, newPhone, login, launchBrowser, synced, documentsLoaded } from './e2e/support.mjs';
const relay = await startRelay();
const browser = await launchBrowser();
try {
  const { page } = await newPhone(browser);
  await login(page, relay.url, 'desa-brongkal', 'HP Bu Sri');
  await synced(page);
  const shot = async (name) => { await page.waitForTimeout(300); await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: false }); };
  await shot('01-home');
  await page.goto(relay.url + '/orang'); await page.waitForSelector('ul.people li'); await shot('02-list');
  await page.locator('ul.people li a').first().click(); await page.waitForSelector('dl.details'); await shot('03-person');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight)); await shot('04-person-bottom');
  await page.goto(relay.url + '/orang/baru'); await page.waitForSelector('form'); await shot('05-new-form');
  await page.locator('button[type=submit]').first().click(); await shot('06-new-form-errors');
  await page.goto(relay.url + '/layanan'); await shot('07-services');
  const { page: d } = await newPhone(browser);
  await login(d, relay.url, 'disnaker-malang', 'PC Kantor');
  await synced(d);
  await d.waitForTimeout(500); await d.screenshot({ path: '/tmp/shots/08-district-home.png' });
  await d.goto(relay.url + '/dasbor'); await d.waitForTimeout(1500); await d.screenshot({ path: '/tmp/shots/09-dashboard.png' });
} finally {
  await browser.close(); await relay.stop(); relay.cleanup();
}
