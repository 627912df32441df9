//! Front matter of each document kind into typed structs. A file with problems yields no document
//! but all of its diagnostics; required keys that are missing are reported once each.

use super::config::{check_id, is_id, yaml_error};
use super::disclosure::{progress, references};
use super::fields::{Fields, FileCx};
use super::{inputs, limits, yaml};
use crate::diagnostics::{Diagnostic, Pos};
use crate::model::*;
use std::path::Path;

const INCIDENT_KEYS: &[&str] = &[
    "title",
    "summary",
    "type",
    "severity",
    "impact",
    "components",
    "visibility",
    "embargo_until",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "contained_at",
    "fix_deployed_at",
    "resolved_at",
    "runbooks",
    "postmortem",
    "postmortem_url",
    "chain",
    "halted_at_height",
    "halted_at_slot",
    "halted_at_epoch",
    "resumed_at_height",
    "resumed_at_slot",
    "resumed_at_epoch",
    "backfilled",
    "references",
    "aliases",
    "updates",
];
const UPDATE_KEYS: &[&str] = &[
    "id",
    "at",
    "status",
    "body",
    "visibility",
    "embargo_until",
    "height",
    "slot",
    "epoch",
    "next_update",
    "channel",
    "url",
    "author",
    "source_visibility",
    "components",
    "progress",
    "references",
];
const POSTMORTEM_KEYS: &[&str] = &[
    "title",
    "summary",
    "incidents",
    "status",
    "authors",
    "reviewers",
    "published_at",
    "visibility",
    "embargo_until",
    "action_items",
    "external_url",
    "required_sections",
    "references",
    "aliases",
];
const ACTION_KEYS: &[&str] = &["title", "owner", "due", "status", "runbook"];
const RUNBOOK_KEYS: &[&str] = &[
    "title",
    "summary",
    "incident_types",
    "components",
    "owners",
    "last_reviewed",
    "review_every",
    "visibility",
    "embargo_until",
    "aliases",
];
const MAINTENANCE_KEYS: &[&str] = &[
    "title",
    "summary",
    "components",
    "scheduled_for",
    "scheduled_until",
    "status",
    "visibility",
    "embargo_until",
    "chain",
    "halt_height",
    "halt_slot",
    "halt_epoch",
    "started_at",
    "ended_at",
    "resumed_at_height",
    "resumed_at_slot",
    "resumed_at_epoch",
    "references",
    "aliases",
    "updates",
];
const PAGE_KEYS: &[&str] = &["title", "summary", "visibility", "embargo_until", "weight", "aliases"];
const MATRIX_KEYS: &[&str] = &["title", "summary", "description", "visibility", "embargo_until", "aliases", "rows"];
const ROW_KEYS: &[&str] = &[
    "id",
    "incident",
    "severity",
    "responsible",
    "approvals",
    "respond_within",
    "disclose_within",
    "notify",
    "runbooks",
];

/// A document of any kind, as loaded from one file.
pub enum Loaded {
    Incident(Incident),
    Postmortem(Postmortem),
    Runbook(Runbook),
    Matrix(Matrix),
    Maintenance(Maintenance),
    Page(Page),
}

/// One content file to load.
pub struct File {
    /// Where it is (found by a walk that follows no link).
    pub path: std::path::PathBuf,
    /// Its path relative to `content/`, with `/` separators.
    pub rel: String,
    /// Its id (see `names::document_id`): never empty.
    pub slug: String,
    pub kind: Kind,
    /// Its content when already read; taken when loaded.
    pub bytes: Option<Vec<u8>>,
}

