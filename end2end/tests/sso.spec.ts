// Single sign-on with the company's identity provider (issue 15, part 3): the portal deployment is
// configured with a real OpenID provider (npm's oidc-provider, whose development sign-in page takes
// any password). From the sign-in page, 企业账号登录 goes there and comes back signed in on the page
// the user was going to; the one-time code it came back with does not work twice.
import { test, expect } from '@playwright/test';
import { E2E_LOGIN, E2E_NAME, OIDC_ISSUER, subURL } from '../playwright.config';

test('signing in with the company account goes to the identity provider and back onto the page wanted', async ({
  page,
}, testInfo) => {
  test.skip(!['desktop', 'phone'].includes(testInfo.project.name), 'a wide and a narrow screen');
  await page.goto(`${subURL}funnel`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole('button', { name: '企业账号登录（单点登录）' }).click();

  // At the provider: its own sign-in, then its consent.
  await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
  await page.locator('input[name=login]').fill(E2E_LOGIN);
  await page.locator('input[name=password]').fill('whatever the provider checks');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();

  // Back in the app, signed in, on the page wanted.
  await expect(page.getByRole('heading', { level: 1, name: '销售漏斗' })).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(`${subURL}funnel`);
  await expect(page.locator('.topbar .user-name')).toHaveText(E2E_NAME);
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', /synced|waiting/, {
    timeout: 20_000,
  });

  // The code the provider's round trip gave the page is used up.
  const requests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/auth/oidc/session')) requests.push(r.url());
  });
  const session = await page.evaluate(() => localStorage.getItem('yingxiao.session'));
  expect(session).toContain('"token"');
  await page.evaluate(() => localStorage.removeItem('yingxiao.session'));
  await page.goto(`${subURL}login?oidc=not-a-code-of-ours&next=%2Ffunnel`);
  await expect(page.getByRole('alert')).toHaveText('这次企业账号登录已失效，请重新登录。');
  await expect(page.locator('input[name=username]')).toBeVisible();
  expect(requests.length).toBe(1);

  // A refusal from the provider is said in words.
  await page.goto(`${subURL}login?oidc_error=no_account`);
  await expect(page.getByRole('alert')).toHaveText('门户账号在营销管理系统中没有可用的账户，请联系管理员。');
});
