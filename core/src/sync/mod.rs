//! The sync protocol: clock stamps, wire types, the merge rules both ends apply, the device's half and
//! the server's decision of a push.

pub mod apply;
pub mod client;
pub mod clock;
pub mod describe;
pub mod history;
pub mod hlc;
pub mod protocol;
pub mod push;
pub mod written;
