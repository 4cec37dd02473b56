//! 营销组织 and 人员 as typed records.

use super::record;
use crate::scope::Role;

record! {
    /// 营销组织: one unit of the company → region → area → store/team tree. The company unit also
    /// carries the funnel settings (`FunnelSettings::from_company`) and the permission overrides.
    pub struct OrgUnit {
        name: String,
        /// company, region, area, store or team.
        kind: String,
        parent_id: Option<String>,
        code: Option<String>,
        manager_id: Option<String>,
        address: Option<String>,
        active: Option<bool>,
        win_probability_aware: Option<u8>,
        win_probability_compare: Option<u8>,
        win_probability_negotiate: Option<u8>,
        win_probability_commit: Option<u8>,
        stall_days_aware: Option<i64>,
        stall_days_compare: Option<i64>,
        stall_days_negotiate: Option<i64>,
        stall_days_commit: Option<i64>,
        /// 分 per US$1 and per €1.
        rate_usd: Option<i64>,
        rate_eur: Option<i64>,
        permission_overrides: Option<Vec<PermissionOverride>>,
        role_duties: Option<Vec<RoleDuty>>,
        score_weights: Option<Vec<ScoreWeight>>,
        import_mappings: Option<Vec<ImportMapping>>,
    }
}

record! {
    /// One remembered column of the company's imports (导入映射, `import::remember`).
    pub struct ImportMapping {
        /// The kind of import (`ImportKind::as_str`).
        kind: String,
        /// The header as the file wrote it.
        header: String,
        /// The field it feeds; empty or absent: not imported.
        field: Option<String>,
    }
}

record! {
    /// One metric a role is assessed on and its weight (the company's 考核权重).
    pub struct ScoreWeight {
        role: Role,
        /// sales_amount, order_count, new_customers, visits or opportunity_amount.
        metric: String,
        weight: u8,
    }
}

record! {
    /// One duty of a role and its share of the role's time (the company's 岗位职责).
    pub struct RoleDuty {
        role: Role,
        duty: String,
        share: u8,
    }
}

record! {
    /// One of the company's adjustments to the permission table.
    pub struct PermissionOverride {
        role: Role,
        /// A collection's wire name.
        collection: String,
        /// An action's wire name (`create`, `move_stage`…).
        action: String,
        /// none, own, subtree or all.
        extent: String,
    }
}

record! {
    /// 人员: a person who signs in, in one org unit with one role.
    pub struct User {
        name: String,
        login: String,
        role: Role,
        unit_id: String,
        manager_id: Option<String>,
        title: Option<String>,
        phone: Option<String>,
        email: Option<String>,
        employee_no: Option<String>,
        active: Option<bool>,
    }
}
