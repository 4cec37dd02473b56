//! How each collection is shown: its page address, navigation group, list columns, filters, default
//! order, form sections and related lists. Plain data beside the field tables of `domain`, so a new
//! collection's pages are a declaration here and nothing in the web app.
//!
//! Every name below is a field of its collection (a test checks it), and every field of a collection
//! is in exactly one form section or named in `managed_elsewhere`.

use crate::{
    domain::{Collection, FieldKind},
    locale::Locale,
    permission::Permissions,
    scope::Role,
};

/// The groups of the navigation, in the order it shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NavGroup {
    /// 客户: customers, contacts, visits.
    Customers,
    /// 销售: the catalogue, deals, orders, contracts, daily reports.
    Sales,
    /// 促销: promotions and their store reports.
    Promotion,
    /// 目标与预算: targets, budgets, expenses.
    TargetsBudgets,
    /// 服务: after-sales tickets and surveys.
    Service,
    /// 组织: org units and people.
    Organisation,
}

impl NavGroup {
    pub const ALL: [NavGroup; 6] = [
        NavGroup::Customers,
        NavGroup::Sales,
        NavGroup::Promotion,
        NavGroup::TargetsBudgets,
        NavGroup::Service,
        NavGroup::Organisation,
    ];

    pub fn label(self, locale: Locale) -> &'static str {
        let (zh, en) = match self {
            NavGroup::Customers => ("客户", "Customers"),
            NavGroup::Sales => ("销售", "Sales"),
            NavGroup::Promotion => ("促销", "Promotions"),
            NavGroup::TargetsBudgets => ("目标与预算", "Targets & budgets"),
            NavGroup::Service => ("服务", "Service"),
            NavGroup::Organisation => ("组织", "Organisation"),
        };
        match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }

    /// A stable name for tests and CSS (`data-group`).
    pub fn as_str(self) -> &'static str {
        match self {
            NavGroup::Customers => "customers",
            NavGroup::Sales => "sales",
            NavGroup::Promotion => "promotion",
            NavGroup::TargetsBudgets => "targets",
            NavGroup::Service => "service",
            NavGroup::Organisation => "organisation",
        }
    }

    /// The collections of this group a role uses, in table order.
    pub fn collections_for(
        self,
        role: Role,
        table: &Permissions,
    ) -> impl Iterator<Item = Collection> + '_ {
        Collection::ALL
            .into_iter()
            .filter(move |&c| spec(c).group == self && uses(role, c, table))
    }
}

/// A form section: a heading and the fields under it, in order.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub fields: &'static [&'static str],
}

impl Section {
    pub fn label(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.label_zh,
            Locale::En => self.label_en,
        }
    }
}

/// Records of another collection listed on a record's page: those whose `field` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Related {
    pub collection: Collection,
    pub field: &'static str,
}

/// The order a list starts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub field: &'static str,
    pub descending: bool,
}

/// How one collection is shown.
#[derive(Debug)]
pub struct ViewSpec {
    pub collection: Collection,
    /// The page address under the app: `/promotion-reports`, `/promotion-reports/<id>`.
    pub slug: &'static str,
    pub group: NavGroup,
    /// The fields that name a record, joined (a visit: when and how).
    pub title: &'static [&'static str],
    /// Columns of the list after the title, in order.
    pub columns: &'static [&'static str],
    /// Text fields the list's search looks in (besides the title).
    pub search: &'static [&'static str],
    /// Choice, reference and date fields the list filters on.
    pub filters: &'static [&'static str],
    pub sort: Sort,
    pub sections: &'static [Section],
    pub related: &'static [Related],
    /// Fields not in the generic form: changed by their own action or page (an opportunity's stage
    /// history, a company's permission overrides).
    pub managed_elsewhere: &'static [&'static str],
    /// Roles that read this collection's pages without any grant to change it (finance reads
    /// orders); roles with a grant always do.
    pub readers: &'static [Role],
}

