//! The one route table: every page's address, which component draws it, and where the navigation
//! shows it. The router hands every signed-in address to `RoutedPage`, which finds its page here; the
//! shell's navigation reads the same table, so a page cannot be routed and missing from the menu or
//! the other way round. A collection's pages (list, new, one record) come from core's view specs.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use yingxiao_core::{
    domain::Collection,
    locale::Locale,
    views::{self, NavGroup},
};

use crate::{
    components::icons::Icon,
    i18n::{text, Key},
    pages::{
        audit::AuditPage,
        board::BoardPage,
        changes::ChangesPage,
        funnel::FunnelPage,
        home::HomePage,
        import::ImportPage,
        not_found::NotFoundPage,
        opportunities::{OpportunitiesPage, OpportunityDetailPage},
        org::OrgPage,
        promotions::{EvaluationPage, PromotionDetailPage, PromotionsPage},
        records::{NewRecordPage, RecordDetailPage, RecordListPage},
        reports::{ReportDetailPage, ReviewDayPage},
        settings::{PermissionsPage, SettingsPage},
        store::StorePage,
        targets::TargetsPage,
    },
    permissions::Access,
};

/// A page of the app (every page but sign-in, which has its own route).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    Funnel,
    Board,
    Settings,
    Permissions,
    Changes,
    /// 门店模式: a promoter's day in their stores.
    Store,
    /// 促销评估: finished promotions ranked.
    Evaluation,
    /// 每日审阅: a supervisor's promotion reports of a day.
    Reviews,
    /// 组织架构: the org chart.
    Org,
    /// 操作日志: the audit trail.
    Audit,
    /// 导入数据: spreadsheets in, for administrators and HQ.
    Import,
    /// A collection's list.
    List(Collection),
    /// A new record of a collection.
    New(Collection),
    /// One record.
    Detail(Collection, String),
}

/// The pages with a fixed address, in the order the navigation shows them within their place.
const FIXED: &[(&str, Page)] = &[
    ("", Page::Home),
    ("funnel", Page::Funnel),
    ("pipeline", Page::Board),
    ("settings", Page::Settings),
    ("settings/permissions", Page::Permissions),
    ("changes", Page::Changes),
    ("store", Page::Store),
    ("evaluation", Page::Evaluation),
    ("reviews", Page::Reviews),
    ("org", Page::Org),
    ("audit", Page::Audit),
    ("import", Page::Import),
];

impl Page {
    /// The page at an app path (`/customers/new`, without the base path); `None` for no page.
    pub fn at(path: &str) -> Option<Page> {
        let path = path.trim_matches('/');
        if let Some((_, page)) = FIXED.iter().find(|(p, _)| *p == path) {
            return Some(page.clone());
        }
        let mut parts = path.split('/');
        let spec = views::by_slug(parts.next()?)?;
        let page = match (parts.next(), parts.next()) {
            (None, _) => Page::List(spec.collection),
            (Some("new"), None) => Page::New(spec.collection),
            (Some(id), None) if !id.is_empty() => Page::Detail(spec.collection, id.to_owned()),
            _ => return None,
        };
        Some(page)
    }

    /// The app path of the page.
    pub fn path(&self) -> String {
        match self {
            Page::List(c) => format!("/{}", views::spec(*c).slug),
            Page::New(c) => format!("/{}/new", views::spec(*c).slug),
            Page::Detail(c, id) => format!("/{}/{id}", views::spec(*c).slug),
            fixed => FIXED
                .iter()
                .find(|(_, page)| page == fixed)
                .map(|(path, _)| format!("/{path}"))
                .unwrap_or_default(),
        }
    }

    /// The page's title, as its heading says it (a record's page is titled by its collection).
    pub fn title(&self, locale: Locale) -> String {
        let key = match self {
            Page::Home => Key::HomeTitle,
            Page::Funnel => Key::FunnelTitle,
            Page::Board => Key::BoardTitle,
            Page::Settings => Key::SettingsTitle,
            Page::Permissions => Key::PermissionsTitle,
            Page::Changes => Key::ChangesTitle,
            Page::Store => Key::StoreTitle,
            Page::Evaluation => Key::EvaluationTitle,
            Page::Reviews => Key::ReviewsTitle,
            Page::Org => Key::OrgTitle,
            Page::Audit => Key::AuditTitle,
            Page::Import => Key::ImportTitle,
            Page::List(c) | Page::Detail(c, _) => return c.label(locale).to_owned(),
            Page::New(c) => {
                return text(locale, Key::RecordNewTitle).replace("{collection}", c.label(locale))
            }
        };
        text(locale, key).to_owned()
    }

