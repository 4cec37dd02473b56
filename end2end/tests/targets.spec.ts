// Targets from the top down (issue 14): HQ sets a division's year target and breaks it down to its
// regions by last year's shares; a regional manager, offline, breaks the region down to its areas
// and submits; HQ is refused the approval while the parts fall short, sends it back with a comment,
// and approves once the manager has made them add up, which freezes them. A rep sees their own
// monthly targets, and their attainment moves when they add an order.
import { test, expect, type Browser, type Page, type APIRequestContext } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataDirFor, E2E_ADMIN_LOGIN, server } from '../playwright.config';
import { apiLogin, importPeople, newId, pullAll, pushCreates } from './support';

type Org = {
  tag: string;
  passwords: Map<string, string>;
  login: (n: number) => string;
  division: string;
  north: string;
  south: string;
  areaA: string;
  areaB: string;
  rep: string;
  repCustomer: string;
};

/// A division (事业部) under the company with two regions; the north has two areas and a rep. Last
/// year the north sold ¥600,000 (in March) and the south ¥200,000 (in October). The rep has this
/// year's targets: ¥1,200,000, ¥100,000 a month.
async function setUp(request: APIRequestContext, port: number): Promise<Org> {
  const tag = randomUUID().slice(0, 6);
  const login = (n: number) => `tg${tag}${n}`;
  const lines = [
    'employee_id,manager_id,name,title,unit',
    `${login(1)},,董事长${tag},董事长,总部${tag}`,
    `${login(2)},${login(1)},事业部总经理${tag},总经理,事业部${tag}`,
    `${login(3)},${login(2)},北区经理${tag},大区经理,华北${tag}`,
    `${login(4)},${login(2)},南区经理${tag},大区经理,华南${tag}`,
    `${login(5)},${login(3)},甲主管${tag},主管,甲区${tag}`,
    `${login(6)},${login(3)},乙主管${tag},主管,乙区${tag}`,
    `${login(7)},${login(5)},目标业务${tag},业务代表,甲区${tag}`,
  ];
  const passwords = importPeople(port, lines);

  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const records = await pullAll(request, admin.token);
  const unit = (name: string) => records.find((r) => r.collection === 'org_units' && r.fields.name === name)!.id;
  const person = (name: string) => records.find((r) => r.collection === 'users' && r.fields.name === name)!.id;
  const [north, south, areaA] = [unit(`华北${tag}`), unit(`华南${tag}`), unit(`甲区${tag}`)];
  const rep = person(`目标业务${tag}`);
  const southManager = person(`南区经理${tag}`);
  const lastYear = new Date().getFullYear() - 1;
  const thisYear = lastYear + 1;
  const [northDealer, southDealer, repCustomer] = [newId(), newId(), newId()];
  const repYear = newId();
  await pushCreates(request, admin.token, [
    { collection: 'customers', id: northDealer, fields: { name: `北方经销${tag}`, kind: 'dealer', region_unit_id: areaA, owner_id: rep } },
    { collection: 'customers', id: southDealer, fields: { name: `南方经销${tag}`, kind: 'dealer', region_unit_id: south, owner_id: southManager } },
    { collection: 'customers', id: repCustomer, fields: { name: `业务客户${tag}`, kind: 'dealer', region_unit_id: areaA, owner_id: rep } },
    {
      collection: 'orders', id: newId(),
      fields: { customer_id: northDealer, owner_id: rep, unit_id: areaA, order_no: `TG-N-${tag}`,
        ordered_on: `${lastYear}-03-15`, status: 'delivered', total: 60_000_000 },
    },
    {
      collection: 'orders', id: newId(),
      fields: { customer_id: southDealer, owner_id: southManager, unit_id: south, order_no: `TG-S-${tag}`,
        ordered_on: `${lastYear}-10-15`, status: 'delivered', total: 20_000_000 },
    },
    {
      collection: 'targets', id: repYear,
      fields: { period: 'year', period_start: `${thisYear}-01-01`, subject_kind: 'user', subject_id: rep,
        metric: 'sales_amount', value: 120_000_000, unit_id: areaA },
    },
    ...Array.from({ length: 12 }, (_, m) => ({
      collection: 'targets', id: newId(),
      fields: { period: 'month', period_start: `${thisYear}-${String(m + 1).padStart(2, '0')}-01`,
        subject_kind: 'user', subject_id: rep, metric: 'sales_amount', value: 10_000_000, unit_id: areaA,
        parent_id: repYear },
    })),
  ]);
  return {
    tag, passwords, login, division: unit(`事业部${tag}`), north, south, areaA, areaB: unit(`乙区${tag}`), rep, repCustomer,
  };
}

