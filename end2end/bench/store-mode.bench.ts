// Store mode's figures (issue 12), not tests: run by `scripts/bench-store.sh` against the demo company
// as the demo promoter on a tablet-sized viewport. Nothing is asserted on time; each figure is
// printed beside its reference measured in the same run.
//
// 1. Cold start after the first visit on a slow network: a new tab opens /store and the day is usable
//    (the first +1 enabled). Reference: the same start on an unthrottled network; goal: under 1 s.
// 2. Upload: 20 photos taken offline, then the network comes back throttled; halfway through it drops
//    for 3 s. Time until the server has all of them, and the throughput beside the line's rate.
import { test, expect, type CDPSession, type Page } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { png } from '../tests/support';

const LOGIN = process.env.BENCH_LOGIN ?? 'sh_promoter';
const PASSWORD = 'yingxiao-demo';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** The slow network: 400 ms round trip, 400 kbit/s down, 400 kbit/s up (Chromium's "slow 3G"-like). */
const SLOW = { offline: false, latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 };
/** The upload's line: 2 Mbit/s up, 150 ms round trip. */
const LINE = { offline: false, latency: 150, downloadThroughput: 1_000_000, uploadThroughput: 250_000 };

/** A noisy photo: after the device's JPEG compression, roughly 350 KB at 1280×960. */
function noisyPng(width: number, height: number, seed: number): Buffer {
  let state = seed * 2654435761;
  return png(width, height, (x, y) => {
    state = (state * 1103515245 + 12345) >>> 0;
    // Smooth picture with some grain, as a shelf photo has.
    return (((x >> 4) * 7 + (y >> 3) * 5 + seed * 13) & 0xff) ^ ((state >>> 24) & 0x3f);
  });
}

test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n: number) => `${Math.round(n).toString().padStart(6)} ms`;

/** Opens /store in a new tab of the context and returns the time until the day is usable. */
async function coldStart(page: Page, network: typeof SLOW | null): Promise<number> {
  const tab = await page.context().newPage();
  const cdp: CDPSession = await tab.context().newCDPSession(tab);
  await cdp.send('Network.enable');
  if (network) await cdp.send('Network.emulateNetworkConditions', network);
  const start = Date.now();
  await tab.goto('store');
  await expect(tab.getByTestId('count-plus').first()).toBeEnabled({ timeout: 60_000 });
  const took = Date.now() - start;
  await tab.close();
  return took;
}

test(`store mode as ${LOGIN}`, async ({ page, context }) => {
  test.setTimeout(20 * 60_000);
  // The first visit: sign in, the first sync, the app kept by the service worker.
  await page.goto('login?next=/store');
  await page.getByLabel('账号').fill(LOGIN);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 120_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  await expect(page.getByTestId('count-plus').first()).toBeVisible();

  const fast: number[] = [];
  const slow: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    fast.push(await coldStart(page, null));
    slow.push(await coldStart(page, SLOW));
  }

  // 20 photos taken offline, in one pick of the camera input.
  // Written to files: together they are over what Playwright hands a page in memory.
  const dir = mkdtempSync(join(tmpdir(), 'yingxiao-bench-photos-'));
  const photos = Array.from({ length: 20 }, (_, i) => {
    const path = join(dir, `shelf-${i}.png`);
    writeFileSync(path, noisyPng(1280, 960, i + 1));
    return path;
  });
  await context.setOffline(true);
  await page.getByTestId('display-photo-input').setInputFiles(photos);
  const states = page.getByTestId('display-photos').getByTestId('photo-state');
  await expect(states.filter({ hasText: '待上传' })).toHaveCount(20, { timeout: 120_000 });
  const sizes: number[] = await page.evaluate(async () => {
    // The device's copies, read from its own database (what the upload will send).
    const dbs = await indexedDB.databases();
    const name = dbs.map((d) => d.name ?? '').find((n) => n.startsWith('yingxiao.'))!;
    const db: IDBDatabase = await new Promise((ok, ko) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
    const rows: { f?: Uint8Array; u: boolean }[] = await new Promise((ok) => {
      const r = db.transaction('files').objectStore('files').getAll();
      r.onsuccess = () => ok(r.result);
    });
    db.close();
    return rows.filter((r) => !r.u && r.f).map((r) => r.f!.length);
  });
  const bytes = sizes.reduce((a, b) => a + b, 0);

  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await context.setOffline(false);
  await cdp.send('Network.emulateNetworkConditions', LINE);
  const start = Date.now();
  await expect.poll(() => states.filter({ hasText: '已上传' }).count(), { timeout: 600_000 }).toBeGreaterThanOrEqual(10);
  const before = await states.filter({ hasText: '已上传' }).count();
  // The connection drops for 3 s in the middle.
  await context.setOffline(true);
  await cdp.send('Network.emulateNetworkConditions', { ...LINE, offline: true });
  await page.waitForTimeout(3_000);
  // Back in this order: Playwright's own offline switch resets the emulated line.
  await context.setOffline(false);
  await cdp.send('Network.emulateNetworkConditions', LINE);
  await expect(states.filter({ hasText: '已上传' })).toHaveCount(20, { timeout: 600_000 });
  const took = (Date.now() - start) / 1000;
  const lineKbit = (LINE.uploadThroughput * 8) / 1000;
  const kbit = (bytes * 8) / 1000 / took;

  console.log('\nstore mode, demo company, 1024×768 tablet, median of', RUNS, 'runs');
  console.log(`  cold start, usable          ${ms(median(slow))}  (slow network: 400 ms RTT, 400 kbit/s)`);
  console.log(`  reference: same, no throttle ${ms(median(fast))}   goal: under 1000 ms`);
  console.log(`  slowest of the slow starts  ${ms(Math.max(...slow))}`);
  console.log(`upload of 20 photos (${(bytes / 1024).toFixed(0)} KiB, ${(bytes / 20 / 1024).toFixed(0)} KiB each), one 3 s drop midway`);
  console.log(`  time to the server          ${took.toFixed(1).padStart(6)} s   (${before} sent when the line dropped)`);
  console.log(`  throughput                  ${kbit.toFixed(0).padStart(6)} kbit/s   line: ${lineKbit.toFixed(0)} kbit/s up, 150 ms RTT`);
});
