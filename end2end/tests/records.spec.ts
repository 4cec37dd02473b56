// Every collection's generated pages, one table row per collection: as the role that may write it,
// create a record offline with the form drawn from core's field table (after a bad value shows
// core's message beside its field, in Chinese and in English), find it in the list marked 待同步,
// edit it, reconnect, and see through the server's sync endpoint that a second user whose scope
// includes it receives it and one whose scope does not, does not. Orders also prove editable lines
// with their amounts and total, and an opportunity's products priced from the catalogue, checked on
// the server.
//
// Runs at the desktop project (all collections) and on a touch tablet (a few), to keep the test
// command's time in bounds; every other spec covers the shell at each size.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import {
  E2E_ADMIN_LOGIN,
  E2E_LOGIN,
  E2E_MANAGER_LOGIN,
  E2E_OTHER_REP_LOGIN,
  E2E_PROMOTER_LOGIN,
} from '../playwright.config';
import { apiLogin, newId, pullAll, pushCreates, signIn, type ServerRecord } from './support';

/// What the records a case needs first are called (by role in the case), made through the API.
type World = {
  unique: string;
  companyId: string;
  companyName: string;
  companyName: string;
  customer: { id: string; name: string };
  store: { id: string; name: string };
  product: { id: string; name: string };
  budget: { id: string; title: string };
  promotion: { id: string; name: string };
};

type Case = {
  slug: string;
  /// The list's heading (the collection's name in Chinese).
  heading: string;
  /// The page's view that is the list, where it has others (promotions open on their calendar).
  view?: string;
  writer: string;
  /// Fills the new record's form (all but the field the bad value case leaves wrong).
  fill: (page: Page, w: World) => Promise<void>;
  /// Makes one field wrong and names the messages core gives for it.
  bad: { field: string; make: (page: Page) => Promise<void>; fix: (page: Page, w: World) => Promise<void>; zh: RegExp | string; en: RegExp | string };
  /// A text field edited afterwards, by its label.
  edit: { label: string; field: string };
  /// What the list search finds the record by.
  search: (w: World) => string;
  /// The record's fields on the server that show it was made by this form.
  check: (fields: Record<string, unknown>, w: World) => void;
  sees: string;
  /// A user whose scope does not include it (none for reference data everyone sees).
  blind?: string;
  /// Also run on the touch tablet.
  touch?: boolean;
};

