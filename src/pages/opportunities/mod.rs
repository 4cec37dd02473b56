//! Opportunities (销售机会): the generated list with the 停滞 mark, the generated new-deal form
//! (`?customer_id=` from a customer's page), and the generated record page with the deal's own
//! parts, its stage moves and stage history, added below its fields. All of it works offline.

mod stage;

use leptos::prelude::*;
use yingxiao_core::domain::Collection;

use crate::{
    components::record::{detail::RecordDetail, list::RecordList},
    data::{deals::use_stalled, sync::use_data},
    i18n::Key,
};
use stage::DealStage;

/// `/opportunities`.
#[component]
pub fn OpportunitiesPage() -> impl IntoView {
    let stalled = use_stalled(use_data());
    view! { <RecordList collection=Collection::Opportunity marks=(stalled, Key::OpportunityStalled) /> }
}

/// `/opportunities/:id`.
#[component]
pub fn OpportunityDetailPage(id: String) -> impl IntoView {
    let own = id.clone();
    view! {
        <RecordDetail collection=Collection::Opportunity id>
            <DealStage id=own.clone() />
        </RecordDetail>
    }
}
