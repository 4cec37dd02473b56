// The funnel as a manager of a large company reads it: the org filter is a tree that can be searched,
// the stalled list shows its first ten (all on request) so the team comparison stays in reach, a win
// rate from a handful of closed deals says so, no empty box sits under the chart, and in English no
// label of any funnel is cut short. The deals are pushed first, under units of their own.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { randomUUID } from 'node:crypto';
import { E2E_ADMIN_LOGIN, E2E_LOGIN, E2E_MANAGER_LOGIN, E2E_PASSWORD } from '../playwright.config';
import { apiLogin, newId, pushCreates } from './support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/// Open deals in 了解 whose stays run from 6 hours to 150 × 6 hours: the longest tenth are stalled.
const OPEN_DEALS = 150;

type Seeded = { region: string; area: string; store: string; token: string };

/// A region with 13 areas under the rep's unit, a store under the first area; the rep's deals in the
/// region: many open ones with growing stays, and two won (so two closed deals, both won).
async function seed(request: APIRequestContext, unique: string): Promise<Seeded> {
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const rep = await apiLogin(request, E2E_LOGIN);
  const token = randomUUID().slice(0, 6);
  const region = newId();
  const areas = Array.from({ length: 13 }, () => newId());
  const store = newId();
  await pushCreates(request, admin.token, [
    { collection: 'org_units', id: region, fields: { name: `经理大区 ${unique}`, kind: 'region', parent_id: rep.user.unit_id } },
    ...areas.map((id, i) => ({
      collection: 'org_units',
      id,
      fields: { name: `经理片区 ${String(i + 1).padStart(2, '0')} ${unique}`, kind: 'area', parent_id: region },
    })),
    { collection: 'org_units', id: store, fields: { name: `经理门店 ${token}`, kind: 'store', parent_id: areas[0] } },
  ]);
  const customer = newId();
  const now = Date.now();
  const at = (ms: number) => new Date(now - ms).toISOString();
  const deal = (name: string, stage: string, history: [string, number][], extra: Record<string, unknown> = {}) => ({
    collection: 'opportunities',
    id: newId(),
    fields: {
      customer_id: customer,
      owner_id: rep.user.user_id,
      unit_id: region,
      name: `${name} ${unique}`,
      amount: 1_000_000,
      stage,
      stage_history: history.map(([s, ago]) => ({ stage: s, entered_at: at(ago) })),
      ...extra,
    },
  });
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customer,
      fields: { name: `经理客户 ${unique}`, kind: 'dealer', region_unit_id: region, owner_id: rep.user.user_id },
    },
    ...Array.from({ length: OPEN_DEALS }, (_, i) => deal(`经理机会 ${i}`, 'aware', [['aware', (i + 1) * 6 * HOUR]])),
    ...[0, 1].map((i) =>
      deal(`经理赢单 ${i}`, 'won', [['aware', 60 * DAY], ['won', 5 * DAY]], { won_at: at(5 * DAY) }),
    ),
  ]);
  return { region, area: areas[0], store, token };
}

async function signInToFunnel(page: Page, login: string) {
  await page.goto('funnel');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('input[name=username]').fill(login);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('销售漏斗');
  await expect(page.getByTestId('funnel-page')).toHaveAttribute('aria-busy', 'false', { timeout: 30_000 });
}

/// The unit filter's options after "all units": (indent in full-width spaces, name).
async function unitOptions(page: Page): Promise<[number, string][]> {
  return page.locator('#funnel-unit option').evaluateAll((options) =>
    options.slice(1).map((o) => {
      const text = o.textContent ?? '';
      const name = text.replace(/^\u3000+/, '');
      return [text.length - name.length, name] as [number, string];
    }),
  );
}

