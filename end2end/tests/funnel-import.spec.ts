// Import and check: a small CSV of opportunities with known answers goes through the server's CSV
// import (the admin CLI, into the running server's database), and the manager's funnel shows exactly
// those answers. The deals sit in a team of their own, so other tests do not count.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataDirFor, E2E_ADMIN_LOGIN, E2E_LOGIN, E2E_MANAGER_LOGIN, server } from '../playwright.config';
import { apiLogin, newId, pushCreates, signIn } from './support';

const DAY = 86_400_000;

test('an imported CSV of opportunities shows in the funnel with exactly its answers', async ({ page, request }, testInfo) => {
  test.setTimeout(90_000);
  const unique = `${testInfo.project.name.replace(/[^a-z]/g, '')}${randomUUID().slice(0, 6)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const rep = await apiLogin(request, E2E_LOGIN);
  const unitId = newId();
  const code = `IMP-${unique}`.toUpperCase();
  await pushCreates(request, admin.token, [
    { collection: 'org_units', id: unitId, fields: { name: `导入组 ${unique}`, code, kind: 'team', parent_id: rep.user.unit_id } },
  ]);
  const customer = `导入客户 ${unique}`;
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: newId(),
      fields: { name: customer, kind: 'dealer', region_unit_id: unitId, owner_id: rep.user.user_id },
    },
  ]);

  // Another system's export: its own headers and stage words, mapped at import.
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10);
  const rows = [
    ['年度框架', '100000', 'Aware', day(40), ''],
    ['门店陈列', '50000', 'Aware', day(35), ''],
    ['新品试销', '200000', 'Engaging', day(30), ''],
    ['冷柜更新', '300000', '谈判', day(25), ''],
    ['春节备货', '80000', 'Won', day(20), ''],
    ['区域促销', '40000', '输单', day(10), '价格'],
    ['团购渠道', '20000', 'Won', day(5), ''],
  ];
  const csv = [
    'Deal,Customer,Owner,Team,Amount,Stage,Created,Lost reason',
    ...rows.map(([name, amount, stage, created, reason]) =>
      [`${name} ${unique}`, customer, E2E_LOGIN, code, amount, stage, created, reason].join(','),
    ),
  ].join('\n');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yingxiao-import-')), 'deals.csv');
  fs.writeFileSync(file, csv);
  const port = Number(new URL(testInfo.project.use.baseURL!).port);
  const output = execFileSync(
    server,
    [
      'import', 'opportunities', file,
      '--map', 'Deal=name,Customer=customer_id,Owner=owner_id,Team=unit_id,Lost reason=lost_reason',
      '--values', 'stage:Aware=aware,stage:Engaging=compare,stage:Won=won',
      '--data-dir', dataDirFor(port),
    ],
    { encoding: 'utf8', env: { ...process.env, RUST_LOG: 'warn' } },
  );
  expect(output).toContain('7 rows read, 0 bad; created 7, updated 0, unchanged 0');
  expect(output).toContain('imported.');

  await signIn(page, E2E_MANAGER_LOGIN, 'funnel');
  await page.getByLabel('期间').selectOption('last12');
  await page.getByLabel('组织').selectOption(unitId);
  const band = (stage: string) => page.getByTestId('funnel-chart').locator(`.funnel-band[data-stage=${stage}]`);
  await expect(band('aware')).toHaveAttribute('aria-label', /^了解：2 个机会，金额 ¥150,000\.00/);
  await expect(band('compare')).toHaveAttribute('aria-label', /^比较：1 个机会，金额 ¥200,000\.00/);
  await expect(band('negotiate')).toHaveAttribute('aria-label', /^谈判：1 个机会，金额 ¥300,000\.00/);
  await expect(band('commit')).toHaveAttribute('aria-label', /^确定：0 个机会/);
  await expect(band('won')).toHaveAttribute('aria-label', /^赢单：2 个机会，金额 ¥100,000\.00/);
  const headline = page.getByTestId('funnel-headline');
  await expect(headline.locator('[data-figure=pipeline] .funnel-fact-value')).toHaveText('¥650,000.00');
  // Won 2, lost 1.
  await expect(headline.locator('[data-figure=win-rate] .funnel-fact-value')).toHaveText('67%');
});
