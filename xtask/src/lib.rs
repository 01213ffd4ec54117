//! `cargo xtask`: the maintainer tasks of venice-rs.
//!
//! `regen` reads `openapi/venice.yaml`, runs the [`passes`] that mend real-world spec
//! quirks, hands the result to progenitor ([`generate`]) and writes `venice-api-gen/src/`.
//! `regen --check` does the same in memory and fails when the checked-in code differs.
//! [`surface`] lists the generated public API for the snapshot tests.

pub mod answers;
pub mod bench;
pub mod changelog;
pub mod code;
pub mod compile_times;
mod declared_headers;
pub mod error;
pub mod features;
pub mod generate;
mod operation_table;
pub mod passes;
pub mod regen;
pub mod scratch;
pub mod spec;
pub mod surface;
pub mod sync;
pub mod walk;

pub use error::{Error, Result};
