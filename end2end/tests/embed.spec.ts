// Inside the company's portal (issue 15): the deployment configured for the portal
// (`--frame-ancestors`) is drawn in the portal's frame, in embed mode, and speaks the documented
// postMessage API with it; a page of a site that is not listed can neither frame it (the browser
// refuses) nor drive it by postMessage.
import { test, expect, type Page, type Frame } from '@playwright/test';
import { E2E_LOGIN, E2E_PASSWORD, OTHER_ORIGIN, PORTAL_ORIGIN, rootURL, subURL } from '../playwright.config';

type Message = { type: string; origin?: string; [field: string]: unknown };

/// The portal page framing `app` (and `intruder`, a page of another site, beside it), and every
/// frame-ancestors refusal the browser reports.
async function portalFraming(page: Page, app: string, intruder?: string): Promise<string[]> {
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('frame-ancestors')) refusals.push(message.text());
  });
  const query = new URLSearchParams({ app });
  if (intruder) query.set('intruder', intruder);
  await page.goto(`${PORTAL_ORIGIN}/portal.html?${query}`);
  return refusals;
}

/// What the app has said to the portal so far.
function received(page: Page): Promise<Message[]> {
  return page.evaluate(() => (window as any).received as Message[]);
}

/// The messages of one type, once at least `count` of them arrived.
async function said(page: Page, type: string, count = 1): Promise<Message[]> {
  await expect
    .poll(async () => (await received(page)).filter((m) => m.type === type).length, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(count);
  return (await received(page)).filter((m) => m.type === type);
}

function ask(page: Page, request: object): Promise<void> {
  return page.evaluate((r) => (window as any).ask(r), request);
}

test('the configured portal frames the app; a deployment that does not list it is refused by the browser', async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one browser shows what the headers allow');
  const allowed = await portalFraming(page, `${subURL}login`);
  const framed = page.frameLocator('#app');
  await expect(framed.locator('input[name=username]')).toBeVisible({ timeout: 20_000 });
  expect(allowed).toEqual([]);

  const refused = await portalFraming(page, `${rootURL}login`);
  await expect.poll(() => refused.length, { timeout: 10_000 }).toBeGreaterThan(0);
  expect(refused[0]).toContain("frame-ancestors 'self'");
  await expect(framed.locator('input[name=username]')).toHaveCount(0);
});

test('a page of a site the deployment does not list cannot frame it', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one browser shows what the headers allow');
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('frame-ancestors')) refusals.push(message.text());
  });
  await page.goto(`${OTHER_ORIGIN}/intruder.html?app=${encodeURIComponent(`${subURL}login`)}`);
  await expect.poll(() => refusals.length, { timeout: 10_000 }).toBeGreaterThan(0);
  expect(refusals[0]).toContain(PORTAL_ORIGIN);
  await expect(page.frameLocator('#app').locator('input[name=username]')).toHaveCount(0);
});