const fn section(
    label_zh: &'static str,
    label_en: &'static str,
    fields: &'static [&'static str],
) -> Section {
    Section {
        label_zh,
        label_en,
        fields,
    }
}

const fn related(collection: Collection, field: &'static str) -> Related {
    Related { collection, field }
}

const fn by(field: &'static str) -> Sort {
    Sort {
        field,
        descending: false,
    }
}

const fn newest(field: &'static str) -> Sort {
    Sort {
        field,
        descending: true,
    }
}

const BASICS: (&str, &str) = ("基本信息", "Basics");
const OWNERSHIP: (&str, &str) = ("归属", "Ownership");
const DETAILS: (&str, &str) = ("详细信息", "Details");
const NOTES: (&str, &str) = ("备注", "Notes");

/// Roles that lead others: they read what their teams work on.
const LEADERS: &[Role] = &[
    Role::HqMarketing,
    Role::RegionalManager,
    Role::AreaSupervisor,
];

static SPECS: [ViewSpec; 18] = [
    ViewSpec {
        collection: Collection::OrgUnit,
        slug: "org-units",
        group: NavGroup::Organisation,
        // With its level, so a customer placed at a store reads "…店 · 门店", not as a region.
        title: &["name", "kind"],
        columns: &["kind", "code", "parent_id", "manager_id"],
        search: &["code", "address"],
        filters: &["kind", "parent_id"],
        sort: by("name"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &["name", "kind", "code", "parent_id", "manager_id", "active"],
            ),
            section(DETAILS.0, DETAILS.1, &["address"]),
        ],
        related: &[
            related(Collection::OrgUnit, "parent_id"),
            related(Collection::User, "unit_id"),
        ],
        managed_elsewhere: &[
            "win_probability_aware",
            "win_probability_compare",
            "win_probability_negotiate",
            "win_probability_commit",
            "stall_days_aware",
            "stall_days_compare",
            "stall_days_negotiate",
            "stall_days_commit",
            "rate_usd",
            "rate_eur",
            "permission_overrides",
            "role_duties",
            "score_weights",
            "import_mappings",
        ],
        readers: LEADERS,
    },
    ViewSpec {
        collection: Collection::User,
        slug: "users",
        group: NavGroup::Organisation,
        title: &["name"],
        columns: &["role", "unit_id", "title", "phone"],
        search: &["login", "phone", "email", "employee_no"],
        filters: &["role", "unit_id", "active"],
        sort: by("name"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &[
                    "name",
                    "login",
                    "role",
                    "unit_id",
                    "manager_id",
                    "title",
                    "active",
                ],
            ),
            section("联系方式", "Contact", &["phone", "email", "employee_no"]),
        ],
        related: &[
            related(Collection::Customer, "owner_id"),
            related(Collection::DailyReport, "author_id"),
        ],
        managed_elsewhere: &[],
        readers: LEADERS,
    },
    ViewSpec {
        collection: Collection::Customer,
        slug: "customers",
        group: NavGroup::Customers,
        title: &["name"],
        columns: &["kind", "tier", "city", "owner_id"],
        search: &["city", "phone", "address", "segment"],
        filters: &["kind", "tier", "region_unit_id", "owner_id"],
        sort: by("name"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &[
                    "name",
                    "external_id",
                    "kind",
                    "tier",
                    "segment",
                    "parent_dealer_id",
                ],
            ),
            section(OWNERSHIP.0, OWNERSHIP.1, &["region_unit_id", "owner_id"]),
            section(
                "联系与信用",
                "Contact and credit",
                &["phone", "city", "address", "credit_limit"],
            ),
            section(NOTES.0, NOTES.1, &["notes"]),
        ],
        related: &[
            related(Collection::Contact, "customer_id"),
            related(Collection::Visit, "customer_id"),
            related(Collection::Opportunity, "customer_id"),
            related(Collection::Order, "customer_id"),
            related(Collection::Contract, "customer_id"),
            related(Collection::Ticket, "customer_id"),
            related(Collection::Survey, "customer_id"),
        ],
        managed_elsewhere: &[],
        readers: &[Role::ServiceAgent],
    },
    ViewSpec {
        collection: Collection::Contact,
        slug: "contacts",
        group: NavGroup::Customers,
        title: &["name"],
        columns: &["customer_id", "title", "phone", "is_primary"],
        search: &["phone", "email", "wechat", "title"],
        filters: &["customer_id", "is_primary"],
        sort: by("name"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &["customer_id", "name", "title", "is_primary"],
            ),
            section("联系方式", "Contact", &["phone", "email", "wechat"]),
            section(NOTES.0, NOTES.1, &["notes"]),
        ],
        related: &[related(Collection::Visit, "contact_id")],
        managed_elsewhere: &[],
        readers: &[],
    },
    ViewSpec {
        collection: Collection::Visit,
        slug: "visits",
        group: NavGroup::Customers,
        title: &["visited_at", "channel"],
        columns: &["customer_id", "owner_id", "next_visit_on"],
        search: &["summary", "next_step"],
        filters: &["channel", "customer_id", "owner_id", "visited_at"],
        sort: newest("visited_at"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &[
                    "customer_id",
                    "contact_id",
                    "visited_at",
                    "channel",
                    "owner_id",
                ],
            ),
            section(
                "内容",
                "Content",
                &["summary", "next_step", "next_visit_on"],
            ),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: &[],
    },
    ViewSpec {
        collection: Collection::Product,
        slug: "products",
        group: NavGroup::Sales,
        title: &["name"],
        columns: &["sku", "category", "unit", "list_price"],
        search: &["sku", "category"],
        filters: &["active"],
        sort: by("name"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &["sku", "name", "category", "unit", "active"],
            ),
            section("价格", "Prices", &["list_price", "cost"]),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: &[
            Role::RegionalManager,
            Role::AreaSupervisor,
            Role::SalesRep,
            Role::Promoter,
        ],
    },
    ViewSpec {
        collection: Collection::Opportunity,
        slug: "opportunities",
        group: NavGroup::Sales,
        title: &["name"],
        columns: &[
            "customer_id",
            "stage",
            "amount",
            "owner_id",
            "expected_close",
        ],
        search: &["notes"],
        filters: &["stage", "source", "unit_id", "owner_id", "expected_close"],
        sort: by("expected_close"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &[
                    "name",
                    "customer_id",
                    "stage",
                    "amount",
                    "currency",
                    "expected_close",
                    "source",
                    "external_id",
                ],
            ),
            section(OWNERSHIP.0, OWNERSHIP.1, &["owner_id", "unit_id"]),
            section("产品", "Products", &["product_lines"]),
            section(NOTES.0, NOTES.1, &["notes"]),
        ],
        related: &[
            related(Collection::Order, "opportunity_id"),
            related(Collection::Contract, "opportunity_id"),
        ],
        managed_elsewhere: &[
            "stage_history",
            "lost_reason",
            "lost_note",
            "won_at",
            "closed_at",
        ],
        readers: &[],
    },
    ViewSpec {
        collection: Collection::Order,
        slug: "orders",
        group: NavGroup::Sales,
        title: &["order_no"],
        columns: &["customer_id", "ordered_on", "status", "total", "owner_id"],
        search: &["notes"],
        filters: &["status", "customer_id", "unit_id", "owner_id", "ordered_on"],
        sort: newest("ordered_on"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &[
                    "order_no",
                    "customer_id",
                    "opportunity_id",
                    "ordered_on",
                    "status",
                    "currency",
                ],
            ),
            section(OWNERSHIP.0, OWNERSHIP.1, &["owner_id", "unit_id"]),
            section("订单明细", "Lines", &["lines", "total"]),
            section(NOTES.0, NOTES.1, &["notes"]),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: &[Role::Finance],
    },
    ViewSpec {
        collection: Collection::Contract,
        slug: "contracts",
        group: NavGroup::Sales,
        title: &["title"],
        columns: &["contract_no", "customer_id", "status", "amount", "ends_on"],
        search: &["contract_no", "notes"],
        filters: &["status", "customer_id", "unit_id", "owner_id", "signed_on"],
        sort: newest("signed_on"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &[
                    "contract_no",
                    "title",
                    "customer_id",
                    "opportunity_id",
                    "status",
                ],
            ),
            section(
                "期限与金额",
                "Term and amount",
                &["signed_on", "starts_on", "ends_on", "amount", "currency"],
            ),
            section(OWNERSHIP.0, OWNERSHIP.1, &["owner_id", "unit_id"]),
            section(NOTES.0, NOTES.1, &["notes"]),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: &[Role::Finance],
    },
    ViewSpec {
        collection: Collection::Target,
        slug: "targets",
        group: NavGroup::TargetsBudgets,
        title: &["metric", "period_start"],
        columns: &["period", "subject_id", "value", "unit_id"],
        search: &["notes"],
        filters: &[
            "period",
            "metric",
            "subject_kind",
            "unit_id",
            "period_start",
        ],
        sort: newest("period_start"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &["metric", "value", "period", "period_start"],
            ),
            section(
                "对象",
                "Subject",
                &["subject_kind", "subject_id", "unit_id", "parent_id"],
            ),
            section(NOTES.0, NOTES.1, &["notes"]),
        ],
        related: &[related(Collection::Target, "parent_id")],
        // The breakdown's status moves on the targets page (`decide_breakdown`).
        managed_elsewhere: &[
            "breakdown_status",
            "breakdown_comment",
            "breakdown_decided_at",
        ],
        readers: &[Role::SalesRep, Role::Finance],
    },
    ViewSpec {
        collection: Collection::PastActual,
        slug: "past-actuals",
        group: NavGroup::TargetsBudgets,
        title: &["metric", "month"],
        columns: &["subject_id", "value", "unit_id", "source"],
        search: &["source", "notes"],
        filters: &["metric", "subject_kind", "unit_id", "month"],
        sort: newest("month"),
        sections: &[
            section(BASICS.0, BASICS.1, &["metric", "month", "value"]),
            section(
                "对象",
                "Subject",
                &["subject_kind", "subject_id", "unit_id"],
            ),
            section(NOTES.0, NOTES.1, &["source", "notes"]),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: &[
            Role::RegionalManager,
            Role::AreaSupervisor,
            Role::SalesRep,
            Role::Finance,
        ],
    },
    ViewSpec {
        collection: Collection::Budget,
        slug: "budgets",
        group: NavGroup::TargetsBudgets,
        title: &["plan_name", "cost_item"],
        columns: &["unit_id", "period_start", "amount", "status"],
        search: &["notes"],
        filters: &["cost_item", "status", "unit_id", "period_start"],
        sort: newest("period_start"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &["plan_name", "cost_item", "amount", "status"],
            ),
            section(
                "期间与归属",
                "Period and unit",
                &["unit_id", "period_start", "period_end"],
            ),
            section(NOTES.0, NOTES.1, &["notes"]),
        ],
        related: &[related(Collection::Expense, "budget_id")],
        managed_elsewhere: &[],
        readers: &[Role::RegionalManager, Role::AreaSupervisor],
    },
    ViewSpec {
        collection: Collection::Expense,
        slug: "expenses",
        group: NavGroup::TargetsBudgets,
        title: &["description", "cost_item"],
        columns: &["spent_on", "amount", "status", "owner_id"],
        search: &["receipt_no"],
        filters: &["cost_item", "status", "budget_id", "owner_id", "spent_on"],
        sort: newest("spent_on"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &[
                    "description",
                    "cost_item",
                    "amount",
                    "spent_on",
                    "receipt_no",
                    "status",
                ],
            ),
            section(
                OWNERSHIP.0,
                OWNERSHIP.1,
                &["budget_id", "promotion_id", "unit_id", "owner_id"],
            ),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: &[],
    },
    ViewSpec {
        collection: Collection::Promotion,
        slug: "promotions",
        group: NavGroup::Promotion,
        title: &["name"],
        columns: &["kind", "starts_on", "ends_on", "status", "budget"],
        search: &["notes"],
        filters: &["kind", "status", "unit_id", "starts_on"],
        sort: newest("starts_on"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &["name", "kind", "status", "starts_on", "ends_on", "unit_id"],
            ),
            section("审批", "Approval", &["decision_comment", "decided_at"]),
            section(
                "门店与人员",
                "Stores and people",
                &[
                    "store_ids",
                    "product_ids",
                    "promoter_ids",
                    "promoter_shifts",
                ],
            ),
            section(
                "预算与目标",
                "Budget and goal",
                &[
                    "budget_lines",
                    "budget",
                    "baseline_daily_sales",
                    "goal_uplift_percent",
                ],
            ),
            section(NOTES.0, NOTES.1, &["notes"]),
        ],
        related: &[
            related(Collection::PromotionReport, "promotion_id"),
            related(Collection::Expense, "promotion_id"),
        ],
        managed_elsewhere: &[],
        readers: &[Role::SalesRep, Role::Promoter],
    },
    ViewSpec {
        collection: Collection::PromotionReport,
        slug: "promotion-reports",
        group: NavGroup::Promotion,
        title: &["report_date", "store_id"],
        columns: &["promotion_id", "promoter_id", "sales_amount", "units_sold"],
        search: &["notes", "competitor_notes"],
        filters: &[
            "promotion_id",
            "store_id",
            "promoter_id",
            "stock_issue",
            "report_date",
        ],
        sort: newest("report_date"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &["promotion_id", "store_id", "promoter_id", "report_date"],
            ),
            section("考勤", "Attendance", &["attendance"]),
            section(
                "销售",
                "Sales",
                &[
                    "sales_lines",
                    "sales_amount",
                    "units_sold",
                    "customer_count",
                    "samples_given",
                    "coupons_redeemed",
                    "stock_issue",
                ],
            ),
            section("陈列", "Display", &["display_photos", "photos_count"]),
            section(
                "竞品",
                "Competitors",
                &["competitor_activity", "competitor_notes"],
            ),
            section(NOTES.0, NOTES.1, &["notes", "submitted_at"]),
            section(
                "主管审阅",
                "Supervisor's review",
                &[
                    "review_flags",
                    "review_comment",
                    "reviewer_id",
                    "reviewed_at",
                ],
            ),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: &[],
    },
    ViewSpec {
        collection: Collection::DailyReport,
        slug: "daily-reports",
        group: NavGroup::Sales,
        title: &["report_date", "author_id"],
        columns: &[
            "unit_id",
            "visits_count",
            "calls_count",
            "new_opportunities",
        ],
        search: &["summary", "problems", "plan_tomorrow"],
        filters: &["author_id", "unit_id", "report_date"],
        sort: newest("report_date"),
        sections: &[
            section(BASICS.0, BASICS.1, &["report_date", "author_id", "unit_id"]),
            section(
                "今日工作",
                "Today's work",
                &[
                    "visits_count",
                    "calls_count",
                    "new_opportunities",
                    "summary",
                ],
            ),
            section(
                "问题与计划",
                "Problems and plans",
                &["problems", "plan_tomorrow", "competitor_notes"],
            ),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: &[],
    },
    ViewSpec {
        collection: Collection::Ticket,
        slug: "tickets",
        group: NavGroup::Service,
        title: &["title"],
        columns: &["customer_id", "kind", "priority", "status", "opened_at"],
        search: &["description", "resolution"],
        filters: &[
            "kind",
            "priority",
            "status",
            "customer_id",
            "owner_id",
            "opened_at",
        ],
        sort: newest("opened_at"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &[
                    "title",
                    "customer_id",
                    "kind",
                    "priority",
                    "status",
                    "opened_at",
                ],
            ),
            section(OWNERSHIP.0, OWNERSHIP.1, &["owner_id", "unit_id"]),
            section(
                "处理",
                "Handling",
                &["description", "resolved_at", "resolution"],
            ),
        ],
        related: &[related(Collection::Survey, "ticket_id")],
        managed_elsewhere: &[],
        readers: &[],
    },
    ViewSpec {
        collection: Collection::Survey,
        slug: "surveys",
        group: NavGroup::Service,
        title: &["surveyed_on", "customer_id"],
        columns: &["score", "nps", "ticket_id", "unit_id"],
        search: &["comments"],
        filters: &["customer_id", "unit_id", "surveyed_on"],
        sort: newest("surveyed_on"),
        sections: &[
            section(
                BASICS.0,
                BASICS.1,
                &["customer_id", "ticket_id", "unit_id", "surveyed_on"],
            ),
            section("评分", "Scores", &["score", "nps", "comments"]),
        ],
        related: &[],
        managed_elsewhere: &[],
        readers: LEADERS,
    },
];

