// A promoter's day on a tablet (issue 12): check in, count sales with +1 and the number pad, take
// two display photos through the camera input, record a competitor, lose the network for the rest
// of the day, reload twice, submit, reconnect. The report and both photos reach the server whole
// (each photo's SHA-256 compared with the name the report gives it), the supervisor reads them and
// comments, and the promoter sees the comment on the tablet.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { createHash, randomUUID } from 'node:crypto';
import { E2E_ADMIN_LOGIN, E2E_MANAGER_LOGIN, E2E_PASSWORD, E2E_PROMOTER_LOGIN } from '../playwright.config';
import { apiLogin, companyUnit, decidePromotion, newId, png, pullAll, pushCreates, signIn, type ServerRecord } from './support';

/// A photo with a pattern of its own (`seed`).
function shelfPhoto(width: number, height: number, seed: number): Buffer {
  // Byte x of a row is channel x % 3 of pixel x / 3: the same picture as drawn pixel by pixel.
  return png(width, height, (x, y) => {
    const [px, channel] = [Math.floor(x / 3), x % 3];
    if (channel === 0) return px * seed;
    if (channel === 1) return y + seed * 7;
    return (px ^ y) + seed * 31;
  });
}

function isoDay(offset: number): string {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

type Setup = { promotionName: string; storeName: string; promotionId: string; storeId: string; tea: string; juice: string };

/// A running promotion today in a store of the promoter's unit, with two products and the promoter.
async function plan(request: APIRequestContext): Promise<Setup> {
  const unique = randomUUID().slice(0, 8);
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const promoter = await apiLogin(request, E2E_PROMOTER_LOGIN);
  const company = await companyUnit(request, admin.token);
  const [storeId, tea, juice, promotionId] = [newId(), newId(), newId(), newId()];
  const setup = {
    promotionName: `门店试饮 ${unique}`,
    storeName: `门店 ${unique}`,
    promotionId,
    storeId,
    tea,
    juice,
  };
  await pushCreates(request, admin.token, [
    {
      collection: 'customers',
      id: storeId,
      fields: { name: setup.storeName, kind: 'retail_store', region_unit_id: company.id, owner_id: admin.user.user_id },
    },
    { collection: 'products', id: tea, fields: { sku: `TEA-${unique}`, name: `绿茶 ${unique}`, list_price: 1_990 } },
    { collection: 'products', id: juice, fields: { sku: `JUICE-${unique}`, name: `果汁 ${unique}`, list_price: 5_000 } },
    {
      collection: 'promotions',
      id: promotionId,
      fields: {
        name: setup.promotionName,
        kind: 'tasting',
        unit_id: company.id,
        store_ids: [storeId],
        product_ids: [tea, juice],
        promoter_ids: [promoter.user.user_id],
        starts_on: isoDay(-1),
        ends_on: isoDay(1),
        status: 'planned',
        notes: '买两瓶送试饮杯',
      },
    },
  ]);
  // Approved and running, as the regional manager decides it.
  const manager = await apiLogin(request, E2E_MANAGER_LOGIN);
  await decidePromotion(request, manager.token, promotionId, ['approved', 'running']);
  return setup;
}

/// Opens the day of the set-up promotion (picking its store and card among any others of the day).
async function openDay(page: Page, setup: Setup) {
  // The day's promotions are drawn once the device's data is read; the switch with them.
  await expect(page.getByTestId('store-promotion').first()).toBeVisible();
  const switcher = page.getByTestId('store-switch');
  if (await switcher.isVisible()) {
    await switcher.getByRole('button', { name: setup.storeName }).tap();
  }
  await page.getByTestId('store-promotion').filter({ hasText: setup.promotionName }).tap();
  await expect(page.getByTestId('store-day').getByRole('heading', { name: setup.promotionName })).toBeVisible();
}

function row(page: Page, testid: string) {
  return page.getByTestId(testid);
}

test('a promoter records a whole day offline on a tablet and it reaches the supervisor whole', async ({
  page,
  context,
  request,
  browser,
}, testInfo) => {
  test.skip(!testInfo.project.name.startsWith('tablet-'), 'store mode is for tablets');
  test.setTimeout(120_000);
  const setup = await plan(request);
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 31.2304, longitude: 121.4737, accuracy: 20 });

  await signIn(page, E2E_PROMOTER_LOGIN, 'store');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await openDay(page, setup);
  await expect(page.getByTestId('day-state')).toHaveText('未提交');

  // Check in: the time and the position.
  await page.getByTestId('attendance-button').tap();
  await expect(page.getByTestId('attendance-list')).toContainText('已定位');
  await expect(page.getByTestId('attendance-button')).toHaveText('签退');

  // The network goes for the rest of the day.
  await context.setOffline(true);

  // Tea by +1, three times; juice through the number pad.
  const tea = row(page, `sales-${setup.tea}`);
  for (let i = 0; i < 3; i++) await tea.getByTestId('count-plus').tap();
  await expect(tea.getByTestId('count-value')).toHaveText('3');
  const juice = row(page, `sales-${setup.juice}`);
  await juice.getByTestId('count-value').tap();
  const pad = page.getByTestId('number-pad');
  await pad.getByRole('button', { name: '1', exact: true }).tap();
  await pad.getByRole('button', { name: '2', exact: true }).tap();
  await expect(pad.getByTestId('pad-display')).toHaveText('12');
  await pad.getByTestId('pad-ok').tap();
  await expect(juice.getByTestId('count-value')).toHaveText('12');
  await expect(page.getByTestId('sales-totals')).toHaveText('合计 15 件 · ¥659.70');

  await row(page, 'count-customer_count').getByTestId('count-plus').tap();
  await row(page, 'count-customer_count').getByTestId('count-plus').tap();
  await row(page, 'count-samples_given').getByTestId('count-value').tap();
  await page.keyboard.type('30');
  await page.keyboard.press('Enter');
  await expect(row(page, 'count-samples_given').getByTestId('count-value')).toHaveText('30');

  // Two display photos through the camera input, the first with a caption.
  await page.getByTestId('photo-caption').fill('端架陈列');
  await page.getByTestId('display-photo-input').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: shelfPhoto(1200, 900, 3) });
  await expect(page.getByTestId('display-photos').getByTestId('photo-tile')).toHaveCount(1);
  await page.getByTestId('display-photo-input').setInputFiles({ name: 'b.png', mimeType: 'image/png', buffer: shelfPhoto(900, 1200, 11) });
  const tiles = page.getByTestId('display-photos').getByTestId('photo-tile');
  await expect(tiles).toHaveCount(2);
  await expect(tiles.first()).toContainText('端架陈列');
  await expect(tiles.getByTestId('photo-state')).toHaveText(['待上传', '待上传']);

  // A competitor.
  await page.getByTestId('competitor-add').tap();
  await page.getByTestId('competitor-save').tap();
  await expect(page.getByTestId('competitor-error')).toHaveText('请填写竞品的品牌。');
  await page.getByTestId('competitor-brand').fill('某茶');
  await page.getByTestId('competitor-product').fill('冰红茶 500ml');
  await page.getByTestId('competitor-price').fill('3.5');
  await page.getByTestId('competitor-promotion').fill('第二瓶半价');
  await page.getByTestId('competitor-save').tap();
  await expect(page.getByTestId('competitor-entry')).toContainText('某茶');
  await expect(page.getByTestId('competitor-entry')).toContainText('¥3.50');

  // Two reloads without a network: everything is still there, the photos from the device.
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await openDay(page, setup);
    await expect(row(page, `sales-${setup.tea}`).getByTestId('count-value')).toHaveText('3');
    await expect(page.getByTestId('sales-totals')).toHaveText('合计 15 件 · ¥659.70');
    await expect(page.getByTestId('display-photos').getByTestId('photo-tile').locator('img')).toHaveCount(2);
    await expect(page.getByTestId('competitor-entry')).toHaveCount(1);
  }

  // Submit, still offline.
  await page.getByTestId('submit-day').tap();
  await expect(page.getByTestId('submit-confirm')).toContainText('销量 15 件');
  await page.getByTestId('submit-day-confirm').tap();
  await expect(page.getByTestId('day-state')).toContainText('已提交');
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'offline');

  // Back online: the report goes, then the photos.
  await context.setOffline(false);
  await expect(page.getByTestId('display-photos').getByTestId('photo-state')).toHaveText(['已上传', '已上传'], {
    timeout: 60_000,
  });

  // The supervisor's side: the report as submitted, and each photo whole.
  const manager = await apiLogin(request, E2E_MANAGER_LOGIN);
  const reports = (await pullAll(request, manager.token)).filter(
    (r: ServerRecord) => r.collection === 'promotion_reports' && r.fields.promotion_id === setup.promotionId,
  );
  expect(reports).toHaveLength(1);
  const report = reports[0];
  expect(report.fields.units_sold).toBe(15);
  expect(report.fields.sales_amount).toBe(65_970);
  expect(report.fields.customer_count).toBe(2);
  expect(report.fields.samples_given).toBe(30);
  expect(report.fields.submitted_at).toBeTruthy();
  expect((report.fields.attendance as { position: string }[])[0].position).toBe('located');
  const photos = report.fields.display_photos as { photo: string; caption?: string }[];
  expect(photos).toHaveLength(2);
  expect(photos[0].caption).toBe('端架陈列');
  for (const { photo } of photos) {
    const file = await request.get(`api/v1/attachments/${photo}?collection=promotion_reports&record=${report.id}`, {
      headers: { Authorization: `Bearer ${manager.token}` },
    });
    expect(file.status()).toBe(200);
    expect(file.headers()['content-type']).toBe('image/jpeg');
    expect(createHash('sha256').update(await file.body()).digest('hex')).toBe(photo);
  }
  expect((report.fields.competitor_activity as { brand: string; price: number }[])[0]).toMatchObject({
    brand: '某茶',
    price: 350,
  });

  // The supervisor reads the report on its page, photos included, flags a problem and comments.
  const office = await browser.newContext({
    baseURL: testInfo.project.use.baseURL,
    viewport: testInfo.project.use.viewport,
    hasTouch: true,
  });
  const supervisor = await office.newPage();
  // Today's reports in her stores, waiting ones first; this one waits, with its two photos.
  await signIn(supervisor, E2E_MANAGER_LOGIN, 'reviews');
  const card = supervisor.locator(`[data-testid=day-report][data-id="${report.id}"]`);
  await expect(card.getByTestId('day-report-state')).toHaveText('待审阅');
  await expect(card).toContainText(setup.storeName);
  await expect(card).toContainText('销量 15 件 · ¥659.70');
  await expect(card.getByTestId('photo-tile')).toHaveCount(2);
  await card.getByTestId('day-report-open').tap();
  await expect(supervisor).toHaveURL(new RegExp(`/promotion-reports/${report.id}$`));
  const panel = supervisor.getByTestId('review-panel');
  await expect(panel.getByTestId('review-state')).toHaveText('已提交，等待审阅。');
  const shown = supervisor.locator('[data-field="display_photos"] img');
  await expect(shown).toHaveCount(2);
  await expect
    .poll(() => shown.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0)))
    .toEqual([true, true]);
  await panel.getByLabel('缺货').check();
  await panel.getByTestId('review-comment-input').fill('端架没有摆满，明天补货后再拍一张');
  await panel.getByTestId('review-save').tap();
  await expect(panel.getByTestId('review-note')).toBeVisible();
  await expect(panel.getByTestId('review-state')).toContainText('促销员不能再修改');
  await supervisor.goBack();
  await expect(card.getByTestId('day-report-state')).toHaveText('已审阅');
  await expect(card).toContainText('缺货');
  // The promotion's gallery has both photos under the store.
  await supervisor.goto(`promotions/${setup.promotionId}`);
  const gallery = supervisor.getByTestId('promotion-photos');
  await expect(gallery.getByRole('heading', { name: setup.storeName })).toBeVisible();
  await expect(gallery.getByTestId('photo-tile')).toHaveCount(2);
  await expect(gallery.getByTestId('photo-tile').first()).toContainText('陈列');
  // Sent before the supervisor's browser closes.
  await expect(supervisor.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  await office.close();

  // The promoter sees the comment on the tablet, and the day is closed.
  await page.reload();
  await openDay(page, setup);
  await expect(page.getByTestId('review-comment')).toHaveText('端架没有摆满，明天补货后再拍一张', { timeout: 30_000 });
  await expect(page.getByTestId('review-card')).toContainText('缺货');
  await expect(page.getByTestId('day-state')).toHaveText('主管已审阅，不能再修改');
  await expect(row(page, `sales-${setup.tea}`).getByTestId('count-plus')).toBeDisabled();
});