/// Its text, or the problem that keeps it from being read: a link, a file over the size limit,
/// bytes that are not UTF-8.
fn read_text(path: &Path, bytes: Option<Vec<u8>>, source: &Path) -> Result<String, Diagnostic> {
    let unreadable = |why: String| {
        Diagnostic::error(source, Pos::START, "unreadable", format!("cannot read the file: {why}"))
            .with_help("content files must be UTF-8 text")
    };
    let bytes = match bytes {
        Some(bytes) if bytes.len() as u64 > limits::MAX_FILE_BYTES => {
            return Err(limits::file_too_large(source, bytes.len() as u64));
        }
        Some(bytes) => bytes,
        None => match inputs::read_file(path, limits::MAX_FILE_BYTES) {
            Ok(bytes) => bytes,
            Err(inputs::Refused::TooLarge(size)) => return Err(limits::file_too_large(source, size)),
            Err(e) => return Err(unreadable(e.to_string())),
        },
    };
    // One decoding for bytes read here or before, so both report a file that is not UTF-8 alike.
    String::from_utf8(bytes).map_err(|_| unreadable("stream did not contain valid UTF-8".into()))
}

/// Reads one content file. A file with problems yields no document, and all its problems.
pub fn load_document(file: &mut File, audiences: &Audiences, problems: &mut Vec<Diagnostic>) -> Option<Loaded> {
    let bytes = file.bytes.take();
    let (rel, kind) = (file.rel.as_str(), file.kind);
    let source = Path::new("content").join(rel);
    let text = match read_text(&file.path, bytes, &source) {
        Ok(t) => t,
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
    let (yaml_text, yaml_line, body, body_line) = if kind == Kind::Matrix {
        (text.as_str(), 1, "", 1)
    } else {
        match yaml::split_front_matter(&text) {
            Ok(fm) => (fm.yaml, fm.yaml_line, fm.body, fm.body_line),
            Err((pos, msg)) => {
                problems.push(
                    Diagnostic::error(&source, pos, "front-matter", msg)
                        .with_help("start the file with a `---` line, the YAML keys, and another `---` line"),
                );
                return None;
            }
        }
    };
    let breaches = limits::check_yaml(&source, yaml_text, yaml_line, kind != Kind::Matrix);
    if !breaches.is_empty() {
        problems.extend(breaches);
        return None;
    }
    // A syntax error does not hide the other problems of the file: the keys that can be read
    // are still checked (and the file still yields no document).
    let parsed = yaml::parse_recovering(yaml_text, yaml_line);
    let syntax_ok = parsed.errors.is_empty();
    problems.extend(parsed.errors.into_iter().map(|(pos, msg)| yaml_error(&source, pos, msg)));
    let value = parsed.value?;
    let locations = if syntax_ok { yaml::locate(yaml_text, yaml_line) } else { parsed.locations };
    let stem = rel.rsplit('/').next().unwrap_or(rel);
    let slug = file.slug.clone();
    let mut cx = FileCx::new(&source, yaml_line, &locations, audiences);
    cx.unreadable = parsed.unreadable;
    if kind != Kind::Page && !is_id(&slug) {
        problems.push(
            Diagnostic::error(&source, Pos::START, "bad-id", format!("file name `{stem}` is not a valid id"))
                .with_help(format!(
                    "the file name is the document's id: use lowercase letters, digits and dashes, e.g. `{}`",
                    crate::text::slugify(&deunicode::deunicode(&slug))
                )),
        );
    }
    let known = match kind {
        Kind::Incident => INCIDENT_KEYS,
        Kind::Postmortem => POSTMORTEM_KEYS,
        Kind::Runbook => RUNBOOK_KEYS,
        Kind::Matrix => MATRIX_KEYS,
        Kind::Maintenance => MAINTENANCE_KEYS,
        Kind::Page => PAGE_KEYS,
    };
    let loaded = cx.fields(&value, "", known).and_then(|f| {
        let title = f.required_string("title", "A short, specific title");
        let mut meta = Meta {
            kind,
            slug,
            source: source.clone(),
            rel: rel.to_string(),
            title: String::new(),
            summary: f.string("summary"),
            visibility: f.audience("visibility"),
            embargo_until: f.time("embargo_until"),
            aliases: f.strings("aliases"),
            body: body.to_string(),
            body_line,
            body_column: 0,
            front_hash: (kind != Kind::Matrix)
                .then(|| xxhash_rust::xxh3::xxh3_64(&text.as_bytes()[..text.len() - body.len()])),
            locations: Default::default(),
        };
        let doc = match kind {
            Kind::Incident => incident(&cx, &f, yaml_text).map(Loaded::Incident),
            Kind::Postmortem => postmortem(&cx, &f, yaml_text).map(Loaded::Postmortem),
            Kind::Runbook => runbook(&f).map(Loaded::Runbook),
            Kind::Matrix => {
                if let Some(d) = f.markdown("description") {
                    meta.body = d;
                    meta.front_hash = None;
                    match scalar_origin(yaml_text, yaml_line, locations.value("description"), &meta.body) {
                        TextOrigin::Lines { line, column } => (meta.body_line, meta.body_column) = (line, column),
                        TextOrigin::At(pos) => (meta.body_line, meta.body_column) = (pos.line, pos.column - 1),
                    }
                }
                matrix(&cx, &f).map(Loaded::Matrix)
            }
            Kind::Maintenance => maintenance(&cx, &f, yaml_text).map(Loaded::Maintenance),
            Kind::Page => Some(Loaded::Page(Page { meta: placeholder(), weight: f.int("weight") })),
        };
        f.finish();
        meta.title = title?;
        let mut doc = doc?;
        *meta_mut(&mut doc) = meta;
        Some(doc)
    });
    let mut file_problems = cx.into_problems();
    let ok = syntax_ok && !file_problems.iter().any(Diagnostic::is_error);
    problems.append(&mut file_problems);
    let mut doc = loaded.filter(|_| ok)?;
    meta_mut(&mut doc).locations = locations;
    Some(doc)
}

fn placeholder() -> Meta {
    Meta {
        kind: Kind::Page,
        slug: String::new(),
        source: Default::default(),
        rel: String::new(),
        title: String::new(),
        summary: None,
        visibility: None,
        embargo_until: None,
        aliases: Vec::new(),
        body: String::new(),
        body_line: 1,
        body_column: 0,
        front_hash: None,
        locations: Default::default(),
    }
}

impl Loaded {
    /// What every kind of document has.
    pub fn meta(&self) -> &Meta {
        match self {
            Loaded::Incident(d) => &d.meta,
            Loaded::Postmortem(d) => &d.meta,
            Loaded::Runbook(d) => &d.meta,
            Loaded::Matrix(d) => &d.meta,
            Loaded::Maintenance(d) => &d.meta,
            Loaded::Page(d) => &d.meta,
        }
    }
}

fn meta_mut(doc: &mut Loaded) -> &mut Meta {
    match doc {
        Loaded::Incident(d) => &mut d.meta,
        Loaded::Postmortem(d) => &mut d.meta,
        Loaded::Runbook(d) => &mut d.meta,
        Loaded::Matrix(d) => &mut d.meta,
        Loaded::Maintenance(d) => &mut d.meta,
        Loaded::Page(d) => &mut d.meta,
    }
}

/// Where the text `parsed` of the scalar whose value starts at `at` begins: a literal block scalar
/// maps line by line onto the file (from the line after its `|`, at its indentation), and so does
/// a scalar written on one line as it reads; any other is reported at its start.
fn scalar_origin(yaml_text: &str, yaml_line: usize, at: Pos, parsed: &str) -> TextOrigin {
    let line_text = yaml_text.lines().nth(at.line.saturating_sub(yaml_line)).unwrap_or("");
    let value: String = line_text.chars().skip(at.column.saturating_sub(1)).collect();
    let written = value.trim_end();
    let unquoted = written
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| written.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')));
    if written == parsed || unquoted == Some(parsed) {
        let quoted = usize::from(unquoted.is_some());
        return TextOrigin::Lines { line: at.line, column: at.column - 1 + quoted };
    }
    if value.starts_with('|') || value.starts_with('>') {
        let next = yaml_text
            .lines()
            .skip(at.line.saturating_sub(yaml_line) + 1)
            .position(|l| !l.trim().is_empty())
            .map_or(at.line + 1, |skipped| at.line + 1 + skipped);
        let text = yaml_text.lines().nth(next.saturating_sub(yaml_line)).unwrap_or("");
        if value.starts_with('|') {
            return TextOrigin::Lines { line: next, column: text.len() - text.trim_start().len() };
        }
    }
    let quoted = usize::from(value.starts_with(['"', '\'']));
    TextOrigin::At(Pos::new(at.line, at.column + quoted))
}

/// The precision of each of `keys` read with [`Fields::when`], keeping the times.
fn whens<const N: usize>(f: &Fields<'_>, keys: [&'static str; N]) -> ([Option<Timestamp>; N], Precisions) {
    let mut precision = Precisions::default();
    let times = keys.map(|key| {
        let (t, p) = f.when(key)?;
        if p != Precision::Exact {
            precision.0.insert(key, p);
        }
        Some(t)
    });
    (times, precision)
}

