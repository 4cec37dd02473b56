// Customers with no network: a sales rep creates a customer, edits it, adds a contact and logs a
// visit while the tablet is offline; everything shows at once from the device. Back online, the
// changes reach the server: its sync endpoint has them, and a fresh sign-in elsewhere sees them.
// Runs at every project, including the sub-path one. No demo data: every name is unique to the run.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { randomUUID } from 'node:crypto';
import { E2E_LOGIN, E2E_MANAGER_LOGIN, E2E_NAME, E2E_PASSWORD } from '../playwright.config';
import { pullAll, navigateTo } from './support';

/// Signs in through the sign-in page and waits until the customer list has the device's data.
async function signInToCustomers(page: Page, login = E2E_LOGIN) {
  await page.goto('customers');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('input[name=username]').fill(login);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('客户');
  // Not busy: the database is open and the first sync has finished.
  await expect(page.getByTestId('customers-list')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
}

/// A form's input by its label as shown (a required field's label ends in *).
function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label}\\*?$`));
}

/// Picks a record in a reference field by typing part of its name.
async function pick(page: Page, label: string, text: string) {
  await field(page, label).fill(text);
  await page.getByRole('option', { name: text }).first().click();
}

/// A fact of the customer page, by its field.
function fact(page: Page, field: string) {
  return page.locator(`[data-field=${field}] dd`);
}

test('a customer created and edited offline reaches the server once back online', async ({
  page,
  context,
  browser,
  request,
  baseURL,
}, testInfo) => {
  test.setTimeout(120_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const name = `离线客户 ${unique}`;

  await signInToCustomers(page);
  // The service worker has taken the page, so it can start again with no network.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await context.setOffline(true);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);

  // Create, offline. An empty form is refused field by field, in Chinese, and nothing is stored.
  await page.getByTestId('list-new').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新建客户');
  await field(page, '客户类型').selectOption({ label: '请选择…' });
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page.getByText('“客户名称”为必填项')).toBeVisible();
  await expect(page.getByText('“客户类型”为必填项')).toBeVisible();
  await expect(field(page, '客户名称')).toBeFocused();
  await expect(field(page, '客户名称')).toHaveAttribute('aria-invalid', 'true');
  // The owner and region default to the signed-in rep and their unit. Tier and credit limit are
  // the office's to set, so a rep is not offered them.
  await expect(field(page, '负责业务员')).toHaveValue(E2E_NAME);
  await expect(field(page, '所属区域')).not.toHaveValue('');
  await expect(field(page, '客户等级')).toHaveCount(0);
  await expect(field(page, '信用额度')).toHaveCount(0);

  await field(page, '客户名称').fill(name);
  await field(page, '客户类型').selectOption({ label: '经销商' });
  await field(page, '城市').fill('杭州');
  await field(page, '电话').fill('0571-8888 6666');
  await page.getByRole('button', { name: '创建', exact: true }).click();

  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  await expect(page.getByTestId('record-title')).toHaveText(name);
  // Kept on the device, and said so until the server has it.
  await expect(page.getByTestId('waiting-note')).toContainText('尚未同步到服务器');
  await expect(fact(page, 'kind')).toHaveText('经销商');
  await expect(fact(page, 'owner_id')).toHaveText(E2E_NAME);

  // Edit, offline: only what changed is sent.
  await page.getByRole('button', { name: '编辑' }).click();
  await expect(field(page, '客户名称')).toHaveValue(name);
  await expect(field(page, '客户名称')).toBeFocused();
  await field(page, '城市').fill('宁波');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.getByTestId('record-saved')).toBeVisible();
  await expect(fact(page, 'city')).toHaveText('宁波');
  await expect(page.getByRole('button', { name: '编辑' })).toBeFocused();

  // A contact and a visit, offline, from the customer's related lists; each comes back here.
  await page.getByTestId('related-contacts').getByRole('link', { name: '新建' }).click();
  await expect(field(page, '所属客户')).toHaveValue(name);
  await field(page, '姓名').fill('王经理');
  await field(page, '职务').fill('采购经理');
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page.getByTestId('related-contacts').getByText('王经理')).toBeVisible();
  await page.getByTestId('related-visits').getByRole('link', { name: '新建' }).click();
  await expect(field(page, '拜访时间')).not.toHaveValue('');
  await pick(page, '联系人', '王经理');
  await field(page, '拜访方式').selectOption({ label: '上门拜访' });
  await field(page, '拜访内容').fill(`首次拜访 ${unique}`);
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page.getByTestId('related-visits').getByText('上门拜访')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('customer-offline.png'), fullPage: true });

  // The list, offline: found by a search over name, city and phone.
  await navigateTo(page, '客户');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('客户');
  await page.getByLabel('搜索').fill(unique);
  const rows = page.getByTestId('record-list').getByRole('row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(name);
  await expect(rows.first()).toContainText('宁波');
  await expect(rows.first().getByTestId('waiting')).toHaveText('待同步');
  await expect(page.getByTestId('list-count')).toHaveText(/^1 \/ \d+ 条$/);
  await page.getByLabel('搜索').fill('8888 6666');
  await expect(rows.filter({ hasText: name })).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('customers-offline.png'), fullPage: true });

  // Reloaded with no network: the service worker serves the app, and the device still has it all.
  await page.reload();
  await expect(page.getByTestId('customers-list')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
  await page.getByLabel('搜索').fill(unique);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('宁波');
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });

  // Back online: the device pushes, and the server has the edited customer, its contact and visit.
  await context.setOffline(false);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.session')!).token);
  await expect
    .poll(
      async () => {
        const records = await pullAll(request, token);
        const customer = records.find((r) => r.collection === 'customers' && r.id === id);
        const contact = records.find((r) => r.collection === 'contacts' && r.fields.customer_id === id);
        const visit = records.find((r) => r.collection === 'visits' && r.fields.customer_id === id);
        return {
          city: customer?.fields.city,
          phone: customer?.fields.phone,
          contact: contact?.fields.name,
          visit: visit?.fields.summary,
          visit_contact: visit?.fields.contact_id === contact?.id,
        };
      },
      { timeout: 60_000, intervals: [500, 1000, 2000] },
    )
    .toEqual({
      city: '宁波',
      phone: '0571-8888 6666',
      contact: '王经理',
      visit: `首次拜访 ${unique}`,
      visit_contact: true,
    });

  // Once the server has it, the rep's list no longer marks it.
  await page.getByLabel('搜索').fill(unique);
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId('waiting')).toHaveCount(0, { timeout: 30_000 });

  // The rep's manager, on another device, sees the edited customer.
  const other = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'zh-CN' });
  try {
    const second = await other.newPage();
    await signInToCustomers(second, E2E_MANAGER_LOGIN);
    await second.getByLabel('搜索').fill(unique);
    const found = second.getByTestId('record-list').getByRole('row').filter({ hasText: name });
    await expect(found).toContainText('宁波');
    await found.getByRole('link').click();
    await expect(second.getByTestId('record-title')).toHaveText(name);
    await expect(fact(second, 'phone')).toHaveText('0571-8888 6666');
    await expect(second.getByTestId('related-contacts').getByText('王经理')).toBeVisible();
    await expect(second.getByTestId('related-visits').getByText('上门拜访')).toBeVisible();
  } finally {
    await other.close();
  }
});

test('an unknown customer says so and links back to the list', async ({ page }) => {
  await signInToCustomers(page);
  await page.goto(`customers/${randomUUID()}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('找不到这条记录');
  await page.getByRole('main').getByRole('link', { name: '返回客户' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('客户');
});

