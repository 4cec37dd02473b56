// The top bar at every viewport project: the sync state is in words a user can read (short words on a
// phone, not a bare dot), everything stays on one line in Chinese and English, and the language
// toggle's accessible name contains the words it shows (WCAG 2.5.3, axe's label-content-name-mismatch).
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { E2E_LOGIN } from '../playwright.config';
import { signIn } from './support';

/// The text of the indicator's parts that are drawn at a readable size (not visually hidden).
async function readableWords(page: Page): Promise<string> {
  return page.locator('.topbar .sync-indicator').evaluate((indicator) =>
    [...indicator.querySelectorAll('span')]
      .filter((span) => span.children.length === 0)
      .filter((span) => {
        const box = span.getBoundingClientRect();
        return box.width >= 8 && box.height >= 8 && getComputedStyle(span).visibility !== 'hidden';
      })
      .map((span) => span.textContent ?? '')
      .join(' '),
  );
}

/// Every control of the top bar on one line, inside the screen, and nothing spilling sideways.
async function expectOneLine(page: Page) {
  const report = await page.locator('.topbar').evaluate((bar) => {
    // Lines of the longest-wrapping text drawn in `element` (visually hidden text is left out).
    const lines = (element: Element) => {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      let most = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim() || node.parentElement!.getBoundingClientRect().width < 4) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        most = Math.max(most, new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size);
      }
      return most;
    };
    const controls = [...bar.querySelectorAll('a, button')].filter((e) => e.getBoundingClientRect().width > 0);
    return {
      wrapped: controls.filter((c) => lines(c) > 1).map((c) => c.textContent),
      outside: controls
        .filter((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((c) => c.textContent),
      overflow: bar.scrollWidth - bar.clientWidth,
      tallest: Math.max(...controls.map((c) => c.getBoundingClientRect().height)),
    };
  });
  expect(report.wrapped).toEqual([]);
  expect(report.outside).toEqual([]);
  expect(report.overflow).toBeLessThanOrEqual(0);
  expect(report.tallest).toBeLessThanOrEqual(56);
}

test('offline, the top bar says so in words and stays on one line, in Chinese and English', async ({
  page,
  context,
}) => {
  await signIn(page, E2E_LOGIN, '');
  await expectOneLine(page);

  await context.setOffline(true);
  await page.locator('.topbar .sync-indicator').click();
  await page.getByRole('button', { name: '立即同步' }).click();
  const indicator = page.locator('.topbar .sync-indicator');
  await expect(indicator).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
  expect(await readableWords(page)).toContain('离线');
  // Screen readers get the whole sentence.
  await expect(indicator.getByRole('status')).toHaveText(/^离线 · \d+ 项待同步$/);
  await expectOneLine(page);

  await page.locator('button.language-toggle').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Changes on this device');
  expect(await readableWords(page)).toContain('Offline');
  await expectOneLine(page);
  await context.setOffline(false);
});

test('the language toggle’s accessible name contains the language it shows', async ({ page }) => {
  await signIn(page, E2E_LOGIN, '');
  const toggle = page.locator('.topbar button.language-toggle');
  for (const shown of ['English', '中文']) {
    const text = toggle.locator('.language-toggle-text');
    if (await text.isVisible()) {
      await expect(text).toHaveText(shown);
    }
    await expect(toggle).toHaveAccessibleName(new RegExp(`^${shown}`));
    // Still found by what it does, as before.
    await expect(toggle).toHaveAccessibleName(shown === 'English' ? /切换语言/ : /switch language/i);
    const results = await new AxeBuilder({ page }).include('.topbar').withRules(['label-content-name-mismatch']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await toggle.click();
  }
});
