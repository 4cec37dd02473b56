// Planning a promotion in its form, as a regional manager does on a tablet or a phone: the stores of
// one area ticked at once from the list grouped by region and area (with counts), a promoter, the
// budget by cost item (the budget follows the lines' total), a goal uplift, and the promoter's day
// in one of the promotion's own stores. The record reaches the server with all of it, and a shift
// outside the promotion's days is refused with the rule's reason before anything is saved.
import { test, expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { E2E_ADMIN_LOGIN, E2E_MANAGER_LOGIN, E2E_PROMOTER_LOGIN } from '../playwright.config';
import { apiLogin, companyUnit, newId, pullAll, pushCreates, signIn } from './support';

/// A form's input by its label as shown (a required field's label ends in *).
function field(page: Page, label: string) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}\\*?$`));
}

test('a promotion is planned with an area’s stores, budget lines, a goal and a promoter’s shift', async ({ page, request }, testInfo) => {
  test.skip(testInfo.project.name === 'desktop' || testInfo.project.name === 'sub-path-tablet', 'tablet and phone sizes');
  test.setTimeout(120_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const manager = await apiLogin(request, E2E_MANAGER_LOGIN);
  const promoter = await apiLogin(request, E2E_PROMOTER_LOGIN);
  const company = await companyUnit(request, admin.token);
  const [region, area, otherArea] = [newId(), newId(), newId()];
  const stores = [newId(), newId(), newId()];
  const elsewhere = newId();
  const store = (id: string, name: string, unit: string) => ({
    collection: 'customers',
    id,
    fields: { name, kind: 'retail_store', region_unit_id: unit, owner_id: manager.user.user_id },
  });
  await pushCreates(request, admin.token, [
    { collection: 'org_units', id: region, fields: { name: `规划大区 ${unique}`, kind: 'region', parent_id: company.id } },
    { collection: 'org_units', id: area, fields: { name: `规划一区 ${unique}`, kind: 'area', parent_id: region } },
    { collection: 'org_units', id: otherArea, fields: { name: `规划二区 ${unique}`, kind: 'area', parent_id: region } },
    store(stores[0], `规划甲店 ${unique}`, area),
    store(stores[1], `规划乙店 ${unique}`, area),
    store(stores[2], `规划丙店 ${unique}`, area),
    store(elsewhere, `规划丁店 ${unique}`, otherArea),
  ]);

  await signIn(page, E2E_MANAGER_LOGIN, 'promotions/new');
  await field(page, '促销名称').fill(`规划试吃 ${unique}`);
  await field(page, '促销方式').selectOption({ label: '试吃试饮' });
  await field(page, '开始日期').fill('2031-03-10');
  await field(page, '结束日期').fill('2031-03-12');

  // The region's row counts its four stores; ticking the first area takes its three at once.
  const storeList = page.getByTestId('grouped-store_ids');
  await storeList.getByRole('searchbox').fill(unique);
  const regionRow = storeList.locator(`[data-region="规划大区 ${unique}"]`);
  await expect(regionRow.getByTestId('region-tally')).toHaveText('0/4');
  // The search leaves only this test's region (other tests' regions hold other names).
  await expect(storeList.locator('.grouped-region:visible')).toHaveCount(1);
  await regionRow.locator(`[data-group="规划一区 ${unique}"] .grouped-subhead input`).check();
  await expect(regionRow.getByTestId('region-tally')).toHaveText('3/4');
  await expect(storeList.getByTestId('grouped-count')).toContainText('已选 3 /');
  await expect(storeList.getByRole('checkbox', { name: `规划丁店 ${unique}`, exact: true })).not.toBeChecked();

  const promoterList = page.getByTestId('grouped-promoter_ids');
  await promoterList.getByRole('searchbox').fill('测试促销员');
  await promoterList.getByRole('checkbox', { name: '测试促销员', exact: true }).check();

  // Two budget lines: the budget follows their total.
  const budgetLines = page.getByTestId('lines-budget_lines');
  await budgetLines.getByTestId('line-add').click();
  await budgetLines.getByTestId('line-add').click();
  await budgetLines.getByLabel('费用项目 1').selectOption({ label: '物料' });
  await budgetLines.getByLabel('金额 1').fill('1200');
  await budgetLines.getByLabel('说明 1').fill('试吃台与围挡');
  await budgetLines.getByLabel('费用项目 2').selectOption({ label: '人员' });
  await budgetLines.getByLabel('金额 2').fill('800.50');
  await expect(budgetLines.getByTestId('lines-total')).toHaveText('¥2,000.50');
  await expect(field(page, '促销预算')).toHaveValue('2000.50');
  await field(page, '目标提升 %').fill('25');

  // The promoter's shift: the store is picked among the promotion's own three.
  const shifts = page.getByTestId('lines-promoter_shifts');
  await shifts.getByTestId('line-add').click();
  await shifts.getByLabel('日期 1').fill('2031-03-13');
  await shifts.locator('#promotions-promoter_shifts-0-store_id').fill('规划');
  await expect(page.getByRole('option', { name: new RegExp(`^规划.店 ${unique}`) })).toHaveCount(3);
  await page.getByRole('option', { name: `规划乙店 ${unique}` }).click();
  await shifts.locator('#promotions-promoter_shifts-0-promoter_id').fill('测试促销员');
  await page.getByRole('option', { name: '测试促销员' }).click();

  // A day after the promotion's last is refused with the rule's reason, and nothing is lost.
  await page.getByRole('button', { name: '创建' }).click();
  await expect(page.getByRole('alert')).toContainText('请修改标出的字段');
  await expect(page.locator('[data-field=promoter_shifts] .field-error')).toContainText('不在促销日期内');
  await shifts.getByLabel('日期 1').fill('2031-03-11');
  await page.getByRole('button', { name: '创建' }).click();
  await expect(page).toHaveURL(/\/promotions\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;

  await expect
    .poll(async () => (await pullAll(request, admin.token)).find((r) => r.id === id)?.fields ?? null, { timeout: 20_000 })
    .toMatchObject({
      status: 'planned',
      store_ids: expect.arrayContaining(stores),
      promoter_ids: [promoter.user.user_id],
      budget: 200_050,
      budget_lines: [
        { cost_item: 'materials', amount: 120_000, note: '试吃台与围挡' },
        { cost_item: 'staff', amount: 80_050 },
      ],
      goal_uplift_percent: 25,
      promoter_shifts: [{ day: '2031-03-11', store_id: stores[1], promoter_id: promoter.user.user_id }],
    });
  // The record's page shows the lines with their names and the budget's total.
  await expect(page.locator('[data-field=promoter_shifts]')).toContainText(`规划乙店 ${unique}`);
  await expect(page.locator('[data-field=promoter_shifts]')).toContainText('测试促销员');
  await expect(page.locator('[data-field=budget_lines] [data-testid=lines-total]')).toHaveText('¥2,000.50');
});