/// How a collection is shown.
pub fn spec(collection: Collection) -> &'static ViewSpec {
    SPECS
        .iter()
        .find(|s| s.collection == collection)
        .expect("every collection has a view spec (tested)")
}

/// The collection whose pages live at `/<slug>`.
pub fn by_slug(slug: &str) -> Option<&'static ViewSpec> {
    SPECS.iter().find(|s| s.slug == slug)
}

/// Whether a role works with a collection's pages: the administrator always; others when the table
/// grants them any action on it, or when the spec names them as readers.
pub fn uses(role: Role, collection: Collection, table: &Permissions) -> bool {
    role == Role::Admin
        || spec(collection).readers.contains(&role)
        || table
            .grants()
            .any(|(r, c, _, _)| r == role && c == collection)
}

impl ViewSpec {
    /// Every field the generic form offers, section by section.
    pub fn form_fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.sections.iter().flat_map(|s| s.fields.iter().copied())
    }

    /// The fields the list can filter on, by the kind of filter each gets.
    pub fn filter_kind(&self, field: &str) -> Option<FilterKind> {
        let def = self.collection.field(field)?;
        Some(match def.kind {
            FieldKind::Enum(_) => FilterKind::Choice,
            FieldKind::Bool => FilterKind::YesNo,
            FieldKind::Ref(target) => FilterKind::Reference(target),
            FieldKind::Date | FieldKind::Instant => FilterKind::DateRange,
            _ => return None,
        })
    }
}

