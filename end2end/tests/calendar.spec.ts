// The promotion calendar as a regional manager uses it on a tablet: a discount dragged by finger to
// the next week, where a coupon runs in the same store, shows the conflict at once; its end is then
// dragged a day on; both changes sync and reach a second user's calendar. Offline, the keyboard
// moves and shortens it, and the changes reach the server after reconnecting. The promotions are
// pushed first, in a store of their own, and the calendar is searched for them, so other tests'
// promotions do not count.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { dataDirFor, E2E_ADMIN_LOGIN, E2E_MANAGER_LOGIN, E2E_PASSWORD, E2E_PROMOTER_LOGIN, server } from '../playwright.config';
import { apiLogin, companyUnit, finger, middleOf, newId, pullAll, pushCreates, signIn } from './support';

/// A local calendar day as the app writes it.
function iso(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function addDays(day: Date, days: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + days);
}

/// The first day of next month: the tests plan there, so their promotions have not ended whatever
/// day they run on (a promotion whose last day has passed can no longer be moved).
function nextMonth(): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth() + 1, 1);
}

/// The Monday the month view of next month starts on.
function gridStart(): Date {
  const first = nextMonth();
  return addDays(first, -((first.getDay() + 6) % 7));
}

/// Presses `handle` (a bar or one of its grips) and drags it by finger onto the cell of `day`.
async function dragByTouch(page: Page, handle: Locator, day: string) {
  const start = await middleOf(handle);
  const end = await middleOf(page.locator(`[data-day="${day}"]`));
  await finger(handle, 31).down(start);
  // Later events go to the bar, which holds the pointer capture.
  const bar = finger(handle.locator('xpath=ancestor-or-self::a[@data-testid="calendar-bar"]'), 31);
  await bar.slide(start, end);
  await bar.up(end);
}

