// The browser half of the import figures (issue 16), not a test: run by `scripts/bench-import-browser.sh`
// against the demo company as its administrator. 100,000 deals (BENCH_DEALS) of the demo's customers,
// reps and units, as a CSV and as an .xlsx, go through the import page: the worker reads the file
// (beside a plain reader of the same bytes in the same worker: core's `read_plain`), checks it against
// the device's records, then the valid rows are written to the device's outbox and pushed to the
// server by the sync. Nothing is asserted on time; each figure is printed beside its reference.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const LOGIN = process.env.BENCH_LOGIN ?? 'admin';
const PASSWORD = 'yingxiao-demo';
const DEALS = Number(process.env.BENCH_DEALS ?? 100_000);
const python = process.env.YINGXIAO_PYTHON ?? resolve(__dirname, '../../.tools/venv/bin/python');
const STAGES = ['Aware', '了解', 'Compare', '比较', '谈判', 'Commit', 'Won', '赢单', 'Lost', '输单'];
const DAY = 86_400_000;

type Stored = { collection: string; id: string; fields: Record<string, any> };

async function everything(page: Page, token: string): Promise<Stored[]> {
  const records: Stored[] = [];
  let cursor: string | undefined;
  for (;;) {
    const response = await page.request.post('api/v1/sync/pull', {
      headers: { Authorization: `Bearer ${token}` },
      data: { client_id: '0193a1b2-0000-7000-8000-00000000be4c', cursor, limit: 5000 },
    });
    const body = await response.json();
    records.push(...body.records);
    if (!body.has_more) return records;
    cursor = body.cursor;
  }
}

/** The deals as a CRM would export them: the demo's customers by name, their owners by login. */
function dealRows(records: Stored[]): string[][] {
  const users = new Map(records.filter((r) => r.collection === 'users').map((r) => [r.id, r.fields]));
  const units = new Map(records.filter((r) => r.collection === 'org_units').map((r) => [r.id, r.fields]));
  const customers = records
    .filter((r) => r.collection === 'customers' && users.get(r.fields.owner_id)?.role === 'sales_rep')
    .map((r) => {
      const owner = users.get(r.fields.owner_id)!;
      return { name: r.fields.name as string, owner: owner.login as string, unit: units.get(owner.unit_id)?.code as string };
    })
    .filter((c) => c.unit);
  let seed = 20261202;
  const below = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const start = Date.now() - 700 * DAY;
  const rows = [['Deal ID', 'Deal Name', 'Account Name', 'Deal Owner', 'unit', 'Deal Value', 'Deal Stage', 'Created Date', 'Closed Date', 'Lost reason']];
  for (let i = 0; i < DEALS; i++) {
    const c = customers[below(customers.length)];
    const stage = STAGES[below(STAGES.length)];
    const created = start + below(600) * DAY;
    const closed = ['Won', '赢单', 'Lost', '输单'].includes(stage) ? day(created + (1 + below(90)) * DAY) : '';
    rows.push([
      `BENCH-${String(i + 1).padStart(6, '0')}`, `${c.name} 年度采购 ${i + 1}`, c.name, c.owner, c.unit,
      `${1000 + below(500000)}.${String(below(100)).padStart(2, '0')}`, stage, day(created), closed,
      ['Lost', '输单'].includes(stage) ? '价格' : '',
    ]);
  }
  return rows;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;

/** Chooses the file and waits for the check; returns the worker's and the page's times. */
async function check(page: Page, file: string) {
  const started = Date.now();
  await page.getByTestId('import-file').setInputFiles(file);
  const summary = page.getByTestId('import-summary');
  await expect(summary).toHaveAttribute('data-plain-ms', /\d/, { timeout: 20 * 60_000 });
  const wall = Date.now() - started;
  const read = Number(await summary.getAttribute('data-read-ms'));
  const checkMs = Number(await summary.getAttribute('data-check-ms'));
  const load = Number(await summary.getAttribute('data-load-ms'));
  const plain = Number(await summary.getAttribute('data-plain-ms'));
  return { wall, read, load, check: checkMs, plain, text: await summary.innerText() };
}

test(`import of ${DEALS} deals in the browser as ${LOGIN}`, async ({ page }) => {
  test.setTimeout(60 * 60_000);
  const login = await page.request.post('api/v1/auth/login', { data: { login: LOGIN, password: PASSWORD } });
  const { token } = await login.json();
  const rows = dealRows(await everything(page, token));
  const dir = mkdtempSync(join(tmpdir(), 'yingxiao-import-bench-'));
  const csv = join(dir, 'deals.csv');
  writeFileSync(csv, rows.map((r) => r.join(',')).join('\r\n'));
  const xlsx = join(dir, 'deals.xlsx');
  execFileSync(python, ['-c', [
    'import csv, sys',
    'from openpyxl import Workbook',
    'book = Workbook(write_only=True)',
    'sheet = book.create_sheet("Deals")',
    'for row in csv.reader(open(sys.argv[1], encoding="utf-8")):',
    '    sheet.append(row)',
    'book.save(sys.argv[2])',
  ].join('\n'), csv, xlsx]);
  console.log(`${DEALS} deals: CSV ${(statSync(csv).size / 1e6).toFixed(1)} MB, .xlsx ${(statSync(xlsx).size / 1e6).toFixed(1)} MB`);

  await page.goto('login?next=/import%3Fbench');
  await page.getByLabel('账号').fill(LOGIN);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 120_000 });
  await page.getByTestId('import-kind').selectOption('opportunities');

  const first = await check(page, csv);
  console.log(`CSV   read ${secs(first.read)} (plain csv reader ${secs(first.plain)})  load the device's records ${secs(first.load)}  validate ${secs(first.check)}  file to preview ${secs(first.wall)}`);
  console.log(`      ${first.text}`);
  const applying = Date.now();
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 20 * 60_000 });
  const written = Date.now() - applying;
  const worker = Number(await page.getByTestId('import-done').getAttribute('data-write-ms'));
  await expect(page.getByTestId('import-sync')).toHaveText('已全部同步到服务器。', { timeout: 60 * 60_000 });
  const synced = Date.now() - applying;
  console.log(`CSV   apply: into the device's outbox ${secs(worker)} in the worker (${Math.round(DEALS / (worker / 1000))} rows/s), ${secs(written)} to the page's "imported"; on the server ${secs(synced)} (${Math.round(DEALS / (synced / 1000))} rows/s)`);

  // A fresh page, so the summary waited for is the workbook's.
  await page.goto('import?bench');
  await page.getByTestId('import-kind').selectOption('opportunities');
  const again = await check(page, xlsx);
  console.log(`.xlsx read ${secs(again.read)} (plain calamine ${secs(again.plain)})  load ${secs(again.load)}  validate ${secs(again.check)}  file to preview ${secs(again.wall)} (the same deals again)`);
  console.log(`      ${again.text}`);
});
