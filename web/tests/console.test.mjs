// The operator's day in the console, in Debian's Chromium: sign in, create and fund an
// account, find an order placed through the public API, complete it by hand, and see
// balance, ledger and dashboard follow; plus the refusals (wrong password, expired
// session, forged CSRF token). Screenshots of every page go to WARUNG_ARTIFACTS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  cli, importCatalog, launch, orderStatus, placeGameOrder, shot, startServer, tempDir,
} from './harness.mjs';

const password = 'correct horse battery';
let tmp;
let server;
let browser;
let db;

before(async () => {
  tmp = tempDir();
  db = tmp.file('console.db');
  cli(db, ['admin', 'create', 'alice', '--password', password]);
  importCatalog(db, tmp.dir);
  server = await startServer(db, { dir: tmp.dir });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  tmp?.remove();
});

// A link of the main menu (other links on a page may share its words).
const menu = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

async function signIn(page, base, pass = password) {
  await page.goto(base);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill(pass);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a wrong password is refused next to the form, and nothing is shown', async () => {
  const page = await browser.newPage();
  await signIn(page, server.admin, 'not the password');
  await page.getByRole('alert').filter({ hasText: /password/i }).waitFor();
  await shot(page, '01-sign-in-refused');
  assert.equal(await menu(page, 'Dashboard').count(), 0);
  await page.close();
});

