// The app shell as a user meets it: loading, deep links, navigation, language, theme, layout, at every
// viewport project and under a sub-path.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { E2E_ADMIN_LOGIN, E2E_LOGIN, E2E_PASSWORD } from '../playwright.config';
import { navigateTo } from './support';

/// Signs in through the sign-in page, whatever its language; lands on the page asked for.
async function signIn(page: Page, path = '', login = E2E_LOGIN) {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('input[name=username]').fill(login);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page.getByRole('navigation')).toBeVisible();
}

/// The app's own path prefix in this project ('' at the root, '/yingxiao' under the sub-path).
function basePath(baseURL: string | undefined): string {
  return new URL(baseURL!).pathname.replace(/\/$/, '');
}

/// The home page; an administrator's shows the server's diagnostics.
async function openHome(page: Page, login = E2E_LOGIN) {
  await signIn(page, '', login);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

test('home shows the real server version and a live connection, in Chinese by default', async ({
  page,
  request,
}) => {
  const health = await (await request.get('api/v1/health')).json();
  await openHome(page, E2E_ADMIN_LOGIN);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page).toHaveTitle('营销管理系统');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('概览');
  await expect(page.getByTestId('server-status')).toHaveText('已连接');
  await expect(page.getByTestId('server-version')).toHaveText(health.version);
  await expect(page.getByTestId('signed-in-as')).toHaveText('测试管理员 · 系统管理员');
  await expect(page.getByText('SQLite（内置）')).toBeVisible();
  // The boot splash is gone once the app has mounted.
  await expect(page.locator('#boot')).toHaveCount(0);
});

test('a first visit downloads the wasm once, and the browser has nothing to say about how', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('_bg.wasm')) wasm.push(request.url());
  });
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') warnings.push(message.text());
  });
  await signIn(page, '');
  // The service worker installs from the page's own copy and takes the page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await expect.poll(() => page.evaluate(() => caches.has('yingxiao-boot'))).toBe(false);
  expect(wasm).toHaveLength(1);
  // No preload left unused, none whose integrity is ignored, nothing blocked by the page's policy.
  expect(warnings.filter((text) => /preload|integrity|Content Security Policy/i.test(text))).toEqual([]);
});

