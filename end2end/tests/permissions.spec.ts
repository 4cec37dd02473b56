// Who may do what, as the web app shows it (README "Who may do what"): a rep edits their customer but
// is offered no way to hand it on or to change its tier or credit limit; a promoter sees customers
// and no way to change them; a manager handing a customer on is told who will see it; and a change
// made offline that the office's new permission table no longer allows is refused, with the reason
// in Chinese on 本机的更改.
//
// The override test takes away one right (a sales rep deleting a deal) that no other spec uses, holds
// a lock per server while it is in force (the projects share two servers), and always puts it back.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  dataDirFor,
  E2E_ADMIN_LOGIN,
  E2E_LOGIN,
  E2E_MANAGER_LOGIN,
  E2E_NAME,
  E2E_PROMOTER_LOGIN,
} from '../playwright.config';
import { apiLogin, newId, pullAll, pushCreates, signIn, type Account } from './support';

/// A customer of the rep's with a tier and a credit limit, as the office sets them up.
async function repCustomer(request: APIRequestContext, name: string) {
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const rep = await apiLogin(request, E2E_LOGIN);
  const id = newId();
  await pushCreates(request, admin.token, [
    {
      collection: 'customers',
      id,
      fields: {
        name,
        kind: 'dealer',
        tier: 'A',
        credit_limit: 5_000_000,
        address: '上海市静安区南京西路 1 号',
        region_unit_id: rep.user.unit_id,
        owner_id: rep.user.user_id,
      },
    },
  ]);
  return { id, admin, rep };
}

/// No serious accessibility violation, every control a 44 px target, nothing wider than the screen.
async function checkPage(page: Page) {
  const results = await new AxeBuilder({ page }).include('main').analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  for (const control of await page.locator('main a, main button, main select').all()) {
    const box = await control.boundingBox();
    expect(box!.height, await control.evaluate((e) => e.outerHTML.slice(0, 80))).toBeGreaterThanOrEqual(44);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    page.viewportSize()!.width,
  );
}

function fact(page: Page, field: string) {
  return page.locator(`[data-field=${field}] dd`);
}

test('a rep edits their customer but is offered no way to hand it on or change its tier or credit limit', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(90_000);
  const name = `权限客户 ${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const { id, rep } = await repCustomer(request, name);

  await signIn(page, E2E_LOGIN, `customers/${id}`);
  await expect(page.getByTestId('record-title')).toHaveText(name);
  await expect(fact(page, 'tier')).toHaveText('A 类');
  await expect(fact(page, 'credit_limit')).toHaveText('¥50,000.00');

  await page.getByRole('button', { name: '编辑' }).click();
  const form = page.getByTestId('customers-form');
  for (const label of ['负责业务员', '所属区域', '客户等级', '信用额度']) {
    await expect(form.getByLabel(new RegExp(`^${label}\\*?$`)), label).toHaveCount(0);
  }
  // Shown as text, so the rep still reads them.
  await expect(form.locator('[data-read-only=owner_id] .read-only-value')).toHaveText(E2E_NAME);
  await expect(form.locator('[data-read-only=tier] .read-only-value')).toHaveText('A 类');
  await expect(form.locator('[data-read-only=credit_limit] .read-only-value')).toHaveText('¥50,000.00');
  await expect(form.getByTestId('visible-after')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('rep-customer-form.png'), fullPage: true });

  // What the rep may change, they change; the server takes it.
  await form.getByLabel(/^地址\*?$/).fill('上海市浦东新区世纪大道 100 号');
  await form.getByRole('button', { name: '保存', exact: true }).click();
  await expect(fact(page, 'address')).toHaveText('上海市浦东新区世纪大道 100 号');
  await expect
    .poll(
      async () =>
        (await pullAll(request, rep.token)).find((r) => r.collection === 'customers' && r.id === id)?.fields.address,
      { timeout: 30_000, intervals: [500, 1000, 2000] },
    )
    .toBe('上海市浦东新区世纪大道 100 号');
  await expect(page.locator('.topbar .sync-indicator')).not.toContainText('被拒绝');

  // The permission table is there to read, not to change.
  await page.goto('settings/permissions');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('权限');
  const table = page.getByTestId('permissions-table');
  await expect(table.locator('caption')).toHaveText('业务员的权限');
  await expect(table.locator('select')).toHaveCount(0);
  await expect(table.locator('tr[data-collection=customers] [data-action=edit]')).toHaveText('本人');
  await expect(table.locator('tr[data-collection=customers] [data-action="field:tier"]')).toHaveText('—');
  await expect(page.getByRole('button', { name: /保存更改/ })).toHaveCount(0);
  await checkPage(page);
});

test('a promoter sees customers but no way to create, edit or delete them', async ({ page, request }, testInfo) => {
  test.setTimeout(90_000);
  const name = `促销员看客户 ${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const { id } = await repCustomer(request, name);

  await signIn(page, E2E_PROMOTER_LOGIN, 'customers');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('客户');
  await expect(page.getByTestId('list-new')).toHaveCount(0);
  await page.getByLabel('搜索').fill(name);
  await page.getByTestId('record-list').getByRole('link', { name: new RegExp(name) }).click();
  await expect(page.getByTestId('record-title')).toHaveText(name);
  await expect(fact(page, 'tier')).toHaveText('A 类');
  const main = page.getByRole('main');
  for (const control of ['编辑', '删除']) {
    await expect(main.getByRole('button', { name: control, exact: true }), control).toHaveCount(0);
  }
  // No related list offers her a new contact, visit or deal.
  await expect(main.getByRole('link', { name: '新建', exact: true })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('promoter-customer.png'), fullPage: true });

  // Nor by address: the page says why, in the table's words.
  await page.goto(`customers/new`);
  await expect(page.getByTestId('not-allowed')).toHaveText('你的角色（促销员）不能新建客户。');
  await expect(page.getByTestId('customers-form')).toHaveCount(0);
  await page.goto('opportunities');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('销售机会');
  await expect(page.getByRole('link', { name: '新建机会' })).toHaveCount(0);
  await page.goto('pipeline');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('阶段看板');
  await expect(page.getByRole('link', { name: '新建机会' })).toHaveCount(0);
  await page.goto('');
  await expect(page.getByTestId('dashboard')).toBeVisible();
  await expect(page.getByRole('link', { name: '新建机会' })).toHaveCount(0);
  await page.goto(`customers/${id}`);
  await expect(page.getByTestId('record-title')).toHaveText(name);
});

