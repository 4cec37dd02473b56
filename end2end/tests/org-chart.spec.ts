// The org chart (issue 13): an organisation imported from an HR export with the `import-org` command,
// drawn at /org. Search by pinyin initials opens the path and centres the person; a card closes and
// opens; the chart pans by keyboard, mouse drag and pinch. A 10,000-person organisation (on a server of
// its own) keeps the page to a few hundred elements.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataDirFor, dist, E2E_ADMIN_LOGIN, E2E_PASSWORD, server } from '../playwright.config';
import { signIn } from './support';

/// One name per project, so parallel projects importing into the same server find their own person
/// by the same initials; the tag in the units' names tells their hits apart from earlier runs.
const PEOPLE: Record<string, [string, string]> = {
  desktop: ['欧阳明星', 'oymx'],
  'tablet-landscape': ['司马青云', 'smqy'],
  'tablet-portrait': ['诸葛晓峰', 'zgxf'],
  phone: ['上官婉清', 'sgwq'],
  'sub-path-tablet': ['东方雨桐', 'dfyt'],
};

function runCli(args: string[], input?: string) {
  return execFileSync(server, args, { input, env: { ...process.env, RUST_LOG: 'warn' } }).toString();
}

/// The viewport's box and the count of laid-out cards.
async function laidOut(page: Page): Promise<number> {
  return Number(await page.locator('.org-viewport').getAttribute('data-laid-out'));
}

test('a person found by pinyin initials is opened to and centred; cards close, open and the chart pans', async ({
  page,
}, testInfo) => {
  const [rep, initials] = PEOPLE[testInfo.project.name];
  const tag = randomUUID().slice(0, 6);
  const no = (n: number) => `t${tag}${String(n).padStart(2, '0')}`;
  const lines = [
    'employee_id,manager_id,name,title,unit',
    `${no(1)},,顾总${tag},总经理,总部${tag}`,
    `${no(2)},${no(1)},李大区${tag},大区经理,华东大区${tag}`,
    `${no(3)},${no(2)},王主管${tag},主管,上海区域${tag}`,
    `${no(4)},${no(3)},${rep},业务代表,上海区域${tag}`,
    ...[5, 6, 7, 8, 9, 10].map((n) => `${no(n)},${no(4)},促销员${n}号${tag},促销员,上海区域${tag}`),
  ];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'org-import-'));
  const file = path.join(dir, 'people.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  const port = Number(new URL(testInfo.project.use.baseURL!).port);
  const printed = runCli(['import-org', file, '--data-dir', dataDirFor(port)]);
  rmSync(dir, { recursive: true });
  expect(printed).toContain('10 people');
  expect(printed).toContain('imported.');

  await signIn(page, E2E_ADMIN_LOGIN, 'org');
  await expect(page.getByTestId('org-page')).toBeVisible();
  await expect(page.locator('.org-viewport')).toHaveAttribute('data-laid-out', /\d+/);

  // Found by initials: the hit in this run's unit.
  await page.getByTestId('org-search').fill(initials);
  const hit = page.getByTestId('org-hits').locator('.org-hit', { hasText: `上海区域${tag}` });
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText(rep);
  await hit.click();
  const card = page.locator('.org-card.focused');
  await expect(card).toContainText(rep);
  await expect(page.getByTestId('org-breadcrumb')).toContainText(`上海区域${tag}`);
  await expect(page.getByTestId('org-breadcrumb')).toContainText(`华东大区${tag}`);
  await expect(page.getByTestId('org-details')).toContainText(rep);
  const viewport = (await page.locator('.org-viewport').boundingBox())!;
  const centred = (await card.boundingBox())!;
  expect(Math.abs(centred.x + centred.width / 2 - (viewport.x + viewport.width / 2))).toBeLessThan(4);
  expect(Math.abs(centred.y + centred.height / 2 - (viewport.y + viewport.height / 2))).toBeLessThan(4);

  // The rep's six promoters are packed under the card; closing it hides them, opening shows them.
  const before = await laidOut(page);
  const toggle = card.locator('.toggle');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toHaveText('+6');
  expect(await laidOut(page)).toBe(before - 6);
  // The card stays where it was on screen.
  const closed = (await card.boundingBox())!;
  expect(Math.abs(closed.x - centred.x)).toBeLessThan(1);
  expect(Math.abs(closed.y - centred.y)).toBeLessThan(1);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect.poll(() => laidOut(page)).toBe(before);
  await expect(page.locator('.org-card', { hasText: `促销员5号${tag}` })).toBeVisible();

  // Keyboard: the arrow keys pan by a fixed step.
  await page.locator('.org-viewport').focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => Math.round((await card.boundingBox())!.x)).toBe(Math.round(centred.x - 96));
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => Math.round((await card.boundingBox())!.x)).toBe(Math.round(centred.x));

  if (testInfo.project.use.hasTouch) {
    // Two fingers spread apart zoom in about their middle: the card grows.
    const client = await page.context().newCDPSession(page);
    const mid = { x: viewport.x + viewport.width / 2, y: viewport.y + viewport.height / 2 };
    const touch = (type: string, gap: number) =>
      client.send('Input.dispatchTouchEvent', {
        type,
        touchPoints:
          type === 'touchEnd'
            ? []
            : [
                { x: mid.x - gap, y: mid.y, id: 1 },
                { x: mid.x + gap, y: mid.y, id: 2 },
              ],
      });
    await touch('touchStart', 40);
    for (const gap of [50, 60, 70, 80]) await touch('touchMove', gap);
    await touch('touchEnd', 80);
    await expect.poll(async () => (await card.boundingBox())!.width).toBeGreaterThan(centred.width * 1.5);
  } else {
    // A mouse drag pans by the distance dragged.
    const start = (await card.boundingBox())!;
    await page.mouse.move(viewport.x + 20, viewport.y + 20);
    await page.mouse.down();
    await page.mouse.move(viewport.x + 80, viewport.y + 60, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => Math.round((await card.boundingBox())!.x - start.x)).toBe(60);
  }
});