test('a promotion dragged by finger to the next week shows its conflict, syncs, and reaches another calendar', async ({
  page,
  context,
  browser,
  request,
  baseURL,
}, testInfo) => {
  test.skip(testInfo.project.name === 'phone' || testInfo.project.name === 'sub-path-tablet', 'tablet and desktop sizes');
  test.setTimeout(150_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const manager = await apiLogin(request, E2E_MANAGER_LOGIN);
  const company = await companyUnit(request, admin.token);
  const week2 = addDays(gridStart(), 7);
  const week3 = addDays(gridStart(), 14);
  const storeId = newId();
  const discount = { id: newId(), name: `日历特价 ${unique}` };
  const coupon = { id: newId(), name: `日历券 ${unique}` };
  const promotion = (p: { id: string; name: string }, kind: string, first: Date, last: Date) => ({
    collection: 'promotions',
    id: p.id,
    fields: {
      name: p.name,
      kind,
      unit_id: company.id,
      store_ids: [storeId],
      starts_on: iso(first),
      ends_on: iso(last),
      status: 'approved',
      budget: 500_000,
    },
  });
  await pushCreates(request, admin.token, [
    {
      collection: 'customers',
      id: storeId,
      fields: { name: `日历门店 ${unique}`, kind: 'retail_store', region_unit_id: company.id, owner_id: manager.user.user_id },
    },
    promotion(discount, 'discount', addDays(week2, 1), addDays(week2, 3)),
    promotion(coupon, 'coupon', addDays(week3, 2), addDays(week3, 4)),
  ]);
  const onServer = (id: string) => async () => {
    const record = (await pullAll(request, admin.token)).find((r) => r.id === id);
    return record ? `${record.fields.starts_on} ${record.fields.ends_on}` : 'missing';
  };

  await signIn(page, E2E_MANAGER_LOGIN, `promotions?date=${iso(nextMonth())}`);
  await page.getByLabel('搜索').fill(unique);
  const bar = (id: string) => page.locator(`[data-testid=calendar-bar][data-id="${id}"]`);
  await expect(bar(discount.id)).toHaveAttribute('data-first', iso(addDays(week2, 1)));
  await expect(page.getByTestId('calendar-summary')).toContainText('2 个促销');
  await expect(bar(discount.id).getByTestId('conflict-mark')).toHaveCount(0);

  // By finger, a week on: Tuesday to Thursday of week 3, over the coupon's Wednesday to Friday.
  await dragByTouch(page, bar(discount.id), iso(addDays(week3, 2)));
  await expect(bar(discount.id)).toHaveAttribute('data-first', iso(addDays(week3, 1)));
  await expect(bar(discount.id)).toHaveAttribute('data-last', iso(addDays(week3, 3)));
  await expect(bar(discount.id).getByTestId('conflict-mark')).toHaveCount(1);
  await expect(bar(coupon.id).getByTestId('conflict-mark')).toHaveCount(1);
  await expect(page.getByTestId('calendar-conflict')).toContainText([
    new RegExp(`「${discount.name}」与「${coupon.name}」同期在日历门店 .*都改价`),
  ]);

  // Its last day's grip, a day on: to Friday.
  await dragByTouch(page, bar(discount.id).locator('.calendar-grip-end'), iso(addDays(week3, 4)));
  await expect(bar(discount.id)).toHaveAttribute('data-last', iso(addDays(week3, 4)));
  await expect(bar(discount.id)).toHaveAttribute('data-first', iso(addDays(week3, 1)));
  await page.screenshot({ path: testInfo.outputPath('calendar-conflict.png'), fullPage: true });

  await expect
    .poll(onServer(discount.id), { timeout: 30_000, intervals: [500, 1000, 2000] })
    .toBe(`${iso(addDays(week3, 1))} ${iso(addDays(week3, 4))}`);

  // The view exported as iCalendar reads back in Python's icalendar with both promotions' days.
  const download = page.waitForEvent('download');
  await page.getByTestId('calendar-export').click();
  const file = testInfo.outputPath('promotions.ics');
  await (await download).saveAs(file);
  const expected = {
    [`${discount.id}@yingxiao`]: [discount.name, iso(addDays(week3, 1)), iso(addDays(week3, 4)), `日历门店 ${unique}`],
    [`${coupon.id}@yingxiao`]: [coupon.name, iso(addDays(week3, 2)), iso(addDays(week3, 4)), `日历门店 ${unique}`],
  };
  const python = process.env.YINGXIAO_PYTHON ?? path.resolve(__dirname, '../../.tools/venv/bin/python');
  const read = execFileSync(python, [path.resolve(__dirname, '../../scripts/ics-check.py'), file, JSON.stringify(expected)], {
    encoding: 'utf8',
  });
  expect(read).toContain(`${discount.id}@yingxiao: ${discount.name}`);

  // A second user's calendar shows the new days and the conflict.
  const other = await browser.newContext({ baseURL, locale: 'zh-CN', viewport: page.viewportSize()!, hasTouch: true });
  try {
    const office = await other.newPage();
    await signIn(office, E2E_ADMIN_LOGIN, `promotions?date=${iso(nextMonth())}`);
    await office.getByLabel('搜索').fill(unique);
    const theirs = office.locator(`[data-testid=calendar-bar][data-id="${discount.id}"]`);
    await expect(theirs).toHaveAttribute('data-first', iso(addDays(week3, 1)));
    await expect(theirs).toHaveAttribute('data-last', iso(addDays(week3, 4)));
    await expect(theirs.getByTestId('conflict-mark')).toHaveCount(1);
  } finally {
    await other.close();
  }

  // Offline, by keyboard: → a day on, then Shift+← a day shorter; the keyboard stays on the bar.
  await context.setOffline(true);
  await bar(discount.id).focus();
  await page.keyboard.press('ArrowRight');
  await expect(bar(discount.id)).toHaveAttribute('data-first', iso(addDays(week3, 2)));
  await expect(bar(discount.id)).toBeFocused();
  await page.keyboard.press('Shift+ArrowLeft');
  await expect(bar(discount.id)).toHaveAttribute('data-last', iso(addDays(week3, 4)));
  await expect(bar(discount.id)).toHaveAttribute('data-first', iso(addDays(week3, 2)));
  await expect(page.getByTestId('calendar-status')).toContainText(`${iso(addDays(week3, 2))} 至 ${iso(addDays(week3, 4))}`);
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
  await context.setOffline(false);
  await expect
    .poll(onServer(discount.id), { timeout: 60_000, intervals: [500, 1000, 2000] })
    .toBe(`${iso(addDays(week3, 2))} ${iso(addDays(week3, 4))}`);
});

test('a promoter sees the promotions that list her store, and no other', async ({ page, request }, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-landscape', 'one size is enough for a question of scope');
  const unique = randomUUID().slice(0, 8);
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const company = await companyUnit(request, admin.token);
  const [mine, theirs] = [newId(), newId()];
  const [myStore, theirStore] = [newId(), newId()];
  const [listsMine, listsTheirs] = [newId(), newId()];
  const today = iso(new Date());
  const promotion = (id: string, name: string, store: string) => ({
    collection: 'promotions',
    id,
    fields: { name: `${name} ${unique}`, kind: 'tasting', unit_id: company.id, store_ids: [store], starts_on: today, ends_on: today, status: 'running' },
  });
  await pushCreates(request, admin.token, [
    { collection: 'org_units', id: mine, fields: { name: `本店 ${unique}`, kind: 'store', parent_id: company.id } },
    { collection: 'org_units', id: theirs, fields: { name: `他店 ${unique}`, kind: 'store', parent_id: company.id } },
    { collection: 'customers', id: myStore, fields: { name: `本店 ${unique}`, kind: 'retail_store', region_unit_id: mine, owner_id: admin.user.user_id } },
    { collection: 'customers', id: theirStore, fields: { name: `他店 ${unique}`, kind: 'retail_store', region_unit_id: theirs, owner_id: admin.user.user_id } },
    promotion(listsMine, '本店试吃', myStore),
    promotion(listsTheirs, '他店试吃', theirStore),
  ]);
  // A promoter of the first store, added as an administrator would.
  const login = `promoter_${unique}`;
  const port = Number(new URL(testInfo.project.use.baseURL!).port);
  execFileSync(
    server,
    ['user', 'add', '--login', login, '--role', 'promoter', '--unit', mine, '--name', `店员 ${unique}`, '--password-stdin', '--data-dir', dataDirFor(port)],
    { input: `${E2E_PASSWORD}\n`, env: { ...process.env, RUST_LOG: 'warn' } },
  );
  const promoter = await apiLogin(request, login);
  const seen = (await pullAll(request, promoter.token)).filter((r) => r.collection === 'promotions').map((r) => r.id);
  expect(seen).toContain(listsMine);
  expect(seen).not.toContain(listsTheirs);

  await signIn(page, login, 'promotions');
  await page.getByLabel('搜索').fill(unique);
  const bar = page.locator(`[data-testid=calendar-bar][data-id="${listsMine}"]`);
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('data-movable', 'false');
  await expect(page.locator('[data-testid=calendar-bar]')).toHaveCount(1);
  await expect(page.getByTestId('calendar-summary')).toContainText('1 个促销');
});

test('on the timeline a promotion dragged by finger to another store row moves to that store', async ({
  page,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-landscape' && testInfo.project.name !== 'tablet-portrait', 'tablet sizes');
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const manager = await apiLogin(request, E2E_MANAGER_LOGIN);
  const company = await companyUnit(request, admin.token);
  const [east, west] = [newId(), newId()];
  const promotionId = newId();
  const first = addDays(nextMonth(), 3);
  const last = addDays(first, 2);
  await pushCreates(request, admin.token, [
    { collection: 'customers', id: east, fields: { name: `东店 ${unique}`, kind: 'retail_store', region_unit_id: company.id, owner_id: manager.user.user_id } },
    { collection: 'customers', id: west, fields: { name: `西店 ${unique}`, kind: 'retail_store', region_unit_id: company.id, owner_id: manager.user.user_id } },
    {
      collection: 'promotions',
      id: promotionId,
      fields: { name: `轴上陈列 ${unique}`, kind: 'display', unit_id: company.id, store_ids: [east], starts_on: iso(first), ends_on: iso(last), status: 'planned' },
    },
  ]);
  // Another store row for the drop: only stores with a matching promotion are listed under a
  // filter, so the second store gets one of its own (kept on other days).
  await pushCreates(request, admin.token, [
    {
      collection: 'promotions',
      id: newId(),
      fields: { name: `轴上试吃 ${unique}`, kind: 'tasting', unit_id: company.id, store_ids: [west], starts_on: iso(addDays(first, 10)), ends_on: iso(addDays(first, 10)), status: 'planned' },
    },
  ]);

  await signIn(page, E2E_MANAGER_LOGIN, `promotions?date=${iso(nextMonth())}`);
  await page.getByTestId('view-timeline').click();
  await page.getByLabel('搜索').fill(unique);
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toHaveAttribute('data-rows', '2');
  const bar = timeline.locator(`[data-testid=calendar-bar][data-id="${promotionId}"]`);
  await bar.scrollIntoViewIfNeeded();
  await expect(bar).toBeVisible();
  const westRow = timeline.locator(`.timeline-row[data-store="${west}"]`);
  await expect(westRow).toBeVisible();

  // Two days on and into the other store's row, by finger; the outline shows where it lands.
  const from = (await bar.boundingBox())!;
  const row = (await westRow.boundingBox())!;
  const start = { x: from.x + 16, y: from.y + from.height / 2 };
  const end = { x: start.x + 2 * 32, y: row.y + row.height / 2 };
  const touch = finger(bar, 41);
  await touch.down(start);
  await touch.slide(start, end);
  await expect(page.getByTestId('timeline-ghost')).toBeVisible();
  await touch.up(end);

  const moved = westRow.locator(`[data-testid=calendar-bar][data-id="${promotionId}"]`);
  await expect(moved).toHaveAttribute('data-first', iso(addDays(first, 2)));
  await expect(moved).toHaveAttribute('data-last', iso(addDays(last, 2)));
  await expect(timeline.locator(`.timeline-row[data-store="${east}"] [data-id="${promotionId}"]`)).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('timeline.png') });
  await expect
    .poll(
      async () => {
        const record = (await pullAll(request, admin.token)).find((r) => r.id === promotionId);
        return record ? `${(record.fields.store_ids as string[]).join()} ${record.fields.starts_on}` : 'missing';
      },
      { timeout: 30_000, intervals: [500, 1000, 2000] },
    )
    .toBe(`${west} ${iso(addDays(first, 2))}`);
});