test('a manager searches the unit tree, reads a bounded stalled list and a caveated win rate', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const seeded = await seed(request, unique);
  await signInToFunnel(page, E2E_MANAGER_LOGIN);
  await page.getByLabel('期间').selectOption('last12');

  // The company has many units: a search narrows the tree to the matches and the units above them
  // (the company first), each indented under its parent.
  await page.getByLabel('按名称查找单位').fill(seeded.token);
  await expect.poll(() => unitOptions(page)).toHaveLength(4);
  const [company, region, area, store] = await unitOptions(page);
  expect(company[0]).toBe(0);
  expect(region[0]).toBe(company[0] + 1);
  expect([region[1], area[1], store[1]]).toEqual([`经理大区 ${unique}`, `经理片区 01 ${unique}`, `经理门店 ${seeded.token}`]);
  expect(area[0]).toBe(region[0] + 1);
  expect(store[0]).toBe(area[0] + 1);
  await page.getByLabel('组织', { exact: true }).selectOption(seeded.region);
  // The chosen unit stays offered when the search no longer matches it.
  await page.getByLabel('按名称查找单位').fill('');
  await expect(page.locator('#funnel-unit option:checked')).toHaveText(/经理大区/);
  expect((await unitOptions(page)).length).toBeGreaterThan(14);
  await expect(page.getByTestId('funnel-chart').locator('.funnel-band[data-stage=aware]')).toHaveAttribute(
    'aria-label',
    new RegExp(`^了解：${OPEN_DEALS} 个机会`),
  );

  // The stalled list shows ten, and all on request; the team comparison follows it.
  const stalled = page.getByTestId('funnel-stalled');
  await expect(stalled.getByTestId('funnel-stalled-list').getByRole('link')).toHaveCount(10);
  const showAll = stalled.getByRole('button', { name: /^显示全部 \d+ 个停滞的机会$/ });
  const total = Number((await showAll.innerText()).match(/\d+/)![0]);
  expect(total).toBeGreaterThan(10);
  const team = page.getByTestId('funnel-team');
  await expect(team).toContainText('测试业务员');
  const [stalledBox, teamBox] = [(await stalled.boundingBox())!, (await team.boundingBox())!];
  // Within a few screens, not thousands of pixels down.
  expect(teamBox.y - stalledBox.y).toBeLessThan(3 * page.viewportSize()!.height);
  await showAll.click();
  await expect(stalled.getByTestId('funnel-stalled-list').getByRole('link')).toHaveCount(total);
  await stalled.getByRole('button', { name: '只显示前 10 个' }).click();
  await expect(stalled.getByTestId('funnel-stalled-list').getByRole('link')).toHaveCount(10);

  // 100% from two closed deals is said to be a small sample, in the headline and the team member's card.
  const winRate = page.getByTestId('funnel-headline').locator('[data-figure=win-rate]');
  await expect(winRate.locator('.funnel-fact-value')).toHaveText('100%');
  await expect(winRate.getByTestId('win-rate-caveat')).toHaveText('样本较少：仅 2 个已结束的机会（少于 10 个），仅供参考');
  await expect(team.locator('.win-rate-caveat')).toHaveCount(1);

  // No empty box under the chart until a band is chosen; then it tells about the band.
  const details = page.getByTestId('funnel-details');
  expect((await details.boundingBox())?.height ?? 0).toBeLessThanOrEqual(1);
  await page.getByTestId('funnel-chart').locator('.funnel-band[data-stage=won]').click();
  await expect(details).toContainText('赢单');
  expect((await details.boundingBox())!.height).toBeGreaterThan(20);

  const results = await new AxeBuilder({ page }).include('main').analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath('funnel-manager.png'), fullPage: true });

  // In English every label of every funnel on the page is drawn whole.
  await page.locator('button.language-toggle').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sales funnel');
  await expect(page.locator('.funnel-labels text').filter({ hasText: /Median/ }).first()).toBeAttached();
  const labels = await page.locator('.funnel-labels text').allTextContents();
  expect(labels.filter((l) => l.includes('…'))).toEqual([]);
  // And drawn inside their chart's box.
  const outside = await page.locator('svg.funnel-svg').evaluateAll((svgs) =>
    svgs.flatMap((svg) => {
      const frame = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('.funnel-labels text')]
        .filter((t) => {
          const box = t.getBoundingClientRect();
          return box.left < frame.left - 1 || box.right > frame.right + 1;
        })
        .map((t) => t.textContent);
    }),
  );
  expect(outside).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath('funnel-manager-en.png'), fullPage: true });
});
