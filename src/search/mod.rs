//! Search for responders: a tantivy index per audience built from the resolved `Site` into
//! `.cairn/index/<audience>/`, and the query API that `cairn search` (and the dev server) use.

mod index;
mod query;

pub use crate::outputs::searchable::{SearchDoc, boost, documents};
pub use index::{AUDIENCE_FILE, index_dir, write_index, write_index_of};
pub use query::{FACETS, Hit, SearchIndex, SearchQuery, SearchResults};