    /// Draws the page.
    fn view(self) -> AnyView {
        match self {
            Page::Home => HomePage().into_any(),
            Page::Funnel => FunnelPage().into_any(),
            Page::Board => BoardPage().into_any(),
            Page::Settings => SettingsPage().into_any(),
            Page::Permissions => PermissionsPage().into_any(),
            Page::Changes => ChangesPage().into_any(),
            Page::Store => StorePage().into_any(),
            Page::Evaluation => EvaluationPage().into_any(),
            Page::Reviews => ReviewDayPage().into_any(),
            Page::Org => OrgPage().into_any(),
            Page::Audit => AuditPage().into_any(),
            Page::Import => ImportPage().into_any(),
            Page::List(Collection::Opportunity) => OpportunitiesPage().into_any(),
            Page::List(Collection::Promotion) => PromotionsPage().into_any(),
            Page::List(Collection::Target) => TargetsPage().into_any(),
            Page::Detail(Collection::Opportunity, id) => {
                view! { <OpportunityDetailPage id /> }.into_any()
            }
            Page::Detail(Collection::Promotion, id) => {
                view! { <PromotionDetailPage id /> }.into_any()
            }
            Page::Detail(Collection::PromotionReport, id) => {
                view! { <ReportDetailPage id /> }.into_any()
            }
            Page::List(collection) => view! { <RecordListPage collection /> }.into_any(),
            Page::New(collection) => view! { <NewRecordPage collection /> }.into_any(),
            Page::Detail(collection, id) => view! { <RecordDetailPage collection id /> }.into_any(),
        }
    }
}

/// The title of the page at an app path: sign-in, a page of the table, or "not found".
pub fn page_title(app_path: &str, locale: Locale) -> String {
    let path = app_path.split(['?', '#']).next().unwrap_or_default();
    if path.trim_end_matches('/') == "/login" {
        return text(locale, Key::LoginTitle).to_owned();
    }
    match Page::at(path) {
        Some(page) => page.title(locale),
        None => text(locale, Key::NotFoundTitle).to_owned(),
    }
}

/// The browser tab's title: the app's name, after the page's own on every page but home.
pub fn document_title(app_path: &str, locale: Locale) -> String {
    let name = text(locale, Key::AppName);
    let path = app_path.split(['?', '#']).next().unwrap_or_default();
    if Page::at(path) == Some(Page::Home) {
        return name.to_owned();
    }
    format!("{} · {name}", page_title(app_path, locale))
}

/// Draws whichever page the address names (the router's catch-all route), or "not found".
#[component]
pub fn RoutedPage() -> impl IntoView {
    let params = use_params_map();
    let page = Memo::new(move |_| Page::at(&params.with(|p| p.get("any").unwrap_or_default())));
    move || match page.get() {
        Some(page) => page.view(),
        None => NotFoundPage().into_any(),
    }
}

/// One link of the navigation.
#[derive(Clone, Debug, PartialEq)]
pub struct NavLink {
    pub page: Page,
    pub icon: Icon,
    label: NavLabel,
    /// Among the few links of the phone's bottom bar.
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum NavLabel {
    Key(Key),
    Collection(Collection),
}

impl NavLink {
    pub fn label(&self, locale: Locale) -> &'static str {
        match self.label {
            NavLabel::Key(key) => text(locale, key),
            NavLabel::Collection(c) => c.label(locale),
        }
    }

    fn fixed(page: Page, key: Key, icon: Icon, primary: bool) -> Self {
        NavLink {
            page,
            icon,
            label: NavLabel::Key(key),
            primary,
        }
    }
}

/// A part of the navigation: the links outside any group (home, settings), or one group's.
#[derive(Clone, Debug, PartialEq)]
pub struct NavPart {
    pub group: Option<NavGroup>,
    pub links: Vec<NavLink>,
}

