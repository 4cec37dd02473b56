//! The sync protocol: clock stamps, wire types, and the merge rules both ends apply.

pub mod apply;
pub mod client;
pub mod clock;
pub mod describe;
pub mod hlc;
pub mod protocol;
