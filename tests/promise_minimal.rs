//! The failures the property test (`promise.rs`) found on the code it was written against, each
//! reduced by hand to a minimal repo, so that whoever fixes the core can see each one pass on its
//! own: blocks in update bodies, ways the line scanner misjudges a fence, markers in containers,
//! rows and components of hidden documents named by public ones, a marker line in indented code
//! cut away, valid input refused, a carriage return in an iCalendar line, update ids and group
//! positions that count hidden material; and, on the code after trust-edits, the blank lines a cut
//! block leaves in an update's markdown (status API, calendar) and in a code block a list item left
//! open (pages, search index).

#[path = "common/blackbox.rs"]
mod blackbox;

use blackbox::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// What a minimal case must show about the public build.
enum Expect {
    /// This token must appear nowhere in the public build or its index; `may_refuse` when the
    /// docs make the input an error.
    Hidden { token: &'static str, may_refuse: bool },
    /// This token must appear in the public build (text the public may see).
    Shown(&'static str),
    /// The public build must succeed and every iCalendar line end with CRLF, with no bare CR/LF.
    CleanCalendar,
    /// The public build must be byte-identical to that of the same repo with `file` replaced.
    SameWithout { file: &'static str, text: String },
}

/// A minimal repo: files (besides a plain `cairn.yaml` and one public component) and their text.
type MiniRepo<'a> = Vec<(&'a str, String)>;

const MINI_CONFIG: &str =
    "title: Min\nbase_url: https://status.example.org\naudiences: [public, operators, internal]\n";
const MINI_COMPONENTS: &str = "components:\n  - id: api\n    name: API\n    visibility: public\n";

fn mini_incident(body: &str, front: &str) -> String {
    format!(
        "---\ntitle: Public incident\nseverity: sev2\nimpact: minor\ncomponents: [api]\nvisibility: public\n\
         started_at: 2026-11-20T08:00:00Z\n{front}---\n{body}\n"
    )
}

fn mini_build(files: &[(&str, String)], dir: &Path) -> (Run, BTreeMap<String, Vec<u8>>) {
    let mut all: BTreeMap<String, String> = [
        ("cairn.yaml".to_string(), MINI_CONFIG.to_string()),
        ("content/components.yaml".into(), MINI_COMPONENTS.into()),
    ]
    .into_iter()
    .collect();
    all.extend(files.iter().map(|(p, t)| (p.to_string(), t.clone())));
    write_repo(&dir.join("repo"), &all);
    let run = build(&dir.join("repo"), "public", &dir.join("out"), NOW);
    let files = if run.ok() { tree(&dir.join("out")) } else { BTreeMap::new() };
    (run, files)
}

#[test]
fn minimal_cases_keep_the_promise() {
    let incident = "content/incidents/2026-11-20-x.md";
    let block = |before: &str, token: &str| mini_incident(&format!("{before}\n\n:::internal\n{token}\n:::"), "");
    let update_block = |status: &str, token: &str| {
        format!(
            "updates:\n  - at: 2026-11-20T08:10:00Z\n    status: {status}\n    \
             body: \"Public text.\\n\\n:::internal\\n{token}\\n:::\\n\"\n"
        )
    };
    let maintenance = |title: &str, front: &str| {
        format!(
            "---\ntitle: \"{title}\"\ncomponents: [api]\nscheduled_for: 2026-12-03T15:30:00Z\n\
             scheduled_until: 2026-12-03T16:30:00Z\nstatus: scheduled\nvisibility: public\n{front}---\nBody.\n"
        )
    };
    let update_with = |body: &str| {
        format!("updates:\n  - at: 2026-11-20T08:10:00Z\n    status: investigating\n    body: \"{body}\"\n")
    };
    let sections =
        "## Impact\n\nx\n\n## Timeline\n\nx\n\n## Root cause\n\nx\n\n## Resolution\n\nx\n\n## Action items\n\nx\n";
    let hidden_update = "updates:\n  - at: 2026-11-20T08:05:00Z\n    status: investigating\n    visibility: internal\n    \
                         body: Hidden.\n  - at: 2026-11-20T08:10:00Z\n    status: investigating\n    body: Public.\n";
    let public_update = "updates:\n  - at: 2026-11-20T08:10:00Z\n    status: investigating\n    body: Public.\n";
    let two_groups = "groups:\n  - id: secret\n    name: Secret group\n  - id: pub\n    name: Public group\ncomponents:\n  \
                      - id: signer\n    name: Signer\n    group: secret\n    visibility: internal\n  - id: api\n    \
                      name: API\n    group: pub\n    visibility: public\n";
    let one_group = "groups:\n  - id: pub\n    name: Public group\ncomponents:\n  - id: api\n    name: API\n    \
                     group: pub\n    visibility: public\n";
    let hidden = |token| Expect::Hidden { token, may_refuse: false };
    let cases: Vec<(&str, MiniRepo, Expect)> = vec![
        (
            "an internal block in a public incident update",
            vec![(incident, mini_incident("Body.", &update_block("investigating", "zqupdate0001")))],
            hidden("zqupdate0001"),
        ),
        (
            "an internal block in a public maintenance update",
            vec![(
                "content/maintenance/2026-12-03-m.md",
                maintenance("Upgrade", &update_block("scheduled", "zqmaint00002")),
            )],
            hidden("zqmaint00002"),
        ),
        (
            "a link to an internal runbook in an internal block of a public update (valid input builds)",
            vec![
                ("content/runbooks/r.md", "---\ntitle: R\nvisibility: internal\n---\nSteps.\n".into()),
                (
                    incident,
                    mini_incident(
                        "Body zqshown00018.",
                        "updates:\n  - at: 2026-11-20T08:10:00Z\n    status: investigating\n    \
                         body: \"Public.\\n\\n:::internal\\nSee [the runbook](@/runbooks/r.md).\\n:::\\n\"\n",
                    ),
                ),
            ],
            Expect::Shown("zqshown00018"),
        ),
        (
            "a block after a fence indented four spaces",
            vec![(incident, block("Intro.\n\n    ```", "zqindent0003"))],
            hidden("zqindent0003"),
        ),
        (
            "a block after ```x status``` done",
            vec![(incident, block("```x status``` done", "zqinline0004"))],
            hidden("zqinline0004"),
        ),
        (
            "a block after a non-breaking space and a fence",
            vec![(incident, block("\u{a0}```", "zqnbspf00005"))],
            hidden("zqnbspf00005"),
        ),
        (
            "a block after an unclosed fence in a list item",
            vec![(incident, block("- item\n\n  ```\n  code", "zqlistf00006"))],
            hidden("zqlistf00006"),
        ),
        (
            "a block after an HTML block holding a fence",
            vec![(incident, block("<div>\n```\n</div>", "zqhtmlf00007"))],
            hidden("zqhtmlf00007"),
        ),
        (
            "a block after a longer fence holding a shorter one",
            vec![(incident, block("````md\n```\n````", "zqlongf00008"))],
            hidden("zqlongf00008"),
        ),
        (
            "a block in a blockquote",
            vec![(incident, mini_incident("> quote\n>\n> :::internal\n> zqquote00009\n> :::", ""))],
            Expect::Hidden { token: "zqquote00009", may_refuse: true },
        ),
        (
            "a block in a table cell",
            vec![(
                incident,
                mini_incident("| a | b |\n| --- | --- |\n| :::internal | x |\n| zqcell000010 | y |\n| ::: | z |", ""),
            )],
            Expect::Hidden { token: "zqcell000010", may_refuse: true },
        ),
        (
            "a public incident typed with a row of an internal matrix",
            vec![
                (
                    "content/matrices/m.yaml",
                    "title: M\nvisibility: internal\nrows:\n  - id: zqrow0000011\n    incident: Halt\n".into(),
                ),
                (incident, mini_incident("Body.", "type: zqrow0000011\n")),
            ],
            hidden("zqrow0000011"),
        ),
        (
            "a public runbook naming an internal component",
            vec![
                (
                    "content/components.yaml",
                    format!("{MINI_COMPONENTS}  - id: zqcomp000012\n    name: Signer\n    visibility: internal\n"),
                ),
                (
                    "content/runbooks/r.md",
                    "---\ntitle: R\ncomponents: [api, zqcomp000012]\nvisibility: public\n---\nSteps.\n".into(),
                ),
            ],
            hidden("zqcomp000012"),
        ),
        (
            "an indented code block holding a marker line (not a block: the docs say so)",
            vec![(incident, mini_incident("Intro.\n\n    :::internal\n    zqcode000013\n    :::", ""))],
            Expect::Shown("zqcode000013"),
        ),
        (
            "a post-mortem whose summary holds a longer fence (valid input builds)",
            vec![(
                "content/postmortems/pm.md",
                format!(
                    "---\ntitle: PM zqpmok000014\nincidents: []\nstatus: published\nauthors: [a]\nreviewers: [b]\n\
                     published_at: 2026-11-24T10:00:00Z\nvisibility: public\n---\n## Summary\n\n````md\n```\n````\n\n{sections}"
                ),
            )],
            Expect::Shown("zqpmok000014"),
        ),
        (
            "a carriage return in a maintenance title",
            vec![("content/maintenance/2026-12-03-m.md", maintenance("Upgrade\\rATTACH:https://evil.example/x", ""))],
            Expect::CleanCalendar,
        ),
        (
            "an internal update before a public one (update ids)",
            vec![(incident, mini_incident("Body.", hidden_update))],
            Expect::SameWithout { file: incident, text: String::new() },
        ),
        (
            "a group with internal components only (group positions)",
            vec![("content/components.yaml", two_groups.into())],
            Expect::SameWithout { file: "content/components.yaml", text: one_group.into() },
        ),
        (
            "an internal block in a public update leaves no trace in the update's markdown (API, calendar)",
            vec![(
                incident,
                mini_incident("Body.", &update_with("Public.\\n\\n:::internal\\nHidden.\\nMore.\\n:::\\n\\nAfter.")),
            )],
            Expect::SameWithout { file: incident, text: mini_incident("Body.", &update_with("Public.\\n\\nAfter.")) },
        ),
        (
            "an internal block right after a kept block ending in a blank line leaves no trace (API)",
            vec![(
                incident,
                mini_incident(
                    "Body.",
                    &update_with(
                        "Public.\\n\\n:::public\\nShown.\\n\\n:::\\n\\n:::internal\\nHidden.\\n:::\\n\\nAfter.",
                    ),
                ),
            )],
            Expect::SameWithout {
                file: incident,
                text: mini_incident("Body.", &update_with("Public.\\n\\n:::public\\nShown.\\n\\n:::\\n\\nAfter.")),
            },
        ),
        (
            "a cut block leaves no blank lines in a code block a list item left open",
            vec![(
                incident,
                mini_incident("- item\n\n  ```\n  code\n\n:::internal\nHidden.\nMore.\n:::\n\nAfter.", ""),
            )],
            Expect::SameWithout { file: incident, text: mini_incident("- item\n\n  ```\n  code\n\nAfter.", "") },
        ),
    ];
    let mut failures = Vec::new();
    for (name, files, expect) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (run, out) = mini_build(&files, dir.path());
        let texts = |out: &BTreeMap<String, Vec<u8>>, token: &str| -> Vec<String> {
            let index: HashMap<&str, usize> = [(token, 0)].into_iter().collect();
            let mut paths = Vec::new();
            for (path, bytes) in out {
                let mut found = BTreeSet::new();
                for t in decoded_texts(path, bytes).unwrap_or_else(|_| vec![String::from_utf8_lossy(bytes).into()]) {
                    find_canaries(&t, &index, &mut found);
                }
                if !found.is_empty() {
                    paths.push(path.clone());
                }
            }
            paths
        };
        match expect {
            Expect::Hidden { token, may_refuse } => {
                if !run.ok() {
                    if !may_refuse {
                        failures.push(format!("{name}: refused, but the input is valid:\n{}", run.stderr));
                    }
                    continue;
                }
                let mut leaks = texts(&out, token);
                let index = index_texts(&index_dir(&dir.path().join("repo"), "public")).unwrap_or_default();
                if index.iter().any(|t| t.contains(token)) {
                    leaks.push(".cairn/index/public".into());
                }
                if !leaks.is_empty() {
                    failures.push(format!("{name}: {token} leaks into {}", leaks.join(", ")));
                }
            }
            Expect::Shown(token) => {
                if !run.ok() {
                    failures.push(format!("{name}: refused, but the input is valid:\n{}", run.stderr));
                } else if texts(&out, token).is_empty() {
                    failures.push(format!("{name}: {token}, which the public may see, is missing"));
                }
            }
            Expect::CleanCalendar => {
                let ics = out.get("calendar/maintenance.ics").map(|b| String::from_utf8_lossy(b).into_owned());
                match ics {
                    None => failures.push(format!("{name}: no calendar ({})", run.stderr)),
                    Some(ics) => {
                        let broken: Vec<&str> = ics.split("\r\n").filter(|l| l.contains(['\r', '\n'])).collect();
                        if !broken.is_empty() {
                            failures.push(format!("{name}: iCalendar lines broken by the title: {broken:?}"));
                        }
                    }
                }
            }
            Expect::SameWithout { file, text } => {
                let other = tempfile::tempdir().unwrap();
                let replaced: Vec<(&str, String)> = files
                    .iter()
                    .map(|(p, t)| {
                        if *p != file {
                            (*p, t.clone())
                        } else if text.is_empty() {
                            (*p, mini_incident("Body.", public_update))
                        } else {
                            (*p, text.clone())
                        }
                    })
                    .collect();
                let (run2, out2) = mini_build(&replaced, other.path());
                if !run.ok() || !run2.ok() {
                    failures.push(format!("{name}: a build failed:\n{}{}", run.stderr, run2.stderr));
                    continue;
                }
                let differences = tree_differences(&out, &out2);
                if !differences.is_empty() {
                    failures.push(format!(
                        "{name}: the public build depends on hidden material:\n  {}",
                        differences.iter().take(4).cloned().collect::<Vec<_>>().join("\n  ")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of the minimal cases fail:\n\n{}", failures.len(), failures.join("\n\n"));
}