/// A form's input by its label as shown (a required field's label ends in *).
function field(page: Page, label: string) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}\\*?$`));
}

async function pick(page: Page, label: string, text: string) {
  const input = field(page, label);
  await input.fill(text);
  await page.getByRole('option', { name: text }).first().click();
  // The picked record's title (an org unit's says its level too).
  await expect(input).toHaveValue(new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}

async function fillText(page: Page, label: string, value: string) {
  await field(page, label).fill(value);
}

const CASES: Case[] = [
  {
    slug: 'org-units', heading: '营销组织', writer: E2E_ADMIN_LOGIN,
    fill: async (page, w) => {
      await field(page, '组织层级').selectOption({ label: '大区' });
      await pick(page, '上级组织', w.companyName);
    },
    bad: {
      field: 'name', make: async () => {}, fix: (page, w) => fillText(page, '组织名称', `测试大区 ${w.unique}`),
      zh: '“组织名称”为必填项', en: '“Name” is required',
    },
    edit: { label: '组织编码', field: 'code' },
    search: (w) => `测试大区 ${w.unique}`,
    check: (f, w) => expect(f.parent_id).toBe(w.companyId),
    sees: E2E_LOGIN,
  },
  {
    slug: 'users', heading: '人员', writer: E2E_ADMIN_LOGIN,
    fill: async (page, w) => {
      await fillText(page, '姓名', `测试人员 ${w.unique}`);
      await field(page, '角色').selectOption({ label: '业务员' });
    },
    bad: {
      field: 'login', make: async () => {}, fix: (page, w) => fillText(page, '登录名', `u_${w.unique.replace(/[^a-z0-9]/g, '')}`),
      zh: '“登录名”为必填项', en: '“Login” is required',
    },
    edit: { label: '职务', field: 'title' },
    search: (w) => `测试人员 ${w.unique}`,
    check: (f) => expect(f.role).toBe('sales_rep'),
    sees: E2E_MANAGER_LOGIN,
  },
  {
    slug: 'customers', heading: '客户', writer: E2E_LOGIN,
    fill: async (page, w) => {
      await field(page, '客户类型').selectOption({ label: '经销商' });
      await fillText(page, '备注', `客户备注 ${w.unique}`);
    },
    bad: {
      field: 'name', make: async () => {}, fix: (page, w) => fillText(page, '客户名称', `新客户 ${w.unique}`),
      zh: '“客户名称”为必填项', en: '“Name” is required',
    },
    edit: { label: '备注', field: 'notes' },
    search: (w) => `新客户 ${w.unique}`,
    check: (f) => expect(f.kind).toBe('dealer'),
    sees: E2E_MANAGER_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    // A deal's products: the product brings its list price, the line its amount, the table a total.
    slug: 'opportunities', heading: '销售机会', writer: E2E_LOGIN, touch: true,
    fill: async (page, w) => {
      await pick(page, '客户', w.customer.name);
      await field(page, '阶段').selectOption({ label: '比较' });
      await page.getByTestId('line-add').click();
      const line = page.getByTestId('line').first();
      await line.getByRole('combobox').fill(w.product.name);
      await page.getByRole('option', { name: w.product.name }).first().click();
      await expect(page.getByLabel('单价 1', { exact: true })).toHaveValue('12.50');
      await page.getByLabel('数量 1', { exact: true }).fill('4');
      await expect(line.getByTestId('line-amount')).toHaveText('¥50.00');
      await expect(page.getByTestId('lines-total')).toHaveText('¥50.00');
    },
    bad: {
      field: 'name', make: async () => {}, fix: (page, w) => fillText(page, '机会名称', `新机会 ${w.unique}`),
      zh: '“机会名称”为必填项', en: '“Name” is required',
    },
    edit: { label: '备注', field: 'notes' },
    search: (w) => `新机会 ${w.unique}`,
    check: (f, w) => {
      expect(f.customer_id).toBe(w.customer.id);
      expect(f.product_lines).toEqual([{ product_id: w.product.id, quantity: 4, unit_price: 1250 }]);
      expect(f.stage).toBe('compare');
      expect((f.stage_history as { stage: string }[]).map((h) => h.stage)).toEqual(['compare']);
    },
    sees: E2E_MANAGER_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    slug: 'contacts', heading: '联系人', writer: E2E_LOGIN, touch: true,
    fill: async (page, w) => {
      await pick(page, '所属客户', w.customer.name);
    },
    bad: {
      field: 'name', make: async () => {}, fix: (page, w) => fillText(page, '姓名', `联系人 ${w.unique}`),
      zh: '“姓名”为必填项', en: '“Name” is required',
    },
    edit: { label: '职务', field: 'title' },
    search: (w) => `联系人 ${w.unique}`,
    check: (f, w) => expect(f.customer_id).toBe(w.customer.id),
    sees: E2E_MANAGER_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    slug: 'visits', heading: '拜访记录', writer: E2E_LOGIN,
    fill: async (page, w) => {
      await fillText(page, '拜访内容', `拜访 ${w.unique}`);
    },
    bad: {
      field: 'customer_id', make: async () => {}, fix: (page, w) => pick(page, '客户', w.customer.name),
      zh: '“客户”为必填项', en: '“Customer” is required',
    },
    edit: { label: '下一步行动', field: 'next_step' },
    search: (w) => `拜访 ${w.unique}`,
    check: (f, w) => expect(f.customer_id).toBe(w.customer.id),
    sees: E2E_MANAGER_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    slug: 'products', heading: '产品', writer: E2E_ADMIN_LOGIN,
    fill: async (page, w) => {
      await fillText(page, '产品编码', `SKU-${w.unique}`);
      await fillText(page, '标准价', '19.90');
    },
    bad: {
      field: 'name', make: async () => {}, fix: (page, w) => fillText(page, '产品名称', `测试产品 ${w.unique}`),
      zh: '“产品名称”为必填项', en: '“Name” is required',
    },
    edit: { label: '品类', field: 'category' },
    search: (w) => `测试产品 ${w.unique}`,
    check: (f) => expect(f.list_price).toBe(1990),
    sees: E2E_PROMOTER_LOGIN,
  },
  {
    slug: 'orders', heading: '订单', writer: E2E_LOGIN, touch: true,
    fill: async (page, w) => {
      await pick(page, '客户', w.customer.name);
      await page.getByTestId('line-add').click();
      const line = page.getByTestId('line').first();
      await line.getByRole('combobox').fill(w.product.name);
      await page.getByRole('option', { name: w.product.name }).first().click();
      await page.getByLabel('数量 1', { exact: true }).fill('3');
      await page.getByLabel('单价 1', { exact: true }).fill('12.50');
      await page.getByLabel('折扣（%） 1', { exact: true }).fill('10');
      await expect(line.getByTestId('line-amount')).toHaveText('¥33.75');
      await expect(page.getByTestId('lines-total')).toHaveText('¥33.75');
      // The order's total follows its lines.
      await expect(field(page, '订单金额')).toHaveValue('33.75');
    },
    bad: {
      field: 'order_no', make: async () => {}, fix: (page, w) => fillText(page, '订单编号', `SO-${w.unique}`),
      zh: '“订单编号”为必填项', en: '“Order no.” is required',
    },
    edit: { label: '备注', field: 'notes' },
    search: (w) => `SO-${w.unique}`,
    check: (f, w) => {
      expect(f.lines).toEqual([{ product_id: w.product.id, quantity: 3, unit_price: 1250, discount_percent: 10 }]);
      expect(f.total).toBe(3375);
    },
    sees: E2E_MANAGER_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    slug: 'contracts', heading: '合同', writer: E2E_LOGIN,
    fill: async (page, w) => {
      await fillText(page, '合同编号', `HT-${w.unique}`);
      await pick(page, '客户', w.customer.name);
    },
    bad: {
      field: 'title', make: async () => {}, fix: (page, w) => fillText(page, '合同名称', `合同 ${w.unique}`),
      zh: '“合同名称”为必填项', en: '“Title” is required',
    },
    edit: { label: '备注', field: 'notes' },
    search: (w) => `合同 ${w.unique}`,
    check: (f, w) => expect(f.customer_id).toBe(w.customer.id),
    sees: E2E_MANAGER_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    slug: 'targets', heading: '目标', writer: E2E_MANAGER_LOGIN, view: 'list',
    fill: async (page, w) => {
      // A monthly target starts on the first of its month (core's rule).
      await field(page, '目标周期').selectOption({ label: '月度' });
      await fillText(page, '周期开始', `${new Date().toISOString().slice(0, 7)}-01`);
      // Picked by name from the kind's records (a unit, by default).
      await pick(page, '责任对象', w.companyName);
      await fillText(page, '备注', `目标 ${w.unique}`);
    },
    bad: {
      // A sales target is typed in yuan (its metric says so) and kept in 分.
      field: 'value', make: (page) => fillText(page, '目标值', '-5'), fix: (page) => fillText(page, '目标值', '120000'),
      zh: '请输入以元为单位、最多两位小数的金额，例如 50000 或 1234.56。',
      en: 'Enter an amount in yuan with at most two decimals, e.g. 50000 or 1234.56.',
    },
    edit: { label: '备注', field: 'notes' },
    search: (w) => `目标 ${w.unique}`,
    check: (f, w) => {
      expect(f.value).toBe(12_000_000);
      expect(f.subject_id).toBe(w.companyId);
    },
    sees: E2E_ADMIN_LOGIN, blind: E2E_LOGIN,
  },
  {
    // Figures from the company's books (normally imported); HQ and the office keep them.
    slug: 'past-actuals', heading: '历史业绩', writer: E2E_ADMIN_LOGIN,
    fill: async (page, w) => {
      // A count: typed and kept as a whole number.
      await field(page, '考核指标').selectOption({ label: '拜访次数' });
      await fillText(page, '月份', `${new Date().getFullYear() - 1}-03-01`);
      // Picked by name from the kind's records (a unit, by default).
      await pick(page, '责任对象', w.companyName);
      await fillText(page, '数据来源', `业绩 ${w.unique}`);
    },
    bad: {
      field: 'value', make: (page) => fillText(page, '实际值', '-5'), fix: (page) => fillText(page, '实际值', '42'),
      zh: /“实际值”必须在 0 到 \d+ 之间/, en: /“Actual” must be between 0 and \d+/,
    },
    edit: { label: '备注', field: 'notes' },
    search: (w) => `业绩 ${w.unique}`,
    check: (f, w) => {
      expect(f.metric).toBe('visits');
      expect(f.subject_id).toBe(w.companyId);
      expect(f.value).toBe(42);
      expect(f.source).toBe(`业绩 ${w.unique}`);
    },
    sees: E2E_MANAGER_LOGIN, blind: E2E_LOGIN,
  },
  {
    slug: 'budgets', heading: '预算', writer: E2E_ADMIN_LOGIN,
    fill: async (page, w) => {
      await fillText(page, '营销计划', `预算计划 ${w.unique}`);
    },
    bad: {
      field: 'amount', make: async () => {}, fix: (page) => fillText(page, '预算金额', '5000'),
      zh: '“预算金额”为必填项', en: '“Amount” is required',
    },
    edit: { label: '备注', field: 'notes' },
    search: (w) => `预算计划 ${w.unique}`,
    check: (f) => expect(f.amount).toBe(500000),
    sees: E2E_MANAGER_LOGIN, blind: E2E_LOGIN,
  },
  {
    slug: 'expenses', heading: '费用', writer: E2E_MANAGER_LOGIN,
    fill: async (page, w) => {
      await pick(page, '所属预算', w.budget.title);
      await fillText(page, '费用说明', `费用 ${w.unique}`);
    },
    bad: {
      field: 'amount', make: async () => {}, fix: (page) => fillText(page, '金额', '88.80'),
      zh: '“金额”为必填项', en: '“Amount” is required',
    },
    edit: { label: '票据号', field: 'receipt_no' },
    search: (w) => `费用 ${w.unique}`,
    check: (f, w) => {
      expect(f.budget_id).toBe(w.budget.id);
      expect(f.amount).toBe(8880);
    },
    sees: E2E_ADMIN_LOGIN, blind: E2E_LOGIN,
  },
  {
    slug: 'promotions', heading: '促销', writer: E2E_MANAGER_LOGIN, view: 'list',
    fill: async (page, w) => {
      // Stores are ticked in groups of region and area; the search narrows every group.
      const stores = page.getByTestId('grouped-store_ids');
      await stores.getByRole('searchbox').fill(w.store.name);
      await stores.getByRole('checkbox', { name: w.store.name, exact: true }).check();
      await expect(stores.getByTestId('grouped-count')).toContainText('已选 1 /');
    },
    bad: {
      field: 'name', make: async () => {}, fix: (page, w) => fillText(page, '促销名称', `促销 ${w.unique}`),
      zh: '“促销名称”为必填项', en: '“Name” is required',
    },
    edit: { label: '备注', field: 'notes' },
    search: (w) => `促销 ${w.unique}`,
    check: (f, w) => expect(f.store_ids).toEqual([w.store.id]),
    sees: E2E_ADMIN_LOGIN, blind: E2E_LOGIN,
  },
  {
    slug: 'promotion-reports', heading: '促销执行报告', writer: E2E_PROMOTER_LOGIN, touch: true,
    fill: async (page, w) => {
      await pick(page, '门店', w.store.name);
      await fillText(page, '销量', '12');
      await fillText(page, '备注', `执行 ${w.unique}`);
    },
    bad: {
      field: 'promotion_id', make: async () => {}, fix: (page, w) => pick(page, '促销活动', w.promotion.name),
      zh: '“促销活动”为必填项', en: '“Promotion” is required',
    },
    edit: { label: '竞品信息', field: 'competitor_notes' },
    search: (w) => `执行 ${w.unique}`,
    check: (f, w) => {
      expect(f.promotion_id).toBe(w.promotion.id);
      expect(f.units_sold).toBe(12);
    },
    // The store is the rep's customer, so the rep sees its reports; another rep does not.
    sees: E2E_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    slug: 'daily-reports', heading: '日报', writer: E2E_LOGIN,
    fill: async (page, w) => {
      await fillText(page, '今日工作', `日报 ${w.unique}`);
    },
    bad: {
      field: 'visits_count', make: (page) => fillText(page, '拜访数', '-1'), fix: (page) => fillText(page, '拜访数', '6'),
      zh: /“拜访数”必须在 0 到 \d+ 之间/, en: /“Visits” must be between 0 and \d+/,
    },
    edit: { label: '明日计划', field: 'plan_tomorrow' },
    search: (w) => `日报 ${w.unique}`,
    check: (f) => expect(f.visits_count).toBe(6),
    sees: E2E_MANAGER_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    // A rep may open a ticket but not work on it; the office (or a service agent) does both.
    slug: 'tickets', heading: '售后服务', writer: E2E_ADMIN_LOGIN,
    fill: async (page, w) => {
      await pick(page, '客户', w.customer.name);
    },
    bad: {
      field: 'title', make: async () => {}, fix: (page, w) => fillText(page, '标题', `工单 ${w.unique}`),
      zh: '“标题”为必填项', en: '“Title” is required',
    },
    edit: { label: '问题描述', field: 'description' },
    search: (w) => `工单 ${w.unique}`,
    check: (f, w) => expect(f.customer_id).toBe(w.customer.id),
    sees: E2E_MANAGER_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
  {
    slug: 'surveys', heading: '满意度调查', writer: E2E_ADMIN_LOGIN,
    fill: async (page, w) => {
      await pick(page, '客户', w.customer.name);
      await fillText(page, '意见建议', `调查 ${w.unique}`);
    },
    bad: {
      field: 'score', make: (page) => fillText(page, '满意度（1–5）', '9'), fix: (page) => fillText(page, '满意度（1–5）', '4'),
      zh: '“满意度（1–5）”必须在 1 到 5 之间', en: '“Score (1–5)” must be between 1 and 5',
    },
    edit: { label: '意见建议', field: 'comments' },
    search: (w) => `调查 ${w.unique}`,
    check: (f) => expect(f.score).toBe(4),
    sees: E2E_LOGIN, blind: E2E_OTHER_REP_LOGIN,
  },
];

/// The records the cases point at, made by the office (and the rep's customer owned by the rep).
async function world(request: APIRequestContext, unique: string): Promise<World> {
  const admin = await apiLogin(request, E2E_ADMIN_LOGIN);
  const rep = await apiLogin(request, E2E_LOGIN);
  const promoter = await apiLogin(request, E2E_PROMOTER_LOGIN);
  const units = (await pullAll(request, admin.token)).filter((r: ServerRecord) => r.collection === 'org_units');
  const company = units.find((u) => u.fields.kind === 'company')!;
  const today = new Date().toISOString().slice(0, 10);
  const w: World = {
    unique,
    companyId: company.id,
    companyName: company.fields.name as string,
    companyName: String(company.fields.name),
    customer: { id: newId(), name: `客户 ${unique}` },
    store: { id: newId(), name: `门店 ${unique}` },
    product: { id: newId(), name: `产品 ${unique}` },
    budget: { id: newId(), title: `预算 ${unique} · 促销费` },
    promotion: { id: newId(), name: `活动 ${unique}` },
  };
  await pushCreates(request, admin.token, [
    { collection: 'customers', id: w.customer.id, fields: { name: w.customer.name, kind: 'dealer', region_unit_id: company.id, owner_id: rep.user.user_id } },
    { collection: 'customers', id: w.store.id, fields: { name: w.store.name, kind: 'retail_store', region_unit_id: company.id, owner_id: rep.user.user_id } },
    { collection: 'products', id: w.product.id, fields: { sku: `P-${unique}`, name: w.product.name, list_price: 1250 } },
    { collection: 'budgets', id: w.budget.id, fields: { unit_id: company.id, period_start: today, period_end: today, cost_item: 'promotion', amount: 1_000_000, plan_name: `预算 ${unique}` } },
    { collection: 'promotions', id: w.promotion.id, fields: { name: w.promotion.name, kind: 'discount', unit_id: company.id, starts_on: today, ends_on: today, status: 'running', store_ids: [w.store.id], promoter_ids: [promoter.user.user_id] } },
  ]);
  return w;
}

for (const c of CASES) {
  test(`${c.slug}: created and edited offline from its generated form, then seen by scope`, async ({
    page,
    context,
    request,
  }, testInfo) => {
    const project = testInfo.project.name;
    test.skip(!(project === 'desktop' || (project === 'tablet-portrait' && c.touch)), 'the table runs at desktop, a few cases on a touch tablet');
    test.setTimeout(120_000);
    const unique = `${project.slice(0, 3)}${randomUUID().slice(0, 8)}`;
    const w = await world(request, unique);

    await signIn(page, c.writer, c.view ? `${c.slug}?view=${c.view}` : c.slug);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(c.heading);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    await context.setOffline(true);

    await page.getByTestId('list-new').click();
    await expect(page.getByTestId(`${c.slug}-form`)).toBeVisible();
    await c.fill(page, w);
    await c.bad.make(page);
    await page.getByRole('button', { name: '创建', exact: true }).click();
    const message = page.locator(`[data-field=${c.bad.field}] .field-error`);
    await expect(message).toHaveText(c.bad.zh);
    // The same message in English, from the same rule.
    await page.locator('.language-toggle').click();
    await expect(message).toHaveText(c.bad.en);
    await page.locator('.language-toggle').click();
    await expect(message).toHaveText(c.bad.zh);

    await c.bad.fix(page, w);
    await page.getByRole('button', { name: '创建', exact: true }).click();
    await expect(page.getByTestId(`${c.slug}-detail`)).toBeVisible();
    await expect(page.getByTestId('waiting-note')).toBeVisible();
    const url = page.url();
    const id = url.slice(url.lastIndexOf('/') + 1).split('?')[0];

    // In the list, marked as waiting for the server.
    await page.locator('.breadcrumb a').click();
    await page.locator('#list-search').fill(c.search(w));
    const row = page.locator('.list-row');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('waiting')).toHaveText('待同步');

    // Edited, still offline.
    await row.click();
    await page.locator('#record-edit').click();
    const edited = `改 ${unique}`;
    await fillText(page, c.edit.label, edited);
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await expect(page.getByTestId('record-saved')).toBeVisible();
    await expect(page.locator(`[data-field=${c.edit.field}] dd`)).toHaveText(edited);

    // Back online: it reaches the server, and goes to whom the scope says.
    await context.setOffline(false);
    await expect(page.getByTestId('waiting-note')).toHaveCount(0, { timeout: 30_000 });
    const seer = await apiLogin(request, c.sees);
    const seen = (await pullAll(request, seer.token)).find((r) => r.id === id);
    expect(seen, `${c.sees} receives the ${c.slug} record`).toBeTruthy();
    expect(seen!.fields[c.edit.field]).toBe(edited);
    c.check(seen!.fields, w);
    if (c.blind) {
      const blind = await apiLogin(request, c.blind);
      const unseen = (await pullAll(request, blind.token)).find((r) => r.id === id);
      expect(unseen, `${c.blind} does not receive the ${c.slug} record`).toBeUndefined();
    }
  });
}
