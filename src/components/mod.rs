//! Reusable pieces of the interface.

pub mod icons;
pub mod shell;
