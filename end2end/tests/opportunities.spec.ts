// Opportunities as a sales rep works them: a deal started from a customer's page, moved along the
// funnel and closed as lost with a reason while the tablet is offline, found in the list, exported as
// CSV for Excel, and on the server once back online with its whole stage history.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { E2E_ADMIN_LOGIN, E2E_LOGIN } from '../playwright.config';
import { apiLogin, newId, pullAll, pushCreates, signIn, navigateTo } from './support';

test('a deal made from a customer, moved and lost offline, reaches the server with its history', async ({
  page,
  context,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const rep = await apiLogin(request, E2E_LOGIN);
  const customerId = newId();
  const customer = `机会客户 ${unique}`;
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: customer, kind: 'dealer', region_unit_id: rep.user.unit_id, owner_id: rep.user.user_id },
    },
  ]);

  await signIn(page, E2E_LOGIN, `customers/${customerId}`);
  await expect(page.getByTestId('record-title')).toHaveText(customer);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await context.setOffline(true);

  // Started from the customer's page, with the customer chosen already.
  const deals = page.getByTestId('related-opportunities');
  await expect(deals).toContainText('暂无。');
  await deals.getByRole('link', { name: '新建' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新建销售机会');
  await expect(page.locator('#opportunities-customer_id')).toHaveValue(customer);
  const create = page.getByRole('button', { name: '创建', exact: true });
  await create.click();
  await expect(page.getByText('“机会名称”为必填项')).toBeVisible();
  const name = `门店冷柜 ${unique}`;
  await page.locator('#opportunities-name').fill(name);
  await page.locator('#opportunities-stage').selectOption({ label: '比较' });
  await page.locator('#opportunities-amount').fill('12.345');
  await page.locator('#opportunities-expected_close').fill('2027-03-31');
  await create.click();
  await expect(page.getByText('请输入以元为单位、最多两位小数的金额')).toBeVisible();
  await page.locator('#opportunities-amount').fill('120000');
  await create.click();

  // Saved, the form goes back to the customer's page it came from; the deal is listed there.
  await expect(page.getByTestId('record-title')).toHaveText(customer);
  await deals.getByRole('link', { name: new RegExp(name) }).click();
  await expect(page).toHaveURL(/\/opportunities\/[0-9a-f-]{36}$/);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  await expect(page.getByTestId('record-title')).toHaveText(name);
  await expect(page.getByTestId('opportunity-stage')).toHaveText('比较');
  await expect(page.getByTestId('waiting-note')).toBeVisible();
  await expect(page.locator('[data-field=amount] dd')).toHaveText('¥120,000.00');
  await expect(page.locator('[data-field=customer_id] dd')).toHaveText(customer);

  // Along the funnel: 比较 → 谈判, by keyboard.
  const stages = page.getByTestId('stage-card');
  await expect(stages.getByRole('button', { name: '比较' })).toHaveAttribute('aria-pressed', 'true');
  await stages.getByRole('button', { name: '谈判' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('opportunity-stage')).toHaveText('谈判');
  await expect(page.getByTestId('opportunity-note')).toContainText('已移到「谈判」');
  await expect(page.getByTestId('stage-history').locator('li')).toHaveCount(2);

  // Lost needs a reason.
  await stages.getByRole('button', { name: '输单' }).click();
  const closing = page.getByTestId('closing-panel');
  await closing.getByRole('button', { name: '确认输单' }).click();
  await expect(closing.getByText('请选择输单原因。')).toBeVisible();
  await expect(closing.getByLabel('输单原因')).toHaveAttribute('aria-invalid', 'true');
  const results = await new AxeBuilder({ page }).include('[data-testid=stage-card]').analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await closing.getByLabel('输单原因').selectOption({ label: '竞争对手' });
  await closing.getByLabel('输单说明').fill('对手报价低 8%');
  await closing.getByRole('button', { name: '确认输单' }).click();
  await expect(page.getByTestId('opportunity-stage')).toHaveText('输单');
  await expect(page.locator('[data-field=lost_reason] dd')).toHaveText('竞争对手');
  await expect(page.getByTestId('stage-history').locator('li')).toHaveCount(3);
  await page.screenshot({ path: testInfo.outputPath('opportunity-lost.png'), fullPage: true });

  // The list: found by its customer; the stage filter keeps it under 输单 and not under 谈判.
  await navigateTo(page, '销售机会');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('销售机会');
  await page.getByLabel('搜索').fill(unique);
  const rows = page.locator('.list-row');
  await expect(rows).toHaveCount(1);
  const stageFilter = page.locator('#list-filter-stage');
  if (!(await stageFilter.isVisible())) await page.locator('.filters-toggle').click();
  await stageFilter.selectOption({ label: '谈判' });
  await expect(page.getByText('没有符合搜索和筛选条件的记录。')).toBeVisible();
  await stageFilter.selectOption({ label: '输单' });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(name);
  await expect(rows.first()).toContainText('输单');
  await expect(rows.first()).toContainText('¥120,000.00');
  await expect(rows.first().getByTestId('waiting')).toHaveText('待同步');

  // CSV for Excel: a byte-order mark, Chinese headers, the deal with its amount in yuan.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('list-export').click()]);
  expect(download.suggestedFilename()).toMatch(/^销售机会-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = fs.readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const csv = bytes.subarray(3).toString('utf8');
  expect(csv.split('\r\n')[0]).toBe('机会名称,客户,阶段,预计金额（元）,负责人,预计成交日期');
  expect(csv).toContain(`${name},${customer},输单,120000.00,`);
  expect(csv).toContain(',2027-03-31');

  // Back online: the server has the deal, lost for a competitor, with all three stages entered.
  await context.setOffline(false);
  await expect
    .poll(
      async () => {
        const deal = (await pullAll(request, rep.token)).find((r) => r.collection === 'opportunities' && r.id === id);
        const history = (deal?.fields.stage_history as { stage: string }[] | undefined) ?? [];
        return {
          stage: deal?.fields.stage,
          reason: deal?.fields.lost_reason,
          note: deal?.fields.lost_note,
          amount: deal?.fields.amount,
          history: history.map((h) => h.stage),
          customer: deal?.fields.customer_id,
        };
      },
      { timeout: 60_000, intervals: [500, 1000, 2000] },
    )
    .toEqual({
      stage: 'lost',
      reason: 'competitor',
      note: '对手报价低 8%',
      amount: 12_000_000,
      history: ['compare', 'negotiate', 'lost'],
      customer: customerId,
    });
  await expect(rows.first().getByTestId('waiting')).toHaveCount(0, { timeout: 30_000 });
});

test('a long list draws only the rows in view and still finds any deal', async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  const unique = randomUUID().slice(0, 8);
  const rep = await apiLogin(request, E2E_LOGIN);
  const customerId = newId();
  const deals = Array.from({ length: 300 }, (_, i) => ({
    collection: 'opportunities',
    id: newId(),
    fields: {
      customer_id: customerId,
      owner_id: rep.user.user_id,
      unit_id: rep.user.unit_id,
      name: `批量机会 ${unique} ${String(i).padStart(3, '0')}`,
      amount: (i + 1) * 100_00,
      stage: 'aware',
      stage_history: [{ stage: 'aware', entered_at: new Date(Date.now() - i * 3_600_000).toISOString() }],
    },
  }));
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: `批量客户 ${unique}`, kind: 'dealer', region_unit_id: rep.user.unit_id, owner_id: rep.user.user_id },
    },
  ]);
  for (let i = 0; i < deals.length; i += 100) await pushCreates(request, rep.token, deals.slice(i, i + 100));

  await signIn(page, E2E_LOGIN, 'opportunities');
  await page.getByLabel('搜索').fill(unique);
  await expect(page.getByTestId('list-count')).toContainText('300');
  const drawn = page.getByTestId('record-list').locator('.list-row');
  // Only a window of the 300 is in the document.
  await expect.poll(() => drawn.count()).toBeLessThan(60);
  await expect.poll(() => drawn.count()).toBeGreaterThan(3);
  // Largest amount first: the amount's column header pressed twice, or on a phone (no headers) the
  // order chosen among the filters.
  const amount = page.getByRole('columnheader', { name: /预计金额/ });
  if (await amount.isVisible()) {
    await amount.getByRole('button').click();
    await expect(amount).toHaveAttribute('aria-sort', 'ascending');
    await expect(drawn.first()).toContainText(`批量机会 ${unique} 000`);
    await amount.getByRole('button').click();
    await expect(amount).toHaveAttribute('aria-sort', 'descending');
  } else {
    await page.locator('.filters-toggle').click();
    await page.getByLabel('排序').selectOption({ label: '预计金额（升序）' });
    await expect(drawn.first()).toContainText(`批量机会 ${unique} 000`);
    await page.getByLabel('排序').selectOption({ label: '预计金额（降序）' });
  }
  await expect(drawn.first()).toContainText(`批量机会 ${unique} 299`);
  await expect(drawn.first()).toContainText('¥30,000.00');
  // Scrolled to the end, the last rows are drawn.
  const scroller = page.locator('.list-scroller');
  await scroller.evaluate((list) => list.scrollTo(0, list.scrollHeight));
  await expect(page.getByTestId('record-list').getByText(`批量机会 ${unique} 000`)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('opportunities-list.png') });
  // A deal another device adds arrives by sync (the browser coming back online syncs at once): the
  // list stays where it was scrolled to.
  const at = await scroller.evaluate((list) => list.scrollTop);
  expect(at).toBeGreaterThan(0);
  const later = newId();
  await pushCreates(request, rep.token, [
    { ...deals[0], id: later, fields: { ...deals[0].fields, name: `后来的机会 ${unique}` } },
  ]);
  await page.context().setOffline(true);
  await page.context().setOffline(false);
  await expect(page.getByTestId('list-count')).toContainText('301');
  await expect(page.getByTestId('record-list').getByText(`批量机会 ${unique} 000`)).toBeVisible();
  expect(await scroller.evaluate((list) => list.scrollTop)).toBe(at);
});

