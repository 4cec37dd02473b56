// Administration in the browser (issue 15, part 5): the admin adds a person and gives them a
// sign-in account, and they sign in; disabling the account ends their open session at once. The
// audit trail shows an edit a rep made offline, with its device and the time it was made; another
// rep sees none of that record's history.
import { test, expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import {
  E2E_ADMIN_LOGIN,
  E2E_LOGIN,
  E2E_NAME,
  E2E_OTHER_REP_LOGIN,
} from '../playwright.config';
import { apiLogin, newId, pushCreates, signIn } from './support';

/// A form's input by its label as shown (a required field's label ends in *).
function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label}\\*?$`));
}

test('the admin adds a person who signs in, and disabling them ends their open session', async ({
  page,
  browser,
}, testInfo) => {
  test.skip(!['desktop', 'tablet-portrait', 'phone'].includes(testInfo.project.name), 'three screen sizes');
  test.setTimeout(90_000);
  const login = `new.${testInfo.project.name}.${randomUUID().slice(0, 6)}`;
  const name = `新同事 ${login}`;

  await signIn(page, E2E_ADMIN_LOGIN, 'users/new');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新建人员');
  await field(page, '姓名').fill(name);
  await field(page, '登录名').fill(login);
  await field(page, '角色').selectOption({ label: '业务员' });
  await field(page, '所属组织').fill('总公司');
  await page.getByRole('option', { name: '总公司' }).first().click();
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page.getByTestId('record-title')).toHaveText(name);
  // The person reaches the server with the next sync; the account is given there.
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });

  const panel = page.getByTestId('account-panel');
  await expect(panel.getByText('此人还没有登录账号')).toBeVisible();
  await expect(panel.getByLabel('账号')).toHaveValue(login);
  await panel.getByLabel('密码（至少 8 位）').fill('short');
  await panel.getByRole('button', { name: '创建登录账号' }).click();
  await expect(panel.getByRole('alert')).toHaveText('密码至少需要 8 位。');
  await panel.getByLabel('密码（至少 8 位）').fill('first-pass-1');
  await panel.getByRole('button', { name: '创建登录账号' }).click();
  await expect(panel.getByRole('status')).toHaveText('登录账号已创建。');
  await expect(panel.getByTestId('account-status')).toHaveText('可以登录');

  // The new person signs in on their own device.
  const theirs = await browser.newContext({ locale: 'zh-CN' });
  const them = await theirs.newPage();
  await them.goto(page.url().replace(/\/users\/.*$/, '/'));
  await them.locator('input[name=username]').fill(login);
  await them.locator('input[name=password]').fill('first-pass-1');
  await them.locator('button[type=submit]').click();
  await expect(them.getByRole('heading', { level: 1, name: '概览' })).toBeVisible({ timeout: 20_000 });
  await expect(them.locator('.sync-indicator').first()).toHaveAttribute('data-state', /synced|waiting/, {
    timeout: 20_000,
  });

  // Disabled after a confirmation: their open session stops working at once.
  await page.reload();
  await expect(panel.getByTestId('account-status')).toHaveText('可以登录');
  await panel.getByRole('button', { name: '停用账号' }).click();
  await expect(panel.getByText('停用后，此人在所有设备上会立即退出')).toBeVisible();
  await panel.getByRole('button', { name: '确定停用' }).click();
  await expect(panel.getByTestId('account-status')).toHaveText('已停用');
  const token = await them.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.session')!).token);
  const me = await them.request.get(new URL('api/v1/me', page.url().replace(/users\/.*$/, '')).toString(), {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(me.status()).toBe(401);
  await them.reload();
  await expect(them.locator('.sync-indicator').first()).toHaveAttribute('data-state', 'signin', { timeout: 20_000 });
  await theirs.close();
});

test('the audit trail shows a rep’s offline edit with its device and time, and only to those who see the record', async ({
  page,
  context,
  browser,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one flow; the pages are checked at every size above');
  test.setTimeout(90_000);
  const unique = randomUUID().slice(0, 8);
  const customerName = `审计客户 ${unique}`;
  const rep = await apiLogin(request, E2E_LOGIN);
  const customerId = newId();
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: customerName, kind: 'dealer', region_unit_id: rep.user.unit_id, owner_id: rep.user.user_id },
    },
  ]);

  // The rep edits the customer's phone with no network, then comes back online.
  await signIn(page, E2E_LOGIN, `customers/${customerId}`);
  await expect(page.getByTestId('record-title')).toHaveText(customerName);
  await context.setOffline(true);
  await page.getByRole('button', { name: '编辑' }).click();
  await field(page, '电话').fill('0571-2222 3333');
  const editedBy = Date.now();
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.getByTestId('record-saved')).toBeVisible();
  await page.waitForTimeout(1_500);
  const online = Date.now();
  await context.setOffline(false);
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });

  // The rep's own page shows the record's history.
  await page.getByRole('button', { name: '变更记录' }).click();
  const history = page.getByTestId('record-history');
  await expect(history.getByTestId('history-entry').first()).toContainText('0571-2222 3333');

  // The admin's audit trail, filtered to customers.
  const office = await browser.newContext({ locale: 'zh-CN' });
  const admin = await office.newPage();
  await signIn(admin, E2E_ADMIN_LOGIN, 'audit');
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('操作日志');
  await admin.getByLabel('数据类别').selectOption({ label: '客户' });
  await admin.getByRole('button', { name: '查询' }).click();
  const entry = admin.getByTestId('history-entry').filter({ hasText: '0571-2222 3333' });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText(E2E_NAME);
  await expect(entry).toContainText('修改');
  await expect(entry).toContainText('Chrome · ');
  await expect(entry.getByRole('link', { name: customerName })).toBeVisible();
  // The time shown is when the rep made the edit on the tablet, not when it reached the server.
  const made = Date.parse((await entry.locator('time').getAttribute('datetime'))!);
  expect(made).toBeGreaterThanOrEqual(editedBy - 1_000);
  expect(made).toBeLessThan(online);
  await office.close();

  // Another rep, who does not see this customer, sees none of its history.
  const other = await apiLogin(request, E2E_OTHER_REP_LOGIN);
  const theirs = await request.get(`api/v1/audit?collection=customers&record=${customerId}`, {
    headers: { Authorization: `Bearer ${other.token}` },
  });
  expect(theirs.status()).toBe(200);
  expect((await theirs.json()).entries).toEqual([]);
  const elsewhere = await browser.newContext({ locale: 'zh-CN' });
  const colleague = await elsewhere.newPage();
  await signIn(colleague, E2E_OTHER_REP_LOGIN, 'audit');
  await expect(colleague.getByTestId('audit-page')).toBeVisible();
  await expect(colleague.locator('.audit-page .history-list, .audit-page .empty-state')).toBeVisible({
    timeout: 20_000,
  });
  await expect(colleague.getByText(customerName)).toHaveCount(0);
  await expect(colleague.getByText('0571-2222 3333')).toHaveCount(0);
  // No administration in their navigation.
  await expect(colleague.getByRole('link', { name: '操作日志' })).toHaveCount(0);
  await elsewhere.close();
});
