// The sales funnel as a manager sees it: opportunities the rep made (pushed through the sync endpoint,
// in a team of their own so parallel runs and other tests do not count) show as bands with exactly
// their counts; the bands resize by amount, a band lists its deals by pointer and by keyboard, the
// funnel exports as an SVG file, and the page passes axe in light and dark. No demo data.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { apiLogin, pushCreates, navigateTo } from './support';
import AxeBuilder from '@axe-core/playwright';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { E2E_ADMIN_LOGIN, E2E_LOGIN, E2E_MANAGER_LOGIN, E2E_PASSWORD } from '../playwright.config';

const DAY = 86_400_000;

type Seeded = { unitId: string; names: Record<string, string[]> };

/// A team of its own under the company, a customer, and the rep's deals in known stages:
/// 了解 3, 比较 2, 谈判 1 (the largest amount), 确定 0, 赢单 1.
async function seed(request: APIRequestContext, unique: string): Promise<Seeded> {
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const rep = await apiLogin(request, E2E_LOGIN);
  const unitId = randomUUID();
  await pushCreates(request, admin.token, [
    {
      collection: 'org_units',
      id: unitId,
      fields: { name: `漏斗组 ${unique}`, kind: 'team', parent_id: rep.user.unit_id },
    },
  ]);
  const customerId = randomUUID();
  const now = Date.now();
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  const path: [string, number][] = [
    ['aware', 50],
    ['compare', 30],
    ['negotiate', 20],
    ['commit', 10],
    ['won', 2],
  ];
  const deals: [string, number, [string, number][]][] = [
    ['aware', 100_000, [['aware', 10]]],
    ['aware', 200_000, [['aware', 12]]],
    ['aware', 300_000, [['aware', 14]]],
    ['compare', 1_000_000, [['aware', 30], ['compare', 5]]],
    ['compare', 2_000_000, [['aware', 31], ['compare', 6]]],
    ['negotiate', 50_000_000, [['aware', 40], ['compare', 20], ['negotiate', 3]]],
    ['won', 8_000_000, path],
  ];
  const names: Record<string, string[]> = {};
  const creates = deals.map(([stage, amount, history], i) => {
    const name = `漏斗机会 ${stage} ${i} ${unique}`;
    (names[stage] ??= []).push(name);
    const fields: Record<string, unknown> = {
      customer_id: customerId,
      owner_id: rep.user.user_id,
      unit_id: unitId,
      name,
      amount,
      stage,
      stage_history: history.map(([s, daysAgo]) => ({ stage: s, entered_at: at(daysAgo) })),
    };
    if (stage === 'won') fields.won_at = at(2);
    return { collection: 'opportunities', id: randomUUID(), fields };
  });
  // The office sets the customer's tier (a rep may not); the deals are the rep's own.
  await pushCreates(request, admin.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: `漏斗客户 ${unique}`, kind: 'dealer', tier: 'A', owner_id: rep.user.user_id, region_unit_id: unitId },
    },
  ]);
  await pushCreates(request, rep.token, creates);
  return { unitId, names };
}

async function signInToFunnel(page: Page, name: string) {
  await page.goto('funnel');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('input[name=username]').fill(name);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('销售漏斗');
  await expect(page.getByTestId('funnel-page')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
}

function band(page: Page, stage: string) {
  return page.getByTestId('funnel-chart').locator(`.funnel-band[data-stage=${stage}]`);
}

async function width(page: Page, stage: string): Promise<number> {
  const box = await band(page, stage).boundingBox();
  return box!.width;
}

/// No serious accessibility violation in light or dark, and every control is a 44 px touch target.
async function checkAccessible(page: Page) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const results = await new AxeBuilder({ page }).include('main').analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${colorScheme} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
  const controls = page.locator('main a, main button, main select, main input, main [role=button]');
  for (const control of await controls.all()) {
    const box = await control.boundingBox();
    if (!box) continue;
    const what = await control.evaluate((e) => e.outerHTML.slice(0, 80));
    expect(box.height, what).toBeGreaterThanOrEqual(44);
    expect(box.width, what).toBeGreaterThanOrEqual(44);
  }
}

