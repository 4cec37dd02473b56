// Promotion evaluation (issue 12): a finished promotion in a store whose orders are known, judged in
// the browser from what the device synced. A store orders 70 units (10 元 each, cost 6 元) every week for
// four weeks, 140 in the promotion's week and 70 the week after; the promotion's expense is 350 元. By
// hand: baseline 10 a day × 7 days = 700 元, uplift 700 元 (+100%), incremental profit 70 × 4 元 = 280 元,
// ROI (280 − 350) / 350 = −0.20, 费效比 350 / 700 = 0.50, no dip. The ranking, the promotion's page, its
// chart and the CSV and PNG files must all say so.
import { test, expect, type APIRequestContext, type Download } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { E2E_ADMIN_LOGIN, E2E_MANAGER_LOGIN } from '../playwright.config';
import { apiLogin, companyUnit, decidePromotion, newId, pushCreates, signIn } from './support';

function isoDay(offset: number): string {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/// The promotion runs from 20 to 14 days ago.
const FIRST = -20;

type Setup = { name: string; storeName: string; promotionId: string };

async function plan(request: APIRequestContext): Promise<Setup> {
  const unique = randomUUID().slice(0, 8);
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const company = await companyUnit(request, admin.token);
  const [storeId, product, promotionId, budgetId, expenseId] = [newId(), newId(), newId(), newId(), newId()];
  const setup = { name: `评估堆头 ${unique}`, storeName: `评估门店 ${unique}`, promotionId };
  const order = (offset: number, quantity: number, n: number) => ({
    collection: 'orders',
    id: newId(),
    fields: {
      customer_id: storeId,
      owner_id: admin.user.user_id,
      unit_id: company.id,
      order_no: `BH-${unique}-${n}`,
      ordered_on: isoDay(offset),
      status: 'delivered',
      lines: [{ product_id: product, quantity, unit_price: 1_000 }],
    },
  });
  await pushCreates(request, admin.token, [
    {
      collection: 'customers',
      id: storeId,
      fields: { name: setup.storeName, kind: 'retail_store', region_unit_id: company.id, owner_id: admin.user.user_id },
    },
    { collection: 'products', id: product, fields: { sku: `EV-${unique}`, name: `评估饮料 ${unique}`, list_price: 1_250, cost: 600 } },
    // Four whole weeks before, the promotion's first day, and the week after.
    ...[-28, -21, -14, -7].map((weeks, n) => order(FIRST + weeks, 70, n)),
    order(FIRST, 140, 4),
    order(FIRST + 7, 70, 5),
    {
      collection: 'promotions',
      id: promotionId,
      fields: {
        name: setup.name,
        kind: 'display',
        unit_id: company.id,
        store_ids: [storeId],
        product_ids: [product],
        starts_on: isoDay(FIRST),
        ends_on: isoDay(FIRST + 6),
        status: 'planned',
      },
    },
    {
      collection: 'budgets',
      id: budgetId,
      fields: { unit_id: company.id, period_start: isoDay(-60), period_end: isoDay(30), cost_item: 'promotion', amount: 1_000_000 },
    },
    {
      collection: 'expenses',
      id: expenseId,
      fields: {
        budget_id: budgetId,
        unit_id: company.id,
        owner_id: admin.user.user_id,
        spent_on: isoDay(FIRST),
        amount: 35_000,
        cost_item: 'promotion',
        promotion_id: promotionId,
      },
    },
  ]);
  // It ran: approved, running, finished, as the regional manager decides it.
  const manager = await apiLogin(request, E2E_MANAGER_LOGIN);
  await decidePromotion(request, manager.token, promotionId, ['approved', 'running', 'finished']);
  return setup;
}

async function saved(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFile(path);
}

test('a finished promotion is judged from its store orders, and its page, chart and files agree', async ({
  page,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name === 'sub-path-tablet', 'the sub-path project checks addresses, not pages');
  test.setTimeout(90_000);
  const setup = await plan(request);
  await signIn(page, E2E_MANAGER_LOGIN, 'evaluation');
  await expect(page).toHaveURL(/\/evaluation$/);

  // The ranking: its row with the hand-computed figures.
  const row = page.locator(`[data-testid=evaluation-row][data-id="${setup.promotionId}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  const cells = row.locator('td, th');
  await expect(cells.nth(1)).toContainText(setup.name);
  await expect(cells.nth(2)).toHaveText('1');
  await expect(cells.nth(3)).toHaveText('140');
  await expect(cells.nth(4)).toHaveText('¥1,400.00');
  await expect(cells.nth(5)).toHaveText('¥700.00');
  await expect(cells.nth(6)).toHaveText('¥700.00');
  await expect(cells.nth(7)).toHaveText('+100.0%');
  await expect(cells.nth(8)).toHaveText('¥280.00');
  await expect(cells.nth(9)).toHaveText('¥350.00');
  await expect(cells.nth(10)).toHaveText('-0.20');
  await expect(cells.nth(11)).toHaveText('0.50');
  await expect(cells.nth(12)).toHaveText('¥0.00');

  // The ranking as CSV: the same figures, with the name in Chinese intact.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('evaluation-export-csv').click()]);
  expect(csv.suggestedFilename()).toMatch(/^促销评估-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = (await saved(csv)).toString('utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  expect(text).toContain(`,${setup.name},1,140,1400.00,700.00,700.00,100.0,280.00,350.00,-0.20,0.50,0.00`);

  // The promotion's page: each figure with how it was computed.
  await row.getByRole('link', { name: setup.name }).click();
  await expect(page).toHaveURL(new RegExp(`/promotions/${setup.promotionId}$`));
  const section = page.getByTestId('promotion-evaluation');
  await expect(section.getByTestId('figure-baseline')).toContainText('¥700.00');
  await expect(section.getByTestId('figure-baseline')).toContainText('日均 ¥100.00 × 7 天');
  await expect(section.getByTestId('figure-uplift')).toContainText('¥700.00 (+100.0%)');
  await expect(section.getByTestId('figure-uplift')).toContainText('¥1,400.00 − ¥700.00');
  await expect(section.getByTestId('figure-profit')).toContainText('增量 ¥700.00 − 成本 ¥420.00');
  await expect(section.getByTestId('figure-roi')).toContainText('-0.20');
  await expect(section.getByTestId('figure-roi')).toContainText('(¥280.00 − ¥350.00) ÷ ¥350.00');
  await expect(section.getByTestId('figure-ratio')).toContainText('0.50');
  await expect(section.getByTestId('evaluation-store')).toContainText(setup.storeName);
  await expect(section.getByTestId('evaluation-store')).toContainText(`4 个无促销的周（自 ${isoDay(FIRST - 28)}）`);

  // The chart: 14 days before, 7 during, 7 after; the promotion's bars carry its first-day order.
  const chart = section.getByTestId('evaluation-chart');
  await expect(chart.locator('rect.sales-chart-bar')).toHaveCount(28);
  await expect(chart.locator('rect.sales-chart-bar.during')).toHaveCount(7);
  await expect(chart.locator(`rect[data-day="${isoDay(FIRST)}"]`)).toHaveAttribute('data-amount', '140000');
  await expect(chart.locator(`rect[data-day="${isoDay(FIRST - 7)}"]`)).toHaveAttribute('data-amount', '70000');
  await expect(chart.getByTestId('evaluation-baseline')).toHaveCount(1);

  // The chart as PNG and the stores as CSV.
  const [png] = await Promise.all([page.waitForEvent('download'), section.getByTestId('evaluation-export-png').click()]);
  const picture = await saved(png);
  expect(picture.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(picture.length).toBeGreaterThan(2_000);
  const [stores] = await Promise.all([page.waitForEvent('download'), section.getByTestId('evaluation-export-stores').click()]);
  expect((await saved(stores)).toString('utf8')).toContain(`${setup.storeName},4 个无促销的周（自 ${isoDay(FIRST - 28)}）,100.00,140,1400.00,700.00,700.00,280.00,0.00`);
});
