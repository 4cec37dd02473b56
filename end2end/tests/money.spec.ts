// Money in its currency: a deal in US dollars shows US$ on its page, its form shows the dollar sign
// until the currency changes, and the company's exchange rates show in the funnel
// settings (every run writes the same rates, so parallel runs agree).
import { test, expect } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { E2E_ADMIN_LOGIN, E2E_LOGIN } from '../playwright.config';
import { apiLogin, companyUnit, newId, pushApplied, pushCreates, signIn } from './support';

test("a deal in US dollars reads in dollars, and the company's rates show in the settings", async ({ page, browser, baseURL, request }, testInfo) => {
  test.setTimeout(90_000);
  const unique = `${testInfo.project.name} ${randomUUID().slice(0, 8)}`;
  const rep = await apiLogin(request, E2E_LOGIN);
  const customerId = newId();
  const dealId = newId();
  const name = `美元机会 ${unique}`;
  await pushCreates(request, rep.token, [
    {
      collection: 'customers',
      id: customerId,
      fields: { name: `美元客户 ${unique}`, kind: 'dealer', region_unit_id: rep.user.unit_id, owner_id: rep.user.user_id },
    },
    {
      collection: 'opportunities',
      id: dealId,
      fields: {
        name,
        customer_id: customerId,
        owner_id: rep.user.user_id,
        unit_id: rep.user.unit_id,
        amount: 100_050,
        currency: 'USD',
        stage: 'compare',
        stage_history: [{ stage: 'compare', entered_at: new Date().toISOString() }],
      },
    },
  ]);

  await signIn(page, E2E_LOGIN, `opportunities/${dealId}`);
  await expect(page.getByTestId('record-title')).toHaveText(name);
  await expect(page.getByText('US$1,000.50')).toBeVisible();
  await page.getByRole('button', { name: '编辑', exact: true }).click();
  await expect(page.locator('.money-sign').first()).toHaveText('US$');
  await page.locator('#opportunities-currency').selectOption('CNY');
  await expect(page.locator('.money-sign').first()).toHaveText('¥');

  // The rates go straight to the company unit, not through the settings form: saving the form writes
  // the probabilities it shows too, which the funnel-settings spec changes in parallel.
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const company = await companyUnit(request, admin.token);
  await pushApplied(request, admin.token, [
    { name: 'set_fields', args: { collection: 'org_units', id: company.id, fields: { rate_usd: 712, rate_eur: 780 } } },
  ]);
  const adminContext = await browser.newContext({ baseURL });
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, E2E_ADMIN_LOGIN, 'settings');
  const card = adminPage.getByTestId('funnel-settings');
  await expect(card.getByLabel('美元汇率（1 美元折合人民币）')).toHaveValue('7.12');
  await expect(card.getByLabel('欧元汇率（1 欧元折合人民币）')).toHaveValue('7.80');
  await adminContext.close();
});
