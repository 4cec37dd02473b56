// The stage board as a rep uses it on a tablet: a deal dragged by finger (touch pointer events) from
// 比较 to 谈判 moves at once, the funnel counts follow, the change syncs and the manager's funnel shows
// it; the same drag done offline reaches the server after reconnecting; the arrow keys move a card
// too. The deals are pushed first, in a team of their own, so other tests do not count.
import { test, expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { randomUUID } from 'node:crypto';
import { E2E_ADMIN_LOGIN, E2E_LOGIN, E2E_MANAGER_LOGIN } from '../playwright.config';
import { apiLogin, finger, middleOf, newId, pullAll, pushCreates, signIn, navigateTo } from './support';

const DAY = 86_400_000;

/// Drags `card` onto `column` with touch pointer events, as a finger would.
async function dragByTouch(card: Locator, column: Locator) {
  const start = await middleOf(card);
  const to = (await column.boundingBox())!;
  const end = { x: to.x + to.width / 2, y: to.y + Math.min(to.height / 2, 120) };
  const touch = finger(card, 11);
  await touch.down(start);
  await touch.slide(start, end);
  await touch.up(end);
}

function column(page: Page, stage: string) {
  return page.getByTestId(`column-${stage}`);
}

async function funnelBand(page: Page, unitId: string, stage: string) {
  await page.getByLabel('期间').selectOption('last12');
  await page.getByLabel('组织').selectOption(unitId);
  return page.getByTestId('funnel-chart').locator(`.funnel-band[data-stage=${stage}]`);
}

test('a deal dragged by finger to the next stage moves, syncs, and shows in the funnels', async ({
  page,
  context,
  browser,
  request,
  baseURL,
}, testInfo) => {
  test.setTimeout(150_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const rep = await apiLogin(request, E2E_LOGIN);
  const unitId = newId();
  await pushCreates(request, admin.token, [
    { collection: 'org_units', id: unitId, fields: { name: `看板组 ${unique}`, kind: 'team', parent_id: rep.user.unit_id } },
  ]);
  const customerId = newId();
  const deal = (name: string, amount: number) => ({
    collection: 'opportunities',
    id: newId(),
    fields: {
      customer_id: customerId,
      owner_id: rep.user.user_id,
      unit_id: unitId,
      name: `${name} ${unique}`,
      amount,
      stage: 'compare',
      stage_history: [
        { stage: 'aware', entered_at: new Date(Date.now() - 20 * DAY).toISOString() },
        { stage: 'compare', entered_at: new Date(Date.now() - 4 * DAY).toISOString() },
      ],
    },
  });
  const first = deal('看板机会甲', 3_000_000);
  const second = deal('看板机会乙', 1_000_000);
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: `看板客户 ${unique}`, kind: 'dealer', region_unit_id: unitId, owner_id: rep.user.user_id },
    },
    first,
    second,
  ]);

  await signIn(page, E2E_LOGIN, 'pipeline');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('阶段看板');
  await page.getByLabel('搜索').fill(unique);
  await expect(column(page, 'compare').getByTestId('column-count')).toHaveText('2');
  await expect(column(page, 'compare').getByTestId('column-amount')).toHaveText('¥40,000.00');
  await expect(column(page, 'negotiate').getByTestId('column-count')).toHaveText('0');
  const results = await new AxeBuilder({ page }).include('[data-testid=board]').analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // 甲 by finger from 比较 to 谈判: it moves at once, and a tap was not taken as opening the deal.
  const cardOf = (name: string) => page.locator('.board-card').filter({ hasText: name });
  await dragByTouch(cardOf(first.fields.name), column(page, 'negotiate'));
  await expect(column(page, 'negotiate').locator('.board-card')).toHaveText([new RegExp(first.fields.name)]);
  await expect(column(page, 'compare').getByTestId('column-count')).toHaveText('1');
  await expect(page).toHaveURL(/\/pipeline$/);
  await expect(page.getByTestId('board-status')).toContainText(`「${first.fields.name}」已移到「谈判」`);

  // The rep's funnel counts it at once.
  await navigateTo(page, '销售漏斗');
  await expect(await funnelBand(page, unitId, 'negotiate')).toHaveAttribute('aria-label', /^谈判：1 个机会/);
  await expect(await funnelBand(page, unitId, 'compare')).toHaveAttribute('aria-label', /^比较：1 个机会/);

  // It reaches the server, and the manager's team funnel on another device shows it.
  const stageOnServer = (id: string) => async () =>
    (await pullAll(request, rep.token)).find((r) => r.collection === 'opportunities' && r.id === id)?.fields.stage;
  await expect.poll(stageOnServer(first.id), { timeout: 60_000, intervals: [500, 1000, 2000] }).toBe('negotiate');
  const other = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'zh-CN' });
  try {
    const manager = await other.newPage();
    await signIn(manager, E2E_MANAGER_LOGIN, 'funnel');
    await expect(await funnelBand(manager, unitId, 'negotiate')).toHaveAttribute('aria-label', /^谈判：1 个机会/);
  } finally {
    await other.close();
  }

  // Offline, 乙 makes the same move by finger; it waits on the device and syncs after reconnecting.
  await navigateTo(page, '看板');
  await page.getByLabel('搜索').fill(unique);
  await context.setOffline(true);
  await dragByTouch(cardOf(second.fields.name), column(page, 'negotiate'));
  await expect(column(page, 'negotiate').getByTestId('column-count')).toHaveText('2');
  await expect(column(page, 'compare').getByTestId('column-count')).toHaveText('0');
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });

  // By keyboard: → moves 甲 on to 确定, and the keyboard stays on the card.
  await cardOf(first.fields.name).focus();
  await page.keyboard.press('ArrowRight');
  await expect(column(page, 'commit').locator('.board-card')).toHaveText([new RegExp(first.fields.name)]);
  await expect(cardOf(first.fields.name)).toBeFocused();
  await page.screenshot({ path: testInfo.outputPath('board-offline.png'), fullPage: true });

  await context.setOffline(false);
  await expect.poll(stageOnServer(second.id), { timeout: 60_000, intervals: [500, 1000, 2000] }).toBe('negotiate');
  await expect.poll(stageOnServer(first.id), { timeout: 60_000, intervals: [500, 1000, 2000] }).toBe('commit');
});

