//! Opportunities (销售机会): the list (`/opportunities`), a new deal (`/opportunities/new`, optionally
//! `?customer=<id>`) and one deal with its stage, stage history and closing (`/opportunities/:id`).
//! Everything reads and writes the device's data layer, so it all works offline.

mod detail;
mod form;
pub mod list;

pub use detail::OpportunityDetailPage;
pub use form::NewOpportunityPage;
pub use list::OpportunitiesPage;