fn updates<S>(
    cx: &FileCx<'_>,
    f: &Fields<'_>,
    yaml_text: &str,
    parse: fn(&str) -> Option<S>,
    names: &[&str],
) -> Vec<StatusUpdate<S>> {
    let mut out = Vec::new();
    for (index, (path, v)) in f.items("updates").into_iter().enumerate() {
        let Some(u) = cx.fields(v, &path, UPDATE_KEYS) else {
            continue;
        };
        let id = u.string("id");
        if let Some(id) = &id {
            check_id(cx, &format!("{path}.id"), id);
        }
        let at = u.required_when("at");
        let status = u.required_choice("status", parse, names);
        let body = u.required_markdown("body", "What is happening and what users should do.");
        let visibility = u.audience("visibility");
        let embargo_until = u.time("embargo_until");
        let point = u.point("");
        let next_update = u.time("next_update");
        let source = Provenance {
            channel: u.string("channel"),
            url: u.web_url("url"),
            author: u.string("author"),
            visibility: u.audience("source_visibility"),
        };
        let components = u.component_states("components", false).1;
        let progress = progress(cx, &u);
        let references = references(cx, &u);
        u.finish();
        let body_origin = scalar_origin(
            yaml_text,
            cx.yaml_line,
            cx.locations.value(&format!("{path}.body")),
            body.as_deref().unwrap_or(""),
        );
        if let (Some((at, at_precision)), Some(status), Some(body)) = (at, status, body) {
            out.push(StatusUpdate {
                id,
                at,
                at_precision,
                status,
                body,
                body_origin,
                visibility,
                embargo_until,
                point,
                next_update,
                source,
                components,
                progress,
                references,
                index,
            });
        }
    }
    out
}

