//! What real disclosures need besides an incident's impact: where a chain was (heights, slots,
//! epochs, per chain), how precisely a time is known, references, coordination progress and where
//! an update was first posted.

use super::*;

named_enum!(
    /// What a network counts its position in: block heights, slots, epochs.
    Unit { Height = "height" / "Height", Slot = "slot" / "Slot", Epoch = "epoch" / "Epoch" }
);

/// A position on a chain, in any of its units (a halt can be known by its slot and its epoch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChainPoint {
    pub height: Option<u64>,
    pub slot: Option<u64>,
    pub epoch: Option<u64>,
}

impl ChainPoint {
    pub fn is_empty(&self) -> bool {
        self.height.is_none() && self.slot.is_none() && self.epoch.is_none()
    }

    /// The units given, in the order height, slot, epoch.
    pub fn units(&self) -> Vec<(Unit, u64)> {
        [(Unit::Height, self.height), (Unit::Slot, self.slot), (Unit::Epoch, self.epoch)]
            .into_iter()
            .filter_map(|(u, n)| n.map(|n| (u, n)))
            .collect()
    }
}

/// A network the site reports on: several may be (mainnet and testnet, L1 and bridge), each
/// named by the component groups (or components) on it.
#[derive(Debug, Clone)]
pub struct Chain {
    /// `[a-z0-9-]+`; for the single `chain:` of `cairn.yaml`, its `id` or its name slugged.
    pub id: String,
    pub name: String,
    pub block_time: Option<Span>,
    /// Explorer URL with any of the placeholders `{height}`, `{slot}`, `{epoch}`.
    pub explorer_url: Option<String>,
    /// Explorer URL per unit (`explorer: { slot: …, epoch: … }`), before `explorer_url`.
    pub explorers: BTreeMap<Unit, String>,
    /// What the network calls each unit on pages (`units: { height: Block }`).
    pub units: BTreeMap<Unit, String>,
    /// Where the chain is declared in cairn.yaml (`chain` or `chains.N`).
    pub path: String,
}

impl Chain {
    /// The explorer address of `number` in `unit`, when the chain has a template for it.
    pub fn url(&self, unit: Unit, number: u64) -> Option<String> {
        let placeholder = format!("{{{}}}", unit.as_str());
        let template = self.explorers.get(&unit).or(self.explorer_url.as_ref().filter(|u| u.contains(&placeholder)))?;
        Some(template.replace(&placeholder, &number.to_string()))
    }

    /// The chain's word for `unit` ("Height", "Slot", "Block", …).
    pub fn unit_name(&self, unit: Unit) -> String {
        self.units.get(&unit).cloned().unwrap_or_else(|| unit.label().to_string())
    }
}

/// How precisely a time is known: to the second as written, about (`~2026-11-20T20:15:00Z`),
/// or only to the day (`2026-11-20`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Precision {
    #[default]
    Exact,
    About,
    Day,
}

impl Precision {
    /// How far either way an approximate time may be from what is written.
    pub const ABOUT_SECONDS: i64 = 30 * 60;

    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Exact => "exact",
            Precision::About => "about",
            Precision::Day => "day",
        }
    }

    /// The earliest moment a time written as `t` may be (a day starts at its midnight, UTC).
    pub fn earliest(self, t: Timestamp) -> Timestamp {
        match self {
            Precision::Exact | Precision::Day => t,
            Precision::About => t - time::Duration::seconds(Precision::ABOUT_SECONDS),
        }
    }

    /// The latest moment a time written as `t` may be.
    pub fn latest(self, t: Timestamp) -> Timestamp {
        match self {
            Precision::Exact => t,
            Precision::About => t + time::Duration::seconds(Precision::ABOUT_SECONDS),
            Precision::Day => t + time::Duration::seconds(86_399),
        }
    }
}

/// The precision of each time of a document that is not exact, by key (`started_at`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Precisions(pub BTreeMap<&'static str, Precision>);

impl Precisions {
    pub fn of(&self, key: &str) -> Precision {
        self.0.get(key).copied().unwrap_or_default()
    }
}

named_enum!(
    /// The kinds of structured reference a document or update can carry.
    ReferenceKind {
        Release = "release" / "Release",
        Pr = "pr" / "Pull request",
        Commit = "commit" / "Commit",
        Issue = "issue" / "Issue",
        Advisory = "advisory" / "Security advisory",
        Cve = "cve" / "CVE",
        Bounty = "bounty" / "Bug bounty",
        Report = "report" / "Report",
        Link = "link" / "Link",
    }
);

/// A release, pull request, advisory, CVE id, bounty credit, … (`references:`).
#[derive(Debug, Clone)]
pub struct Reference {
    pub kind: ReferenceKind,
    pub title: Option<String>,
    /// An identifier: `CVE-2026-41234`, `GHSA-…`, a version, a PR number.
    pub id: Option<String>,
    pub url: Option<String>,
    /// Who is credited (bounties, reports).
    pub credit: Option<String>,
    /// What was paid, as written (`50,000 USDC`).
    pub amount: Option<String>,
    /// Narrower than its document or update, never wider.
    pub visibility: Option<usize>,
    /// Path of the item in the front matter (`references.2`, `updates.1.references.0`).
    pub path: String,
}

/// A coordination figure: how far something has got towards the threshold that matters
/// ("55 % of stake upgraded, 67 % needed to restart").
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub label: Option<String>,
    /// 0 to 100.
    pub percent: f64,
    /// 0 to 100, when a threshold matters.
    pub threshold: Option<f64>,
}

/// Where an update was first posted and by whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// `X`, `Discord #validators`, `forum`, …
    pub channel: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    /// The least trusted audience that sees it (`source_visibility`); never less than the update.
    pub visibility: Option<usize>,
}

impl Provenance {
    pub fn is_empty(&self) -> bool {
        self.channel.is_none() && self.url.is_none() && self.author.is_none()
    }
}