/// How a list filters on one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterKind {
    /// One of the field's choices.
    Choice,
    /// Yes or no.
    YesNo,
    /// One record of that collection.
    Reference(Collection),
    /// From and to (either may be open).
    DateRange,
}

/// A line's amount in 分 (an order line, an opportunity's product): quantity × unit price, less its
/// discount in percent, rounded half up to the 分. `None` when it would overflow.
pub fn line_amount(quantity: i64, unit_price: i64, discount_percent: i64) -> Option<i64> {
    let kept = i128::from(quantity)
        .checked_mul(i128::from(unit_price))?
        .checked_mul(i128::from(100 - discount_percent.clamp(0, 100)))?;
    i64::try_from((kept + 50) / 100).ok()
}

/// What a `Lines` field's lines are worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineMoney {
    /// Quantity × unit price less a discount (an order line, an opportunity's product).
    Priced,
    /// An `amount` of their own (a promotion's budget line).
    Own,
    /// No money (a roster).
    None,
}

impl LineMoney {
    pub fn of(line_defs: &[crate::domain::FieldDef]) -> LineMoney {
        let has = |name: &str| line_defs.iter().any(|d| d.name == name);
        if has("amount") {
            LineMoney::Own
        } else if has("unit_price") {
            LineMoney::Priced
        } else {
            LineMoney::None
        }
    }
}