/// The board's visible part, left to right, in the viewport.
async function boardSpan(page: Page): Promise<[number, number]> {
  const board = (await page.getByTestId('board').boundingBox())!;
  return [Math.max(board.x, 0), Math.min(board.x + board.width, page.viewportSize()!.width)];
}

/// The board shows its last column whole: it has scrolled as far as it goes.
async function atTheEnd(page: Page): Promise<boolean> {
  const [, right] = await boardSpan(page);
  const last = await column(page, 'lost').boundingBox();
  return !!last && last.x + last.width <= right + 1;
}

/// Where a pointer may rest over `stage`'s column without scrolling the board (clear of both edge
/// zones), or `null` when the column is not in sight there.
async function restingPoint(page: Page, stage: string): Promise<number | null> {
  const [left, right] = await boardSpan(page);
  const target = (await column(page, stage).boundingBox())!;
  const from = Math.max(target.x, left + 72);
  const to = Math.min(target.x + target.width, right - 72);
  return from < to ? (from + to) / 2 : null;
}

/// The dragged card is drawn under the pointer at (x, y), above the board.
async function cardUnderPointer(page: Page, x: number, y: number): Promise<boolean> {
  return page.evaluate(([px, py]) => !!document.elementFromPoint(px, py)?.closest('.board-card-dragging'), [x, y]);
}