test('people imported with accounts sign in with their one-time password and see their own unit down', async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-portrait', 'one size is enough for the scope of the chart');
  const tag = randomUUID().slice(0, 6);
  const no = (n: number) => `r${tag}${n}`;
  const lines = [
    'employee_id,manager_id,name,title,unit',
    `${no(1)},,总经理${tag},总经理,总部${tag}`,
    `${no(2)},${no(1)},东区经理${tag},大区经理,东区${tag}`,
    `${no(3)},${no(2)},东区业务${tag},业务代表,东区${tag}`,
    `${no(4)},${no(1)},西区经理${tag},大区经理,西区${tag}`,
  ];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'org-accounts-'));
  const file = path.join(dir, 'people.csv');
  const passwords = path.join(dir, 'passwords.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  const port = Number(new URL(testInfo.project.use.baseURL!).port);
  expect(runCli(['import-org', file, '--accounts', passwords, '--data-dir', dataDirFor(port)])).toContain('4 sign-in accounts');
  const list = readFileSync(passwords, 'utf8').trim().split('\n');
  rmSync(dir, { recursive: true });
  const manager = list.find((l) => l.startsWith(`${no(2)},`))!.split(',');

  await page.goto('org');
  await page.locator('input[name=username]').fill(manager[0]);
  await page.locator('input[name=password]').fill(manager[2]);
  await page.locator('button[type=submit]').click();
  await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', /synced|waiting/, { timeout: 30_000 });
  await expect(page).toHaveURL(/\/org/);
  // Their region is the top of the chart: its card, with them on it, and their rep; not the other region.
  await expect(page.locator('.org-viewport')).toHaveAttribute('data-laid-out', '2');
  await expect(page.locator('.org-card.unit')).toContainText(`东区${tag}`);
  await expect(page.locator('.org-card.unit')).toContainText(`东区经理${tag}`);
  await expect(page.locator('.org-card', { hasText: `东区业务${tag}` })).toBeVisible();
  await page.getByTestId('org-search').fill(`西区经理${tag}`);
  await expect(page.getByTestId('org-hits')).toContainText('没有匹配');
});

