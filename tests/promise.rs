//! The promise cairn makes and users cannot check for themselves: **a build never contains what
//! its audience may not see, and the public build does not even depend on hidden material.**
//!
//! `generated_repos_keep_the_promise` is a property test (proptest). Each case is a generated
//! repo whose every user-controlled field of every kind holds a unique canary (`zq` + ten
//! lowercase letters or digits, the last a digit: one token that survives tokenizing, stemming,
//! every escaping and line folding), each recorded with its field, the markdown context it sits
//! in and the least trusted audience allowed to see it, worked out from the content model's rules
//! (visibility, section defaults from `cairn.yaml`, embargoes, drafts), never from cairn's code.
//! Audience blocks are placed in every markdown context we could think of, including those a line
//! scanner misjudges. The real binary builds the public, operators and internal sites, and:
//!
//! - no file of a build (raw bytes, and decoded: JSON strings, HTML text and attributes,
//!   XML, iCalendar unfolded and unescaped) and no term or stored field of the audience's tantivy
//!   index holds a canary that audience may not see;
//! - the test is not vacuous: cases build (a floor is asserted), and canaries an audience may see
//!   in displayed fields do appear;
//! - a refused build (exit 1) wrote nothing, and refusals happen only for inputs the docs make
//!   errors (markers inside containers, unclosed blocks, …), never for plain valid input;
//! - non-interference: rewording every hidden canary, adding hidden material (an internal open
//!   incident naming public components, internal and embargoed updates, internal blocks) and
//!   removing all hidden material leave the public build byte-identical, `build.json` and the
//!   footer's build stamp aside, and leave the public tantivy index with the same terms and
//!   stored documents.
//!
//! `tests/promise_example.rs` does the same non-interference check on the example in `content/`.
//!
//! `tests/promise_minimal.rs` holds each failure this test found, reduced to a minimal repo.
//! `decoders_see_through_escaping` and `index_reader_sees_terms_and_stored_fields` show that the
//! instruments find a canary however it is escaped, folded or indexed.
//!
//! Modes (environment variables):
//! - short (default, `cargo test --test promise`): 16 cases from a fixed seed, about a minute;
//! - `CAIRN_PROMISE_CASES=2000`: that many cases;
//! - `CAIRN_PROMISE_SECONDS=600`: batches of cases from successive seeds for that long (the long
//!   mode: run it for at least ten minutes before trusting a change of the core);
//! - `CAIRN_PROMISE_SEED=N`: another seed (each failure prints the seed to replay it);
//! - `CAIRN_PROMISE_SHRINK_SECONDS=N`: time allowed to shrink a failure (default 90);
//! - `CAIRN_PROMISE_SURVEY=1`: do not stop at the first failing case: run them all, then print
//!   every class of failure seen (field, context, output file) with one example each, and fail.
//!
//! A failing case is shrunk, then the minimal repo is written to a temp dir that is kept, and its
//! path printed: `cairn build --root THAT --audience public --now 2026-11-26T12:00:00Z` shows it.

#[path = "common/blackbox.rs"]
mod blackbox;

use blackbox::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const AUDIENCES: [&str; 3] = ["public", "operators", "internal"];
const PAST: &str = "2026-11-01T00:00:00Z";
const FUTURE: &str = "2027-01-15T00:00:00Z";

// ---------------------------------------------------------------------------------------------
// The generated repo, as an abstract spec (small, shrinkable), rendered to files below.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Embargo {
    None,
    Past,
    Future,
}

#[derive(Clone, Copy, Debug)]
struct Vis {
    /// Explicit `visibility` (audience rank), or the section default.
    rank: Option<u8>,
    embargo: Embargo,
}

/// What surrounds a canary in plain text: characters that escaping, tokenizing and line
/// handling must get right.
#[derive(Clone, Copy, Debug)]
enum Noise {
    Plain,
    Markup,
    Nbsp,
    LineSeparator,
    Quotes,
}
const NOISES: [Noise; 5] = [Noise::Plain, Noise::Markup, Noise::Nbsp, Noise::LineSeparator, Noise::Quotes];

/// Where an audience block sits in the markdown. The first group is plain valid input as the
/// docs (`visibility.md`) define it: marker lines alone at the top level, indented by at most
/// three spaces, with a blank line before and after, here after constructs a line scanner may
/// misjudge; cairn must cut those blocks and never refuse them. The second group is what the
/// docs make a `misplaced-block` error (markers in a quote, a list item, a table, HTML, right
/// under a table or a paragraph, after U+2028) or odd line structure: cairn may refuse those
/// (exit 1), never leak them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    TopLevel,
    Tight,
    AfterHeading,
    Indented3,
    AfterFence,
    AfterLongerFence,
    AfterIndentedFence,
    AfterInlineBackticks,
    AfterNbspFence,
    AfterUnclosedListFence,
    AfterHtmlBlock,
    InListItem,
    InBlockquote,
    InTableCell,
    InFootnote,
    InLinkText,
    InLinkUrl,
    InHtmlBlock,
    NbspMarker,
    BareCr,
    Unclosed,
    UnderTable,
    AfterLineSeparator,
    InvisiblePrefix,
    LookalikeColons,
    AfterUnclosedFence,
    JoinedLine,
}
const PLACES: [Place; 27] = [
    Place::TopLevel,
    Place::Tight,
    Place::AfterHeading,
    Place::Indented3,
    Place::AfterFence,
    Place::AfterLongerFence,
    Place::AfterIndentedFence,
    Place::AfterInlineBackticks,
    Place::AfterNbspFence,
    Place::AfterUnclosedListFence,
    Place::AfterHtmlBlock,
    Place::InListItem,
    Place::InBlockquote,
    Place::InTableCell,
    Place::InFootnote,
    Place::InLinkText,
    Place::InLinkUrl,
    Place::InHtmlBlock,
    Place::NbspMarker,
    Place::BareCr,
    Place::Unclosed,
    Place::UnderTable,
    Place::AfterLineSeparator,
    Place::InvisiblePrefix,
    Place::LookalikeColons,
    Place::AfterUnclosedFence,
    Place::JoinedLine,
];

impl Place {
    /// Whether the docs let cairn refuse a marker placed here.
    fn may_refuse(self) -> bool {
        matches!(
            self,
            Place::Tight
                | Place::AfterHeading
                | Place::UnderTable
                | Place::AfterLineSeparator
                | Place::InListItem
                | Place::InBlockquote
                | Place::InTableCell
                | Place::InFootnote
                | Place::InLinkText
                | Place::InLinkUrl
                | Place::InHtmlBlock
                | Place::NbspMarker
                | Place::BareCr
                | Place::Unclosed
                | Place::InvisiblePrefix
                | Place::LookalikeColons
                | Place::AfterUnclosedFence
                | Place::JoinedLine
        )
    }
}

/// What a block holds: the markdown constructs whose text ends up in different outputs (table
/// of contents, link targets, image alt text, footnotes, search terms).
#[derive(Clone, Copy, Debug)]
enum Content {
    Paragraph,
    Heading,
    List,
    Code,
    Table,
    Link,
    Image,
    Autolink,
    Footnote,
    Html,
    ReferenceLink,
}
const CONTENTS: [Content; 11] = [
    Content::Paragraph,
    Content::Heading,
    Content::List,
    Content::Code,
    Content::Table,
    Content::Link,
    Content::Image,
    Content::Autolink,
    Content::Footnote,
    Content::Html,
    Content::ReferenceLink,
];

/// Marker lines that are not markers: inside code, where the docs say blocks are not recognised.
/// Their text is visible to whoever sees the document.
#[derive(Clone, Copy, Debug)]
enum Literal {
    Fenced,
    Indented,
    Inline,
}
const LITERALS: [Literal; 3] = [Literal::Fenced, Literal::Indented, Literal::Inline];

#[derive(Clone, Debug)]
enum Segment {
    Text(Noise),
    Block {
        rank: u8,
        embargo: Embargo,
        place: Place,
        content: Content,
    },
    Literal(Literal),
    /// A markdown link to another document (kind: runbook, incident, post-mortem, page), inside
    /// a block of the target's audience when the text around is less hidden than the target.
    Link {
        kind: usize,
        index: usize,
    },
    /// Hidden material added for the non-interference check: an internal block.
    Added,
}

#[derive(Clone, Debug)]
struct Body {
    crlf: bool,
    segments: Vec<Segment>,
}

#[derive(Clone, Debug)]
struct Component {
    rank: Option<u8>,
    group: usize,
    noise: Noise,
}

