//! Venice.ai SDK.

pub mod web3;