test('the operator funds an account, completes its order by hand and sees the books follow', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, server.admin);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await shot(page, '02-dashboard-empty');

  // Create an account: the key is shown once.
  await menu(page, 'Accounts').click();
  await page.getByRole('button', { name: 'New account' }).click();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Give the account a name').waitFor(); // the error sits by the field
  await page.getByLabel('Name').fill('Toko Sinar Jaya');
  await page.getByLabel('Price level').selectOption('premium');
  await page.getByRole('button', { name: 'Create account' }).click();
  const key = (await page.getByTestId('secret').textContent()).trim();
  assert.match(key, /^\S{20,}$/);
  const title = await page.locator('.shown-once strong').textContent();
  const userId = title.match(/\((\S+)\)/)[1];
  await shot(page, '03-account-created-key-shown-once');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('heading', { name: `Account ${userId}` }).waitFor();

  // Credit it: a bad amount is refused next to the field, then Rp 50.000 lands.
  await page.getByLabel('Amount (Rp)').fill('lima puluh');
  await page.getByLabel('Note').first().fill('transfer BCA');
  await page.getByRole('button', { name: 'Credit', exact: true }).click();
  await page.getByText('Enter an amount in whole rupiah').waitFor();
  await page.getByLabel('Amount (Rp)').fill('50.000');
  await page.getByRole('button', { name: 'Credit', exact: true }).click();
  await page.getByTestId('balance').filter({ hasText: 'Rp 50.000' }).waitFor();

  // The reseller orders through the public API (premium price: Rp 9.800).
  const order = await placeGameOrder(server.api, userId, key, 'PULSA10', '081234567890');
  assert.equal(order.price, 9800);

  // Find it in the console by target, open it, complete it with a serial number.
  await menu(page, 'Orders').click();
  await page.getByLabel('Target').fill('081234567890');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: order.ref_id }).click();
  await page.getByRole('heading', { name: `Order ${order.ref_id}` }).waitFor();
  await page.locator('.facts .badge', { hasText: 'Waiting' }).waitFor();
  await shot(page, '04-order-waiting');
  await page.getByRole('radio', { name: 'Success' }).check();
  await page.getByLabel('Voucher / serial number').fill('SN-7788-2026');
  await page.getByRole('button', { name: 'Set to Success' }).click();
  await page.locator('.facts .badge', { hasText: 'Success' }).waitFor();
  await page.getByText('SN-7788-2026').first().waitFor();
  await page.getByText('final (success)').waitFor();
  await shot(page, '05-order-completed');

  // The reseller sees it too, with the serial.
  const seen = await orderStatus(server.api, userId, key, order.ref_id);
  assert.equal(seen.status, 'success');
  assert.equal(seen.voucher, 'SN-7788-2026');

  // Balance and ledger: 50.000 - 9.800 = 40.200, with the credit and the order.
  await page.getByRole('link', { name: userId }).first().click();
  await page.getByTestId('balance').filter({ hasText: 'Rp 40.200' }).waitFor();
  const ledger = await page.getByTestId('ledger-row').allTextContents();
  assert.equal(ledger.length, 2);
  assert.match(ledger[0], /order.*−Rp 9\.800.*Rp 40\.200/);
  assert.match(ledger[1], /credit.*Rp 50\.000.*Rp 50\.000/);
  await shot(page, '06-account-ledger');

  // The dashboard counts today's order and its revenue.
  await menu(page, 'Dashboard').click();
  await page.getByTestId('Today-orders').filter({ hasText: /^1$/ }).waitFor();
  assert.equal(await page.getByTestId('Today-revenue').textContent(), 'Rp 9.800');
  assert.equal(await page.getByTestId('status-success').textContent(), '1');
  await shot(page, '07-dashboard-after');

  // Every other page renders, wide and on a phone.
  for (const [name, path] of [['catalog', '/catalog'], ['service', '/catalog/game/PULSA10'], ['providers', '/providers'],
    ['webhooks', '/webhooks'], ['audit', '/audit'], ['orders', '/orders'], ['accounts', '/accounts']]) {
    await page.goto(server.admin + path);
    await page.locator('main h1').waitFor();
    await shot(page, `08-${name}`);
  }
  // Catalog: a price and a cut-off refused next to their fields (the second by the
  // server), then a new price saved and shown in the list.
  await page.goto(`${server.admin}/catalog/game/PULSA10`);
  const serviceForm = page.getByTestId('service-form');
  await page.getByLabel('Price standar (Rp)').fill('sepuluh ribu');
  await serviceForm.getByRole('button', { name: 'Save service' }).click();
  await serviceForm.locator('.field.has-error', { hasText: 'Price standar' }).getByText('A price in whole rupiah.').waitFor();
  await page.getByLabel('Price standar (Rp)').fill('12.000');
  await page.getByLabel('Cut-off window').fill('25:00-26:00');
  await serviceForm.getByRole('button', { name: 'Save service' }).click();
  await serviceForm.locator('.field.has-error', { hasText: 'Cut-off window' }).getByRole('alert').waitFor();
  await shot(page, '08-service-field-error');
  await page.getByLabel('Cut-off window').fill('23:00-01:00');
  await serviceForm.getByRole('button', { name: 'Save service' }).click();
  await serviceForm.getByText('Saved.').waitFor();
  await page.goto(`${server.admin}/catalog?kind=game`);
  await page.getByRole('row', { name: /PULSA10/ }).getByText('Rp 12.000').waitFor();
  await page.getByRole('row', { name: /PULSA10/ }).getByText('23:00-01:00').waitFor();

  await page.goto(`${server.admin}/audit`);
  await page.getByText('order.status').waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [name, path] of [['dashboard', '/'], ['orders', '/orders'], ['order', `/orders/${order.ref_id}`], ['account', `/accounts/${userId}`]]) {
    await page.goto(server.admin + path);
    await page.locator('main h1').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${name} is wider than a phone by ${overflow}px`);
    await shot(page, `09-phone-${name}`);
  }
  await page.getByRole('button', { name: 'Menu' }).click();
  await menu(page, 'Catalog').click();
  await page.getByRole('heading', { name: 'Catalog' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a change with a forged or missing CSRF token is refused and changes nothing', async () => {
  const page = await browser.newPage();
  await signIn(page, server.admin);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const results = await page.evaluate(async () => {
    const send = (headers) => fetch('/admin/api/accounts', {
      method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ name: 'Forged' }),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
    return [await send({ 'X-CSRF-Token': '0'.repeat(64) }), await send({})];
  });
  for (const r of results) {
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'forbidden');
  }
  const accounts = await page.evaluate(() => fetch('/admin/api/accounts').then((r) => r.json()));
  assert.ok(!accounts.data.accounts.some((a) => a.name === 'Forged'));
  await page.close();
});

test('an expired session sends the operator back to sign in', async () => {
  const t = tempDir();
  const db = t.file('expiry.db');
  cli(db, ['admin', 'create', 'alice', '--password', password]);
  const short = await startServer(db, { dir: t.dir, config: 'session_ttl_s = 2\n' });
  try {
    const page = await browser.newPage();
    await signIn(page, short.admin);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await new Promise((r) => setTimeout(r, 3000));
    await menu(page, 'Accounts').click();
    await page.getByText('Your session has ended').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot(page, '10-session-expired');
    await page.close();
  } finally {
    await short.stop();
    t.remove();
  }
});

test('order form fields and provider routes are saved, and a bad cost is refused next to its field', async () => {
  cli(db, ['provider', 'add', 'grosir', '--dialect', 'osimesa', '--url', 'http://127.0.0.1:9', '--key', 'k',
    '--secret', 's']);
  const page = await browser.newPage();
  await signIn(page, server.admin);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.goto(`${server.admin}/catalog/game/PULSA10`);
  await page.locator('main h1').waitFor();

  const fields = page.locator('.card', { hasText: 'Order form fields' });
  await fields.getByLabel('Help text').fill('Nomor tujuan pengisian');
  await fields.getByRole('button', { name: 'Save fields' }).click();
  await fields.getByRole('status').getByText('Saved.').waitFor();

  const routes = page.locator('.card', { hasText: 'Provider routes' });
  await routes.getByRole('button', { name: 'Add route' }).click();
  await routes.getByLabel("Provider's code").fill('P10');
  await routes.getByLabel(/^Cost/).fill('murah');
  await routes.getByRole('button', { name: 'Save routes' }).click();
  await routes.locator('.field', { hasText: 'Cost' }).getByRole('alert').getByText('A cost in whole rupiah.').waitFor();
  await routes.getByLabel(/^Cost/).fill('9.000');
  await routes.getByRole('button', { name: 'Save routes' }).click();
  await routes.getByRole('status').getByText('Saved.').waitFor();

  await shot(page, '11-service-fields-and-routes');
  await page.reload();
  await page.locator('main h1').waitFor();
  assert.equal(await page.locator('.card', { hasText: 'Order form fields' }).getByLabel('Help text').inputValue(),
    'Nomor tujuan pengisian');
  assert.equal(await page.locator('.card', { hasText: 'Provider routes' }).getByLabel("Provider's code").inputValue(), 'P10');
  await page.close();
});
