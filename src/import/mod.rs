//! Importers: other tools' exports turned into a cairn knowledge base. Each importer is a pure
//! function from the source's data to the files to write (`Written`) and what it could not carry
//! over; the CLI fetches, reads and writes.

pub mod markdown;
pub mod statuspage;

/// One file an importer writes, relative to the knowledge base root (`/`-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub text: String,
}
