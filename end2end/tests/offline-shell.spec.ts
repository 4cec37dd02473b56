// The service worker: once it controls the page the app starts with no network at all, signed out or
// signed in, on deep links too; a new build is offered with a reload. At every project, including the
// sub-path one.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { E2E_LOGIN, E2E_PASSWORD, dist, server } from '../playwright.config';
import { freePort } from './support';

/// The app's own path prefix in this project ('' at the root, '/yingxiao' under the sub-path).
function basePath(baseURL: string | undefined): string {
  return new URL(baseURL!).pathname.replace(/\/$/, '');
}

/// Waits until the worker has cached the shell and controls this page (it claims the first visit).
async function controlledByServiceWorker(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null);
}

async function signIn(page: Page) {
  await page.goto('login');
  await page.locator('input[name=username]').fill(E2E_LOGIN);
  await page.locator('input[name=password]').fill(E2E_PASSWORD);
  await page.locator('button[type=submit]').click();
  await expect(page.getByRole('navigation')).toBeVisible();
}

/// Whether the page can reach the API: it must fail offline, since the worker never caches it.
/// Waits until the server is out of reach from the page. Chromium applies the context's offline
/// emulation to the service worker, through which the page's requests go, a moment after
/// `setOffline` returns (one clean-clone run saw the health check still answered right after it).
async function waitUntilOffline(page: Page) {
  await expect.poll(() => apiAnswers(page), { timeout: 10_000 }).toBe(false);
}

async function apiAnswers(page: Page): Promise<boolean> {
  return page.evaluate(() =>
    fetch('api/v1/health').then(
      () => true,
      () => false,
    ),
  );
}

test('signed out, the sign-in page starts with no network', async ({ page, context, baseURL }) => {
  await page.goto('');
  await expect(page.locator('input[name=username]')).toBeVisible();
  await controlledByServiceWorker(page);
  // The worker's scope is the base path, not the origin.
  const scope = await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.scope));
  expect(new URL(scope).pathname).toBe(`${basePath(baseURL)}/`);

  await context.setOffline(true);
  await waitUntilOffline(page);
  const response = await page.reload();
  expect(response?.fromServiceWorker()).toBe(true);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('登录营销管理系统');
  await expect(page.locator('input[name=username]')).toBeVisible();
  // The cached index.html is the one the server rewrote for this base path.
  expect(await page.evaluate(() => document.baseURI)).toBe(baseURL);
});

test('signed in, client routes start with no network', async ({ page, context, baseURL }) => {
  await signIn(page);
  await controlledByServiceWorker(page);
  await context.setOffline(true);
  await waitUntilOffline(page);

  // A full page load of a deep link, not a client-side navigation.
  const settings = await page.goto('settings');
  expect(settings?.fromServiceWorker()).toBe(true);
  expect(new URL(page.url()).pathname).toBe(`${basePath(baseURL)}/settings`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置');

  await page.goto('');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('概览');
  // The top bar says the device is offline (the server's diagnostics are for administrators only).
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
});

/// A server of the test's own over a copy of the built app, at this project's base path, so the test
/// can deploy a new build by rewriting sw.js on disk (the server reads files per request).
class Deployment {
  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(basePath: string): Promise<Deployment> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yingxiao-sw-'));
    fs.cpSync(dist, path.join(dir, 'dist'), { recursive: true });
    const port = await freePort();
    const args = ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', path.join(dir, 'data')];
    args.push('--dist', path.join(dir, 'dist'), '--base-path', basePath || '/');
    const child = spawn(server, args, { stdio: 'ignore', env: { ...process.env, RUST_LOG: 'warn' } });
    const deployment = new Deployment(`http://127.0.0.1:${port}${basePath}/`, dir, child);
    const health = () => fetch(`${deployment.url}api/v1/health`).then((r) => r.status, () => 0);
    await expect.poll(health, { timeout: 30_000 }).toBe(200);
    return deployment;
  }

  /// A new build as the browser sees it: sw.js with other bytes and another cache version.
  deployNewVersion(suffix: string) {
    const file = path.join(this.dir, 'dist', 'sw.js');
    const worker = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, worker.replace(/const VERSION = '([0-9a-f]+)'/, `const VERSION = '$1-${suffix}'`));
  }

  stop() {
    this.child.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const withDeployment = test.extend<{ deployment: Deployment }>({
  deployment: async ({ baseURL }, use) => {
    const deployment = await Deployment.start(basePath(baseURL));
    await use(deployment);
    deployment.stop();
  },
});

/// Asks the browser to look for a new sw.js now, as it does by itself on navigation.
async function checkForUpdate(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.update()));
}

withDeployment('a new version is offered with a reload that brings it in', async ({ page, deployment }, testInfo) => {
  await page.goto(deployment.url);
  await controlledByServiceWorker(page);
  const cacheNames = () => page.evaluate(() => caches.keys());
  const [firstCache] = await cacheNames();
  expect(firstCache).toMatch(/ [0-9a-f]{16}$/);

  deployment.deployNewVersion('next');
  await checkForUpdate(page);
  const notice = page.getByTestId('update-notice');
  // The new worker downloads the whole build before it counts as installed; on a loaded CI machine
  // that has taken over 10 s.
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await expect(notice).toContainText('新版本已就绪');
  const reload = notice.getByRole('button', { name: '重新加载' });
  expect((await reload.boundingBox())!.height).toBeGreaterThanOrEqual(44);
  for (const colorScheme of ['light', 'dark'] as const) {
    // No colour transitions: axe must see the theme's final colours.
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const results = await new AxeBuilder({ page }).include('[data-testid=update-notice]').analyze();
    expect(results.violations.map((v) => `${colorScheme} ${v.id}: ${v.help}`)).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath(`update-notice-${colorScheme}.png`) });
  }

  // By keyboard: the new worker takes over, the page reloads into it, and the old cache is gone.
  await reload.focus();
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
  await expect(page.locator('input[name=username]')).toBeVisible();
  await expect(notice).toBeHidden();
  await expect.poll(cacheNames).toEqual([`${firstCache}-next`]);
});

withDeployment('putting the new version off hides the notice', async ({ page, deployment }) => {
  await page.goto(deployment.url);
  await controlledByServiceWorker(page);
  deployment.deployNewVersion('later');
  await checkForUpdate(page);
  const notice = page.getByTestId('update-notice');
  // The new worker downloads the whole build before it counts as installed; on a loaded CI machine
  // that has taken over 10 s.
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await notice.getByRole('button', { name: '稍后' }).click();
  await expect(notice).toBeHidden();
});