test('a deal shows its products with quantity, price and line amount on its page', async ({ page, request }, testInfo) => {
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const rep = await apiLogin(request, E2E_LOGIN);
  const [priced, listed] = [newId(), newId()];
  await pushCreates(request, admin.token, [
    { collection: 'products', id: priced, fields: { sku: `P-${unique}`, name: `冷柜 ${unique}`, list_price: 150_000 } },
    { collection: 'products', id: listed, fields: { sku: `Q-${unique}`, name: `展架 ${unique}`, list_price: 8_000 } },
  ]);
  const customerId = newId();
  const dealId = newId();
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: `产品客户 ${unique}`, kind: 'dealer', region_unit_id: rep.user.unit_id, owner_id: rep.user.user_id },
    },
    {
      collection: 'opportunities',
      id: dealId,
      fields: {
        customer_id: customerId,
        owner_id: rep.user.user_id,
        unit_id: rep.user.unit_id,
        name: `产品机会 ${unique}`,
        stage: 'aware',
        stage_history: [{ stage: 'aware', entered_at: new Date().toISOString() }],
        product_lines: [
          { product_id: priced, quantity: 3, unit_price: 120_000 },
          { product_id: listed, quantity: 10 },
        ],
      },
    },
  ]);
  await signIn(page, E2E_LOGIN, `opportunities/${dealId}`);
  const lines = page.locator('[data-field=product_lines] tbody tr');
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(0)).toContainText(`冷柜 ${unique}`);
  await expect(lines.nth(0)).toContainText('¥1,200.00');
  await expect(lines.nth(0)).toContainText('¥3,600.00');
  // A line saved without a price of its own is priced at the product's list price.
  await expect(lines.nth(1)).toContainText(`展架 ${unique}`);
  await expect(lines.nth(1)).toContainText('¥80.00');
  await expect(lines.nth(1)).toContainText('¥800.00');
  await expect(page.locator('[data-field=product_lines] [data-testid=lines-total]')).toHaveText('¥4,400.00');
});