test('a manager handing a customer on is told who will see it', async ({ page, request }, testInfo) => {
  test.setTimeout(90_000);
  const name = `转移客户 ${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const { id } = await repCustomer(request, name);

  await signIn(page, E2E_MANAGER_LOGIN, `customers/${id}`);
  await page.getByRole('button', { name: '编辑' }).click();
  const form = page.getByTestId('customers-form');
  await expect(form.getByLabel(/^客户等级\*?$/)).toBeVisible();
  // A regional manager keeps tiers, but credit limits are finance's.
  await expect(form.getByLabel(/^信用额度\*?$/)).toHaveCount(0);
  await expect(form.locator('[data-read-only=credit_limit] .read-only-value')).toHaveText('¥50,000.00');
  await expect(form.getByTestId('visible-after')).toHaveCount(0);
  const owner = form.getByLabel(/^负责业务员\*?$/);
  await owner.fill('测试促销员');
  await page.getByRole('option', { name: '测试促销员' }).click();
  await expect(form.getByTestId('visible-after')).toHaveText(/^保存后可见：测试促销员（负责业务员）及.+的主管$/);
  await owner.fill(E2E_NAME);
  await page.getByRole('option', { name: E2E_NAME, exact: true }).click();
  await expect(form.getByTestId('visible-after')).toHaveCount(0);
  await form.getByRole('button', { name: '取消' }).click();
  await expect(fact(page, 'owner_id')).toHaveText(E2E_NAME);
});

const OVERRIDE = { role: 'sales_rep', collection: 'opportunities', action: 'delete' };

type Line = { role: string; collection: string; action: string; extent: string };

/// The company unit's override lines as the server has them.
async function overrides(request: APIRequestContext, admin: Account): Promise<{ id: string; lines: Line[] }> {
  const company = (await pullAll(request, admin.token)).find(
    (r) => r.collection === 'org_units' && r.fields.kind === 'company',
  )!;
  return { id: company.id, lines: (company.fields.permission_overrides as Line[] | undefined) ?? [] };
}

const isOurs = (l: Line) =>
  l.role === OVERRIDE.role && l.collection === OVERRIDE.collection && l.action === OVERRIDE.action;

/// Puts the sales rep's right to delete deals back, whatever happened to the test.
async function restore(request: APIRequestContext, admin: Account) {
  const { id, lines } = await overrides(request, admin);
  if (!lines.some(isOurs)) return;
  const clientId = randomUUID();
  const response = await request.post('api/v1/sync/push', {
    headers: { Authorization: `Bearer ${admin.token}` },
    data: {
      client_id: clientId,
      mutations: [
        {
          id: 1,
          hlc: `${String(Date.now()).padStart(15, '0')}-00000-${clientId}`,
          name: 'set_fields',
          args: { collection: 'org_units', id, fields: { permission_overrides: lines.filter((l) => !isOurs(l)) } },
        },
      ],
    },
  });
  expect(response.status()).toBe(200);
}

/// Runs `work` while no other worker changes the permission table of the same server.
async function holdingTheTable<T>(baseURL: string, work: () => Promise<T>): Promise<T> {
  const lock = path.join(dataDirFor(Number(new URL(baseURL).port)), 'permission-override.lock');
  const deadline = Date.now() + 200_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`waited too long for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

test('a deal deleted offline after the office took that right away is refused, with the reason in Chinese', async ({
  page,
  context,
  browser,
  request,
  baseURL,
}, testInfo) => {
  test.setTimeout(420_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const { id: customerId, admin, rep } = await repCustomer(request, `删除权限客户 ${unique}`);
  const dealId = newId();
  const dealName = `删除权限机会 ${unique}`;
  await pushCreates(request, admin.token, [
    {
      collection: 'opportunities',
      id: dealId,
      fields: {
        name: dealName,
        customer_id: customerId,
        owner_id: rep.user.user_id,
        unit_id: rep.user.unit_id,
        amount: 800_000,
        stage: 'aware',
        stage_history: [{ stage: 'aware', entered_at: new Date().toISOString() }],
      },
    },
  ]);

  await holdingTheTable(baseURL!, async () => {
    const office = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'zh-CN' });
    try {
      // The rep, offline, deletes the deal (which the table allows them, so far).
      await signIn(page, E2E_LOGIN, `opportunities/${dealId}`);
      await expect(page.getByTestId('record-title')).toHaveText(dealName);
      await context.setOffline(true);
      await page.getByRole('button', { name: '删除', exact: true }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: '确认删除' }).click();
      await expect(page).toHaveURL(/\/opportunities\?deleted=/);

      // Meanwhile the administrator takes that right away, in Settings → 权限.
      const adminPage = await office.newPage();
      await signIn(adminPage, E2E_ADMIN_LOGIN, 'settings/permissions');
      await expect(adminPage.getByRole('heading', { level: 1 })).toHaveText('权限');
      await adminPage.getByLabel('角色', { exact: true }).selectOption({ label: '业务员' });
      const cell = adminPage.getByLabel('销售机会 · 删除');
      await expect(cell.locator('option:checked')).toHaveText('本人');
      await cell.selectOption({ label: '不允许' });
      await expect(cell).toHaveClass(/permission-changed/);
      await adminPage.getByRole('button', { name: '保存更改（1）' }).click();
      const confirm = adminPage.getByRole('alertdialog');
      await expect(confirm).toContainText('将调整 1 项权限');
      await expect(confirm.getByRole('button', { name: '取消' })).toBeFocused();
      await confirm.getByRole('button', { name: '确认保存' }).click();
      await expect(adminPage.getByTestId('permissions-note')).toHaveText('已保存到本设备，同步后对全公司生效。');
      await expect(cell.locator('option:checked')).toHaveText('不允许');
      await checkPage(adminPage);
      await adminPage.screenshot({ path: testInfo.outputPath('permissions-admin.png'), fullPage: true });
      await expect
        .poll(async () => (await overrides(request, admin)).lines.filter(isOurs).map((l) => l.extent), {
          timeout: 30_000,
          intervals: [500, 1000, 2000],
        })
        .toEqual(['none']);

      // Back online, the rep's deletion is refused, and the rep is told why in their language.
      await context.setOffline(false);
      const indicator = page.locator('.topbar .sync-indicator');
      await expect(indicator).toContainText('1 项被拒绝', { timeout: 30_000 });
      await indicator.click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('本机的更改');
      const refused = page.locator('.change-refused');
      await expect(refused).toHaveCount(1);
      await expect(refused).toContainText('删除销售机会');
      await expect(refused.getByTestId('refusal-reason')).toHaveText('你的角色（业务员）不能删除销售机会。');
      await page.screenshot({ path: testInfo.outputPath('refused-by-table.png'), fullPage: true });

      // The deal is back on the rep's device, now without a delete button.
      await page.goto(`opportunities/${dealId}`);
      await expect(page.getByTestId('record-title')).toHaveText(dealName);
      await expect(page.getByRole('button', { name: '编辑' })).toBeVisible();
      await expect(page.getByRole('button', { name: '删除', exact: true })).toHaveCount(0);

      // In English the same refusal reads in English.
      await page.goto('changes');
      await page.getByRole('button', { name: '切换语言' }).click();
      await expect(page.locator('.change-refused').getByTestId('refusal-reason')).toHaveText(
        'Your role (Sales rep) may not delete opportunities.',
      );
      await page.getByRole('button', { name: 'Switch language' }).click();

      // The administrator puts the sales rep back to the defaults.
      await adminPage.getByRole('button', { name: '恢复业务员的默认权限' }).click();
      await expect(cell.locator('option:checked')).toHaveText('本人');
      await adminPage.getByRole('button', { name: '保存更改（1）' }).click();
      await adminPage.getByRole('alertdialog').getByRole('button', { name: '确认保存' }).click();
      await expect(adminPage.getByTestId('permissions-note')).toBeVisible();
      await expect
        .poll(async () => (await overrides(request, admin)).lines.filter(isOurs), {
          timeout: 30_000,
          intervals: [500, 1000, 2000],
        })
        .toEqual([]);
    } finally {
      await office.close();
      await restore(request, admin);
    }
  });
});