/// No serious accessibility violation in light or dark, and every control is a 44 px touch target.
async function checkAccessible(page: Page) {
  for (const colorScheme of ['light', 'dark'] as const) {
    // Reduced motion: no colour transition is caught half-way.
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const results = await new AxeBuilder({ page }).include('main').analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${colorScheme} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
  // Measured in one go inside the page: the list is live (other tests' customers arrive by sync and
  // redraw rows), so a control found first and measured later may be gone by then.
  const small = await page.evaluate(() => {
    const selector =
      'main a, main button, main select, main textarea, main input:not([type=checkbox]), main .field-check label';
    return [...document.querySelectorAll(selector)]
      .filter((e) => {
        // Controls a layout hides (a phone's list has no column headers) are not touched.
        const box = e.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(e).visibility !== 'hidden';
      })
      .filter((e) => e.getBoundingClientRect().height < 44)
      .map((e) => e.outerHTML.slice(0, 80));
  });
  expect(small).toEqual([]);
}

test('the customer pages are accessible, touch-sized, and usable by keyboard', async ({ page }) => {
  test.setTimeout(60_000);
  const name = `键盘客户 ${randomUUID().slice(0, 8)}`;
  await signInToCustomers(page);
  await checkAccessible(page);

  // The whole form by keyboard: Tab from the name through the choices to the save button.
  await page.getByTestId('list-new').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('新建客户');
  await checkAccessible(page);
  await field(page, '客户名称').focus();
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  // The customer's id in the old system (外部编号) comes next; it may stay empty.
  await expect(field(page, '外部编号')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(field(page, '客户类型')).toBeFocused();
  await field(page, '客户类型').selectOption({ label: '零售门店' });
  await field(page, '城市').focus();
  await page.keyboard.type('上海');
  await page.getByRole('button', { name: '创建', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('record-title')).toHaveText(name);
  await expect(fact(page, 'kind')).toHaveText('零售门店');
  await checkAccessible(page);

  // In English the labels come from the same domain table.
  await page.locator('.language-toggle').click();
  await expect(fact(page, 'kind')).toHaveText('Retail store');
  await expect(page.locator('[data-field=kind] dt')).toHaveText('Kind');
  await navigateTo(page, 'Customers');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Customers');
  await page.getByLabel('Search').fill(name);
  await expect(page.getByTestId('record-list').getByRole('row')).toHaveCount(1);
  await expect(page.getByTestId('list-count')).toHaveText(/^1 of \d+ records$/);
});

test('a customer deleted offline, after a confirmation, leaves the server once back online', async ({
  page,
  context,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const name = `待删除客户 ${unique}`;
  await signInToCustomers(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });

  // Created online: the "not yet on the server" note goes once the sync has taken it.
  await page.getByTestId('list-new').click();
  await field(page, '客户名称').fill(name);
  await field(page, '客户类型').selectOption({ label: '终端客户' });
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.session')!).token);
  const onServer = async () => (await pullAll(request, token)).some((r) => r.collection === 'customers' && r.id === id);
  await expect.poll(onServer, { timeout: 30_000, intervals: [300, 500, 1000] }).toBe(true);
  await expect(page.getByTestId('waiting-note')).toHaveCount(0, { timeout: 30_000 });

  await context.setOffline(true);
  // Asked first; Escape puts it off and gives the keyboard back to the button.
  const remove = page.getByRole('button', { name: '删除', exact: true });
  await remove.click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText(`删除“${name}”？`);
  await expect(confirm.getByRole('button', { name: '取消' })).toBeFocused();
  const results = await new AxeBuilder({ page }).include('[data-testid=delete-confirm]').analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(remove).toBeFocused();
  await expect(page.getByTestId('record-title')).toHaveText(name);

  await remove.click();
  await confirm.getByRole('button', { name: '确认删除' }).click();
  await expect(page).toHaveURL(/\/customers\?deleted=/);
  await expect(page.getByTestId('record-deleted')).toContainText(`“${name}”已删除`);
  // Gone from the list (which is empty, or has other customers but no match, depending on the run).
  await page.getByLabel('搜索').fill(unique);
  await expect(page.getByTestId('customers-list')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
  await expect(page.getByRole('link', { name: new RegExp(name) })).toHaveCount(0);
  await expect(page.getByText(/没有符合搜索和筛选条件的记录|还没有客户/)).toBeVisible();

  await context.setOffline(false);
  await expect.poll(onServer, { timeout: 60_000, intervals: [500, 1000, 2000] }).toBe(false);
});