test('a deep link asks for sign-in and then loads its page', async ({ page, baseURL }) => {
  await signIn(page, 'settings');
  expect(new URL(page.url()).pathname).toBe(`${basePath(baseURL)}/settings`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
  // On a narrow screen the link is in the 更多 sheet, which says where the user is too.
  if ((page.viewportSize()?.width ?? 1280) < 900) {
    await page.getByRole('navigation').getByRole('button', { name: '更多' }).click();
  }
  await expect(page.getByRole('navigation').getByRole('link', { name: '设置' })).toHaveAttribute(
    'aria-current',
    'page',
  );
});

test('navigation moves between pages without reloading', async ({ page, baseURL }) => {
  await openHome(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const nav = page.getByRole('navigation');
  await navigateTo(page, '设置');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
  expect(new URL(page.url()).pathname).toBe(`${basePath(baseURL)}/settings`);
  // Following a link closes the 更多 sheet.
  await expect(nav.locator('.nav-full')).toBeVisible({ visible: (page.viewportSize()?.width ?? 1280) >= 900 });
  await navigateTo(page, '首页');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('概览');
  expect(new URL(page.url()).pathname).toBe(`${basePath(baseURL)}/`);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('switching language changes the text and is remembered across reloads', async ({ page }) => {
  await openHome(page, E2E_ADMIN_LOGIN);
  await page.getByRole('button', { name: '切换语言' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Home' })).toBeVisible();
  await expect(page.getByTestId('server-status')).toHaveText('Connected');
  await expect(page).toHaveTitle('Yingxiao Marketing');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');

  await page.goto('settings');
  await page.getByRole('radio', { name: '中文' }).check();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
});

test.describe('a first visit from an English browser', () => {
  test.use({ locale: 'en-US' });
  test('follows navigator.language', async ({ page }) => {
    await openHome(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Overview');
  });
});

test.describe('a first visit from a browser in a language we do not speak', () => {
  test.use({ locale: 'fr-FR' });
  test('falls back to Chinese', async ({ page }) => {
    await openHome(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('概览');
  });
});

async function background(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

test('the theme follows the system until overridden, and the choice is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await signIn(page, 'settings');
  await expect(page.getByRole('radio', { name: '跟随系统' })).toBeChecked();
  const light = await background(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  const systemDark = await background(page);
  expect(systemDark).not.toBe(light);

  await page.getByRole('radio', { name: '浅色' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background(page)).toBe(light);

  await page.getByRole('radio', { name: '深色' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await background(page)).toBe(systemDark);

  await page.reload();
  await expect(page.getByRole('radio', { name: '深色' })).toBeChecked();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.getByRole('radio', { name: '跟随系统' }).check();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.*/);
  expect(await background(page)).toBe(light);
});

test('an unknown client route says so inside the shell', async ({ page }) => {
  await openHome(page);
  await page.goto('no-such-page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('页面不存在');
  await page.getByRole('link', { name: '返回首页' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('概览');
});

test('navigation sits at the side on wide screens and at the bottom on narrow ones', async ({ page }) => {
  await openHome(page);
  const viewport = page.viewportSize()!;
  const nav = await page.getByRole('navigation').boundingBox();
  expect(nav).not.toBeNull();
  if (viewport.width >= 900) {
    expect(nav!.x).toBe(0);
    expect(nav!.height).toBeGreaterThan(viewport.height / 2);
  } else {
    expect(nav!.y + nav!.height).toBeCloseTo(viewport.height, 0);
    expect(nav!.width).toBe(viewport.width);
  }
  // Nothing scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
  // Every control is at least 44 px tall: usable with a finger on a tablet.
  for (const control of await page.locator('nav a, nav button, main button, header button, header a').all()) {
    // The links of a closed 更多 sheet are not on screen.
    if (!(await control.isVisible())) continue;
    const box = await control.boundingBox();
    expect(box!.height, await control.innerText()).toBeGreaterThanOrEqual(44);
  }
});

test('every request stays under the base path', async ({ page, baseURL }) => {
  const outside: string[] = [];
  const prefix = `${basePath(baseURL)}/`;
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol.startsWith('http') && !url.pathname.startsWith(prefix)) outside.push(url.pathname);
  });
  const failed: string[] = [];
  page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
  });
  await openHome(page, E2E_ADMIN_LOGIN);
  await expect(page.getByTestId('server-status')).toHaveText('已连接');
  await page.goto('settings');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');
  expect(outside).toEqual([]);
  expect(failed).toEqual([]);
});

test('sign-in, home and settings have no serious accessibility violations', async ({ page }) => {
  await page.goto('login');
  await expect(page.locator('input[name=username]')).toBeVisible();
  const login = await new AxeBuilder({ page }).analyze();
  expect(login.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await signIn(page);
  for (const path of ['', 'settings']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
});

test('screenshot of the shell for the record', async ({ page }, testInfo) => {
  await openHome(page, E2E_ADMIN_LOGIN);
  await expect(page.getByTestId('server-status')).toHaveText('已连接');
  await page.screenshot({ path: testInfo.outputPath('home.png'), fullPage: true });
});

test('a wrong password is refused with a message in Chinese and nothing else happens', async ({ page }) => {
  await page.goto('login');
  await page.locator('input[name=username]').fill(E2E_LOGIN);
  await page.locator('input[name=password]').fill('wrong-password');
  await page.locator('button[type=submit]').click();
  await expect(page.getByRole('alert')).toHaveText('账号或密码错误。');
  await expect(page.locator('input[name=password]')).toHaveValue('');
  await expect(page.getByRole('navigation')).toHaveCount(0);
});

test('signing out ends the session and pages ask for sign-in again', async ({ page, request }) => {
  await openHome(page);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.session')!).token);
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.locator('input[name=username]')).toBeVisible();
  await page.goto('settings');
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings/);
  // The server has revoked the token too, not just the device.
  const me = await request.get('api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(401);
});

test('signing out offline keeps the revocation and sends it once back online', async ({ page, context, request }) => {
  await openHome(page);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.session')!).token);
  const me = () => request.get('api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  const waiting = () => page.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.revoke') ?? '[]'));

  // Offline: the device forgets the session at once, and keeps the token to revoke.
  await context.setOffline(true);
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.locator('input[name=username]')).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('yingxiao.session'))).toBeNull();
  await expect.poll(waiting).toEqual([token]);
  expect((await me()).status()).toBe(200);

  // Back online, the revocation goes out by itself and the list empties.
  await context.setOffline(false);
  await expect.poll(async () => (await me()).status(), { timeout: 20_000 }).toBe(401);
  await expect.poll(waiting, { timeout: 20_000 }).toEqual([]);
});

test('a revocation left from an earlier visit is sent on the next start', async ({ page, request }) => {
  await openHome(page);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.session')!).token);
  // As if the tab had been closed before the server answered: the session is gone, the token waits.
  await page.evaluate((t) => {
    localStorage.removeItem('yingxiao.session');
    localStorage.setItem('yingxiao.revoke', JSON.stringify([t, 'an-unknown-token']));
  }, token);
  await page.reload();
  await expect(page.locator('input[name=username]')).toBeVisible();
  await expect
    .poll(async () => (await request.get('api/v1/me', { headers: { Authorization: `Bearer ${token}` } })).status(), {
      timeout: 20_000,
    })
    .toBe(401);
  // An unknown token is done with too (the server answers 2xx or 401: no such session), so nothing waits.
  await expect
    .poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('yingxiao.revoke') ?? '[]')), { timeout: 20_000 })
    .toEqual([]);
});
