//! Charts drawn as SVG from Rust, from layouts computed in `core/`, and saving them as files.

pub mod export;
pub mod funnel;
pub mod sales;