test('embedded in the portal: only the page, ready and height told, navigated, themed and translated by the portal', async ({
  page,
}, testInfo) => {
  test.skip(!['desktop', 'tablet-portrait', 'phone'].includes(testInfo.project.name), 'three screen sizes are enough');
  await portalFraming(page, `${subURL}customers?embed=1`);
  const framed = page.frameLocator('#app');
  // Signing in inside the frame; the app remembers where it was going, and embed mode for the tab.
  await framed.locator('input[name=username]').fill(E2E_LOGIN);
  await framed.locator('input[name=password]').fill(E2E_PASSWORD);
  await framed.locator('button[type=submit]').click();
  await expect(framed.getByRole('heading', { level: 1, name: '客户' })).toBeVisible({ timeout: 20_000 });
  await expect(framed.locator('.embed-bar .sync-indicator')).toHaveAttribute('data-state', /synced|waiting/, {
    timeout: 30_000,
  });
  // Only the page: no top bar, no navigation; the sync state stays in sight.
  await expect(framed.locator('.topbar')).toHaveCount(0);
  await expect(framed.locator('.sidenav')).toHaveCount(0);
  await expect(framed.getByRole('link', { name: '在新标签页打开' })).toHaveAttribute('target', '_blank');

  // Ready, with its route and title, from the app's own origin, and the content's height.
  const [ready] = await said(page, 'yingxiao:ready');
  expect(ready.origin).toBe(new URL(subURL).origin);
  expect(ready.locale).toBe('zh-CN');
  const heights = await said(page, 'yingxiao:height');
  expect(heights.at(-1)!.height).toBeGreaterThan(100);
  // The portal sizes its frame to it.
  await expect
    .poll(async () => page.locator('#app').evaluate((f) => f.getBoundingClientRect().height))
    .toBe((await said(page, 'yingxiao:height')).at(-1)!.height);
  const routes = await said(page, 'yingxiao:route');
  expect(routes.at(-1)).toMatchObject({ route: '/customers', title: '客户' });

  // The portal navigates it.
  await ask(page, { type: 'yingxiao:navigate', path: '/funnel' });
  await expect(framed.getByRole('heading', { level: 1, name: '销售漏斗' })).toBeVisible();
  await expect.poll(async () => (await said(page, 'yingxiao:route')).at(-1)).toMatchObject({
    route: '/funnel',
    title: '销售漏斗',
  });

  // Switches its theme and brand: dark, in the portal's blue, lightened to read on dark.
  await ask(page, { type: 'yingxiao:theme', theme: 'dark', brand: { accent: '#1f4e79', radius: 4 } });
  const html = framed.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await expect
    .poll(() => html.evaluate((root) => getComputedStyle(root).getPropertyValue('--radius').trim()))
    .toBe('4px');
  const accent = await html.evaluate((root) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--accent)';
    root.querySelector('body')!.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  });
  expect(accent).not.toBe('rgb(31, 78, 121)');
  expect(accent).not.toBe('rgb(255, 92, 108)');
  await ask(page, { type: 'yingxiao:theme', theme: 'light' });
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect
    .poll(() =>
      html.evaluate((root) => {
        const probe = document.createElement('span');
        probe.style.color = 'var(--accent)';
        root.querySelector('body')!.append(probe);
        const colour = getComputedStyle(probe).color;
        probe.remove();
        return colour;
      }),
    )
    .toBe('rgb(31, 78, 121)');

  // And its language; the title it reports follows.
  await ask(page, { type: 'yingxiao:locale', locale: 'en' });
  await expect(framed.getByRole('heading', { level: 1, name: 'Sales funnel' })).toBeVisible();
  await expect.poll(async () => (await said(page, 'yingxiao:route')).at(-1)!.title).toBe('Sales funnel');

  // A request it will not carry out is answered with the reason.
  await ask(page, { type: 'yingxiao:navigate', path: 'https://evil.example/' });
  const [refused] = await said(page, 'yingxiao:refused');
  expect(refused.request).toBe('yingxiao:navigate');
  expect(String(refused.reason)).toContain('not a path of the app');
  await expect(framed.getByRole('heading', { level: 1, name: 'Sales funnel' })).toBeVisible();

  // A deep link inside the frame stays embedded without repeating ?embed=1.
  await page.locator('#app').evaluate((frame: HTMLIFrameElement, url) => (frame.src = url), `${subURL}pipeline`);
  await expect(framed.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 20_000 });
  await expect(framed.locator('.embed-bar')).toBeVisible();
  await expect(framed.locator('.topbar')).toHaveCount(0);
});

test('a frame of another site inside the portal cannot drive the app, and hears nothing from it', async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'the browser rule is the same on every screen');
  await portalFraming(page, `${subURL}login?embed=1`, `${OTHER_ORIGIN}/intruder.html`);
  const framed = page.frameLocator('#app');
  await expect(framed.locator('input[name=username]')).toBeVisible({ timeout: 20_000 });
  await said(page, 'yingxiao:ready');
  const intruder = page.frames().find((f: Frame) => f.url().startsWith(OTHER_ORIGIN))!;
  expect(intruder).toBeTruthy();
  // The other site's frame asks the app to navigate and to say where it is, as the portal would.
  await intruder.evaluate(() => {
    const app = window.parent.frames[0];
    app.postMessage({ type: 'yingxiao:navigate', path: '/settings' }, '*');
    app.postMessage({ type: 'yingxiao:locale', locale: 'en' }, '*');
    app.postMessage({ type: 'yingxiao:state' }, '*');
  });
  // Then the portal asks: its answer comes after the intruder's messages were handled.
  await ask(page, { type: 'yingxiao:state' });
  const readies = await said(page, 'yingxiao:ready', 2);
  expect(readies.at(-1)).toMatchObject({ route: '/login', locale: 'zh-CN' });
  await expect(framed.locator('input[name=username]')).toBeVisible();
  await expect(framed.locator('html')).toHaveAttribute('lang', 'zh-CN');
  expect(await intruder.evaluate(() => (window as any).received)).toEqual([]);
});
