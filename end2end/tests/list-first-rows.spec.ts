// A list's first rows at a cold start: the page saves them each time it builds the list, and the
// next start of the app shows them while it reads the whole list from the device (a store tablet
// with tens of thousands of customers waits a second or more for that). To see that moment here,
// where the demo lists read in milliseconds, a second page of the same origin holds a write
// transaction on the device's records, so the whole read waits behind it, as it would behind a
// slow disk; the saved rows live elsewhere in the database and are not held.
import { test, expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { E2E_LOGIN } from '../playwright.config';
import { apiLogin, newId, pushApplied, pushCreates, signIn } from './support';

/// Holds a write transaction on the device's records from `holder` until `release` is called.
async function holdRecords(holder: Page): Promise<() => Promise<void>> {
  await holder.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? '');
    const name = names.find((n) => n.startsWith('yingxiao.'));
    if (!name) throw new Error(`no device database among ${names.join(', ')}`);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const w = window as unknown as { holding: boolean };
    w.holding = true;
    const records = db.transaction('records', 'readwrite').objectStore('records');
    // A transaction lives while it has a request in flight.
    const spin = () => {
      if (w.holding) records.get('none').onsuccess = spin;
    };
    spin();
  });
  return async () => {
    await holder.evaluate(() => {
      (window as unknown as { holding: boolean }).holding = false;
    });
  };
}

/// The rows the page saved for the customer list's next cold start, as stored.
async function savedTitles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((d) => d.name ?? '').find((n) => n.startsWith('yingxiao.'))!;
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => resolve(open.result);
    });
    const text = await new Promise<string | undefined>((resolve) => {
      const get = db.transaction('meta').objectStore('meta').get('saved:list:customers:zh-CN');
      get.onsuccess = () => resolve(get.result);
    });
    db.close();
    if (!text) return [];
    return JSON.parse(text).value.rows.map((row: [string, string, string[]]) => row[1]);
  });
}

test('a cold start shows the list’s saved first rows at once, as they are after the latest change', async ({
  page,
  context,
  request,
}) => {
  test.setTimeout(120_000);
  const unique = randomUUID().slice(0, 8);
  // Digits sort before every letter and character, so the customer is among the first rows.
  const name = `0000 首行客户 ${unique}`;
  const renamed = `0000 首行客户改名 ${unique}`;
  const rep = await apiLogin(request, E2E_LOGIN);
  const id = newId();
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id,
      fields: { name, kind: 'dealer', region_unit_id: rep.user.unit_id, owner_id: rep.user.user_id },
    },
  ]);

  await signIn(page, E2E_LOGIN, 'customers');
  await expect(page.getByTestId('record-list')).toContainText(name);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  await expect.poll(() => savedTitles(page), { timeout: 15_000 }).toContain(name);

  // The customer is renamed on another device; the sync brings it, and the saved rows follow.
  await pushApplied(request, rep.token, [
    { name: 'set_fields', args: { collection: 'customers', id, fields: { name: renamed } } },
  ]);
  // Back online is when a tablet syncs.
  await context.setOffline(true);
  await context.setOffline(false);
  await expect(page.getByTestId('record-list')).toContainText(renamed);
  await expect.poll(() => savedTitles(page), { timeout: 15_000 }).toContain(renamed);
  expect(await savedTitles(page)).not.toContain(name);

  // A cold start with the whole read held up (offline, so no sync queues behind the hold either).
  const holder = await context.newPage();
  await holder.goto('favicon.svg');
  await context.setOffline(true);
  const release = await holdRecords(holder);
  await page.reload();
  const preview = page.getByTestId('record-list-preview');
  await expect(preview).toContainText(renamed);
  await expect(preview).not.toContainText(name + ' ');
  await expect(page.getByTestId('list-count')).toContainText('正在读取全部');
  await expect(page.getByTestId('record-list')).toHaveCount(0);
  // Searching waits for the whole list rather than searching only the saved rows.
  await page.getByLabel('搜索').fill(unique);
  await expect(preview).toHaveCount(0);

  await release();
  await expect(page.getByTestId('record-list')).toContainText(renamed);
  await expect(page.getByTestId('record-list').locator('.list-row')).toHaveCount(1);
  await expect(page.getByTestId('list-count')).toHaveText(/^1 \/ \d+ 条$/);
  await holder.close();
  await context.setOffline(false);
});
