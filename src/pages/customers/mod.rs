//! Customers (客户): the list (`/customers`), a new customer (`/customers/new`) and one customer with
//! its contacts and visits (`/customers/:id`). Everything reads and writes the device's data layer,
//! so the pages work the same with or without a network.

mod detail;
mod edit;
pub mod list;

pub use detail::CustomerDetailPage;
pub use edit::NewCustomerPage;
pub use list::CustomersPage;
