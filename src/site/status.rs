//! Derived state: the phase of maintenance windows, each component's status from the open
//! incidents and active maintenance that name it, and the page's overall indicator.

use super::{ResolvedComponent, ResolvedIncident, ResolvedMaintenance};
use crate::model::{ComponentStatus, Impact, MaintenanceStatus, Timestamp};

/// Where a maintenance window stands at the build's "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    Active,
    Past,
}

pub fn phase(status: MaintenanceStatus, from: Timestamp, until: Timestamp, now: Timestamp) -> Phase {
    match status {
        MaintenanceStatus::InProgress | MaintenanceStatus::Verifying => Phase::Active,
        MaintenanceStatus::Completed => Phase::Past,
        MaintenanceStatus::Scheduled if now < from => Phase::Upcoming,
        MaintenanceStatus::Scheduled if now < until => Phase::Active,
        MaintenanceStatus::Scheduled => Phase::Past,
    }
}

/// The status a window shows at `now`: as written, except that a `scheduled` window whose
/// times are exact (`exact`: not estimated from a halt height) follows them, in progress from
/// its start and completed after its end. A status set by hand always wins.
pub fn shown_status(
    status: MaintenanceStatus,
    exact: bool,
    from: Timestamp,
    until: Timestamp,
    now: Timestamp,
) -> MaintenanceStatus {
    match phase(status, from, until, now) {
        Phase::Active if exact && status == MaintenanceStatus::Scheduled => MaintenanceStatus::InProgress,
        Phase::Past if exact && status == MaintenanceStatus::Scheduled => MaintenanceStatus::Completed,
        _ => status,
    }
}

/// The page-wide indicator, as in the Statuspage API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Indicator {
    None,
    Maintenance,
    Minor,
    Major,
    Critical,
}

impl Indicator {
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::None => "none",
            Indicator::Maintenance => "maintenance",
            Indicator::Minor => "minor",
            Indicator::Major => "major",
            Indicator::Critical => "critical",
        }
    }

    /// The key of its wording in the theme's message files.
    pub fn message_key(self) -> &'static str {
        match self {
            Indicator::None => "label.Indicator.none",
            Indicator::Maintenance => "label.Indicator.maintenance",
            Indicator::Minor => "label.Indicator.minor",
            Indicator::Major => "label.Indicator.major",
            Indicator::Critical => "label.Indicator.critical",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Indicator::None => "All systems operational",
            Indicator::Maintenance => "Scheduled maintenance in progress",
            Indicator::Minor => "Degraded performance",
            Indicator::Major => "Partial outage",
            Indicator::Critical => "Major outage",
        }
    }
}

/// The component status an open incident of `impact` implies.
pub fn impact_status(impact: Impact) -> ComponentStatus {
    match impact {
        Impact::None => ComponentStatus::Operational,
        Impact::Minor => ComponentStatus::DegradedPerformance,
        Impact::Major => ComponentStatus::PartialOutage,
        Impact::Critical => ComponentStatus::MajorOutage,
    }
}

/// The impact a component state stands for (operational and maintenance: none).
pub fn status_impact(status: ComponentStatus) -> Impact {
    match status {
        ComponentStatus::Operational | ComponentStatus::UnderMaintenance => Impact::None,
        ComponentStatus::DegradedPerformance => Impact::Minor,
        ComponentStatus::PartialOutage => Impact::Major,
        ComponentStatus::MajorOutage => Impact::Critical,
    }
}

/// Sets each component's status to the worst of what names it, unless overridden by hand: an
/// open incident weighs with the state it records for the component now.
pub fn derive_component_status(
    components: &mut [ResolvedComponent],
    incidents: &[ResolvedIncident],
    maintenance: &[ResolvedMaintenance],
) {
    for (id, c) in components.iter_mut().enumerate() {
        if c.overridden {
            continue;
        }
        let from_incidents = incidents
            .iter()
            .filter(|i| i.is_open)
            .flat_map(|i| i.impacts.iter().filter(|c| c.component == id).map(|c| c.current()));
        let from_maintenance = maintenance
            .iter()
            .filter(|m| m.phase == Phase::Active && m.components.contains(&id))
            .map(|_| ComponentStatus::UnderMaintenance);
        c.status = from_incidents.chain(from_maintenance).max().unwrap_or(ComponentStatus::Operational);
    }
}

pub fn overall(components: &[ResolvedComponent], incidents: &[ResolvedIncident]) -> Indicator {
    let from_components = components.iter().map(|c| match c.status {
        ComponentStatus::Operational => Indicator::None,
        ComponentStatus::UnderMaintenance => Indicator::Maintenance,
        ComponentStatus::DegradedPerformance => Indicator::Minor,
        ComponentStatus::PartialOutage => Indicator::Major,
        ComponentStatus::MajorOutage => Indicator::Critical,
    });
    let from_incidents = incidents.iter().filter(|i| i.is_open).map(|i| match i.impact {
        Impact::None => Indicator::None,
        Impact::Minor => Indicator::Minor,
        Impact::Major => Indicator::Major,
        Impact::Critical => Indicator::Critical,
    });
    from_components.chain(from_incidents).max().unwrap_or(Indicator::None)
}