test('the manager sees the rep’s deals as a funnel, lists a band’s deals, and exports it', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(90_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const { unitId, names } = await seed(request, unique);

  await signInToFunnel(page, E2E_MANAGER_LOGIN);
  await page.getByLabel('期间').selectOption('last12');
  await page.getByLabel('组织').selectOption(unitId);

  // Exactly the deals pushed, by stage.
  await expect(band(page, 'aware')).toHaveAttribute('aria-label', /^了解：3 个机会，金额 ¥6,000\.00/);
  await expect(band(page, 'compare')).toHaveAttribute('aria-label', /^比较：2 个机会，金额 ¥30,000\.00/);
  await expect(band(page, 'negotiate')).toHaveAttribute('aria-label', /^谈判：1 个机会，金额 ¥500,000\.00/);
  await expect(band(page, 'commit')).toHaveAttribute('aria-label', /^确定：0 个机会/);
  await expect(band(page, 'won')).toHaveAttribute('aria-label', /^赢单：1 个机会，金额 ¥80,000\.00/);
  await expect(page.getByTestId('funnel-headline').locator('[data-figure=pipeline] .funnel-fact-value')).toHaveText(
    '¥536,000.00',
  );
  await expect(page.getByTestId('funnel-headline').locator('[data-figure=win-rate] .funnel-fact-value')).toHaveText('100%');
  // The same figures, as a table for screen readers.
  await expect(page.getByRole('table', { name: '销售漏斗', exact: true }).getByRole('row', { name: /了解/ })).toContainText('3');

  // By count the one 谈判 deal is narrower than the three 了解 deals; by amount it is the widest.
  expect(await width(page, 'negotiate')).toBeLessThan(await width(page, 'aware'));
  await page.getByRole('button', { name: '按金额' }).click();
  await expect(page.getByRole('button', { name: '按金额' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => (await width(page, 'negotiate')) > (await width(page, 'aware'))).toBe(true);
  await page.getByRole('button', { name: '按数量' }).click();
  await expect.poll(async () => (await width(page, 'negotiate')) < (await width(page, 'aware'))).toBe(true);

  // A band tapped or clicked lists its deals, each linking to its page.
  await band(page, 'compare').click();
  await expect(band(page, 'compare')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('funnel-details')).toContainText('比较');
  const list = page.getByTestId('funnel-band-list').getByRole('link');
  await expect(list).toHaveCount(2);
  for (const name of names.compare) await expect(list.filter({ hasText: name })).toHaveCount(1);
  await expect(list.first()).toHaveAttribute('href', /\/opportunities\/[0-9a-f-]{36}$/);
  await expect(list.first()).toContainText('¥20,000.00');

  // By keyboard: Enter on 了解, Space on 赢单.
  await band(page, 'aware').focus();
  await page.keyboard.press('Enter');
  await expect(list).toHaveCount(3);
  for (const name of names.aware) await expect(list.filter({ hasText: name })).toHaveCount(1);
  await band(page, 'won').focus();
  await page.keyboard.press('Space');
  await expect(list).toHaveCount(1);
  await expect(list.first()).toContainText(names.won[0]);
  await expect(page.getByTestId('funnel-band-deals').getByRole('heading')).toHaveText('赢单阶段的机会（1 个）');

  // Nothing sticks out sideways, at any screen size.
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('main *')]
      .filter((e) => !e.closest('.funnel-sr-only') && e.getBoundingClientRect().right > width + 1)
      .map((e) => `${e.tagName} ${e.getAttribute('class') ?? ''}`)
      .slice(0, 5);
  });
  expect(overflow).toEqual([]);

  // The rep is among the team members compared side by side.
  await expect(page.getByTestId('funnel-team')).toContainText('测试业务员');
  await page.screenshot({ path: testInfo.outputPath('funnel.png'), fullPage: true });

  // Exported as an SVG file named after the funnel and the period.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: '导出 SVG' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^销售漏斗-.+\.svg$/);
  const svg = fs.readFileSync((await download.path())!, 'utf-8');
  expect(svg).toContain('<svg');
  expect(svg).toContain('了解');
  const png = page.waitForEvent('download');
  await page.getByRole('button', { name: '导出 PNG' }).click();
  expect((await png).suggestedFilename()).toMatch(/^销售漏斗-.+\.png$/);

  await checkAccessible(page);
});

test('a rep sees their own funnel, without the team comparison', async ({ page, request }, testInfo) => {
  test.setTimeout(60_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const { unitId } = await seed(request, unique);
  await signInToFunnel(page, E2E_LOGIN);
  await expect(page.getByLabel('负责人')).toHaveCount(0);
  await page.getByLabel('期间').selectOption('last12');
  await page.getByLabel('组织').selectOption(unitId);
  await expect(band(page, 'aware')).toHaveAttribute('aria-label', /^了解：3 个机会/);
  await expect(band(page, 'won')).toHaveAttribute('aria-label', /^赢单：1 个机会/);
  await expect(page.getByTestId('funnel-team')).toHaveCount(0);
  // Another tier than the customer's empties the funnel.
  await page.getByLabel('客户等级').selectOption('C');
  await expect(band(page, 'aware')).toHaveAttribute('aria-label', /^了解：0 个机会/);

  // The home page's dashboard: this quarter's funnel, figures and stalled deals, from the device.
  await navigateTo(page, '首页');
  const dashboard = page.getByTestId('dashboard');
  await expect(dashboard.getByRole('heading', { level: 2 })).toHaveText('本季度的销售漏斗');
  await expect(dashboard.locator('.funnel-band[data-stage=aware]')).toHaveCount(1);
  await expect(dashboard.getByRole('table', { name: '本季度漏斗' }).getByRole('row', { name: /了解/ })).toHaveCount(1);
  await expect(dashboard.locator('[data-figure=pipeline] dd')).toHaveText(/¥/);
  await expect(dashboard.locator('[data-figure=forecast] dd')).toContainText('个机会预计本季度成交');
  await expect(page.getByTestId('dashboard-stalled').getByRole('heading')).toHaveText('停滞的机会');
  await dashboard.getByRole('link', { name: '查看漏斗分析' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('销售漏斗');
});
