// Lists exported as Excel workbooks: the customers and the opportunities lists, filtered to this run's
// records, downloaded with 导出 Excel and read back by openpyxl (scripts/check-xlsx.py): a bold, frozen
// header, fitted columns, a name that starts with `=` kept as text, amounts as numbers in their own
// currency's format, and the expected close as a real date.
import { test, expect, type Download, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { E2E_LOGIN } from '../playwright.config';
import { apiLogin, navigateTo, newId, pushCreates, signIn } from './support';

/// Runs the openpyxl check on a downloaded workbook; its output, or the test fails with it.
function checkXlsx(file: string, expected: object): string {
  const python = process.env.YINGXIAO_PYTHON ?? path.resolve(__dirname, '../../.tools/venv/bin/python');
  try {
    return execFileSync(python, [path.resolve(__dirname, '../../scripts/check-xlsx.py'), file, JSON.stringify(expected)], {
      encoding: 'utf8',
    });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`check-xlsx failed:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

/// Searches the list for `text` and waits for `count` rows.
async function search(page: Page, text: string, count: number) {
  await page.getByLabel('搜索').fill(text);
  await expect(page.locator('.list-row')).toHaveCount(count);
}

/// Clicks `testid` and saves what it downloads as `name` in the test's output folder.
async function download(page: Page, testid: string, name: string): Promise<[Download, string]> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const saved = test.info().outputPath(name);
  await file.saveAs(saved);
  return [file, saved];
}

test('the customers and opportunities lists export workbooks Excel computes with', async ({ page, request }, testInfo) => {
  test.setTimeout(90_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const rep = await apiLogin(request, E2E_LOGIN);
  const customerId = newId();
  const customer = `=1+1 表格客户 ${unique}`;
  const yuanDeal = `人民币机会 ${unique}`;
  const dollarDeal = `美元机会 ${unique}`;
  const deal = (name: string, amount: number, currency: string) => ({
    collection: 'opportunities',
    id: newId(),
    fields: {
      name,
      customer_id: customerId,
      owner_id: rep.user.user_id,
      unit_id: rep.user.unit_id,
      amount,
      currency,
      stage: 'compare',
      expected_close: '2027-03-31',
      stage_history: [{ stage: 'compare', entered_at: new Date().toISOString() }],
    },
  });
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: customer, kind: 'dealer', region_unit_id: rep.user.unit_id, owner_id: rep.user.user_id },
    },
    deal(yuanDeal, 12_000_050, 'CNY'),
    deal(dollarDeal, 100_050, 'USD'),
  ]);

  // The customers list: the name that looks like a formula stays text in the workbook, and is
  // defused in the CSV.
  await signIn(page, E2E_LOGIN, 'customers');
  await expect(page.getByTestId('customers-list')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
  await search(page, unique, 1);
  const [csv] = await download(page, 'list-export', 'customers.csv');
  expect(fs.readFileSync((await csv.path())!).toString('utf8')).toContain(`'${customer},经销商`);
  const [customers, customersFile] = await download(page, 'list-export-xlsx', 'customers.xlsx');
  expect(customers.suggestedFilename()).toMatch(/^客户-\d{4}-\d{2}-\d{2}\.xlsx$/);
  checkXlsx(customersFile, {
    sheet: '客户',
    rows: 1,
    cells: [
      { row: 2, column: '客户名称', kind: 'text', value: customer },
      { row: 2, column: '客户类型', kind: 'text', value: '经销商' },
    ],
  });

  // The opportunities list: each amount a number in its own currency, the expected close a date.
  await navigateTo(page, '销售机会');
  await expect(page.getByTestId('opportunities-list')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
  await search(page, unique, 2);
  const [deals, dealsFile] = await download(page, 'list-export-xlsx', 'opportunities.xlsx');
  expect(deals.suggestedFilename()).toMatch(/^销售机会-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const read = checkXlsx(dealsFile, {
    sheet: '销售机会',
    header: ['机会名称', '客户', '阶段', '预计金额（元）', '负责人', '预计成交日期'],
    rows: 2,
    cells: [
      { row: { 机会名称: yuanDeal }, column: '预计金额（元）', kind: 'money', symbol: '¥', value: 120000.5 },
      { row: { 机会名称: dollarDeal }, column: '预计金额（元）', kind: 'money', symbol: 'US$', value: 1000.5 },
      { row: { 机会名称: yuanDeal }, column: '预计成交日期', kind: 'date', value: '2027-03-31' },
      { row: { 机会名称: yuanDeal }, column: '客户', kind: 'text', value: customer },
      { row: { 机会名称: yuanDeal }, column: '阶段', kind: 'text', value: '比较' },
    ],
  });
  expect(read).toContain('check-xlsx: ok');
});
