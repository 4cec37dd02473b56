//! The company's settings read model: the funnel settings kept on the company org unit.

use leptos::prelude::*;
use yingxiao_core::{domain::Collection, funnel::FunnelSettings};

use super::{records::watch_collection, sync::Data};
use crate::permissions::company_of;

/// The company's funnel settings, following changes synced from elsewhere; the defaults until the
/// company unit is on the device.
pub fn use_funnel_settings(data: Data) -> Memo<FunnelSettings> {
    data.model("funnel-settings", || {
        let units = watch_collection(data, Collection::OrgUnit);
        Memo::new(move |_| {
            units.with(|read| {
                read.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|records| company_of(records))
                    .map(|(_, fields)| FunnelSettings::from_company(&fields))
                    .unwrap_or_default()
            })
        })
    })
}