/// One line's amount in 分: its own `amount`, or quantity × unit price less its discount (absent
/// numbers count as zero). `None` when it would overflow.
pub fn line_value(line: &serde_json::Value) -> Option<i64> {
    let number = |name: &str| line.get(name).and_then(serde_json::Value::as_i64);
    if let Some(amount) = number("amount") {
        return Some(amount);
    }
    line_amount(
        number("quantity").unwrap_or(0),
        number("unit_price").unwrap_or(0),
        number("discount_percent").unwrap_or(0),
    )
}

/// The sum of a `Lines` field's amounts (`line_value`).
pub fn lines_total(lines: &[serde_json::Value]) -> Option<i64> {
    lines
        .iter()
        .try_fold(0_i64, |sum, line| sum.checked_add(line_value(line)?))
}

/// The record field a `Lines` field's total fills in as the lines change in a form: an order's total,
/// a promotion's budget.
pub fn lines_total_field(collection: Collection, lines: &str) -> Option<&'static str> {
    match (collection, lines) {
        (Collection::Order, "lines") => Some("total"),
        (Collection::Promotion, "budget_lines") => Some("budget"),
        _ => None,
    }
}

/// The field that places a record of `target` in the org tree, by which a list of them is picked
/// in groups (stores by region and area, people by unit).
pub fn group_field(target: Collection) -> Option<&'static str> {
    match target {
        Collection::Customer => Some("region_unit_id"),
        Collection::User => Some("unit_id"),
        _ => None,
    }
}