fn incident(cx: &FileCx<'_>, f: &Fields<'_>, yaml_text: &str) -> Option<Incident> {
    let severity = f.required_choice("severity", IncidentSeverity::parse, IncidentSeverity::NAMES);
    let impact = f.required_choice("impact", Impact::parse, Impact::NAMES);
    let started = f.required_when("started_at");
    let incident_type = f.string("type");
    let (components, states) = f.component_states("components", true);
    let ([detected_at, acknowledged_at, contained_at, fix_deployed_at, resolved_at], mut precision) =
        whens(f, ["detected_at", "acknowledged_at", "contained_at", "fix_deployed_at", "resolved_at"]);
    let runbooks = f.strings("runbooks");
    let postmortem = f.string("postmortem");
    let postmortem_url = f.web_url("postmortem_url");
    let chain = f.string("chain");
    let halted_at = f.point("halted_at_");
    let resumed_at = f.point("resumed_at_");
    let backfilled = f.bool("backfilled").unwrap_or(false);
    let references = references(cx, f);
    let updates = updates(cx, f, yaml_text, IncidentStatus::parse, IncidentStatus::NAMES);
    let (started_at, started_precision) = started?;
    if started_precision != Precision::Exact {
        precision.0.insert("started_at", started_precision);
    }
    Some(Incident {
        meta: placeholder(),
        incident_type,
        severity: severity?,
        impact: impact?,
        components,
        component_states: states.into_iter().collect(),
        chain,
        started_at,
        detected_at,
        acknowledged_at,
        contained_at,
        fix_deployed_at,
        resolved_at,
        runbooks,
        postmortem,
        halted_at,
        resumed_at,
        postmortem_url,
        references,
        precision,
        backfilled,
        updates,
    })
}

