// Inside the company's portal (issue 15): the deployment configured for the portal
// (`--frame-ancestors`) is drawn in the portal's frame; a deployment that does not list the portal
// is refused by the browser itself, which draws nothing of it.
import { test, expect, type Page } from '@playwright/test';
import { PORTAL_ORIGIN, rootURL, subURL } from '../playwright.config';

/// The portal page framing `app`, and every frame-ancestors refusal the browser reports.
async function portalFraming(page: Page, app: string): Promise<string[]> {
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('frame-ancestors')) refusals.push(message.text());
  });
  await page.goto(`${PORTAL_ORIGIN}/portal.html?app=${encodeURIComponent(app)}`);
  return refusals;
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