test('a session that ends during an offline day loses nothing: the day goes once she signs in again', async ({
  page,
  context,
  request,
}, testInfo) => {
  test.skip(!testInfo.project.name.startsWith('tablet-'), 'store mode is for tablets');
  test.setTimeout(120_000);
  const setup = await plan(request);
  await signIn(page, E2E_PROMOTER_LOGIN, 'store');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await openDay(page, setup);

  // Offline, she counts; meanwhile the server ends her session (it expired, or was signed out
  // elsewhere): the tablet cannot know until it is back online.
  await context.setOffline(true);
  const tea = row(page, `sales-${setup.tea}`);
  for (let i = 0; i < 4; i++) await tea.getByTestId('count-plus').tap();
  await expect(tea.getByTestId('count-value')).toHaveText('4');
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.session')!).token);
  const out = await request.post('api/v1/auth/logout', { headers: { Authorization: `Bearer ${token}` } });
  expect(out.status()).toBeLessThan(300);

  // A reload and more counting, still offline.
  await page.reload();
  await openDay(page, setup);
  await expect(row(page, `sales-${setup.tea}`).getByTestId('count-value')).toHaveText('4');
  await row(page, `sales-${setup.tea}`).getByTestId('count-plus').tap();
  await expect(row(page, `sales-${setup.tea}`).getByTestId('count-value')).toHaveText('5');

  // Online: the server refuses the old session. The day stays on the tablet and the top bar asks
  // her to sign in again.
  await context.setOffline(false);
  const indicator = page.locator('.topbar .sync-indicator');
  await expect(indicator).toHaveAttribute('data-state', 'signin', { timeout: 30_000 });
  await expect(row(page, `sales-${setup.tea}`).getByTestId('count-value')).toHaveText('5');
  await indicator.tap();
  await page.locator('input[name=username]').fill(E2E_PROMOTER_LOGIN);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').tap();
  await expect(indicator).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });

  // The report reached the server with all five.
  const manager = await apiLogin(request, E2E_MANAGER_LOGIN);
  const reports = (await pullAll(request, manager.token)).filter(
    (r: ServerRecord) => r.collection === 'promotion_reports' && r.fields.promotion_id === setup.promotionId,
  );
  expect(reports).toHaveLength(1);
  expect(reports[0].fields.units_sold).toBe(5);
  const lines = reports[0].fields.sales_lines as { product_id: string; units: number }[];
  expect(lines.find((l) => l.product_id === setup.tea)?.units).toBe(5);
});