async function signInAs(page: Page, org: Org, n: number) {
  await page.goto('targets');
  await page.locator('input[name=username]').fill(org.login(n));
  await page.locator('input[name=password]').fill(org.passwords.get(org.login(n))!);
  await page.locator('button[type=submit]').click();
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  await expect(page.getByTestId('targets-page')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
}

/// A device of its own for one person of the org, on the targets page.
async function device(browser: Browser, baseURL: string, org: Org, n: number): Promise<Page> {
  const context = await browser.newContext({ baseURL, hasTouch: true, viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  await signInAs(page, org, n);
  return page;
}

/// After its changes reached the server, another device reads them: reloaded and synced.
async function resync(page: Page) {
  await page.reload();
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  await expect(page.getByTestId('targets-page')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
}

/// This device's changes are on the server.
async function synced(page: Page) {
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
}

const row = (page: Page, id: string) => page.locator(`[data-testid=target-row][data-subject="${id}"]`);
const yearOf = (page: Page, id: string) => row(page, id).locator('[data-testid=target-cell][data-month=year]');

/// Types a row's year target in place.
async function setYear(page: Page, id: string, yuan: string) {
  await row(page, id).locator('button[data-testid=target-cell][data-month=year]').click();
  const input = page.getByTestId('target-input');
  await expect(input).toBeFocused();
  await input.fill(yuan);
  await input.press('Enter');
  await expect(input).toHaveCount(0);
}

/// Opens a row's breakdown (its toggle), if closed.
async function open(page: Page, id: string) {
  const toggle = row(page, id).locator('.target-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
}

test('HQ breaks a division down by last year, a region is broken down offline, refused while short and approved once it adds up', async ({
  page,
  browser,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-landscape', 'one tablet with touch walks the whole chain');
  test.setTimeout(180_000);
  const baseURL = testInfo.project.use.baseURL!;
  const org = await setUp(request, Number(new URL(baseURL).port));

  // HQ: the division's year, typed in place; a wrong figure is refused with the reason.
  await signInAs(page, org, 2);
  await open(page, org.division);
  await row(page, org.division).locator('button[data-testid=target-cell][data-month=year]').click();
  await page.getByTestId('target-input').fill('一百万');
  await page.getByTestId('target-input').press('Enter');
  await expect(page.getByRole('alert')).toContainText('请输入金额（元）');
  await page.getByTestId('target-input').press('Escape');
  await setYear(page, org.division, '1000000');
  await expect(yearOf(page, org.division)).toHaveText('1,000,000');

  // Broken down by last year's shares (75% / 25%) and phased by last year's months.
  await row(page, org.division).getByTestId('target-decompose').click();
  const panel = page.getByTestId('target-decompose-panel');
  await expect(panel.getByTestId('target-decompose-child').filter({ hasText: `华北${org.tag}` })).toContainText('750,000');
  await expect(panel.getByTestId('target-decompose-child').filter({ hasText: `华南${org.tag}` })).toContainText('250,000');
  await panel.getByTestId('target-decompose-apply').click();
  await expect(panel).toHaveCount(0);
  await expect(yearOf(page, org.north)).toHaveText('750,000');
  await expect(yearOf(page, org.south)).toHaveText('250,000');
  await expect(row(page, org.division).locator('[data-month="2"]')).toHaveText('750,000');
  await expect(row(page, org.division).locator('[data-month="9"]')).toHaveText('250,000');
  await expect(row(page, org.division).getByTestId('target-below-gap')).toHaveText('已平衡');
  await synced(page);

  // The north's manager, offline: their own year is HQ's (not editable); they break the region
  // down, 50,000 short, and submit. Everything waits on the device.
  const north = await device(browser, baseURL, org, 3);
  await expect(yearOf(north, org.north)).toHaveText('750,000');
  await expect(row(north, org.north).locator('button[data-testid=target-cell][data-month=year]')).toHaveCount(0);
  await north.context().setOffline(true);
  await setYear(north, org.areaA, '400000');
  await setYear(north, org.areaB, '300000');
  await expect(row(north, org.north).getByTestId('target-below-gap')).toHaveText('下级合计差 50,000');
  await expect(row(north, org.north).getByTestId('target-below-gap')).toHaveClass(/target-gap-short/);
  await row(north, org.north).getByTestId('target-submit').click();
  await north.getByTestId('target-decide-confirm').click();
  await expect(row(north, org.north).getByTestId('target-status')).toHaveText('已提交');
  await north.context().setOffline(false);
  await synced(north);

  // HQ may not approve a set that falls short: the panel says by how much, and offers no approval.
  await resync(page);
  await open(page, org.division);
  await expect(row(page, org.north).getByTestId('target-status')).toHaveText('已提交');
  await row(page, org.north).getByTestId('target-approve').click();
  const decide = page.getByTestId('target-decide-panel');
  await expect(decide.getByTestId('target-not-adding-up')).toContainText('下级合计还差 50,000');
  await expect(decide.getByTestId('target-decide-confirm')).toHaveCount(0);
  await decide.getByTestId('target-decide-cancel').click();
  // Sending back says why.
  await row(page, org.north).getByTestId('target-send-back').click();
  await decide.getByTestId('target-decide-confirm').click();
  await expect(decide.getByRole('alert')).toContainText('请填写意见');
  await decide.getByTestId('target-decide-comment').fill('乙区再加 5 万');
  await decide.getByTestId('target-decide-confirm').click();
  await expect(row(page, org.north).getByTestId('target-status')).toHaveText('草稿');
  await synced(page);

  // The manager reads why, makes it add up and submits again; HQ approves.
  await resync(north);
  await expect(row(north, org.north).getByTestId('target-comment')).toContainText('乙区再加 5 万');
  await setYear(north, org.areaB, '350000');
  await expect(row(north, org.north).getByTestId('target-below-gap')).toHaveText('已平衡');
  await row(north, org.north).getByTestId('target-submit').click();
  await north.getByTestId('target-decide-confirm').click();
  await synced(north);
  await resync(page);
  await open(page, org.division);
  await row(page, org.north).getByTestId('target-approve').click();
  await expect(decide.getByTestId('target-not-adding-up')).toHaveCount(0);
  await decide.getByTestId('target-decide-confirm').click();
  await expect(row(page, org.north).getByTestId('target-status')).toHaveText('已批准');
  await synced(page);

  // Approved, the areas' years are frozen on the manager's device.
  await resync(north);
  await expect(row(north, org.north).getByTestId('target-status')).toHaveText('已批准');
  await expect(yearOf(north, org.areaB)).toHaveText('350,000');
  await expect(row(north, org.areaB).locator('button[data-testid=target-cell][data-month=year]')).toHaveCount(0);

  // The region's areas ranked by this year's score, and the table taken away as CSV.
  await north.getByTestId('targets-view-ranking').click();
  await north.getByTestId('ranking-areas').click();
  await north.getByTestId('ranking-year').click();
  // (The import levels units by depth: under the division, 华北 is an area and its parts teams.)
  const ranked = north.getByTestId('ranking-row');
  await expect(ranked.filter({ hasText: `甲区${org.tag}` })).toHaveCount(1);
  await expect(ranked.filter({ hasText: `乙区${org.tag}` })).toHaveCount(1);
  const download = north.waitForEvent('download');
  await north.getByTestId('ranking-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^排名与考核-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await file.path(), 'utf8');
  expect(csv.split('\r\n')[0]).toContain('排名,名称,所属,得分,销售额 目标');
  expect(csv).toContain(`乙区${org.tag},华北${org.tag}`);
  await north.context().close();
});

test('a rep sees their own monthly targets, and their attainment moves when they add an order', async ({
  page,
  request,
}, testInfo) => {
  test.skip(!['desktop', 'phone'].includes(testInfo.project.name), 'the rep on a desktop and a phone');
  const baseURL = testInfo.project.use.baseURL!;
  const org = await setUp(request, Number(new URL(baseURL).port));
  await signInAs(page, org, 7);
  const rows = page.getByTestId('target-row');
  await expect(rows).toHaveCount(1);
  const mine = row(page, org.rep);
  await expect(mine).toContainText(`目标业务${org.tag}`);
  await expect(yearOf(page, org.rep)).toHaveText('1,200,000');
  await expect(mine.locator('[data-month="0"]')).toHaveText('100,000');
  // A rep reads their targets; they do not set them.
  await expect(mine.locator('button[data-testid=target-cell]')).toHaveCount(0);
  await expect(mine.getByTestId('target-actual')).toHaveText('0');
  await expect(mine.getByTestId('target-attained')).toContainText('0%');

  // An order of ¥60,000 today.
  await page.goto('orders/new');
  await page.getByLabel(/^客户\*?$/).fill(`业务客户${org.tag}`);
  await page.getByRole('option', { name: `业务客户${org.tag}` }).first().click();
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  await page.getByLabel(/^订单编号\*?$/).fill(`TG-R-${org.tag}`);
  await page.getByLabel(/^下单日期\*?$/).fill(day);
  await page.getByLabel(/^状态\*?$/).selectOption({ label: '已确认' });
  await page.getByLabel(/^订单金额\*?$/).fill('60000');
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);

  await page.goto('targets');
  await expect(page.getByTestId('targets-page')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
  await expect(row(page, org.rep).getByTestId('target-actual')).toHaveText('60,000');
  await expect(row(page, org.rep).getByTestId('target-attained')).toContainText('5%');
  // Their months as a list too (whole on a phone): this month's ¥100,000 and its ¥60,000, 60%.
  const months = page.getByTestId('own-month');
  await expect(months).toHaveCount(12);
  await expect(months.nth(today.getMonth())).toHaveText(/100,000\s*60,000\s*60%/);

  // Their own scorecard this quarter: ¥60,000 of the quarter's ¥300,000 is 20%, at the rep's
  // default weight of 50% that is 10 points; the other metrics have no target for them.
  await page.getByTestId('targets-view-ranking').click();
  await expect(page.getByTestId('ranking-people')).toHaveCount(0);
  await page.getByTestId('ranking-quarter').click();
  await expect(page.getByTestId('ranking-row')).toHaveCount(1);
  await expect(page.getByTestId('ranking-score')).toHaveText('10.0');
  const card = page.getByTestId('scorecard');
  await expect(card.getByTestId('scorecard-part').first()).toHaveText(
    '销售额：完成 60,000 / 目标 300,000 = 20% × 权重 50% = 10.0 分',
  );
  await expect(card).toContainText('合计：10.0 分');
});

test('an edit in progress survives a redraw: another tab writes the same figure meanwhile, and the one typed is kept', async ({
  page,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'two tabs of one browser');
  test.setTimeout(120_000);
  const org = await setUp(request, Number(new URL(testInfo.project.use.baseURL!).port));
  await signInAs(page, org, 2);
  await open(page, org.division);
  const attained = row(page, org.division).getByTestId('target-attained');
  const before = await attained.textContent();
  await row(page, org.division).locator('button[data-testid=target-cell][data-month=year]').click();
  const input = page.getByTestId('target-input');
  await input.fill('900000');

  // The same HQ user in another tab sets the division's year; this tab hears of it and redraws.
  const other = await page.context().newPage();
  await other.goto('targets');
  await expect(other.getByTestId('targets-page')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
  await open(other, org.division);
  await setYear(other, org.division, '800000');
  await expect(attained).not.toHaveText(before ?? '');

  // The edit goes on where it was, with what was typed, and Enter keeps it.
  await expect(input).toHaveValue('900000');
  await expect(input).toBeFocused();
  await input.press('Enter');
  await expect(yearOf(page, org.division)).toHaveText('900,000');
  await other.close();
});

/// Runs `yingxiao-server import KIND` on a CSV into the running server's database: its report, and
/// whether it applied the file.
function importCsv(port: number, kind: string, lines: string[]): { output: string; applied: boolean } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yingxiao-targets-'));
  const file = path.join(dir, `${kind}.csv`);
  writeFileSync(file, lines.join('\n'));
  try {
    const output = execFileSync(server, ['import', kind, file, '--data-dir', dataDirFor(port)], {
      encoding: 'utf8',
      env: { ...process.env, RUST_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { output, applied: true };
  } catch (error) {
    return { output: String((error as { stdout?: string }).stdout ?? error), applied: false };
  } finally {
    rmSync(dir, { recursive: true });
  }
}

test("last year's actuals and this year's targets come in through the import, and the sheet breaks down by them", async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'the import is the admin CLI; one screen shows its result');
  test.setTimeout(120_000);
  const port = Number(new URL(testInfo.project.use.baseURL!).port);
  const tag = randomUUID().slice(0, 6);
  const login = (n: number) => `ti${tag}${n}`;
  const passwords = importPeople(port, [
    'employee_id,manager_id,name,title,unit',
    `${login(1)},,董事长${tag},董事长,总部${tag}`,
    `${login(2)},${login(1)},事业部总经理${tag},总经理,事业部${tag}`,
    `${login(3)},${login(2)},北区经理${tag},大区经理,华北${tag}`,
    `${login(4)},${login(2)},南区经理${tag},大区经理,华南${tag}`,
    `${login(5)},${login(3)},导入业务${tag},业务代表,华北${tag}`,
  ]);
  const lastYear = new Date().getFullYear() - 1;
  const thisYear = lastYear + 1;

  // Last year's sales from the books, by region and month, as people write months.
  const actuals = importCsv(port, 'past_actuals', [
    '责任对象,考核指标,月份,实际值,数据来源',
    `华北${tag},销售额,${lastYear}-03,"600,000",ERP`,
    `华南${tag},销售额,${lastYear}年10月,200000,ERP`,
  ]);
  expect(actuals.output).toContain('2 rows read, 0 bad; created 2, updated 0, unchanged 0');
  expect(actuals.applied).toBe(true);

  // This year's targets: the division's year, the rep's year and two of its months.
  const targets = [
    '责任对象,考核指标,目标周期,目标值',
    `事业部${tag},销售额,${thisYear},1000000`,
    `${login(5)},销售额,${thisYear},240000`,
    `${login(5)},销售额,${thisYear}-01,20000`,
    `${login(5)},销售额,${thisYear}年2月,20000`,
  ];
  const first = importCsv(port, 'targets', targets);
  expect(first.output).toContain('4 rows read, 0 bad; created 4, updated 0, unchanged 0');
  expect(first.applied).toBe(true);
  // The same file again: every row names its stored target, which holds what it says already.
  const again = importCsv(port, 'targets', targets);
  expect(again.applied).toBe(true);
  expect(again.output).toContain('4 rows read, 0 bad; created 0, updated 0, unchanged 4');

  // HQ sees the imported year and breaks it down by the imported shares (75% / 25%).
  await page.goto('targets');
  await page.locator('input[name=username]').fill(login(2));
  await page.locator('input[name=password]').fill(passwords.get(login(2))!);
  await page.locator('button[type=submit]').click();
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  await expect(page.getByTestId('targets-page')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
  const admin = await apiLogin(page.request, E2E_ADMIN_LOGIN);
  const records = await pullAll(page.request, admin.token);
  const unit = (name: string) => records.find((r) => r.collection === 'org_units' && r.fields.name === name)!.id;
  const rep = records.find((r) => r.collection === 'users' && r.fields.name === `导入业务${tag}`)!.id;
  const division = unit(`事业部${tag}`);
  await open(page, division);
  await expect(yearOf(page, division)).toHaveText('1,000,000');
  await row(page, division).getByTestId('target-decompose').click();
  const panel = page.getByTestId('target-decompose-panel');
  await expect(panel.getByTestId('target-decompose-child').filter({ hasText: `华北${tag}` })).toContainText('750,000');
  await expect(panel.getByTestId('target-decompose-child').filter({ hasText: `华南${tag}` })).toContainText('250,000');
  await panel.getByTestId('target-decompose-apply').click();
  await expect(yearOf(page, unit(`华北${tag}`))).toHaveText('750,000');
  // Phased by last year's months: March and October carry the year.
  await expect(row(page, division).locator('[data-month="2"]')).toHaveText('750,000');
  await expect(row(page, division).locator('[data-month="9"]')).toHaveText('250,000');
  // The rep's imported months sit under the rep's imported year.
  await open(page, unit(`华北${tag}`));
  await expect(yearOf(page, rep)).toHaveText('240,000');
  await expect(row(page, rep).locator('[data-month="0"]')).toHaveText('20,000');
  await expect(row(page, rep).getByTestId('target-months-gap')).toContainText('200,000');

  // The figures themselves are records HQ can read and correct.
  await page.goto('past-actuals');
  await expect(page.getByRole('heading', { name: '历史业绩' })).toBeVisible();
  const listed = page.getByTestId('record-list').getByRole('row');
  await expect(listed.filter({ hasText: `华北${tag}` })).toHaveCount(1);
  await expect(listed.filter({ hasText: `华南${tag}` })).toHaveCount(1);
  await expect(listed.filter({ hasText: `华北${tag}` })).toContainText('ERP');
  // Sales figures read in yuan, as they were imported.
  await expect(listed.filter({ hasText: `华北${tag}` })).toContainText('¥600,000.00');
});
