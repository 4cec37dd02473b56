//! A filter by owner over the deals read model (the opportunity list and the stage board).

use std::collections::HashSet;

use leptos::prelude::*;

use crate::{
    data::{deals::Built, records::Loaded},
    i18n::{use_i18n, Key},
};

/// A filter by owner, offering the owners of the deals in `deals`, by name.
#[component]
pub(crate) fn OwnerFilter(
    id: &'static str,
    deals: Memo<Loaded<Built>>,
    owner: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let options = move || {
        let mut options: Vec<(String, String)> = deals.with(|loaded| match loaded {
            Loaded::Ready(Built(list)) => {
                let mut seen = HashSet::new();
                (0..list.len() as u32)
                    .map(|p| list.row(p))
                    .filter(|r| seen.insert(r.owner_id.clone()))
                    .map(|r| (r.owner_id.clone(), r.owner.clone()))
                    .collect()
            }
            _ => Vec::new(),
        });
        options.sort_by(|a, b| a.1.cmp(&b.1));
        options
    };
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(Key::OpportunitiesOwner)}</label>
            <select id=id on:change=move |ev| owner.set(event_target_value(&ev))>
                <option value="">{move || i18n.t(Key::OpportunitiesAllOwners)}</option>
                {move || options().into_iter().map(|(value, label)| {
                    let selected = owner.with_untracked(|o| *o == value);
                    view! { <option value=value selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
