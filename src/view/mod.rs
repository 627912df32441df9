//! View models: everything templates see, built from the resolved `Site` in one place. Times
//! arrive formatted, links arrive as site paths, markdown arrives rendered, and nothing here can
//! reach beyond what the Site holds. Outputs pick from these; they do not rebuild them.

mod documents;
mod globals;
mod history;
mod incidents;
mod refs;
mod time;

pub use documents::*;
pub use globals::{SiteGlobals, globals};
pub use history::{
    ComponentHistory, MONTHS_PER_PAGE, RECENT_DAYS, component_history, downtime_weight, impact_window, month_key,
    months, page_path, weighted_downtime,
};
pub use incidents::*;
pub use refs::*;
pub use time::*;