/// The navigation for the signed-in user: home, then each group the user's role uses with the
/// collections in it (and the sales group's funnel and board when the user sees deals), then settings.
/// Groups a role does not use are left out.
pub fn navigation(access: &Access) -> Vec<NavPart> {
    let Some(viewer) = access.viewer() else {
        return Vec::new();
    };
    let role = viewer.role;
    let mut first = vec![NavLink::fixed(Page::Home, Key::NavHome, Icon::Home, true)];
    // Store mode for those who write store reports (promoters), next to home.
    if access.can(
        Collection::PromotionReport,
        yingxiao_core::permission::Action::Create,
        None,
    ) {
        first.push(NavLink::fixed(
            Page::Store,
            Key::NavStore,
            Icon::Store,
            true,
        ));
    }
    let mut parts = vec![NavPart {
        group: None,
        links: first,
    }];
    for group in NavGroup::ALL {
        let collections: Vec<Collection> =
            access.with(|state| group.collections_for(role, &state.table).collect());
        let mut links: Vec<NavLink> = collections
            .iter()
            .map(|&c| NavLink {
                page: Page::List(c),
                icon: icon_of(c),
                label: NavLabel::Collection(c),
                primary: matches!(c, Collection::Customer | Collection::Opportunity),
            })
            .collect();
        if group == NavGroup::Sales && collections.contains(&Collection::Opportunity) {
            insert_after(
                &mut links,
                &Page::List(Collection::Opportunity),
                NavLink::fixed(Page::Funnel, Key::FunnelNav, Icon::Funnel, true),
            );
            insert_after(
                &mut links,
                &Page::Funnel,
                NavLink::fixed(Page::Board, Key::NavBoard, Icon::Board, false),
            );
        }
        // The evaluation, for those who see promotions and the stores' orders it reads.
        if group == NavGroup::Promotion && collections.contains(&Collection::Promotion) {
            let sees_orders = access.with(|state| {
                NavGroup::Sales
                    .collections_for(role, &state.table)
                    .any(|c| c == Collection::Order)
            });
            if sees_orders {
                insert_after(
                    &mut links,
                    &Page::List(Collection::Promotion),
                    NavLink::fixed(Page::Evaluation, Key::NavEvaluation, Icon::Target, false),
                );
            }
        }
        // The day's reports to review, for those who review them, after the reports' list.
        if group == NavGroup::Promotion
            && collections.contains(&Collection::PromotionReport)
            && access.can(
                Collection::PromotionReport,
                yingxiao_core::permission::Action::Approve,
                None,
            )
        {
            insert_after(
                &mut links,
                &Page::List(Collection::PromotionReport),
                NavLink::fixed(Page::Reviews, Key::NavReviews, Icon::Promotion, false),
            );
        }
        // The org chart, for those who see the units and the people in them, before the units' list.
        if group == NavGroup::Organisation
            && collections.contains(&Collection::OrgUnit)
            && collections.contains(&Collection::User)
        {
            links.insert(
                0,
                NavLink::fixed(Page::Org, Key::NavOrg, Icon::Organisation, false),
            );
        }
        if !links.is_empty() {
            parts.push(NavPart {
                group: Some(group),
                links,
            });
        }
    }
    let mut last = vec![NavLink::fixed(
        Page::Settings,
        Key::NavSettings,
        Icon::Settings,
        false,
    )];
    // The import, for those who set a company up (administrators and HQ).
    if yingxiao_core::import::may_import(role) {
        last.push(NavLink::fixed(
            Page::Import,
            Key::NavImport,
            Icon::Import,
            false,
        ));
    }
    // The audit trail, for the administrator (anyone may open it: it shows their scope's history).
    if role == yingxiao_core::scope::Role::Admin {
        last.push(NavLink::fixed(
            Page::Audit,
            Key::NavAudit,
            Icon::Settings,
            false,
        ));
    }
    parts.push(NavPart {
        group: None,
        links: last,
    });
    parts
}

/// Puts `link` right after the link to `after` (at the end if there is none).
fn insert_after(links: &mut Vec<NavLink>, after: &Page, link: NavLink) {
    let at = links
        .iter()
        .position(|l| l.page == *after)
        .map_or(links.len(), |i| i + 1);
    links.insert(at, link);
}

fn icon_of(collection: Collection) -> Icon {
    match views::spec(collection).group {
        NavGroup::Customers => Icon::Customers,
        NavGroup::Sales if collection == Collection::Opportunity => Icon::Opportunities,
        NavGroup::Sales => Icon::Orders,
        NavGroup::Promotion => Icon::Promotion,
        NavGroup::TargetsBudgets => Icon::Target,
        NavGroup::Service => Icon::Service,
        NavGroup::Organisation => Icon::Organisation,
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn every_page_is_found_at_its_own_path() {
        let mut pages = vec![
            Page::Home,
            Page::Funnel,
            Page::Board,
            Page::Settings,
            Page::Permissions,
            Page::Changes,
            Page::Store,
            Page::Evaluation,
            Page::Reviews,
            Page::Org,
            Page::Audit,
            Page::Import,
        ];
        for c in Collection::ALL {
            pages.push(Page::List(c));
            pages.push(Page::New(c));
            pages.push(Page::Detail(
                c,
                "0193a1b2-0000-7000-8000-000000000001".into(),
            ));
        }
        for page in pages {
            assert_eq!(Page::at(&page.path()), Some(page.clone()), "{page:?}");
        }
        assert_eq!(Page::at("/nowhere"), None);
        assert_eq!(Page::at("/customers/1/2"), None);
        assert_eq!(
            Page::at("/promotion-reports/"),
            Some(Page::List(Collection::PromotionReport))
        );
    }
}