test('a card held at the board’s edge scrolls it, stays in view, and reaches 赢单 and 输单', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(90_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const rep = await apiLogin(request, E2E_LOGIN);
  const customerId = newId();
  const deal = (name: string) => ({
    collection: 'opportunities',
    id: newId(),
    fields: {
      customer_id: customerId,
      owner_id: rep.user.user_id,
      unit_id: rep.user.unit_id,
      name: `${name} ${unique}`,
      amount: 500_000,
      stage: 'aware',
      stage_history: [{ stage: 'aware', entered_at: new Date(Date.now() - 3 * DAY).toISOString() }],
    },
  });
  const byFinger = deal('边缘机会指');
  const byMouse = deal('边缘机会鼠');
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: `边缘客户 ${unique}`, kind: 'dealer', region_unit_id: rep.user.unit_id, owner_id: rep.user.user_id },
    },
    byFinger,
    byMouse,
  ]);
  await signIn(page, E2E_LOGIN, 'pipeline');
  await page.getByLabel('搜索').fill(unique);
  await expect(column(page, 'aware').getByTestId('column-count')).toHaveText('2');
  const cardOf = (name: string) => page.locator('.board-card').filter({ hasText: name });
  // The far columns are out of sight to start with, at every screen size.
  expect(await atTheEnd(page)).toBe(false);
  const edge = (await boardSpan(page))[1] - 12;

  // By finger: held at the right edge, the board scrolls to its end with the card under the finger;
  // then the finger moves back over 赢单 and lets go.
  const card = cardOf(byFinger.fields.name);
  const from = (await card.boundingBox())!;
  const y = from.y + from.height / 2;
  const touch = finger(card, 21);
  const held = { x: from.x + from.width / 2, y };
  await touch.down(held);
  await touch.slide(held, { x: edge, y });
  await expect.poll(() => atTheEnd(page), { timeout: 15_000 }).toBe(true);
  await expect.poll(() => cardUnderPointer(page, edge, y)).toBe(true);
  const over = await restingPoint(page, 'won');
  expect(over).not.toBeNull();
  await touch.move({ x: over!, y });
  await expect.poll(() => cardUnderPointer(page, over!, y)).toBe(true);
  await touch.up({ x: over!, y });
  await expect(column(page, 'won').locator('.board-card')).toHaveText([new RegExp(byFinger.fields.name)]);
  await expect(page).toHaveURL(/\/pipeline$/);

  // The drop stays in view: the board is not drawn anew when the move is stored.
  expect(await atTheEnd(page)).toBe(true);

  // By mouse, from the start again: held at the edge until the end, then dropped on 输单.
  await page.getByTestId('board').evaluate((element) => (element.scrollLeft = 0));
  await expect.poll(() => atTheEnd(page)).toBe(false);
  // The finger's move reaches the server; the sync that lands leaves the board where the user put it
  // (a drop takes no focus that could scroll it later).
  const stageOnServer = async () =>
    (await pullAll(request, rep.token)).find((r) => r.collection === 'opportunities' && r.id === byFinger.id)?.fields.stage;
  await expect.poll(stageOnServer, { timeout: 60_000, intervals: [500, 1000, 2000] }).toBe('won');
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });
  expect(await page.getByTestId('board').evaluate((element) => element.scrollLeft)).toBe(0);
  const mouseCard = cardOf(byMouse.fields.name);
  const start = (await mouseCard.boundingBox())!;
  const my = start.y + start.height / 2;
  await page.mouse.move(start.x + start.width / 2, my);
  await page.mouse.down();
  await page.mouse.move(edge, my, { steps: 8 });
  await expect.poll(() => atTheEnd(page), { timeout: 15_000 }).toBe(true);
  await expect.poll(() => cardUnderPointer(page, edge, my)).toBe(true);
  const lost = await restingPoint(page, 'lost');
  expect(lost).not.toBeNull();
  await page.mouse.move(lost!, my, { steps: 2 });
  await page.mouse.up();
  const ask = page.getByTestId('board-lost');
  await expect(ask).toBeVisible();
  await ask.getByLabel('输单原因').selectOption({ index: 1 });
  await ask.getByRole('button', { name: '确认输单' }).click();
  await expect(column(page, 'lost').locator('.board-card')).toHaveText([new RegExp(byMouse.fields.name)]);
});
