// A refused change, as a rep meets it: while the tablet is offline the rep edits a customer, and
// meanwhile an administrator hands that customer to someone else. Back online, the edit is refused
// by the server; the rep sees it on 本机的更改 with the reason, the customer leaves the rep's device,
// and the rep can dismiss the notice.
import { test, expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { E2E_ADMIN_LOGIN, E2E_LOGIN, E2E_PASSWORD } from '../playwright.config';
import { navigateTo } from './support';

async function signIn(page: Page) {
  await page.goto('customers');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('input[name=username]').fill(E2E_LOGIN);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page.getByTestId('customers-list')).toHaveAttribute('aria-busy', 'false', { timeout: 20_000 });
}

/// The clock stamp format of the sync protocol, for a push made by this test as another device.
function stamp(clientId: string): string {
  return `${String(Date.now()).padStart(15, '0')}-00000-${clientId}`;
}

test('an edit of a customer handed to someone else meanwhile is refused and shown with the reason', async ({
  page,
  context,
  request,
}, testInfo) => {
  test.setTimeout(90_000);
  const name = `易手客户 ${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  await signIn(page);
  const indicator = page.locator('.topbar .sync-indicator');

  // Created online; wait until it has reached the server.
  await page.getByTestId('list-new').click();
  await page.getByLabel(/^客户名称\*?$/).fill(name);
  await page.getByLabel(/^客户类型\*?$/).selectOption({ label: '经销商' });
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  await expect(indicator).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });

  // Offline, the rep changes the city; the indicator counts the waiting change.
  await context.setOffline(true);
  await page.getByRole('button', { name: '编辑' }).click();
  await page.getByLabel(/^城市\*?$/).fill('苏州');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.locator('[data-field=city] dd')).toHaveText('苏州');

  // Meanwhile an administrator hands the customer to themselves, through the sync endpoint.
  const login = await request.post('api/v1/auth/login', {
    data: { login: E2E_ADMIN_LOGIN, password: E2E_PASSWORD },
  });
  expect(login.status()).toBe(200);
  const admin = await login.json();
  const clientId = randomUUID();
  const push = await request.post('api/v1/sync/push', {
    headers: { Authorization: `Bearer ${admin.token}` },
    data: {
      client_id: clientId,
      mutations: [
        {
          id: 1,
          hlc: stamp(clientId),
          name: 'set_fields',
          args: { collection: 'customers', id, fields: { owner_id: admin.user.user_id } },
        },
      ],
    },
  });
  expect(push.status()).toBe(200);
  expect((await push.json()).outcomes[0].outcome).toBe('applied');

  // Back online: the edit is refused, and the rep is told why.
  await context.setOffline(false);
  await expect(indicator).toContainText('1 项被拒绝', { timeout: 20_000 });
  await indicator.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('本机的更改');
  const refused = page.locator('.change-refused');
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText('修改客户：城市');
  await expect(refused).toContainText('记录不存在，或已不在你的权限范围内');
  await expect(page.getByText('没有等待发送的更改：所有更改都已到达服务器。')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('refused-change.png'), fullPage: true });

  // The customer is no longer the rep's: it has left the device.
  await navigateTo(page, '客户');
  await page.getByLabel('搜索').fill(name);
  await expect(page.getByTestId('record-list').getByRole('link')).toHaveCount(0);

  // Read and dismissed.
  await indicator.click();
  await refused.getByRole('button', { name: '知道了' }).click();
  await expect(page.getByText('没有被拒绝的更改。')).toBeVisible();
  await expect(indicator).not.toContainText('被拒绝');
});
