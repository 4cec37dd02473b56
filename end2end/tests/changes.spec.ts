// 本机的更改 names the record of every change: a customer created offline is listed as 新建客户 with the
// customer's name (from the device's record, or the change itself), and so is a later edit of it.
import { test, expect } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { E2E_LOGIN } from '../playwright.config';
import { signIn } from './support';

test('changes waiting on the device say which record they are about', async ({ page, context }, testInfo) => {
  test.setTimeout(90_000);
  const name = `待同步客户 ${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  await signIn(page, E2E_LOGIN, 'customers/new');
  await context.setOffline(true);
  try {
    await page.getByLabel('客户名称').fill(name);
    await page.getByLabel('客户类型').selectOption({ label: '经销商' });
    await page.locator('main form button[type=submit]').click();
    await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);

    await page.locator('.topbar .sync-indicator').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('本机的更改');
    const created = page.locator('.change').filter({ hasText: '新建客户' });
    await expect(created).toHaveCount(1);
    await expect(created.getByTestId('change-record')).toHaveText(`「${name}」`);

    await page.locator('button.language-toggle').click();
    await expect(page.locator('.change').filter({ hasText: 'New customer' }).getByTestId('change-record')).toHaveText(
      ` “${name}”`,
    );
  } finally {
    await context.setOffline(false);
  }
});
