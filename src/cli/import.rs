//! `cairn import statuspage SOURCE... [--into DIR]`: a Statuspage page (its URL, or the v2 API
//! files saved from it) as a knowledge base that `cairn check` accepts. Running it again
//! rewrites what it wrote (found by the old addresses it keeps as aliases) without duplicating.

use super::{EXIT_PROBLEMS, EXIT_USAGE};
use crate::import::statuspage;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub from: From,
}

#[derive(clap::Subcommand)]
pub enum From {
    /// Import a Statuspage page: its URL (https://status.example.com) or saved API files
    /// (summary.json, incidents.json, scheduled-maintenances.json, components.json)
    Statuspage(StatuspageArgs),
}

#[derive(clap::Args)]
pub struct StatuspageArgs {
    /// Files of the Statuspage v2 API, or page URLs (their api/v2 files are fetched)
    #[arg(required = true)]
    pub sources: Vec<String>,
    /// The knowledge base to write into (created when missing)
    #[arg(long, default_value = ".")]
    pub into: PathBuf,
}

/// The API files a page URL is read from.
const API_FILES: &[&str] = &["summary.json", "incidents.json", "scheduled-maintenances.json", "components.json"];

pub fn run(args: ImportArgs) -> ExitCode {
    let From::Statuspage(args) = args.from;
    let mut sources = Vec::new();
    for source in &args.sources {
        let read = if source.starts_with("http://") || source.starts_with("https://") {
            fetch_page(source)
        } else {
            read_file(Path::new(source)).map(|v| vec![(source.clone(), v)])
        };
        match read {
            Ok(list) => sources.extend(list),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    let existing = imported(&args.into);
    let import = match statuspage::convert(&sources, &existing) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    for file in &import.files {
        let path = args.into.join(&file.path);
        // The site's configuration is the user's once written: an import into an existing
        // knowledge base keeps it.
        if file.path == "cairn.yaml" && path.exists() {
            continue;
        }
        let write = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| {
            if std::fs::read_to_string(&path).is_ok_and(|old| old == file.text) {
                return Ok(());
            }
            std::fs::write(&path, &file.text)
        });
        if let Err(e) = write {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(EXIT_PROBLEMS);
        }
    }
    let c = &import.counts;
    println!(
        "imported {} components, {} incidents ({} post-mortems), {} maintenance windows into {}",
        c.components,
        c.incidents,
        c.postmortems,
        c.maintenance,
        args.into.display()
    );
    for note in &import.notes {
        println!("note: {note}");
    }
    println!("next: cairn check --root {}", args.into.display());
    ExitCode::SUCCESS
}

fn read_file(path: &Path) -> Result<serde_json::Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{}:{}:{}: not JSON: {e} (save the file as the Statuspage API serves it)",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// The API files of a page. `summary.json` must be there; the others are read when served.
fn fetch_page(url: &str) -> Result<Vec<(String, serde_json::Value)>, String> {
    let base = url.trim_end_matches('/');
    let base = base.strip_suffix("/api/v2").unwrap_or(base);
    let mut out = Vec::new();
    for (i, file) in API_FILES.iter().enumerate() {
        let address = format!("{base}/api/v2/{file}");
        match get_json(&address) {
            Ok(v) => out.push((address, v)),
            Err(e) if i == 0 => return Err(format!("{address}: {e}")),
            Err(e) => eprintln!("warning: {address}: {e}; going on without it"),
        }
    }
    Ok(out)
}

fn get_json(address: &str) -> Result<serde_json::Value, String> {
    let mut response = ureq::get(address).call().map_err(|e| e.to_string())?;
    let body = response.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}"))
}

/// What an earlier import wrote into `root`: Statuspage id → file, from the `/incidents/<id>`
/// aliases of incidents and maintenance windows.
fn imported(root: &Path) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for dir in ["incidents", "maintenance"] {
        let Ok(entries) = std::fs::read_dir(root.join("content").join(dir)) else { continue };
        let mut names: Vec<String> =
            entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.ends_with(".md")).collect();
        names.sort();
        for name in names {
            let Ok(text) = std::fs::read_to_string(root.join("content").join(dir).join(&name)) else { continue };
            for line in text.lines().take(2000) {
                if let Some(id) = line.trim().strip_prefix("- /incidents/") {
                    out.entry(id.trim().to_string()).or_insert_with(|| format!("content/{dir}/{name}"));
                }
            }
        }
    }
    out
}