#[derive(Clone, Debug)]
struct Row {
    runbooks: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Matrix {
    vis: Vis,
    description: Option<Body>,
    rows: Vec<Row>,
}

#[derive(Clone, Debug)]
struct Runbook {
    vis: Vis,
    body: Body,
    components: Vec<usize>,
    types: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Update {
    vis: Vis,
    body: Body,
    /// Minutes after the start; generated updates are 10 minutes apart, added ones in between.
    minute: u32,
    added: bool,
}

#[derive(Clone, Debug)]
struct Incident {
    vis: Vis,
    noise: Noise,
    body: Body,
    impact: u8,
    components: Vec<usize>,
    runbooks: Vec<usize>,
    row: Option<usize>,
    updates: Vec<Update>,
    resolved: bool,
    link_postmortem: bool,
    added: bool,
}

#[derive(Clone, Debug)]
struct Postmortem {
    vis: Vis,
    status: u8,
    incidents: Vec<usize>,
    actions: Vec<Option<usize>>,
    body: Body,
}

#[derive(Clone, Debug)]
struct Maintenance {
    vis: Vis,
    body: Body,
    components: Vec<usize>,
    status: u8,
    updates: Vec<Update>,
    /// A carriage return in the title (a line break where iCalendar has its own): valid input,
    /// which the docs promise cannot add a line to the `.ics` file.
    cr_title: bool,
}

#[derive(Clone, Debug)]
struct Page {
    vis: Vis,
    body: Body,
}

#[derive(Clone, Debug)]
struct Spec {
    /// `cairn.yaml` defaults: incidents, postmortems, runbooks, matrices, maintenance.
    defaults: [u8; 5],
    groups: usize,
    components: Vec<Component>,
    matrices: Vec<Matrix>,
    runbooks: Vec<Runbook>,
    incidents: Vec<Incident>,
    postmortems: Vec<Postmortem>,
    maintenance: Vec<Maintenance>,
    pages: Vec<Page>,
}

// ---------------------------------------------------------------------------------------------
// Strategies.

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    (0..all.len()).prop_map(move |i| all[i])
}

fn embargo() -> impl Strategy<Value = Embargo> {
    prop_oneof![4 => Just(Embargo::None), 1 => Just(Embargo::Past), 1 => Just(Embargo::Future)]
}

fn vis() -> impl Strategy<Value = Vis> {
    (prop_oneof![1 => Just(None), 3 => (0u8..3).prop_map(Some)], embargo())
        .prop_map(|(rank, embargo)| Vis { rank, embargo })
}

fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        2 => pick(&NOISES).prop_map(Segment::Text),
        6 => (0u8..3, embargo(), pick(&PLACES), pick(&CONTENTS))
            .prop_map(|(rank, embargo, place, content)| Segment::Block { rank, embargo, place, content }),
        1 => pick(&LITERALS).prop_map(Segment::Literal),
        1 => (0usize..4, 0usize..4).prop_map(|(kind, index)| Segment::Link { kind, index }),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    (prop::bool::weighted(0.15), vec(segment(), 0..4)).prop_map(|(crlf, segments)| Body { crlf, segments })
}

fn refs() -> impl Strategy<Value = Vec<usize>> {
    vec(0usize..8, 0..3)
}

