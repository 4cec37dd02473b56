// Import in the browser (导入数据): an administrator brings in an Excel workbook of customers and a
// CSV of deals from another CRM, sees the deals' preview refuse every row because the owner column
// the import picked by its name holds display names, points the owner at the login column instead,
// applies while offline (the rows wait on the device and go when the connection is back), and the
// funnel shows exactly the file's answers. The same file again creates nothing.
// Everything sits in a team of its own, so other tests do not count.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { E2E_ADMIN_LOGIN, E2E_LOGIN } from '../playwright.config';
import { apiLogin, newId, pullAll, pushCreates, signIn } from './support';

const DAY = 86_400_000;
const python = process.env.YINGXIAO_PYTHON ?? path.resolve(__dirname, '../../.tools/venv/bin/python');

/// Writes rows into an .xlsx workbook with openpyxl: a first sheet of notes, then `sheet`.
function workbook(file: string, sheet: string, rows: string[][]) {
  const script = [
    'import json, sys',
    'from openpyxl import Workbook',
    'book = Workbook()',
    'book.active.title = "说明"',
    'book.active.append(["导出自旧 CRM"])',
    'data = book.create_sheet(sys.argv[2])',
    'for row in json.loads(sys.argv[3]):',
    '    data.append(row)',
    'book.save(sys.argv[1])',
  ].join('\n');
  execFileSync(python, ['-c', script, file, sheet, JSON.stringify(rows)]);
}

async function chooseFile(page: Page, kind: string, file: string) {
  await page.getByTestId('import-kind').selectOption(kind);
  await page.getByTestId('import-file').setInputFiles(file);
}

