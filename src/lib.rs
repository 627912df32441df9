//! cairn compiles an incident-response knowledge repo into one static site per audience.
//! The pipeline is `load` → `site` (resolve) → `render` → `outputs` → `write`; see
//! ARCHITECTURE.md for the map.

pub mod cache;
pub mod cli;
pub mod diagnostics;
pub mod git;
pub mod i18n;
pub mod import;
pub mod load;
pub mod model;
pub mod notify;
pub mod outputs;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod text;
pub mod timings;
pub mod view;
pub mod write;