fn postmortem(cx: &FileCx<'_>, f: &Fields<'_>, _yaml_text: &str) -> Option<Postmortem> {
    let status = f.required_choice("status", PostmortemStatus::parse, PostmortemStatus::NAMES);
    let mut action_items = Vec::new();
    for (path, v) in f.items("action_items") {
        let Some(a) = cx.fields(v, &path, ACTION_KEYS) else {
            continue;
        };
        let title = a.required_string("title", "Alert when finality lags 3 epochs");
        let owner = a.string("owner");
        let due = a.date("due");
        let item_status = a.choice("status", ActionStatus::parse, ActionStatus::NAMES).unwrap_or(ActionStatus::Open);
        let runbook = a.string("runbook");
        a.finish();
        if let Some(title) = title {
            action_items.push(ActionItem { title, owner, due, status: item_status, runbook });
        }
    }
    let ([published_at], precision) = whens(f, ["published_at"]);
    Some(Postmortem {
        meta: placeholder(),
        incidents: f.strings("incidents"),
        authors: f.strings("authors"),
        reviewers: f.strings("reviewers"),
        published_at,
        status: status?,
        action_items,
        external_url: f.web_url("external_url"),
        required_sections: f.get("required_sections").map(|_| f.strings("required_sections")),
        references: references(cx, f),
        precision,
    })
}

fn runbook(f: &Fields<'_>) -> Option<Runbook> {
    Some(Runbook {
        meta: placeholder(),
        incident_types: f.strings("incident_types"),
        components: f.strings("components"),
        owners: f.strings("owners"),
        last_reviewed: f.date("last_reviewed"),
        review_every: f.span("review_every"),
    })
}

fn matrix(cx: &FileCx<'_>, f: &Fields<'_>) -> Option<Matrix> {
    let mut rows = Vec::new();
    for (path, v) in f.items("rows") {
        let Some(r) = cx.fields(v, &path, ROW_KEYS) else {
            continue;
        };
        let id = r.required_string("id", "consensus-halt");
        let incident = r.required_string("incident", "Consensus halt or finality stall");
        let row = MatrixRow {
            id: String::new(),
            incident: String::new(),
            severity: r.choice("severity", IncidentSeverity::parse, IncidentSeverity::NAMES),
            responsible: r.string("responsible"),
            approvals: r.strings("approvals"),
            respond_within: r.span("respond_within"),
            disclose_within: r.span("disclose_within"),
            notify: r.strings("notify"),
            runbooks: r.strings("runbooks"),
        };
        r.finish();
        if let (Some(id), Some(incident)) = (id, incident) {
            check_id(cx, &format!("{path}.id"), &id);
            rows.push(MatrixRow { id, incident, ..row });
        }
    }
    Some(Matrix { meta: placeholder(), rows })
}

fn maintenance(cx: &FileCx<'_>, f: &Fields<'_>, yaml_text: &str) -> Option<Maintenance> {
    let scheduled_for = f.required_time("scheduled_for");
    let scheduled_until = f.required_time("scheduled_until");
    let status = f.required_choice("status", MaintenanceStatus::parse, MaintenanceStatus::NAMES);
    let components = f.strings("components");
    let halt = f.point("halt_");
    let resumed_at = f.point("resumed_at_");
    let chain = f.string("chain");
    let ([started_at, ended_at], precision) = whens(f, ["started_at", "ended_at"]);
    let references = references(cx, f);
    let updates = updates(cx, f, yaml_text, MaintenanceStatus::parse, MaintenanceStatus::NAMES);
    Some(Maintenance {
        meta: placeholder(),
        components,
        scheduled_for: scheduled_for?,
        scheduled_until: scheduled_until?,
        status: status?,
        halt,
        resumed_at,
        chain,
        started_at,
        ended_at,
        precision,
        references,
        updates,
    })
}