test('a 10,000-person organisation loads with every card laid out and a few hundred elements', async ({
  browser,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one size is enough for the large chart');
  test.setTimeout(180_000);
  // The peers' shape: a head office, 8 regions, 8 areas each, teams of reps and promoters; one team
  // lead with 200 reports.
  const rows = ['employee_id,manager_id,name,title,unit'];
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑';
  const given = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平';
  let n = 0;
  const add = (manager: string, title: string, unit: string) => {
    n += 1;
    const id = `E${String(n).padStart(5, '0')}`;
    const name = surnames[n % 20] + given[(n * 7) % 20] + given[(n * 13) % 20];
    rows.push(`${id},${manager},${name},${title},${unit}`);
    return id;
  };
  const boss = add('', '总经理', '总部');
  outer: for (let r = 0; r < 8; r++) {
    const rm = add(boss, '大区经理', `大区${r}`);
    for (let a = 0; a < 8; a++) {
      const am = add(rm, '区域经理', `大区${r}区域${a}`);
      for (let t = 0; t < 11; t++) {
        const team = `大区${r}区域${a}组${t}`;
        const lead = add(am, '主管', team);
        const reps = r === 0 && a === 0 && t === 0 ? 200 : 6;
        for (let k = 0; k < reps; k++) {
          const rep = add(lead, '业务代表', team);
          for (let p = 0; p < 2 && reps < 200; p++) {
            if (n >= 10_000) break outer;
            add(rep, '促销员', team);
          }
          if (n >= 10_000) break outer;
        }
      }
    }
  }
  while (n < 10_000) add(boss, '市场专员', '总部');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'org-10k-'));
  const file = path.join(dir, 'people.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const dataDir = path.join(dir, 'data');
  runCli(['user', 'add', '--login', 'big_admin', '--role', 'admin', '--password-stdin', '--data-dir', dataDir], `${E2E_PASSWORD}\n`);
  expect(runCli(['import-org', file, '--data-dir', dataDir])).toContain('10000 people');
  const port = 18180 + Math.floor(Math.random() * 500);
  const child: ChildProcess = spawn(server, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--dist', dist], {
    env: { ...process.env, RUST_LOG: 'warn' },
    stdio: 'ignore',
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await expect
      .poll(async () => (await fetch(`${base}/api/v1/health`).catch(() => null))?.ok ?? false, { timeout: 20_000 })
      .toBe(true);
    const context = await browser.newContext({ baseURL: `${base}/`, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto('org?level=all');
    await page.locator('input[name=username]').fill('big_admin');
    await page.locator('input[name=password]').fill(E2E_PASSWORD);
    await page.locator('button[type=submit]').click();
    await expect(page.locator('.topbar .sync-indicator')).toHaveAttribute('data-state', 'synced', { timeout: 120_000 });
    await page.goto('org?level=all');
    // Every person has a card (managers on their units' cards, the admin on their own).
    await expect(page.locator('.org-viewport')).toHaveAttribute('data-laid-out', '10001', { timeout: 60_000 });
    const elements = await page.evaluate(() => document.querySelectorAll('*').length);
    expect(elements).toBeLessThan(2000);
    // Zoomed in on the wide team, its cards are elements, still few.
    await page.getByTestId('org-search').fill('大区0区域0组0');
    await page.getByTestId('org-search').press('Enter');
    await expect(page.locator('.org-card.focused')).toContainText('大区0区域0组0');
    await expect(page.locator('.org-card').first()).toBeVisible();
    const zoomed = await page.evaluate(() => document.querySelectorAll('*').length);
    expect(zoomed).toBeLessThan(2000);
    await page.locator('.org-card.focused .toggle').click();
    await expect(page.locator('.org-viewport')).toHaveAttribute('data-laid-out', String(10001 - 200));
    await context.close();
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an administrator sets a role’s duties, which must add up to 100%, and a rep’s card in the chart shows them', async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'tablet-landscape', 'one size is enough for the duties');
  await signIn(page, E2E_ADMIN_LOGIN, 'settings');
  const card = page.getByTestId('role-duties');
  const lines = card.getByTestId('lines-role_duties').locator('tr[data-testid=line]');
  // The seed documents' split is there from the start: 大区经理 3 duties, 区域主管 4, then 业务员.
  const rep = (row: number) => lines.nth(7 + row);
  await expect(rep(0).getByLabel('职责')).toHaveValue('渠道管理');
  await expect(rep(1).getByLabel('职责')).toHaveValue('信息反馈');
  // 56 with 20 or 25 and 20 (the defaults, or what an earlier run saved) never makes 100.
  await rep(0).getByLabel('时间占比（%）').fill('56');
  await card.getByRole('button', { name: '保存修改' }).click();
  await expect(card.getByText('每个角色的时间分配合计必须为 100%')).toBeVisible();
  await rep(0).getByLabel('时间占比（%）').fill('55');
  await rep(1).getByLabel('时间占比（%）').fill('25');
  await rep(2).getByLabel('时间占比（%）').fill('20');
  await card.getByRole('button', { name: '保存修改' }).click();
  await expect(card.getByRole('status').filter({ hasText: '同步后对全公司生效' })).toBeVisible();

  await page.goto('org');
  await page.getByTestId('org-search').fill('测试业务员');
  await page.getByTestId('org-hits').locator('.org-hit', { hasText: '测试业务员' }).first().click();
  const duties = page.getByTestId('org-duties');
  await expect(duties.locator('li')).toHaveCount(3);
  await expect(duties.locator('li').nth(0)).toContainText('渠道管理');
  await expect(duties.locator('li').nth(0)).toContainText('55%');
  await expect(duties.locator('li').nth(1)).toContainText('25%');
  await expect(page.locator('.org-card.focused .org-split')).toHaveAttribute('style', /55%/);
});

test('a focused unit and what is open below it saves as SVG and PNG and prints alone on A3 landscape', async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one size is enough for the files');
  const tag = randomUUID().slice(0, 6);
  const no = (n: number) => `x${tag}${n}`;
  const lines = [
    'employee_id,manager_id,name,title,unit',
    `${no(1)},,导出总经理${tag},总经理,总部${tag}`,
    `${no(2)},${no(1)},导出经理${tag},大区经理,导出大区${tag}`,
    `${no(3)},${no(2)},导出业务甲${tag},业务代表,导出大区${tag}`,
    `${no(4)},${no(2)},R&D <${tag}>,业务代表,导出大区${tag}`,
  ];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'org-export-'));
  const file = path.join(dir, 'people.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  const port = Number(new URL(testInfo.project.use.baseURL!).port);
  runCli(['import-org', file, '--data-dir', dataDirFor(port)]);
  rmSync(dir, { recursive: true });

  await signIn(page, E2E_ADMIN_LOGIN, 'org');
  await expect(page.locator('.org-viewport')).toHaveAttribute('data-laid-out', /\d+/);
  await page.getByTestId('org-search').fill(`导出大区${tag}`);
  await expect(page.getByTestId('org-hits').locator('.org-hit').first()).toContainText(`导出大区${tag}`);
  await page.getByTestId('org-search').press('Enter');
  await expect(page.locator('.org-card.focused')).toContainText(`导出大区${tag}`);
  // The import's people may reach the device a sync page after its units: export once they are here.
  await expect(page.locator('.org-card.focused')).toContainText('3 人');
  await expect(page.getByTestId('org-export-scope')).toContainText(`导出大区${tag} 及以下`);

  const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('org-export-svg').click()]);
  expect(svgDownload.suggestedFilename()).toBe(`导出大区${tag}.svg`);
  const svg = readFileSync((await svgDownload.path())!, 'utf8');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg).toContain(`导出经理${tag}`);
  expect(svg).toContain(`导出业务甲${tag}`);
  expect(svg).toContain(`R&amp;D &lt;${tag}&gt;`);
  expect(svg).not.toContain(`导出总经理${tag}`);
  expect(svg.match(/<g><rect/g)!.length).toBe(3);

  const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('org-export-png').click()]);
  expect(pngDownload.suggestedFilename()).toBe(`导出大区${tag}.png`);
  const png = readFileSync((await pngDownload.path())!);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = Number(svg.match(/width="(\d+)"/)![1]);
  expect(png.readUInt32BE(16)).toBe(width * 2);

  await page.getByTestId('org-paper').selectOption('A3');
  await page.getByTestId('org-print').click();
  await expect.poll(() => page.locator('#org-print-page').evaluate((style) => style.textContent)).toContain('size: A3 landscape');
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.org-print svg')).toBeVisible();
  await expect(page.locator('.org-print')).toContainText(`导出业务甲${tag}`);
  await expect(page.getByTestId('org-page')).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await expect(page.getByTestId('org-page')).toBeVisible();
});
