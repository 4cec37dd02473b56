// After a failed submit the keyboard moves to the first field with a problem; that field, its label and
// its message must be seen: below the sticky top bar (and above the bottom tab bar on narrow screens),
// not under them. The rule is the style sheet's, so it holds for every form; checked here on the
// funnel settings form, with the field placed under the top bar before submitting, at every viewport.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { E2E_ADMIN_LOGIN } from '../playwright.config';
import { signIn } from './support';

/// The part of the viewport no bar covers: from the top bar's bottom to the bottom bar's top (or the
/// viewport's bottom where the navigation is at the side).
async function clearArea(page: Page): Promise<{ top: number; bottom: number }> {
  return page.evaluate(() => {
    const top = document.querySelector('.topbar')!.getBoundingClientRect().bottom;
    const nav = document.querySelector('nav')!.getBoundingClientRect();
    const atBottom = nav.top > window.innerHeight / 2;
    return { top, bottom: atBottom ? nav.top : window.innerHeight };
  });
}

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  expect(found).not.toBeNull();
  return found!;
}

test('the field focused after a failed submit is not under the top bar, with its label and message', async ({
  page,
}) => {
  await signIn(page, E2E_ADMIN_LOGIN, 'settings');
  const card = page.getByTestId('funnel-settings');
  const first = card.getByLabel('了解阶段赢单概率（%）');
  await first.fill('abc');

  // The field sits under the top bar (room below the page lets a short page scroll that far, as a
  // long form would), and the form is sent from a later field with Enter, without any scrolling of
  // the test's own.
  await page.evaluate(() => {
    const room = document.createElement('div');
    room.style.height = '150vh';
    document.querySelector('main')!.append(room);
  });
  await first.evaluate((input) => window.scrollBy(0, input.getBoundingClientRect().top - 8));
  expect((await box(first)).y).toBeLessThan((await clearArea(page)).top);
  await card.getByLabel('确定阶段赢单概率（%）').evaluate((input: HTMLElement) => input.focus({ preventScroll: true }));
  await page.keyboard.press('Enter');

  await expect(first).toBeFocused();
  const message = card.getByText('请输入整数，例如 30。');
  await expect(message).toBeVisible();
  const area = await clearArea(page);
  const label = page.locator(`label[for="${await first.getAttribute('id')}"]`);
  expect((await box(label)).y).toBeGreaterThanOrEqual(area.top);
  expect((await box(first)).y).toBeGreaterThanOrEqual(area.top);
  const shown = await box(message);
  expect(shown.y + shown.height).toBeLessThanOrEqual(area.bottom);
});
