//! `cairn init DIR`: scaffold a new knowledge base that builds as it is, one document of each
//! kind, ready to edit. The theme stays embedded in the binary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct InitArgs {
    /// Folder to create (it may exist, but must not hold a cairn.yaml)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

const FILES: &[(&str, &str)] = &[
    ("cairn.yaml", include_str!("scaffold/cairn.yaml")),
    ("content/components.yaml", include_str!("scaffold/content/components.yaml")),
    ("content/_index.md", include_str!("scaffold/content/_index.md")),
    ("content/subscribe.md", include_str!("scaffold/content/subscribe.md")),
    (
        "content/incidents/2026-01-10-rpc-latency.md",
        include_str!("scaffold/content/incidents/2026-01-10-rpc-latency.md"),
    ),
    (
        "content/postmortems/2026-01-10-rpc-latency.md",
        include_str!("scaffold/content/postmortems/2026-01-10-rpc-latency.md"),
    ),
    ("content/runbooks/rpc-degradation.md", include_str!("scaffold/content/runbooks/rpc-degradation.md")),
    ("content/matrices/who-decides.yaml", include_str!("scaffold/content/matrices/who-decides.yaml")),
    (
        "content/maintenance/2026-02-01-rpc-upgrade.md",
        include_str!("scaffold/content/maintenance/2026-02-01-rpc-upgrade.md"),
    ),
    (".gitignore", "public-*/\n.public*\n.cairn/\n"),
];

/// Writes the scaffold into `dir`; refuses to touch an existing knowledge base.
pub fn scaffold(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if dir.join("cairn.yaml").exists() {
        return Err(format!("{} already holds a cairn.yaml; nothing was written", dir.display()));
    }
    let mut written = Vec::new();
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

pub fn run(args: InitArgs) -> ExitCode {
    match scaffold(&args.dir) {
        Ok(files) => {
            for f in &files {
                println!("created {}", f.display());
            }
            println!("\nNext: cairn build --root {0}   (then open {0}/public/index.html)", args.dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}
