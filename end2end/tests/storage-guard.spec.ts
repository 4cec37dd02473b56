// A promoter's or rep's changes that wait on the device are only as safe as the browser's storage. A
// fresh browser profile has no grant to keep the site's data (the case of a tablet's browser tab
// that was never installed to the home screen), so a change saved offline is warned about in plain
// words until it is sent, and the warning goes once it is.
import { test, expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { E2E_LOGIN } from '../playwright.config';
import { pullAll, apiLogin, signIn } from './support';

function field(page: Page, label: string) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}\\*?$`));
}

test('changes waiting on storage the browser may clear are warned about until they are sent', async ({
  page,
  context,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-portrait' && testInfo.project.name !== 'phone', 'a tablet and a phone');
  const name = `存储提醒 ${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  await signIn(page, E2E_LOGIN, 'customers/new');
  // The browser was asked to keep the data and, for a site it knows nothing about, said no.
  expect(await page.evaluate(() => navigator.storage.persisted())).toBe(false);
  // Nothing waits: nothing to warn about.
  await expect(page.getByTestId('storage-warning')).toHaveCount(0);

  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await context.setOffline(true);
  await field(page, '客户名称').fill(name);
  await field(page, '客户类型').selectOption({ label: '经销商' });
  await page.getByRole('button', { name: '创建', exact: true }).click();
  await expect(page.getByTestId('storage-warning')).toContainText('有 1 项修改还在本设备上等待发送');
  await expect(page.getByTestId('storage-warning')).toContainText('添加到主屏幕');

  await context.setOffline(false);
  // The warning goes as soon as the device can send again (while it sends, nothing is stuck); the
  // change is on the server once the device says it is synced, not before.
  await expect(page.getByTestId('storage-warning')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  const rep = await apiLogin(request, E2E_LOGIN);
  expect((await pullAll(request, rep.token)).some((r) => r.fields.name === name)).toBe(true);
});