test('an administrator imports customers from Excel and deals from CSV, fixes a mapping, and the funnel shows them', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  const unique = `${testInfo.project.name.replace(/[^a-z]/g, '')}${randomUUID().slice(0, 6)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const rep = await apiLogin(request, E2E_LOGIN);
  const unitId = newId();
  const code = `BIMP-${unique}`.toUpperCase();
  await pushCreates(request, admin.token, [
    { collection: 'org_units', id: unitId, fields: { name: `浏览器导入组 ${unique}`, code, kind: 'team', parent_id: rep.user.unit_id } },
  ]);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yingxiao-browser-import-'));
  const customers = path.join(dir, 'accounts.xlsx');
  const names = [`华东超市 ${unique}`, `远大批发 ${unique}`];
  workbook(customers, 'Accounts', [
    ['Account ID', 'Account Name', 'Account Type', 'Region', 'Account Owner'],
    [`A-${unique}-1`, names[0], 'Retail store', code, E2E_LOGIN],
    [`A-${unique}-2`, names[1], '经销商', code, E2E_LOGIN],
  ]);

  // The deals: the CRM's "Owner" holds display names; the logins are in a column of their own.
  const ownerLogin = `Owner login (${unique})`;
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10);
  const deals = [
    ['年度框架', names[0], '100000', 'Aware', day(40), '', ''],
    ['门店陈列', names[0], '50000', 'aware', day(35), '', ''],
    ['新品试销', names[1], '200000', 'Compare', day(30), '', ''],
    ['冷柜更新', names[1], '300000', '谈判', day(25), '', ''],
    ['春节备货', names[0], '80000', 'Won', day(30), day(20), ''],
    ['区域促销', names[1], '40000', '输单', day(20), day(10), '价格'],
    ['团购渠道', names[1], '20000', 'WON', day(15), day(5), ''],
  ];
  const csvFile = path.join(dir, 'deals.csv');
  fs.writeFileSync(
    csvFile,
    [
      `Deal ID|Deal Name|Account Name|Owner|${ownerLogin}|unit|Deal Value|Deal Stage|Created Date|Closed Date|Lost reason`,
      ...deals.map(([name, customer, amount, stage, created, closed, reason], i) =>
        [`D-${unique}-${i}`, `${name} ${unique}`, customer, '王销售 (Sales)', E2E_LOGIN, code, amount, stage, created, closed, reason].join('|'),
      ),
    ].join('\r\n'),
  );

  await signIn(page, E2E_ADMIN_LOGIN, 'import');
  await expect(page.getByRole('heading', { name: '导入数据' })).toBeVisible();

  // Customers from the workbook's second sheet.
  await chooseFile(page, 'customers', customers);
  const summary = page.getByTestId('import-summary');
  await expect(page.getByTestId('import-problem')).toBeVisible();
  await page.getByTestId('import-sheet').selectOption('Accounts');
  await expect(summary).toHaveText('共 2 行：新建 2，更新 0，无变化 0，有问题 0 行。');
  const preview = page.getByTestId('import-preview');
  await expect(preview.locator('tbody tr')).toHaveCount(2);
  await expect(preview.locator('tbody tr').first()).toContainText(names[0]);
  await expect(preview.locator('tbody tr').first()).toContainText('零售门店');
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-done')).toContainText('新建 2 条');
  await expect(page.getByTestId('import-sync')).toHaveText('已全部同步到服务器。', { timeout: 30_000 });
  await expect(summary).toHaveText('共 2 行：新建 0，更新 0，无变化 2，有问题 0 行。');

  // Deals: pipe-separated; every row refused until the owner comes from the login column.
  await chooseFile(page, 'opportunities', csvFile);
  await expect(page.getByTestId('import-read-as')).toContainText('竖线');
  await expect(summary).toHaveText('共 7 行：新建 0，更新 0，无变化 0，有问题 7 行。');
  const errors = page.getByTestId('import-errors');
  await expect(errors.locator('tbody tr').first()).toContainText('王销售 (Sales)');
  await expect(page.getByTestId('import-apply')).toBeDisabled();
  await page.locator(`[data-testid=import-column][data-header="${ownerLogin}"]`).selectOption('owner_id');
  await expect(summary).toHaveText('共 7 行：新建 7，更新 0，无变化 0，有问题 0 行。');
  await expect(page.locator('[data-testid=import-column][data-header="Owner"]')).toHaveValue('');
  // Applied with the connection gone: the changes wait on the device and go when it is back.
  await page.context().setOffline(true);
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-done')).toContainText('新建 7 条');
  await expect(page.getByTestId('import-sync')).toContainText('已发送 0 / 7');
  await page.context().setOffline(false);
  await expect(page.getByTestId('import-sync')).toHaveText('已全部同步到服务器。', { timeout: 30_000 });

  // On the server: the deals with their customers, and the won deal's cycle from its two dates.
  const stored = await pullAll(request, admin.token);
  const won = stored.find((r) => r.collection === 'opportunities' && r.fields.name === `春节备货 ${unique}`);
  expect(won?.fields.stage).toBe('won');
  expect(won?.fields.external_id).toBe(`D-${unique}-4`);
  const history = won?.fields.stage_history as { stage: string; entered_at: string }[];
  expect(history[0].entered_at.slice(0, 10)).toBe(day(30));
  expect(history[history.length - 1].entered_at.slice(0, 10)).toBe(day(20));

  // The funnel of the team shows exactly the file.
  await page.goto('funnel');
  await page.getByLabel('期间').selectOption('last12');
  await page.getByLabel('组织').selectOption(unitId);
  const band = (stage: string) => page.getByTestId('funnel-chart').locator(`.funnel-band[data-stage=${stage}]`);
  await expect(band('aware')).toHaveAttribute('aria-label', /^了解：2 个机会，金额 ¥150,000\.00/);
  await expect(band('compare')).toHaveAttribute('aria-label', /^比较：1 个机会，金额 ¥200,000\.00/);
  await expect(band('negotiate')).toHaveAttribute('aria-label', /^谈判：1 个机会，金额 ¥300,000\.00/);
  await expect(band('won')).toHaveAttribute('aria-label', /^赢单：2 个机会，金额 ¥100,000\.00/);
  const headline = page.getByTestId('funnel-headline');
  await expect(headline.locator('[data-figure=pipeline] .funnel-fact-value')).toHaveText('¥650,000.00');
  await expect(headline.locator('[data-figure=win-rate] .funnel-fact-value')).toHaveText('67%');

  // The same file again, on a fresh page: the company remembered the owner column; nothing to create.
  await page.goto('import');
  await chooseFile(page, 'opportunities', csvFile);
  await expect(summary).toHaveText('共 7 行：新建 0，更新 0，无变化 7，有问题 0 行。');
  await expect(page.locator(`[data-testid=import-column][data-header="${ownerLogin}"]`)).toHaveValue('owner_id');
  await expect(page.getByTestId('import-apply-hint')).toHaveText('没有需要新建或更新的记录。');
});

test('a sales rep has no import', async ({ page }) => {
  await signIn(page, E2E_LOGIN, 'import');
  await expect(page.getByTestId('not-allowed')).toBeVisible();
  await expect(page.getByTestId('import-file')).toHaveCount(0);
});