/// The record's own list a line's reference must be picked from, if it has one of `target`: a
/// promotion's shifts name its stores and its promoters.
pub fn line_choices_from(collection: Collection, target: Collection) -> Option<&'static str> {
    collection
        .fields()
        .iter()
        .find(|d| d.kind == crate::domain::FieldKind::RefList(target))
        .map(|d| d.name)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn named_fields(spec: &ViewSpec) -> Vec<(&'static str, &'static str)> {
        let lists: [(&str, &[&str]); 5] = [
            ("title", spec.title),
            ("columns", spec.columns),
            ("search", spec.search),
            ("filters", spec.filters),
            ("managed_elsewhere", spec.managed_elsewhere),
        ];
        let mut named: Vec<_> = lists
            .into_iter()
            .flat_map(|(list, fields)| fields.iter().map(move |f| (list, *f)))
            .collect();
        named.push(("sort", spec.sort.field));
        named.extend(spec.form_fields().map(|f| ("sections", f)));
        named
    }

    #[test]
    fn every_collection_has_one_spec_with_its_own_slug() {
        let mut slugs = HashSet::new();
        for collection in Collection::ALL {
            let spec = spec(collection);
            assert_eq!(spec.collection, collection);
            assert!(slugs.insert(spec.slug), "{} twice", spec.slug);
            assert_eq!(by_slug(spec.slug).map(|s| s.collection), Some(collection));
            assert!(!spec.title.is_empty(), "{collection} has a title");
        }
        assert_eq!(SPECS.len(), Collection::ALL.len());
    }

    #[test]
    fn every_name_is_a_field_of_its_collection() {
        for collection in Collection::ALL {
            for (list, field) in named_fields(spec(collection)) {
                assert!(
                    collection.field(field).is_some(),
                    "{collection}: {list} names {field}, which is not a field"
                );
            }
            for related in spec(collection).related {
                let def = related.collection.field(related.field);
                assert!(
                    matches!(def.map(|d| d.kind), Some(FieldKind::Ref(c) | FieldKind::RefList(c)) if c == collection),
                    "{collection}: related {}.{} does not refer to it",
                    related.collection,
                    related.field
                );
            }
        }
    }

    #[test]
    fn every_field_is_in_one_section_or_managed_elsewhere() {
        for collection in Collection::ALL {
            let spec = spec(collection);
            let mut seen = HashSet::new();
            for field in spec
                .form_fields()
                .chain(spec.managed_elsewhere.iter().copied())
            {
                assert!(seen.insert(field), "{collection}: {field} shown twice");
            }
            for def in collection.fields() {
                assert!(
                    seen.contains(def.name),
                    "{collection}: {} is in no section",
                    def.name
                );
            }
        }
    }

    #[test]
    fn filters_are_choices_references_or_dates_and_the_sort_is_a_column_kind_that_orders() {
        for collection in Collection::ALL {
            let spec = spec(collection);
            for field in spec.filters {
                assert!(
                    spec.filter_kind(field).is_some(),
                    "{collection}: {field} cannot be a filter"
                );
            }
            for field in spec.search {
                assert!(
                    matches!(
                        collection.field(field).map(|d| d.kind),
                        Some(FieldKind::Text { .. })
                    ),
                    "{collection}: search looks only in text, not {field}"
                );
            }
        }
    }

    #[test]
    fn each_role_uses_what_it_may_change_and_the_groups_follow() {
        let table = Permissions::defaults();
        let groups = |role| -> Vec<NavGroup> {
            NavGroup::ALL
                .into_iter()
                .filter(|g| g.collections_for(role, &table).next().is_some())
                .collect()
        };
        assert_eq!(groups(Role::Admin), NavGroup::ALL.to_vec());
        let promoter = groups(Role::Promoter);
        assert!(promoter.contains(&NavGroup::Promotion));
        assert!(!promoter.contains(&NavGroup::TargetsBudgets));
        assert!(!promoter.contains(&NavGroup::Organisation));
        assert!(!groups(Role::SalesRep).contains(&NavGroup::Organisation));
        assert!(groups(Role::ServiceAgent).contains(&NavGroup::Service));
        assert!(groups(Role::Finance).contains(&NavGroup::TargetsBudgets));
        assert!(!groups(Role::Finance).contains(&NavGroup::Service));
        // A grant is enough: a promoter writes promotion reports.
        assert!(uses(Role::Promoter, Collection::PromotionReport, &table));
        assert!(!uses(Role::Promoter, Collection::Budget, &table));
    }

    #[test]
    fn line_amounts_take_the_discount_and_round_half_up() {
        assert_eq!(line_amount(3, 1_000, 0), Some(3_000));
        assert_eq!(line_amount(3, 999, 10), Some(2_697));
        assert_eq!(line_amount(1, 5, 50), Some(3), "2.5 分 rounds up");
        assert_eq!(line_amount(2, 100, 100), Some(0));
        assert_eq!(line_amount(i64::MAX, i64::MAX, 0), None);
        let lines = vec![
            serde_json::json!({"product_id": "p", "quantity": 2, "unit_price": 1_500}),
            serde_json::json!({"quantity": 1, "unit_price": 10_000, "discount_percent": 15}),
        ];
        assert_eq!(lines_total(&lines), Some(11_500));
        assert_eq!(lines_total(&[]), Some(0));
        let budget = vec![
            serde_json::json!({"cost_item": "materials", "amount": 20_000}),
            serde_json::json!({"cost_item": "staff", "amount": 30_001}),
        ];
        assert_eq!(lines_total(&budget), Some(50_001));
        let line_defs = |c: Collection, f: &str| match c.field(f).map(|d| d.kind) {
            Some(crate::domain::FieldKind::Lines(defs)) => defs,
            _ => panic!("{f} is not a lines field"),
        };
        assert_eq!(
            LineMoney::of(line_defs(Collection::Order, "lines")),
            LineMoney::Priced
        );
        assert_eq!(
            LineMoney::of(line_defs(Collection::Promotion, "budget_lines")),
            LineMoney::Own
        );
        assert_eq!(
            LineMoney::of(line_defs(Collection::Promotion, "promoter_shifts")),
            LineMoney::None
        );
        assert_eq!(
            lines_total_field(Collection::Promotion, "budget_lines"),
            Some("budget")
        );
        assert_eq!(
            line_choices_from(Collection::Promotion, Collection::Customer),
            Some("store_ids")
        );
        assert_eq!(
            line_choices_from(Collection::Order, Collection::Product),
            None
        );
    }
}
