// A promotion's approval as its regional manager gives it on a tablet or a phone: the plan is approved
// with a comment, sent back only once a reason is written, approved again and started; each step is
// one `decide_promotion` change that reaches the server with its comment. A promoter who sees the
// promotion (it lists her store) sees its status and no step to take.
import { test, expect } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { E2E_ADMIN_LOGIN, E2E_MANAGER_LOGIN, E2E_PROMOTER_LOGIN } from '../playwright.config';
import { apiLogin, companyUnit, newId, pullAll, pushCreates, signIn } from './support';

test('a regional manager approves, sends back with a reason, and starts a promotion; a promoter only sees its status', async ({
  page,
  browser,
  request,
  baseURL,
}, testInfo) => {
  test.skip(testInfo.project.name === 'desktop' || testInfo.project.name === 'sub-path-tablet', 'tablet and phone sizes');
  test.setTimeout(90_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const company = await companyUnit(request, admin.token);
  const storeId = newId();
  const promotionId = newId();
  await pushCreates(request, admin.token, [
    {
      collection: 'customers',
      id: storeId,
      fields: { name: `审批门店 ${unique}`, kind: 'retail_store', region_unit_id: company.id, owner_id: admin.user.user_id },
    },
    {
      collection: 'promotions',
      id: promotionId,
      fields: {
        name: `审批试吃 ${unique}`,
        kind: 'tasting',
        unit_id: company.id,
        store_ids: [storeId],
        starts_on: '2030-05-01',
        ends_on: '2030-05-03',
        status: 'planned',
        budget: 200_000,
      },
    },
  ]);
  const onServer = async () => {
    const record = (await pullAll(request, admin.token)).find((r) => r.id === promotionId);
    return `${record?.fields.status} ${record?.fields.decision_comment ?? '—'}`;
  };

  await signIn(page, E2E_MANAGER_LOGIN, `promotions/${promotionId}`);
  const card = page.getByTestId('promotion-decision');
  await expect(card.getByTestId('promotion-status')).toHaveText('计划中');
  // Only the steps core allows from "planned".
  await expect(card.locator('[data-decision]')).toHaveCount(2);
  await expect(card.locator('[data-decision=running]')).toHaveCount(0);

  await card.locator('[data-decision=approved]').tap();
  await expect(page.locator('#decision-comment')).toBeFocused();
  await page.locator('#decision-comment').fill('预算合理，同意');
  await card.getByTestId('decision-confirm').tap();
  await expect(card.getByTestId('promotion-status')).toHaveText('已批准');
  await expect(card.getByTestId('decision-note')).toContainText('已批准');
  await expect.poll(onServer, { timeout: 20_000 }).toBe('approved 预算合理，同意');

  // Sending back needs a reason: without one nothing is sent.
  await card.locator('[data-decision=planned]').tap();
  await card.getByTestId('decision-confirm').tap();
  await expect(page.locator('#decision-comment')).toHaveAttribute('aria-invalid', 'true');
  await expect(card.locator('.field-error')).toContainText('须填写审批意见');
  await expect(card.getByTestId('promotion-status')).toHaveText('已批准');
  await page.locator('#decision-comment').fill('门店太多，请缩减到两家');
  await card.getByTestId('decision-confirm').tap();
  await expect(card.getByTestId('promotion-status')).toHaveText('计划中');
  await expect.poll(onServer, { timeout: 20_000 }).toBe('planned 门店太多，请缩减到两家');

  // Approved again, then started by keyboard; the comment of the last step is the one kept.
  await card.locator('[data-decision=approved]').tap();
  await card.getByTestId('decision-confirm').tap();
  await expect(card.getByTestId('promotion-status')).toHaveText('已批准');
  // The steps wait (disabled) until the last decision is stored; then the keyboard takes the next.
  await expect(card.locator('[data-decision=running]')).toBeEnabled();
  await card.locator('[data-decision=running]').focus();
  await page.keyboard.press('Enter');
  await page.locator('#decision-comment').fill('5月1日开始');
  await expect(page.getByTestId('decision-confirm')).toBeEnabled();
  await page.getByTestId('decision-confirm').focus();
  await page.keyboard.press('Enter');
  await expect(card.getByTestId('promotion-status')).toHaveText('进行中');
  await expect(card.locator('[data-decision]')).toHaveCount(2);
  await expect.poll(onServer, { timeout: 20_000 }).toBe('running 5月1日开始');
  // The decision's comment and time are shown with the promotion's fields; the status is not editable.
  await expect(page.locator('[data-field=decision_comment]')).toContainText('5月1日开始');

  // A promoter of the company's stores sees the promotion and its status, and no step to take.
  const promoter = await apiLogin(request, E2E_PROMOTER_LOGIN);
  const seen = (await pullAll(request, promoter.token)).map((r) => r.id);
  expect(seen).toContain(promotionId);
  const other = await browser.newContext({ baseURL, locale: 'zh-CN', viewport: page.viewportSize()!, hasTouch: true });
  const promoterPage = await other.newPage();
  await signIn(promoterPage, E2E_PROMOTER_LOGIN, `promotions/${promotionId}`);
  await expect(promoterPage.getByTestId('promotion-status')).toHaveText('进行中');
  await expect(promoterPage.getByTestId('promotion-decision').locator('button')).toHaveCount(0);
  await other.close();
});