fn updates() -> impl Strategy<Value = Vec<Update>> {
    vec((vis(), body()), 0..4).prop_map(|u| {
        u.into_iter()
            .enumerate()
            .map(|(i, (vis, body))| Update { vis, body, minute: 10 * (i as u32 + 1), added: false })
            .collect()
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    let components = vec((prop::option::of(0u8..3), 0usize..3, pick(&NOISES)), 1..5)
        .prop_map(|c| c.into_iter().map(|(rank, group, noise)| Component { rank, group, noise }).collect::<Vec<_>>());
    let matrices =
        vec((vis(), prop::option::of(body()), vec(refs().prop_map(|runbooks| Row { runbooks }), 1..3)), 0..3).prop_map(
            |m| m.into_iter().map(|(vis, description, rows)| Matrix { vis, description, rows }).collect::<Vec<_>>(),
        );
    let runbooks = vec((vis(), body(), refs(), refs()), 0..4).prop_map(|r| {
        r.into_iter().map(|(vis, body, components, types)| Runbook { vis, body, components, types }).collect::<Vec<_>>()
    });
    let incident = (
        (vis(), pick(&NOISES), body(), 0u8..4),
        (refs(), refs(), prop::option::of(0usize..8), updates(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |((vis, noise, body, impact), (components, runbooks, row, updates, resolved, link_postmortem))| Incident {
                vis,
                noise,
                body,
                impact,
                components,
                runbooks,
                row,
                updates,
                resolved,
                link_postmortem,
                added: false,
            },
        );
    let incidents = vec(incident, 1..4);
    let postmortems = vec((vis(), 0u8..3, vec(0usize..8, 1..3), vec(prop::option::of(0usize..8), 0..3), body()), 0..3)
        .prop_map(|p| {
            p.into_iter()
                .map(|(vis, status, incidents, actions, body)| Postmortem { vis, status, incidents, actions, body })
                .collect::<Vec<_>>()
        });
    let maintenance = vec((vis(), body(), refs(), 0u8..3, updates(), prop::bool::weighted(0.2)), 0..3).prop_map(|m| {
        m.into_iter()
            .map(|(vis, body, components, status, updates, cr_title)| Maintenance {
                vis,
                body,
                components,
                status,
                updates,
                cr_title,
            })
            .collect::<Vec<_>>()
    });
    let pages = vec((vis(), body()), 0..2)
        .prop_map(|p| p.into_iter().map(|(vis, body)| Page { vis, body }).collect::<Vec<_>>());
    // About a third of the cases may hold inputs cairn is allowed to refuse; the others are plain
    // valid input, which must build.
    (
        prop::bool::weighted(0.35),
        prop::array::uniform5(0u8..3),
        1usize..3,
        components,
        matrices,
        runbooks,
        incidents,
        (postmortems, maintenance, pages),
    )
        .prop_map(
            |(
                tricky,
                defaults,
                groups,
                components,
                matrices,
                runbooks,
                incidents,
                (postmortems, maintenance, pages),
            )| {
                let mut spec = Spec {
                    defaults,
                    groups,
                    components,
                    matrices,
                    runbooks,
                    incidents,
                    postmortems,
                    maintenance,
                    pages,
                };
                if !tricky {
                    spec.make_plain();
                }
                spec
            },
        )
}

impl Spec {
    fn bodies_mut(&mut self) -> Vec<&mut Body> {
        let mut out: Vec<&mut Body> = Vec::new();
        for m in &mut self.matrices {
            out.extend(m.description.as_mut());
        }
        out.extend(self.runbooks.iter_mut().map(|r| &mut r.body));
        for i in &mut self.incidents {
            out.push(&mut i.body);
            out.extend(i.updates.iter_mut().map(|u| &mut u.body));
        }
        out.extend(self.postmortems.iter_mut().map(|p| &mut p.body));
        for m in &mut self.maintenance {
            out.push(&mut m.body);
            out.extend(m.updates.iter_mut().map(|u| &mut u.body));
        }
        out.extend(self.pages.iter_mut().map(|p| &mut p.body));
        out
    }

    /// Turns every input cairn may refuse into its plain counterpart.
    fn make_plain(&mut self) {
        for b in self.bodies_mut() {
            for s in &mut b.segments {
                if let Segment::Block { place, .. } = s
                    && place.may_refuse()
                {
                    *place = Place::TopLevel;
                }
            }
        }
    }

    /// The features of this repo that the docs allow cairn to refuse.
    fn refusable(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut spec = self.clone();
        for b in spec.bodies_mut() {
            for s in &b.segments {
                if let Segment::Block { place, .. } = s
                    && place.may_refuse()
                {
                    out.insert(format!("block marker {place:?}"));
                }
            }
        }
        out
    }

    /// The same repo with hidden material added: an internal open incident naming every
    /// component, an internal and an embargoed update in every incident, an internal block in
    /// every body.
    fn with_hidden_material(&self) -> Spec {
        let mut s = self.clone();
        for b in s.bodies_mut() {
            b.segments.insert(b.segments.len() / 2, Segment::Added);
        }
        let hidden = Vis { rank: Some(2), embargo: Embargo::None };
        let embargoed = Vis { rank: Some(0), embargo: Embargo::Future };
        let added_body = Body { crlf: false, segments: vec![] };
        for i in &mut s.incidents {
            let at = i.updates.len() / 2;
            let minute = if at == 0 { 5 } else { i.updates[at - 1].minute + 5 };
            i.updates.insert(at, Update { vis: hidden, body: added_body.clone(), minute, added: true });
            if !i.resolved {
                let minute = i.updates.last().map_or(0, |u| u.minute) + 7;
                i.updates.push(Update { vis: embargoed, body: added_body.clone(), minute, added: true });
            }
        }
        s.incidents.push(Incident {
            vis: hidden,
            noise: Noise::Plain,
            body: added_body.clone(),
            impact: 3,
            components: (0..s.components.len()).collect(),
            runbooks: (0..s.runbooks.len()).collect(),
            row: (!s.matrices.is_empty()).then_some(0),
            updates: vec![Update { vis: hidden, body: added_body, minute: 3, added: true }],
            resolved: false,
            link_postmortem: false,
            added: true,
        });
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering the spec to files, recording every canary.

#[derive(Clone, Debug)]
struct Canary {
    token: String,
    /// `incident.update.body`, `component.name`, …
    field: String,
    /// The markdown context, for text in bodies.
    place: String,
    /// Least trusted audience that may see it (rank).
    least: u8,
    /// The document it belongs to.
    doc: String,
    /// Whether some page shows it to those who may see it (a group without components is not).
    displayed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// The repo as generated.
    Normal,
    /// Every canary the public may not see replaced by another.
    Reword,
    /// Everything the public may not see removed (documents, updates, blocks, components,
    /// matrix rows, references to them).
    PublicOnly,
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn token(salt: u64, key: u64) -> String {
    let mut x = splitmix(salt.wrapping_mul(0x1000_0000_01B3) ^ splitmix(key));
    let mut s = String::from("zq");
    for i in 0..10 {
        x = splitmix(x);
        let alphabet: &[u8] = if i == 9 { b"0123456789" } else { b"abcdefghijklmnopqrstuvwxyz0123456789" };
        s.push(alphabet[(x % alphabet.len() as u64) as usize] as char);
    }
    s
}

fn least(rank: u8, embargo: Embargo) -> u8 {
    if embargo == Embargo::Future { rank.max(1) } else { rank }
}

/// Entity kinds, for ids.
const K_GROUP: u64 = 1;
const K_COMPONENT: u64 = 2;
const K_MATRIX: u64 = 3;
const K_ROW: u64 = 4;
const K_RUNBOOK: u64 = 5;
const K_INCIDENT: u64 = 6;
const K_POSTMORTEM: u64 = 7;
const K_MAINTENANCE: u64 = 8;
const K_PAGE: u64 = 9;

struct Render<'a> {
    spec: &'a Spec,
    mode: Mode,
    /// Canaries in the order they are allocated (the same in every mode).
    seq: u64,
    /// Canaries of added material, numbered apart so they shift nothing else.
    side: Option<u64>,
    canaries: Vec<Canary>,
    files: BTreeMap<String, String>,
    doc: String,
    /// Least audience of each entity: groups, components, matrices, runbooks, incidents,
    /// postmortems, maintenance, pages.
    least: HashMap<(u64, usize), u8>,
}

/// A YAML double-quoted scalar: every character outside printable ASCII escaped.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x10000 => write!(out, "\\u{:04X}", c as u32).unwrap(),
            c => write!(out, "\\U{:08X}", c as u32).unwrap(),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn noisy(noise: Noise, canary: &str) -> String {
    match noise {
        Noise::Plain => format!("Text {canary} here"),
        Noise::Markup => format!("a <b>&amp; {canary}</b> & <i>x"),
        Noise::Nbsp => format!("\u{a0}{canary}\u{a0}words"),
        Noise::LineSeparator => format!("one\u{2028}{canary}\u{2029}two"),
        Noise::Quotes => format!("\"{canary}\" 'x' `y` \\ \u{1F600}"),
    }
}

impl Render<'_> {
    fn new(spec: &Spec, mode: Mode) -> Render<'_> {
        let mut r = Render {
            spec,
            mode,
            seq: 0,
            side: None,
            canaries: Vec::new(),
            files: BTreeMap::new(),
            doc: String::new(),
            least: HashMap::new(),
        };
        r.compute_least();
        r
    }

    fn doc_least(&self, vis: Vis, default: u8) -> u8 {
        least(vis.rank.unwrap_or(default), vis.embargo)
    }

    fn compute_least(&mut self) {
        let s = self.spec;
        let d = s.defaults;
        for (i, c) in s.components.iter().enumerate() {
            // Components without `visibility` take the built-in default: the most trusted.
            self.least.insert((K_COMPONENT, i), c.rank.unwrap_or(2));
        }
        for g in 0..s.groups {
            let members = s.components.iter().enumerate().filter(|(_, c)| c.group % s.groups == g);
            let l = members.map(|(i, _)| self.least[&(K_COMPONENT, i)]).min().unwrap_or(2);
            self.least.insert((K_GROUP, g), l);
        }
        for (i, m) in s.matrices.iter().enumerate() {
            let l = self.doc_least(m.vis, d[3]);
            self.least.insert((K_MATRIX, i), l);
        }
        let mut row = 0;
        for (i, m) in s.matrices.iter().enumerate() {
            for _ in &m.rows {
                self.least.insert((K_ROW, row), self.least[&(K_MATRIX, i)]);
                row += 1;
            }
        }
        for (i, r) in s.runbooks.iter().enumerate() {
            self.least.insert((K_RUNBOOK, i), self.doc_least(r.vis, d[2]));
        }
        for (i, x) in s.incidents.iter().enumerate() {
            self.least.insert((K_INCIDENT, i), self.doc_least(x.vis, d[0]));
        }
        for (i, p) in s.postmortems.iter().enumerate() {
            // A draft is never published, whatever its visibility: internal edition only.
            let l = if p.status == 0 { 2 } else { self.doc_least(p.vis, d[1]) };
            self.least.insert((K_POSTMORTEM, i), l);
        }
        for (i, m) in s.maintenance.iter().enumerate() {
            self.least.insert((K_MAINTENANCE, i), self.doc_least(m.vis, d[4]));
        }
        for (i, p) in s.pages.iter().enumerate() {
            // Plain pages are public unless they say otherwise.
            self.least.insert((K_PAGE, i), self.doc_least(p.vis, 0));
        }
    }

    fn rows(&self) -> usize {
        self.spec.matrices.iter().map(|m| m.rows.len()).sum()
    }

    /// The id of an entity (file name, component or group id, matrix row id).
    fn id(&self, kind: u64, index: usize) -> String {
        let l = self.least[&(kind, index)];
        let salt = if self.mode == Mode::Reword && l > 0 { 2 } else { 1 };
        token(salt, kind << 32 | index as u64)
    }

    /// Whether the projection on the public drops something of this least audience.
    fn drop(&self, least: u8) -> bool {
        self.mode == Mode::PublicOnly && least > 0
    }

    /// Ids of the referenced entities that exist (indexes are taken modulo the count), once each,
    /// without those the projection drops.
    fn refs(&self, kind: u64, indexes: &[usize], count: usize) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for i in indexes {
            if count == 0 {
                break;
            }
            let i = i % count;
            if seen.insert(i) && !self.drop(self.least[&(kind, i)]) {
                out.push(self.id(kind, i));
            }
        }
        out
    }

    fn record_id(&mut self, kind: u64, index: usize, field: &str) {
        let token = self.id(kind, index);
        let least = self.least[&(kind, index)];
        if self.mode == Mode::Normal {
            let displayed = kind != K_GROUP || self.spec.components.iter().any(|c| c.group % self.spec.groups == index);
            self.canaries.push(Canary {
                token,
                field: field.into(),
                place: String::new(),
                least,
                doc: self.doc.clone(),
                displayed,
            });
        }
    }

    fn canary(&mut self, field: &str, place: &str, least: u8) -> String {
        let (salt, key) = match self.side.as_mut() {
            Some(n) => {
                *n += 1;
                (3, *n)
            }
            None => {
                self.seq += 1;
                (if self.mode == Mode::Reword && least > 0 { 2 } else { 1 }, self.seq)
            }
        };
        let token = token(salt, key);
        if self.mode == Mode::Normal {
            self.canaries.push(Canary {
                token: token.clone(),
                field: field.into(),
                place: place.into(),
                least,
                doc: self.doc.clone(),
                displayed: true,
            });
        }
        token
    }

    /// A markdown body: a lead paragraph, then the segments separated by a plain paragraph (so
    /// that no container runs from one segment into the next).
    fn body(&mut self, b: &Body, least: u8, field: &str) -> String {
        let lead = self.canary(field, "paragraph", least);
        let mut parts = vec![format!("Lead {lead} text.")];
        let mut segments: Vec<&Segment> = b.segments.iter().collect();
        // An unclosed block hides everything after it: keep it last.
        segments.sort_by_key(|s| matches!(s, Segment::Block { place: Place::Unclosed, .. }));
        // Segments are numbered (headings, footnote labels) without the added ones, which must
        // shift nothing.
        let mut i = 0;
        for s in segments {
            let text = self.segment(s, least, field, i);
            i += usize::from(!matches!(s, Segment::Added));
            // Added material joins the part before it: a new separator would be new public text.
            match (s, parts.last_mut()) {
                (Segment::Added, Some(last)) => *last = format!("{last}\n\n{text}"),
                _ => parts.push(text),
            }
        }
        // A part the projection dropped whole goes with the blank line around it, as the cut
        // takes a hidden block with one of its blank lines: where blank lines are text (code
        // left open, the raw bodies of the status API), nothing shows where it was.
        let mut text = parts[0].clone();
        for part in &parts[1..] {
            text.push_str("\n\nPart end.");
            if !part.is_empty() {
                text.push_str("\n\n");
                text.push_str(part);
            }
        }
        text.push('\n');
        if b.crlf { text.replace('\n', "\r\n") } else { text }
    }

    fn segment(&mut self, s: &Segment, doc_least: u8, field: &str, n: usize) -> String {
        match *s {
            Segment::Text(noise) => {
                let c = self.canary(field, &format!("text {noise:?}"), doc_least);
                noisy(noise, &c)
            }
            Segment::Literal(l) => {
                let c = self.canary(field, &format!("literal {l:?}"), doc_least);
                match l {
                    Literal::Fenced => format!("```text\n:::internal\nliteral {c}\n:::\n```"),
                    Literal::Indented => format!("    :::internal\n    literal {c}\n    :::"),
                    Literal::Inline => format!("Inline `:::internal` then {c} and `:::`."),
                }
            }
            Segment::Link { kind, index } => {
                let (k, count, folder) = [
                    (K_RUNBOOK, self.spec.runbooks.len(), "runbooks/"),
                    (K_INCIDENT, self.spec.incidents.iter().filter(|x| !x.added).count(), "incidents/"),
                    (K_POSTMORTEM, self.spec.postmortems.len(), "postmortems/"),
                    (K_PAGE, self.spec.pages.len(), ""),
                ][kind];
                if count == 0 {
                    return "No link.".into();
                }
                let target = self.least[&(k, index % count)];
                let l = doc_least.max(target);
                let c = self.canary(field, "link text", l);
                let link = format!("See [the {c} document](@/{folder}{}.md).", self.id(k, index % count));
                if target <= doc_least {
                    link
                } else if self.drop(l) {
                    String::new()
                } else {
                    format!(":::{}\n{link}\n:::", AUDIENCES[target as usize])
                }
            }
            Segment::Added => {
                let saved = self.side.replace(0);
                let c = self.canary(field, "added block", 2);
                self.side = saved;
                format!(":::internal\nAdded {c} text.\n:::")
            }
            Segment::Block { rank, embargo, place, content } => {
                let l = doc_least.max(least(rank, embargo));
                let what = format!(
                    "block {place:?} {content:?} :::{}{}",
                    AUDIENCES[rank as usize],
                    match embargo {
                        Embargo::None => "",
                        Embargo::Past => " past embargo",
                        Embargo::Future => " future embargo",
                    }
                );
                let lines = self.content(content, l, field, &what, n);
                let marker = format!(
                    ":::{}{}",
                    AUDIENCES[rank as usize],
                    match embargo {
                        Embargo::None => String::new(),
                        Embargo::Past => format!(" embargo_until={PAST}"),
                        Embargo::Future => format!(" embargo_until={FUTURE}"),
                    }
                );
                place_block(place, &marker, &lines, self.drop(l), n)
            }
        }
    }

    fn content(&mut self, content: Content, l: u8, field: &str, what: &str, n: usize) -> Vec<String> {
        let mut c = || self.canary(field, what, l);
        match content {
            Content::Paragraph => vec![format!("Hidden {} words.", c())],
            Content::Heading => vec![format!("## Heading {}", c()), String::new(), format!("Under {}.", c())],
            // A list, a table, a footnote and HTML end with a blank line: the closing marker right
            // under them would be inside them (a `misplaced-block` error by the docs).
            Content::List => vec![format!("- item {}", c()), format!("- item {}", c()), String::new()],
            Content::Code => vec!["```sh".into(), format!("echo {}", c()), "```".into()],
            Content::Table => vec![format!("| col {} |", c()), "| --- |".into(), format!("| {} |", c()), String::new()],
            Content::Link => vec![format!("See [text {}](https://example.org/{}) here.", c(), c())],
            Content::Image => vec![format!("![alt {}](https://example.org/{}.png)", c(), c())],
            Content::Autolink => vec![format!("<https://example.org/{}> and https://example.org/{}", c(), c())],
            Content::Footnote => {
                let label = c();
                vec![format!("Claim[^{label}]."), String::new(), format!("[^{label}]: Note {}.", c()), String::new()]
            }
            Content::Html => vec![format!("<div title=\"{}\">{}</div>", c(), c()), String::new()],
            Content::ReferenceLink => {
                // Reference labels are never shown: not a canary.
                let label = format!("ref{n}");
                vec![format!("[{}][{label}]", c()), String::new(), format!("[{label}]: https://example.org/{}", c())]
            }
        }
    }

    fn vis_lines(&self, vis: Vis) -> String {
        let mut out = String::new();
        if let Some(rank) = vis.rank {
            writeln!(out, "visibility: {}", AUDIENCES[rank as usize]).unwrap();
        }
        match vis.embargo {
            Embargo::None => {}
            Embargo::Past => writeln!(out, "embargo_until: {PAST}").unwrap(),
            Embargo::Future => writeln!(out, "embargo_until: {FUTURE}").unwrap(),
        }
        out
    }

    fn write(&mut self, path: String, text: String, least: u8) {
        if !self.drop(least) {
            self.files.insert(path, text);
        }
    }

    fn render(mut self) -> (BTreeMap<String, String>, Vec<Canary>) {
        let s = self.spec;
        let d = s.defaults;
        let a = |r: u8| AUDIENCES[r as usize];
        self.files.insert(
            "cairn.yaml".into(),
            format!(
                "title: Promise test site\nbase_url: https://status.example.org\naudiences: [public, operators, internal]\n\
                 chain: {{ name: Example Network, block_time: 6s, explorer_url: \"https://explorer.example.org/block/{{height}}\" }}\n\
                 audience_urls: {{ operators: https://operators.example.org, internal: https://kb.example.internal }}\n\
                 repo_url: https://git.example.org/ops/kb\n\
                 defaults: {{ incidents: {}, postmortems: {}, runbooks: {}, matrices: {}, maintenance: {} }}\n",
                a(d[0]),
                a(d[1]),
                a(d[2]),
                a(d[3]),
                a(d[4])
            ),
        );

        // Components and groups.
        self.doc = "components.yaml".into();
        let mut yaml = String::from("groups:\n");
        for g in 0..s.groups {
            let l = self.least[&(K_GROUP, g)];
            self.record_id(K_GROUP, g, "group.id");
            let name = self.canary("group.name", "", l);
            if !s.components.iter().any(|c| c.group % s.groups == g)
                && self.mode == Mode::Normal
                && let Some(c) = self.canaries.last_mut()
            {
                c.displayed = false;
            }
            if !self.drop(l) {
                write!(yaml, "  - id: {}\n    name: {}\n", self.id(K_GROUP, g), q(&format!("Group {name}"))).unwrap();
            }
        }
        yaml.push_str("components:\n");
        for (i, c) in s.components.iter().enumerate() {
            let l = self.least[&(K_COMPONENT, i)];
            self.record_id(K_COMPONENT, i, "component.id");
            let name = self.canary("component.name", "", l);
            let description = self.canary("component.description", "", l);
            if self.drop(l) {
                continue;
            }
            write!(
                yaml,
                "  - id: {}\n    name: {}\n    group: {}\n    description: {}\n",
                self.id(K_COMPONENT, i),
                q(&noisy(c.noise, &name)),
                self.id(K_GROUP, c.group % s.groups),
                q(&format!("Serves {description} to users."))
            )
            .unwrap();
            if let Some(rank) = c.rank {
                writeln!(yaml, "    visibility: {}", a(rank)).unwrap();
            }
        }
        self.files.insert("content/components.yaml".into(), yaml);

        // Matrices and their rows.
        let mut row_index = 0;
        for (i, m) in s.matrices.iter().enumerate() {
            let l = self.least[&(K_MATRIX, i)];
            self.doc = format!("matrix {i}");
            self.record_id(K_MATRIX, i, "matrix.slug");
            let title = self.canary("matrix.title", "", l);
            let summary = self.canary("matrix.summary", "", l);
            let mut y = format!("title: {}\nsummary: {}\n", q(&format!("Matrix {title}")), q(&summary));
            if let Some(b) = &m.description {
                let text = self.body(b, l, "matrix.description");
                writeln!(y, "description: {}", q(&text)).unwrap();
            }
            y.push_str(&self.vis_lines(m.vis));
            y.push_str("rows:\n");
            for r in &m.rows {
                self.record_id(K_ROW, row_index, "matrix.row.id");
                let label = self.canary("matrix.row.incident", "", l);
                let responsible = self.canary("matrix.row.responsible", "", l);
                let approvals =
                    [self.canary("matrix.row.approvals", "", l), self.canary("matrix.row.approvals", "", l)];
                let notify = self.canary("matrix.row.notify", "", l);
                let runbooks = self.refs(K_RUNBOOK, &r.runbooks, s.runbooks.len());
                write!(
                    y,
                    "  - id: {}\n    incident: {}\n    severity: sev2\n    responsible: {responsible}\n    approvals: {}\n    \
                     respond_within: 15m\n    disclose_within: 1h\n    notify: [{notify}]\n    runbooks: {}\n",
                    self.id(K_ROW, row_index),
                    q(&format!("When {label} happens")),
                    list(&approvals),
                    list(&runbooks)
                )
                .unwrap();
                row_index += 1;
            }
            let path = format!("content/matrices/{}.yaml", self.id(K_MATRIX, i));
            self.write(path, y, l);
        }

        for (i, r) in s.runbooks.iter().enumerate() {
            let l = self.least[&(K_RUNBOOK, i)];
            self.doc = format!("runbook {i}");
            self.record_id(K_RUNBOOK, i, "runbook.slug");
            let title = self.canary("runbook.title", "", l);
            let summary = self.canary("runbook.summary", "", l);
            let owner = self.canary("runbook.owners", "", l);
            let components = self.refs(K_COMPONENT, &r.components, s.components.len());
            let types = self.refs(K_ROW, &r.types, self.rows());
            let body = self.body(&r.body, l, "runbook.body");
            let text = format!(
                "---\ntitle: {}\nsummary: {}\nincident_types: {}\ncomponents: {}\nowners: [{owner}]\n\
                 last_reviewed: 2026-11-01\nreview_every: 90d\n{}---\n{body}",
                q(&format!("Runbook {title}")),
                q(&summary),
                list(&types),
                list(&components),
                self.vis_lines(r.vis)
            );
            let path = format!("content/runbooks/{}.md", self.id(K_RUNBOOK, i));
            self.write(path, text, l);
        }

        for (i, x) in s.incidents.iter().enumerate() {
            if x.added {
                self.side = Some(1000 * (i as u64 + 1));
            }
            self.incident(i, x);
            self.side = None;
        }

        for (i, p) in s.postmortems.iter().enumerate() {
            let l = self.least[&(K_POSTMORTEM, i)];
            self.doc = format!("postmortem {i}");
            self.record_id(K_POSTMORTEM, i, "postmortem.slug");
            let title = self.canary("postmortem.title", "", l);
            let summary = self.canary("postmortem.summary", "", l);
            let author = self.canary("postmortem.authors", "", l);
            let reviewer = self.canary("postmortem.reviewers", "", l);
            let incidents = self.refs(K_INCIDENT, &p.incidents, s.incidents.iter().filter(|x| !x.added).count());
            let mut actions = String::new();
            for a in &p.actions {
                let title = self.canary("postmortem.action_items.title", "", l);
                let owner = self.canary("postmortem.action_items.owner", "", l);
                write!(
                    actions,
                    "  - title: {}\n    owner: {owner}\n    due: 2026-12-20\n    status: open\n",
                    q(&title)
                )
                .unwrap();
                if let Some(rb) = a.and_then(|rb| self.refs(K_RUNBOOK, &[rb], s.runbooks.len()).pop()) {
                    writeln!(actions, "    runbook: {rb}").unwrap();
                }
            }
            let status = ["draft", "in-review", "published"][p.status as usize];
            let mut body = String::new();
            for (k, section) in
                ["Summary", "Impact", "Timeline", "Root cause", "Resolution", "Action items"].iter().enumerate()
            {
                let text = if k == 0 {
                    self.body(&p.body, l, "postmortem.body")
                } else {
                    format!("Section {} text.\n", self.canary("postmortem.body", "section", l))
                };
                write!(body, "## {section}\n\n{text}\n").unwrap();
            }
            let text = format!(
                "---\ntitle: {}\nsummary: {}\nincidents: {}\nstatus: {status}\nauthors: [{author}]\nreviewers: [{reviewer}]\n\
                 published_at: 2026-11-24T10:00:00Z\n{}{}---\n{body}",
                q(&format!("Post-mortem {title}")),
                q(&summary),
                list(&incidents),
                self.vis_lines(p.vis),
                if actions.is_empty() { String::new() } else { format!("action_items:\n{actions}") }
            );
            let path = format!("content/postmortems/{}.md", self.id(K_POSTMORTEM, i));
            self.write(path, text, l);
        }

        for (i, m) in s.maintenance.iter().enumerate() {
            let l = self.least[&(K_MAINTENANCE, i)];
            self.doc = format!("maintenance {i}");
            self.record_id(K_MAINTENANCE, i, "maintenance.slug");
            let title = self.canary("maintenance.title", "", l);
            let summary = self.canary("maintenance.summary", "", l);
            let title = if m.cr_title { format!("Upgrade {title}\rDESCRIPTION:x") } else { format!("Upgrade {title}") };
            let components = self.refs(K_COMPONENT, &m.components, s.components.len());
            let (status, from, until) = [
                ("scheduled", format!("2026-12-0{}T10:00:00Z", i + 1), format!("2026-12-0{}T12:00:00Z", i + 1)),
                ("in_progress", "2026-11-26T11:00:00Z".to_string(), "2026-11-26T13:00:00Z".to_string()),
                ("completed", format!("2026-11-1{}T10:00:00Z", i + 1), format!("2026-11-1{}T12:00:00Z", i + 1)),
            ][m.status as usize]
                .clone();
            let updates =
                self.updates(&m.updates, l, "maintenance.update.body", "2026-11-05T10:00:00Z", |_| "scheduled");
            let body = self.body(&m.body, l, "maintenance.body");
            let text = format!(
                "---\ntitle: {}\nsummary: {}\ncomponents: {}\nscheduled_for: {from}\nscheduled_until: {until}\n\
                 status: {status}\n{}{updates}---\n{body}",
                q(&title),
                q(&summary),
                list(&components),
                self.vis_lines(m.vis)
            );
            let path = format!("content/maintenance/{}.md", self.id(K_MAINTENANCE, i));
            self.write(path, text, l);
        }

        for (i, p) in s.pages.iter().enumerate() {
            let l = self.least[&(K_PAGE, i)];
            self.doc = format!("page {i}");
            self.record_id(K_PAGE, i, "page.slug");
            let title = self.canary("page.title", "", l);
            let summary = self.canary("page.summary", "", l);
            let body = self.body(&p.body, l, "page.body");
            let text = format!(
                "---\ntitle: {}\nsummary: {}\n{}weight: 10\n---\n{body}",
                q(&format!("Page {title}")),
                q(&summary),
                self.vis_lines(p.vis)
            );
            let path = format!("content/{}.md", self.id(K_PAGE, i));
            self.write(path, text, l);
        }
        (self.files, self.canaries)
    }

    /// The `updates:` list, with update least audiences derived from `doc_least`.
    fn updates(
        &mut self,
        updates: &[Update],
        doc_least: u8,
        field: &str,
        start: &str,
        status: impl Fn(usize) -> &'static str,
    ) -> String {
        let start = time::OffsetDateTime::parse(start, &time::format_description::well_known::Rfc3339).unwrap();
        let mut out = String::new();
        let mut generated = 0;
        for u in updates {
            let saved = self.side;
            if u.added && self.side.is_none() {
                self.side = Some(500_000 + u.minute as u64 * 100);
            }
            let l = doc_least.max(least(u.vis.rank.unwrap_or(0), u.vis.embargo));
            let body = self.body(&u.body, l, field);
            self.side = saved;
            let status = status(if u.added { generated.max(1) - 1 } else { generated });
            if !u.added {
                generated += 1;
            }
            if self.drop(l) {
                continue;
            }
            let at = start + Duration::from_secs(60 * u.minute as u64);
            let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
            write!(out, "  - at: {at}\n    status: {status}\n    body: {}\n", q(&body)).unwrap();
            if let Some(rank) = u.vis.rank {
                writeln!(out, "    visibility: {}", AUDIENCES[rank as usize]).unwrap();
            }
            match u.vis.embargo {
                Embargo::None => {}
                Embargo::Past => writeln!(out, "    embargo_until: {PAST}").unwrap(),
                Embargo::Future => writeln!(out, "    embargo_until: {FUTURE}").unwrap(),
            }
        }
        if out.is_empty() { out } else { format!("updates:\n{out}") }
    }

    fn incident(&mut self, i: usize, x: &Incident) {
        let s = self.spec;
        let l = if x.added { 2 } else { self.least[&(K_INCIDENT, i)] };
        if x.added {
            self.least.insert((K_INCIDENT, i), 2);
        }
        self.doc = format!("incident {i}");
        if !x.added {
            self.record_id(K_INCIDENT, i, "incident.slug");
        }
        let title = self.canary("incident.title", "", l);
        let summary = self.canary("incident.summary", "", l);
        let components = self.refs(K_COMPONENT, &x.components, s.components.len());
        let runbooks = self.refs(K_RUNBOOK, &x.runbooks, s.runbooks.len());
        let row = x.row.and_then(|r| self.refs(K_ROW, &[r], self.rows()).pop());
        // The post-mortem: the first one listing this incident, if any.
        let postmortem = if x.link_postmortem && !x.added {
            let originals = s.incidents.iter().filter(|x| !x.added).count();
            s.postmortems
                .iter()
                .position(|p| p.incidents.iter().any(|k| k % originals == i))
                .and_then(|p| self.refs(K_POSTMORTEM, &[p], s.postmortems.len()).pop())
        } else {
            None
        };
        let started = format!("2026-11-{:02}T08:00:00Z", 10 + i);
        let statuses = |k: usize| ["investigating", "identified", "monitoring"][k.min(2)];
        let updates_text = self.updates(&x.updates, l, "incident.update.body", &started, statuses);
        let last = x.updates.iter().filter(|u| !u.added).map(|u| u.minute).max().unwrap_or(0) + 10;
        let start = time::OffsetDateTime::parse(&started, &time::format_description::well_known::Rfc3339).unwrap();
        let resolved_at = (start + Duration::from_secs(60 * last as u64))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let mut updates_text = updates_text;
        if x.resolved {
            if updates_text.is_empty() {
                updates_text.push_str("updates:\n");
            }
            write!(updates_text, "  - at: {resolved_at}\n    status: resolved\n    body: \"Resolved.\"\n").unwrap();
        }
        let body = self.body(&x.body, l, "incident.body");
        let mut front = format!(
            "---\ntitle: {}\nsummary: {}\nseverity: sev2\nimpact: {}\ncomponents: {}\n{}started_at: {started}\n\
             detected_at: {}\nacknowledged_at: {}\nrunbooks: {}\n",
            q(&noisy(x.noise, &title)),
            q(&summary),
            ["none", "minor", "major", "critical"][x.impact as usize],
            list(&components),
            self.vis_lines(x.vis),
            started.replace("08:00:00", "08:01:00"),
            started.replace("08:00:00", "08:02:00"),
            list(&runbooks),
        );
        if let Some(row) = row {
            writeln!(front, "type: {row}").unwrap();
        }
        if let Some(pm) = postmortem {
            writeln!(front, "postmortem: {pm}").unwrap();
        }
        if x.resolved {
            writeln!(front, "resolved_at: {resolved_at}").unwrap();
        }
        let slug = if x.added { token(4, i as u64) } else { self.id(K_INCIDENT, i) };
        let text = format!("{front}{updates_text}---\n{body}");
        self.write(format!("content/incidents/{slug}.md"), text, l);
    }
}

/// A block with marker `marker` and content `lines` placed in its markdown context; `drop`
/// leaves the context and removes exactly the block (the projection on the public).
fn place_block(place: Place, marker: &str, lines: &[String], drop: bool, n: usize) -> String {
    let text = place_block_text(place, marker, lines, drop, n);
    // A dropped block goes with the blank line before it (in a code block left open, blank
    // lines are text).
    if drop { text.trim_end_matches('\n').to_string() } else { text }
}

fn place_block_text(place: Place, marker: &str, lines: &[String], drop: bool, n: usize) -> String {
    let block = |prefix: &str, close: &str| -> String {
        if drop {
            return String::new();
        }
        let mut out = format!("{prefix}{marker}\n");
        for l in lines {
            out.push_str(&format!("{prefix}{l}\n"));
        }
        out.push_str(&format!("{prefix}{close}"));
        out
    };
    let indented = |indent: &str| -> String {
        if drop {
            return String::new();
        }
        let mut out = format!("{indent}{marker}\n");
        for l in lines {
            if l.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{indent}{l}\n"));
            }
        }
        out.push_str(&format!("{indent}:::"));
        out
    };
    match place {
        Place::TopLevel => block("", ":::"),
        Place::Tight => format!("Lead para.\n{}", block("", ":::")),
        Place::AfterHeading => format!("## Part heading {n}\n{}", block("", ":::")),
        Place::Indented3 => indented("   "),
        Place::AfterFence => format!("```sh\necho ok\n```\n\n{}", block("", ":::")),
        Place::AfterLongerFence => format!("````md\n```\n````\n\n{}", block("", ":::")),
        Place::AfterIndentedFence => format!("    ```\n\n{}", block("", ":::")),
        Place::AfterInlineBackticks => format!("```x status``` done\n\n{}", block("", ":::")),
        Place::AfterNbspFence => format!("\u{a0}```\n\n{}", block("", ":::")),
        Place::AfterUnclosedListFence => format!("- item\n\n  ```\n  code\n\n{}", block("", ":::")),
        Place::AfterHtmlBlock => format!("<div>\n```\n</div>\n\n{}", block("", ":::")),
        Place::InListItem => format!("- item\n\n{}", indented("  ")),
        Place::InBlockquote => {
            let inner = if drop {
                String::new()
            } else {
                let mut out = format!("> {marker}\n");
                for l in lines {
                    out.push_str(&format!("> {l}\n").replace("> \n", ">\n"));
                }
                out + "> :::"
            };
            format!("> quote\n>\n{inner}")
        }
        Place::InTableCell => {
            let mut out = String::from("| a | b |\n| --- | --- |\n| x | y |");
            if !drop {
                out.push_str(&format!("\n| {marker} | x |"));
                for l in lines.iter().filter(|l| !l.is_empty()) {
                    out.push_str(&format!("\n| {} | y |", l.replace('|', "\\|")));
                }
                out.push_str("\n| ::: | z |");
            }
            out
        }
        Place::InFootnote => format!("Claim[^fn{n}].\n\n[^fn{n}]: Note.\n{}", indented("    ")),
        Place::InLinkText => format!("[see\n{}\n](https://example.org/)", block("", ":::")),
        Place::InLinkUrl => format!("[see](https://example.org/\n{}\n)", block("", ":::")),
        Place::InHtmlBlock => format!("<div>\n{}\n</div>", block("", ":::")),
        Place::NbspMarker => {
            if drop {
                String::new()
            } else {
                format!("\u{a0}{marker}\n{}\n\u{a0}:::", lines.join("\n"))
            }
        }
        Place::BareCr => {
            if drop {
                String::new()
            } else {
                format!("{marker}\r{}\r:::", lines.join("\r"))
            }
        }
        Place::Unclosed => {
            if drop {
                String::new()
            } else {
                format!("{marker}\n{}", lines.join("\n"))
            }
        }
        Place::UnderTable => format!("| a |\n| --- |\n| x |\n{}", block("", ":::")),
        // What a reviewer takes for a marker: after a left-to-right mark, in colons of another
        // script, below a fence opened with four backticks and "closed" with three, or joined
        // into one line (as a folded YAML scalar joins the lines of an update body).
        Place::InvisiblePrefix if !drop => format!("\u{200E}{marker}\n{}\n\u{200E}:::", lines.join("\n")),
        Place::LookalikeColons if !drop => {
            format!(
                "{}\n{}\n\u{A789}\u{A789}\u{A789}",
                marker.replacen(":::", "\u{A789}\u{A789}\u{A789}", 1),
                lines.join("\n")
            )
        }
        Place::AfterUnclosedFence if !drop => format!("````sh\necho ok\n```\n\n{}", block("", ":::")),
        Place::JoinedLine if !drop => format!("Text. {marker} {} :::", lines.join(" ")),
        Place::InvisiblePrefix | Place::LookalikeColons | Place::AfterUnclosedFence => String::new(),
        Place::JoinedLine => "Text.".into(),
        Place::AfterLineSeparator => {
            if drop {
                "Text.".into()
            } else {
                format!("Text.\u{2028}{marker}\n{}\n:::", lines.join("\n"))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checking one case.

/// One thing wrong with a case: `class` groups failures of the same kind across cases.
#[derive(Clone, Debug)]
struct Problem {
    class: String,
    detail: String,
}

#[derive(Default)]
struct Stats {
    cases: usize,
    built: usize,
    refused: usize,
    refusals: BTreeMap<String, usize>,
    visible_checked: usize,
    visible_found: usize,
    hidden_checked: usize,
}

/// Paths with ids replaced, so that failures of the same kind group together.
fn path_class(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find("zq") {
        out.push_str(&rest[..i]);
        out.push_str("<id>");
        rest = &rest[(i + 12).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// Every canary in an output tree and in the tantivy index beside it, with where it was found.
fn scan_build(
    files: &BTreeMap<String, Vec<u8>>,
    index: Option<&Path>,
    canaries: &HashMap<&str, usize>,
    problems: &mut Vec<Problem>,
    audience: &str,
) -> BTreeMap<usize, BTreeSet<String>> {
    let mut found: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (path, bytes) in files {
        let texts = match decoded_texts(path, bytes) {
            Ok(t) => t,
            Err(e) => {
                problems
                    .push(Problem { class: format!("{audience}: malformed output {}", path_class(path)), detail: e });
                vec![String::from_utf8_lossy(bytes).into_owned()]
            }
        };
        if path.ends_with(".ics") {
            let text = String::from_utf8_lossy(bytes);
            for line in text.split("\r\n") {
                if line.contains(['\r', '\n']) {
                    problems.push(Problem {
                        class: format!("{audience}: iCalendar line broken by user text in {}", path_class(path)),
                        detail: format!("{path}: a bare CR or LF inside the line {line:?}"),
                    });
                }
            }
        }
        let mut here = BTreeSet::new();
        for t in &texts {
            find_canaries(t, canaries, &mut here);
        }
        for k in here {
            found.entry(k).or_default().insert(path.clone());
        }
    }
    if let Some(dir) = index {
        match index_texts(dir) {
            Ok(texts) => {
                let mut here = BTreeSet::new();
                for t in &texts {
                    find_canaries(t, canaries, &mut here);
                }
                // The index's own files too (its word list is plain text).
                for bytes in tree(dir).values() {
                    find_canaries(&String::from_utf8_lossy(bytes), canaries, &mut here);
                }
                for k in here {
                    found.entry(k).or_default().insert(format!(".cairn/index/{audience}"));
                }
            }
            Err(e) => problems.push(Problem {
                class: format!("{audience}: tantivy index unreadable"),
                detail: format!("{}: {e}", dir.display()),
            }),
        }
    }
    found
}

struct Case<'a> {
    spec: &'a Spec,
    dir: &'a Path,
    /// Stop at the first problem (while shrinking) or collect them all (survey).
    collect_all: bool,
}

impl Case<'_> {
    fn run(&self, stats: &Mutex<Stats>) -> Vec<Problem> {
        let mut problems = Vec::new();
        let (files, canaries) = Render::new(self.spec, Mode::Normal).render();
        let repo = self.dir.join("repo");
        write_repo(&repo, &files);
        let index: HashMap<&str, usize> = canaries.iter().enumerate().map(|(i, c)| (c.token.as_str(), i)).collect();
        let refusable = self.spec.refusable();
        stats.lock().unwrap().cases += 1;

        let mut public_tree = None;
        for (rank, audience) in AUDIENCES.iter().enumerate() {
            let out = self.dir.join(format!("out-{audience}"));
            let before = entries(self.dir);
            let had_index = index_dir(&repo, audience).exists();
            let run = build(&repo, audience, &out, NOW);
            if !run.ok() {
                if run.code != 1 {
                    problems.push(Problem {
                        class: format!("{audience}: cairn exited {} (not a refusal)", run.code),
                        detail: run.stderr.clone(),
                    });
                    return problems;
                }
                // Nothing new beside the output but the lock of one build at a time per output
                // (`.NAME.lock`, holding a process id and nothing of the repo).
                let lock = format!(".out-{audience}.lock");
                let written: Vec<String> = entries(self.dir)
                    .difference(&before)
                    .filter(|e| {
                        **e != lock
                            || !std::fs::read_to_string(self.dir.join(e))
                                .is_ok_and(|t| t.chars().all(|c| c.is_ascii_digit() || c.is_ascii_whitespace()))
                    })
                    .cloned()
                    .collect();
                if !written.is_empty() || out.exists() {
                    problems.push(Problem {
                        class: format!("{audience}: a refused build wrote output"),
                        detail: format!("new entries: {written:?}"),
                    });
                }
                if !had_index && index_dir(&repo, audience).exists() {
                    problems.push(Problem {
                        class: format!("{audience}: a refused build wrote the search index"),
                        detail: index_dir(&repo, audience).display().to_string(),
                    });
                }
                let (_, diagnostics) = check(&repo, NOW);
                let errors = errors(&diagnostics);
                let mut st = stats.lock().unwrap();
                if rank == 0 {
                    st.refused += 1;
                }
                if refusable.is_empty() {
                    let mut codes: Vec<&str> = diagnostics
                        .iter()
                        .filter(|d| d["severity"] == "error")
                        .filter_map(|d| d["code"].as_str())
                        .collect();
                    codes.sort_unstable();
                    codes.dedup();
                    problems.push(Problem {
                        class: format!("{audience}: plain valid input refused ({})", codes.join(", ")),
                        detail: format!("{}\n{}", errors.join("\n"), run.stderr),
                    });
                } else if rank == 0 {
                    for f in &refusable {
                        *st.refusals.entry(f.clone()).or_default() += 1;
                    }
                }
                drop(st);
                if !problems.is_empty() && !self.collect_all {
                    return problems;
                }
                continue;
            }
            if rank == 0 {
                stats.lock().unwrap().built += 1;
            }
            let tree = tree(&out);
            let found = scan_build(&tree, Some(&index_dir(&repo, audience)), &index, &mut problems, audience);
            let mut st = stats.lock().unwrap();
            for (k, c) in canaries.iter().enumerate() {
                let where_ = found.get(&k);
                if c.least as usize > rank {
                    st.hidden_checked += 1;
                    if let Some(paths) = where_ {
                        let classes: BTreeSet<String> = paths.iter().map(|p| path_class(p)).collect();
                        for class in classes {
                            problems.push(Problem {
                                class: format!(
                                    "{audience}: leak of {} [{}] (may see: {}) in {class}",
                                    c.field, c.place, AUDIENCES[c.least as usize]
                                ),
                                detail: format!(
                                    "{} of {} in {}",
                                    c.token,
                                    c.doc,
                                    paths
                                        .iter()
                                        .filter(|p| path_class(p) == class)
                                        .cloned()
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            });
                        }
                    }
                } else {
                    if !c.displayed {
                        continue;
                    }
                    st.visible_checked += 1;
                    if where_.is_some() {
                        st.visible_found += 1;
                    } else {
                        problems.push(Problem {
                            class: format!("{audience}: visible {} [{}] missing from the build", c.field, c.place),
                            detail: format!("{} of {}", c.token, c.doc),
                        });
                    }
                }
            }
            drop(st);
            if rank == 0 {
                public_tree = Some(tree);
            }
            if !problems.is_empty() && !self.collect_all {
                return problems;
            }
        }

        // Non-interference: the public build of variants that differ only in hidden material.
        let Some(public_tree) = public_tree else { return problems };
        let public_index = index_digest(&index_dir(&repo, "public")).unwrap_or_default();
        let variants: [(&str, BTreeMap<String, String>); 3] = [
            ("rewording every hidden canary", Render::new(self.spec, Mode::Reword).render().0),
            ("removing all hidden material", Render::new(self.spec, Mode::PublicOnly).render().0),
            ("adding hidden material", Render::new(&self.spec.with_hidden_material(), Mode::Normal).render().0),
        ];
        for (k, (what, files)) in variants.iter().enumerate() {
            let root = self.dir.join(format!("variant-{k}"));
            write_repo(&root, files);
            let out = self.dir.join(format!("variant-{k}-public"));
            let run = build(&root, "public", &out, NOW);
            if !run.ok() {
                problems.push(Problem {
                    class: format!("non-interference: {what} makes the public build fail"),
                    detail: format!("{}\n(repo: {})", run.stderr, root.display()),
                });
            } else {
                let differences = tree_differences(&public_tree, &tree(&out));
                if !differences.is_empty() {
                    let classes: BTreeSet<String> =
                        differences.iter().map(|d| path_class(d.split(':').next().unwrap_or(""))).collect();
                    for class in classes {
                        problems.push(Problem {
                            class: format!("non-interference: {what} changes {class}"),
                            detail: differences
                                .iter()
                                .filter(|d| path_class(d.split(':').next().unwrap_or("")) == class)
                                .take(3)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join("\n"),
                        });
                    }
                }
                let digest = index_digest(&index_dir(&root, "public")).unwrap_or_default();
                if digest != public_index {
                    let a: BTreeSet<&String> = public_index.iter().collect();
                    let b: BTreeSet<&String> = digest.iter().collect();
                    problems.push(Problem {
                        class: format!("non-interference: {what} changes the public tantivy index"),
                        detail: format!(
                            "only before: {:?}\nonly after: {:?}",
                            a.difference(&b).take(5).collect::<Vec<_>>(),
                            b.difference(&a).take(5).collect::<Vec<_>>()
                        ),
                    });
                }
            }
            if !problems.is_empty() && !self.collect_all {
                return problems;
            }
        }
        problems
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| v.trim().parse().unwrap_or_else(|_| panic!("{name} must be a number: {v}")))
}

fn seed_rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&splitmix(seed.wrapping_add(i as u64)).to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// Writes a failing case's repo where it is kept, and returns the report to print.
fn keep(spec: &Spec, reason: &str, seed: u64) -> String {
    let dir = tempfile::Builder::new().prefix("cairn-promise-").tempdir().unwrap().keep();
    let (files, canaries) = Render::new(spec, Mode::Normal).render();
    write_repo(&dir.join("repo"), &files);
    for (name, mode) in [("public-only", Mode::PublicOnly), ("reworded", Mode::Reword)] {
        write_repo(&dir.join(name), &Render::new(spec, mode).render().0);
    }
    write_repo(&dir.join("with-hidden-material"), &Render::new(&spec.with_hidden_material(), Mode::Normal).render().0);
    let mut table = String::new();
    for c in &canaries {
        writeln!(table, "{}  {:<9} {} [{}] ({})", c.token, AUDIENCES[c.least as usize], c.field, c.place, c.doc)
            .unwrap();
    }
    std::fs::write(dir.join("canaries.txt"), &table).unwrap();
    std::fs::write(dir.join("spec.txt"), format!("{spec:#?}")).unwrap();
    format!(
        "{reason}\n\nminimal repo kept in {}/repo (variants beside it; canaries.txt lists each canary and who may \
         see it)\nreproduce: cairn build --root {}/repo --audience public --output /tmp/out --now {NOW}\nseed: {seed}\n\n{}",
        dir.display(),
        dir.display(),
        files.iter().map(|(p, t)| format!("==> {p} <==\n{t}")).collect::<Vec<_>>().join("\n")
    )
}

fn report(problems: &[Problem]) -> String {
    let mut by_class: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in problems {
        by_class.entry(&p.class).or_default().push(&p.detail);
    }
    let mut out = String::new();
    for (class, details) in by_class {
        writeln!(out, "- {class} ({}×)\n    {}", details.len(), details[0].replace('\n', "\n    ")).unwrap();
    }
    out
}

#[test]
fn generated_repos_keep_the_promise() {
    let seed = env_number("CAIRN_PROMISE_SEED").unwrap_or(20261126);
    let seconds = env_number("CAIRN_PROMISE_SECONDS");
    let cases = env_number("CAIRN_PROMISE_CASES").unwrap_or(if seconds.is_some() { 50 } else { 16 }) as u32;
    let shrink = env_number("CAIRN_PROMISE_SHRINK_SECONDS").unwrap_or(90);
    let survey = std::env::var_os("CAIRN_PROMISE_SURVEY").is_some();
    let started = Instant::now();
    let stats = Mutex::new(Stats::default());
    let survey_problems = Mutex::new(Vec::<Problem>::new());
    let shrinking = AtomicBool::new(false);
    let mut batch = 0;
    loop {
        let batch_seed = seed.wrapping_add(batch);
        let config = Config {
            cases,
            max_shrink_time: if survey { 1 } else { (shrink * 1000) as u32 },
            max_shrink_iters: if survey { 0 } else { 10_000 },
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, seed_rng(batch_seed));
        let deadline = seconds.map(|s| started + Duration::from_secs(s));
        let result = runner.run(&spec(), |spec| {
            // Past the time of the long mode, the rest of the batch passes without building
            // (unless a failure is being shrunk).
            if deadline.is_some_and(|d| Instant::now() >= d) && !shrinking.load(Ordering::Relaxed) {
                return Ok(());
            }
            let dir = tempfile::tempdir().unwrap();
            let case = Case { spec: &spec, dir: dir.path(), collect_all: survey };
            let problems = case.run(&stats);
            if survey {
                survey_problems.lock().unwrap().extend(problems);
                return Ok(());
            }
            if problems.is_empty() {
                Ok(())
            } else {
                shrinking.store(true, Ordering::Relaxed);
                Err(TestCaseError::fail(report(&problems)))
            }
        });
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, spec)) => panic!("{}", keep(&spec, &reason.to_string(), batch_seed)),
            Err(e) => panic!("{e}"),
        }
        batch += 1;
        if seconds.is_none_or(|s| started.elapsed() >= Duration::from_secs(s)) {
            break;
        }
    }
    let st = stats.lock().unwrap();
    let refusals: Vec<String> = st.refusals.iter().map(|(f, n)| format!("{f}: {n}")).collect();
    eprintln!(
        "promise: {} cases in {:.0?} (seed {seed}), {} public builds, {} refused; refusals by feature present: {}; \
         visible canaries found {}/{}; hidden canaries checked {}",
        st.cases,
        started.elapsed(),
        st.built,
        st.refused,
        if refusals.is_empty() { "none".into() } else { refusals.join(", ") },
        st.visible_found,
        st.visible_checked,
        st.hidden_checked,
    );
    // Not vacuous: most cases build, they hold hidden material, and what the audiences may see
    // is there.
    let mut failures = Vec::new();
    if st.built * 2 < st.cases {
        failures.push(format!("only {} of {} generated repos built for the public", st.built, st.cases));
    }
    if st.hidden_checked < 20 * st.cases {
        failures.push(format!("too few hidden canaries checked: {} in {} cases", st.hidden_checked, st.cases));
    }
    if st.visible_found != st.visible_checked {
        failures.push(format!("visible canaries missing: {} found of {}", st.visible_found, st.visible_checked));
    }
    let problems = survey_problems.lock().unwrap();
    if !problems.is_empty() {
        failures.push(format!("{} problems in {} cases:\n{}", problems.len(), st.cases, report(&problems)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The instruments: each decoder finds a canary however the format hides it, so a clean scan
/// means the canary is not there.
#[test]
fn decoders_see_through_escaping() {
    let canary = "zqabcdefgh12";
    let index: HashMap<&str, usize> = [(canary, 0)].into_iter().collect();
    let hidden = [
        ("a.html", "<p title=\"&#122;&#x71;abcdefgh12\">x</p>".to_string()),
        ("b.html", "<p>zq<span>abcdefgh</span>12</p>".to_string()),
        ("c.json", "{\"k\": \"\\u007aqabcdefgh12\"}".to_string()),
        ("d.ics", "BEGIN:VEVENT\r\nSUMMARY:x zqabcd\r\n efgh12\r\nEND:VEVENT\r\n".to_string()),
        ("e.atom", "<feed><content type=\"html\">&lt;b&gt;ZQABCDEFGH12&lt;/b&gt;</content></feed>".to_string()),
        ("f.svg", "<svg><title>&#x7a;qabcdefgh12</title></svg>".to_string()),
    ];
    for (path, text) in hidden {
        let mut found = BTreeSet::new();
        for t in decoded_texts(path, text.as_bytes()).unwrap() {
            find_canaries(&t, &index, &mut found);
        }
        assert!(found.contains(&0), "{path}: the canary in {text:?} was not found");
    }
    assert!(decoded_texts("x.json", b"{").is_err(), "malformed JSON is reported");
}

/// The tantivy reader sees what the index holds: terms of every field and stored documents.
#[test]
fn index_reader_sees_terms_and_stored_fields() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let files: BTreeMap<String, String> = [
        (
            "cairn.yaml".to_string(),
            "title: T\nbase_url: https://status.example.org\naudiences: [public, internal]\n".to_string(),
        ),
        (
            "content/incidents/2026-11-20-x.md".to_string(),
            "---\ntitle: Title zqtitle00001\nseverity: sev2\nimpact: minor\nvisibility: public\n\
             started_at: 2026-11-20T08:00:00Z\n---\nBody zqbody000002 text.\n\n```sh\necho zqcode000003\n```\n"
                .to_string(),
        ),
    ]
    .into_iter()
    .collect();
    write_repo(&root, &files);
    let run = build(&root, "public", &dir.path().join("out"), NOW);
    assert!(run.ok(), "{}", run.stderr);
    let texts = index_texts(&index_dir(&root, "public")).unwrap();
    for (term, token) in [("title:", "zqtitle00001"), ("body:", "zqbody000002"), ("code:", "zqcode000003")] {
        assert!(texts.iter().any(|t| t == &format!("{term}{token}")), "no term {term}{token} in {texts:?}");
        assert!(texts.iter().any(|t| t.starts_with('{') && t.contains(token)), "no stored document holds {token}");
    }
}
