// The home page as each role meets it: during a device's first sync the progress is in view (not under
// the screen's edge or behind the navigation) and the dashboard waits instead of saying there are no
// deals; the server's diagnostics are for administrators only. At every viewport project.
import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN_LOGIN, E2E_LOGIN, E2E_PASSWORD } from '../playwright.config';

/// Signs in through the sign-in page on the home page, without waiting for the first sync.
async function signInHome(page: Page, login: string) {
  await page.goto('');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('input[name=username]').fill(login);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('概览');
}

test('during the first sync the progress is in view and the dashboard waits for the data', async ({ page }) => {
  // The first pull is held until the checks are done, so the first sync is running throughout them.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let pulls = 0;
  await page.route('**/api/v1/sync/pull', async (route) => {
    pulls += 1;
    await held;
    await route.continue();
  });
  try {
    await signInHome(page, E2E_LOGIN);
    await expect.poll(() => pulls).toBeGreaterThan(0);
    const progress = page.getByRole('progressbar', { name: '本设备首次同步' });
    await expect(progress).toBeVisible();
    await expect(progress).toContainText('已下载 0 条记录');
    // Wholly on screen, and nothing (the side or bottom navigation, the page) drawn over it.
    await expect(progress).toBeInViewport({ ratio: 1 });
    const covered = await progress.evaluate((bar) => {
      const box = bar.getBoundingClientRect();
      return [0.1, 0.5, 0.9].some((share) => {
        const hit = document.elementFromPoint(box.left + box.width * share, box.top + box.height / 2);
        return !hit || !bar.contains(hit);
      });
    });
    expect(covered).toBe(false);
    // The page's heading is not hidden under it.
    const bar = (await progress.boundingBox())!;
    const heading = (await page.getByRole('heading', { level: 1 }).boundingBox())!;
    expect(heading.y).toBeGreaterThanOrEqual(bar.y + bar.height);

    // No "you have no deals" and no offer of a first deal while the deals are still on their way.
    const dashboard = page.getByTestId('dashboard');
    await expect(dashboard.getByTestId('dashboard-waiting')).toContainText('首次同步');
    await expect(dashboard.locator('.empty-state')).toHaveCount(0);
    await expect(dashboard.getByRole('link', { name: '新建机会' })).toHaveCount(0);
  } finally {
    release();
  }
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('dashboard-waiting')).toHaveCount(0);
});

test('a sales rep’s home has no server diagnostics; an administrator’s has them', async ({ page, browser, baseURL }) => {
  await signInHome(page, E2E_LOGIN);
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', /synced|waiting/, {
    timeout: 30_000,
  });
  await expect(page.getByTestId('dashboard')).toBeVisible();
  await expect(page.getByTestId('server-card')).toHaveCount(0);
  await expect(page.getByText('SQLite（内置）')).toHaveCount(0);
  await expect(page.getByText('数据库', { exact: true })).toHaveCount(0);

  const other = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'zh-CN' });
  try {
    const admin = await other.newPage();
    await signInHome(admin, E2E_ADMIN_LOGIN);
    const card = admin.getByTestId('server-card');
    await expect(card.getByTestId('server-status')).toHaveText('已连接');
    await expect(card.getByText('SQLite（内置）')).toBeVisible();
  } finally {
    await other.close();
  }
});
