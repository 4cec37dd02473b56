// The promotion calendar narrowed by place, store, product and promoter, and the timeline's rows:
// stores under headings for their region and area, or one row per product. Three promotions in three
// stores of two areas of one region, pushed first; the calendar is searched for them so other tests'
// promotions do not count.
import { test, expect } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { E2E_ADMIN_LOGIN, E2E_MANAGER_LOGIN, E2E_PROMOTER_LOGIN } from '../playwright.config';
import { apiLogin, companyUnit, newId, pushCreates, signIn } from './support';

test('the calendar filters by region, store, product and promoter; the timeline groups stores and lists products', async ({
  page,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-landscape' && testInfo.project.name !== 'phone', 'a tablet and a phone');
  test.setTimeout(90_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const manager = await apiLogin(request, E2E_MANAGER_LOGIN);
  const promoter = await apiLogin(request, E2E_PROMOTER_LOGIN);
  const company = await companyUnit(request, admin.token);
  const [region, north, south] = [newId(), newId(), newId()];
  const [s1, s2, s3] = [newId(), newId(), newId()];
  const [tea, juice] = [newId(), newId()];
  const [x, y, z] = [newId(), newId(), newId()];
  const store = (id: string, name: string, unit: string) => ({
    collection: 'customers',
    id,
    fields: { name: `${name} ${unique}`, kind: 'retail_store', region_unit_id: unit, owner_id: manager.user.user_id },
  });
  const promotion = (id: string, name: string, stores: string[], fields: Record<string, unknown>) => ({
    collection: 'promotions',
    id,
    fields: { name: `${name} ${unique}`, kind: 'display', unit_id: region, store_ids: stores, starts_on: '2031-04-07', ends_on: '2031-04-09', status: 'planned', ...fields },
  });
  await pushCreates(request, admin.token, [
    { collection: 'org_units', id: region, fields: { name: `筛选大区 ${unique}`, kind: 'region', parent_id: company.id } },
    { collection: 'org_units', id: north, fields: { name: `北区 ${unique}`, kind: 'area', parent_id: region } },
    { collection: 'org_units', id: south, fields: { name: `南区 ${unique}`, kind: 'area', parent_id: region } },
    store(s1, '北一店', north),
    store(s2, '北二店', north),
    store(s3, '南一店', south),
    { collection: 'products', id: tea, fields: { sku: `TEA-${unique}`, name: `绿茶 ${unique}`, list_price: 500 } },
    { collection: 'products', id: juice, fields: { sku: `JUICE-${unique}`, name: `果汁 ${unique}`, list_price: 600 } },
    promotion(x, '绿茶陈列', [s1], { product_ids: [tea], promoter_ids: [promoter.user.user_id] }),
    promotion(y, '果汁陈列', [s3], { product_ids: [juice] }),
    promotion(z, '堆头', [s2], {}),
  ]);

  await signIn(page, E2E_MANAGER_LOGIN, 'promotions?date=2031-04-07&view=timeline');
  await page.getByLabel('搜索').fill(unique);
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toHaveAttribute('data-rows', '3');
  // The region's heading, then each area's over its stores.
  await expect(timeline.getByTestId('timeline-heading')).toHaveText([`筛选大区 ${unique}`, `北区 ${unique}`, `南区 ${unique}`]);
  await expect(timeline.locator('.timeline-row[data-store]')).toHaveCount(3);

  // On a phone the filters fold away behind a button, so the timeline is on the first screen.
  if (testInfo.project.name === 'phone') {
    await expect(page.getByLabel('区域')).toBeHidden();
    await page.getByTestId('calendar-filters-toggle').tap();
  }
  // The north area: its two stores, and only they are offered as stores.
  await page.getByLabel('区域').selectOption({ label: `筛选大区 ${unique} › 北区 ${unique}` });
  await expect(timeline).toHaveAttribute('data-rows', '2');
  await expect(timeline.getByTestId('timeline-heading')).toHaveText([`筛选大区 ${unique}`, `北区 ${unique}`]);
  await expect(page.locator('#calendar-store option', { hasText: unique })).toHaveText([`北一店 ${unique}`, `北二店 ${unique}`]);
  await page.getByLabel('产品').selectOption({ label: `绿茶 ${unique}` });
  await expect(timeline).toHaveAttribute('data-rows', '1');
  await expect(timeline.locator(`.timeline-row[data-store="${s1}"]`)).toHaveCount(1);
  await page.getByLabel('产品').selectOption({ label: '全部' });
  await page.getByLabel('促销员').selectOption({ label: '测试促销员' });
  if (testInfo.project.name === 'phone') {
    await expect(page.getByTestId('calendar-filters-toggle')).toHaveText('筛选（2）');
  }
  await expect(timeline.locator('.timeline-row[data-store]')).toHaveCount(1);
  await expect(timeline.locator(`.timeline-row[data-store="${s1}"] [data-id="${x}"]`)).toHaveCount(1);
  await page.getByLabel('促销员').selectOption({ label: '全部' });
  await page.getByLabel('区域').selectOption({ label: '全部' });

  // A row per product, then one for the promotion that names none.
  await page.getByLabel('按行显示').selectOption({ label: '产品' });
  await expect(timeline.locator('.timeline-row[data-product]')).toHaveCount(3);
  await expect(timeline.locator(`.timeline-row[data-product="${juice}"] [data-id="${y}"]`)).toHaveCount(1);
  await expect(timeline.locator(`.timeline-row[data-product="${tea}"] [data-id="${x}"]`)).toHaveCount(1);
  await expect(timeline.locator('.timeline-row[data-product=""]')).toContainText('未指定产品');
  await expect(timeline.locator('.timeline-row[data-product=""] [data-id]')).toHaveAttribute('data-id', z);

  // The month view counts what the filter keeps.
  await page.getByTestId('view-month').click();
  await expect(page.getByTestId('calendar-summary')).toContainText('3 个促销');
  await page.getByLabel('区域').selectOption({ label: `筛选大区 ${unique} › 南区 ${unique}` });
  await expect(page.getByTestId('calendar-summary')).toContainText('1 个促销');
  await page.getByLabel('门店').selectOption({ label: `南一店 ${unique}` });
  await expect(page.getByTestId('calendar-summary')).toContainText('1 个促销');
  await expect(page.locator(`[data-testid=calendar-bar][data-id="${y}"]`).first()).toBeVisible();
});