test('a retailer’s iCalendar file is imported as planned promotions, with what was left out said', async ({
  page,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-portrait', 'one size is enough for a file import');
  const unique = randomUUID().slice(0, 8);
  const first = addDays(gridStart(), 8);
  const basic = (day: Date) => iso(day).replace(/-/g, '');
  // A weekly tasting three times, a one-off, and a rule the reader does not follow.
  const file = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Retailer//Promo//ZH',
    'BEGIN:VEVENT',
    `UID:tasting-${unique}@retailer`,
    `SUMMARY:周末试吃 ${unique}`,
    `DTSTART;VALUE=DATE:${basic(first)}`,
    `DTEND;VALUE=DATE:${basic(addDays(first, 2))}`,
    'RRULE:FREQ=WEEKLY;COUNT=3',
    'LOCATION:联华一店',
    'END:VEVENT',
    'BEGIN:VEVENT',
    `UID:display-${unique}@retailer`,
    `SUMMARY:端架陈列 ${unique}`,
    `DTSTART:${basic(addDays(first, 1))}T090000`,
    `DTEND:${basic(addDays(first, 3))}T180000`,
    'END:VEVENT',
    'BEGIN:VEVENT',
    `SUMMARY:每月第一个周一 ${unique}`,
    `DTSTART;VALUE=DATE:${basic(first)}`,
    'RRULE:FREQ=MONTHLY;BYDAY=1MO',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

  await signIn(page, E2E_MANAGER_LOGIN, `promotions?date=${iso(nextMonth())}`);
  await page.getByTestId('calendar-import').locator('input[type=file]').setInputFiles({
    name: 'retailer.ics',
    mimeType: 'text/calendar',
    buffer: Buffer.from(file, 'utf8'),
  });
  const panel = page.getByTestId('calendar-import-panel');
  await expect(panel.getByTestId('calendar-import-summary')).toContainText('将新建 4 个计划中的促销');
  await expect(panel.getByTestId('calendar-import-summary')).toContainText('跳过 1 项');
  await expect(panel.getByTestId('calendar-import-skipped')).toContainText(`「每月第一个周一 ${unique}」：不支持的重复规则：BYDAY=1MO`);
  await panel.getByLabel('促销方式').selectOption('tasting');
  await panel.getByTestId('calendar-import-confirm').click();
  await expect(page.getByTestId('calendar-import-outcome')).toContainText('已导入 4 个促销');

  await page.getByLabel('搜索').fill(unique);
  await expect(page.getByTestId('calendar-summary')).toContainText('4 个促销');
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  await expect
    .poll(
      async () =>
        (await pullAll(request, admin.token))
          .filter((r) => r.collection === 'promotions' && String(r.fields.name).includes(unique))
          .map((r) => `${r.fields.name} ${r.fields.kind} ${r.fields.status} ${r.fields.starts_on} ${r.fields.ends_on}`)
          .sort(),
      { timeout: 30_000, intervals: [500, 1000, 2000] },
    )
    .toEqual(
      [
        `周末试吃 ${unique} tasting planned ${iso(first)} ${iso(addDays(first, 1))}`,
        `周末试吃 ${unique} tasting planned ${iso(addDays(first, 7))} ${iso(addDays(first, 8))}`,
        `周末试吃 ${unique} tasting planned ${iso(addDays(first, 14))} ${iso(addDays(first, 15))}`,
        `端架陈列 ${unique} tasting planned ${iso(addDays(first, 1))} ${iso(addDays(first, 3))}`,
      ].sort(),
    );

  // The same file again plans nothing twice.
  await page.getByTestId('calendar-import').locator('input[type=file]').setInputFiles({
    name: 'retailer.ics',
    mimeType: 'text/calendar',
    buffer: Buffer.from(file, 'utf8'),
  });
  await expect(panel.getByTestId('calendar-import-summary')).toContainText('将新建 0 个计划中的促销');
  await expect(panel.getByTestId('calendar-import-summary')).toContainText('已有 4 个相同的不再导入');
});

test('a calendar app subscribes to the promotions a user sees at a private address that can be ended', async ({
  page,
  request,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-landscape', 'one size is enough for a subscription');
  const unique = randomUUID().slice(0, 8);
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const company = await companyUnit(request, admin.token);
  const promotionId = newId();
  await pushCreates(request, admin.token, [
    {
      collection: 'promotions',
      id: promotionId,
      fields: { name: `订阅可见 ${unique}`, kind: 'gift', unit_id: company.id, starts_on: iso(nextMonth()), ends_on: iso(addDays(nextMonth(), 4)), status: 'approved' },
    },
  ]);

  await signIn(page, E2E_MANAGER_LOGIN, 'promotions');
  await page.getByTestId('calendar-subscribe').click();
  await page.getByTestId('calendar-feed-start').click();
  const url = await page.getByTestId('calendar-feed-url').inputValue();
  expect(url).toMatch(/\/api\/v1\/calendar\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);

  // The calendar app: no sign-in, just the address.
  const feed = await request.get(url);
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
  const text = await feed.text();
  expect(text).toContain(`UID:${promotionId}@yingxiao`);
  expect(text).toContain(`DTSTART;VALUE=DATE:${iso(nextMonth()).replace(/-/g, '')}`);

  await page.getByTestId('calendar-feed-end').click();
  await expect(page.getByTestId('calendar-feed-message')).toContainText('订阅已停用');
  expect((await request.get(url)).status()).toBe(404);
});

test('a promoter planned in two stores on the same days is shown as a conflict', async ({ page, request }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one size is enough for a conflict rule');
  const unique = randomUUID().slice(0, 8);
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const promoter = await apiLogin(request, E2E_PROMOTER_LOGIN);
  const company = await companyUnit(request, admin.token);
  const [north, south] = [newId(), newId()];
  const first = addDays(nextMonth(), 5);
  const promotion = (name: string, store: string, from: Date, to: Date) => ({
    collection: 'promotions',
    id: newId(),
    fields: {
      name: `${name} ${unique}`, kind: 'tasting', unit_id: company.id, store_ids: [store],
      promoter_ids: [promoter.user.user_id], starts_on: iso(from), ends_on: iso(to), status: 'planned',
    },
  });
  const northPromotion = promotion('北店试吃', north, first, addDays(first, 3));
  const southPromotion = promotion('南店试吃', south, addDays(first, 2), addDays(first, 6));
  await pushCreates(request, admin.token, [
    { collection: 'customers', id: north, fields: { name: `北店 ${unique}`, kind: 'retail_store', region_unit_id: company.id, owner_id: admin.user.user_id } },
    { collection: 'customers', id: south, fields: { name: `南店 ${unique}`, kind: 'retail_store', region_unit_id: company.id, owner_id: admin.user.user_id } },
    northPromotion,
    southPromotion,
  ]);

  await signIn(page, E2E_ADMIN_LOGIN, `promotions?date=${iso(nextMonth())}`);
  await page.getByLabel('搜索').fill(unique);
  // The promoter is on other tests' promotions too (and on this test's own when it is repeated), so
  // the sentence about this pair is picked out of the list.
  await expect(
    page.getByTestId('calendar-conflict').filter({ hasText: `「北店试吃 ${unique}」和「南店试吃 ${unique}」` }),
  ).toHaveText([
    `促销员测试促销员在 ${iso(addDays(first, 2))} 同时排在「北店试吃 ${unique}」和「南店试吃 ${unique}」，两者不在同一门店`,
  ]);
  // Both promotions' bars (a bar crossing a week is drawn in each week) carry the mark.
  for (const p of [northPromotion, southPromotion]) {
    await expect(page.locator(`[data-testid=calendar-bar][data-id="${p.id}"]`).first().getByTestId('conflict-mark')).toHaveCount(1);
  }
});
