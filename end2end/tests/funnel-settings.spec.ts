// The company's funnel settings: an administrator sets the win probabilities on the settings page
// (a later stage may not be less likely than an earlier one), they reach the server on the company
// unit, and a sales rep sees them but cannot change them. Every run writes the same values, so runs
// in parallel agree; only probabilities change, so other specs' stalled marks do not move.
import { test, expect } from '@playwright/test';
import { E2E_ADMIN_LOGIN, E2E_LOGIN } from '../playwright.config';
import { apiLogin, pullAll, signIn } from './support';

test('an administrator sets the win probabilities, and a rep reads them', async ({ page, browser, baseURL, request }) => {
  test.setTimeout(90_000);
  await signIn(page, E2E_ADMIN_LOGIN, 'settings');
  const card = page.getByTestId('funnel-settings');
  await expect(card.getByRole('group').first()).toBeVisible();
  await card.getByLabel('比较阶段赢单概率（%）').fill('40');
  await card.getByLabel('谈判阶段赢单概率（%）').fill('35');
  await card.getByRole('button', { name: '保存修改' }).click();
  await expect(card.getByText('不能低于前面阶段的赢单概率')).toBeVisible();
  await expect(card.getByLabel('谈判阶段赢单概率（%）')).toHaveAttribute('aria-invalid', 'true');
  await card.getByLabel('谈判阶段赢单概率（%）').fill('六十');
  await card.getByRole('button', { name: '保存修改' }).click();
  await expect(card.getByText('请输入整数，例如 30。')).toBeVisible();
  await card.getByLabel('了解阶段赢单概率（%）').fill('10');
  await card.getByLabel('谈判阶段赢单概率（%）').fill('60');
  await card.getByLabel('确定阶段赢单概率（%）').fill('85');
  await card.getByRole('button', { name: '保存修改' }).click();
  await expect(card.getByRole('status').filter({ hasText: '同步后对全公司生效' })).toBeVisible();

  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  await expect
    .poll(
      async () => {
        const company = (await pullAll(request, admin.token)).find(
          (r) => r.collection === 'org_units' && r.fields.kind === 'company',
        );
        return [10, 40, 60, 85].map((_, i) =>
          company?.fields[['win_probability_aware', 'win_probability_compare', 'win_probability_negotiate', 'win_probability_commit'][i]],
        );
      },
      { timeout: 30_000, intervals: [500, 1000, 2000] },
    )
    .toEqual([10, 40, 60, 85]);

  // A rep reads the company's settings and cannot change them.
  const other = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'zh-CN' });
  try {
    const rep = await other.newPage();
    await signIn(rep, E2E_LOGIN, 'settings');
    const repCard = rep.getByTestId('funnel-settings');
    await expect(repCard.getByLabel('谈判阶段赢单概率（%）')).toHaveValue('60');
    await expect(repCard.getByLabel('谈判阶段赢单概率（%）')).toBeDisabled();
    await expect(repCard.getByRole('button', { name: '保存修改' })).toHaveCount(0);
    await expect(repCard).toContainText('由有权限的人员（默认为系统管理员和市场部）设置');
  } finally {
    await other.close();
  }
});

test('the settings show the values in force, defaults where unset, in titled groups', async ({ page, request }) => {
  await signIn(page, E2E_LOGIN, 'settings');
  const card = page.getByTestId('funnel-settings');
  const defaults: [string, string, number][] = [
    ['了解', 'win_probability_aware', 10],
    ['比较', 'win_probability_compare', 25],
    ['谈判', 'win_probability_negotiate', 50],
    ['确定', 'win_probability_commit', 80],
  ];
  // What the company unit holds now, or the forecast's default where it holds nothing.
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const inForce = async () => {
    const company = (await pullAll(request, admin.token)).find(
      (r) => r.collection === 'org_units' && r.fields.kind === 'company',
    )!;
    return defaults.map(([, field, fallback]) => String(company.fields[field] ?? fallback));
  };
  const shown = () =>
    Promise.all(defaults.map(([stage]) => card.getByLabel(`${stage}阶段赢单概率（%）`).inputValue()));
  // The test above, in another worker, may set the company's values (always the same ones) after this
  // device synced: then the page is loaded again, and its sync brings them.
  await card.getByLabel('了解阶段赢单概率（%）').waitFor();
  for (let attempt = 0; ; attempt++) {
    const [held, drawn] = [await inForce(), await shown()];
    if (attempt === 2 || held.join() === drawn.join()) {
      expect(drawn).toEqual(held);
      break;
    }
    await page.reload();
    await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  }
  // Three titled groups, drawn as panels of the card rather than the browser's grooved box.
  const groups = card.locator('fieldset.settings-group');
  await expect(groups.locator('legend')).toHaveText(['赢单概率', '停滞天数', '汇率']);
  for (const group of await card.locator('fieldset').all()) {
    expect(await group.evaluate((e) => getComputedStyle(e).borderTopStyle)).not.toBe('groove');
  }
  await expect(groups.nth(1)).toContainText('第 90 百分位');
  await expect(groups.nth(2)).toContainText('计入数量但不计入金额');
});
