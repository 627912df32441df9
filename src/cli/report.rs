//! Printing diagnostics for people (`human`), programs (`json`) and pull requests (`github`).

use super::Format;
use crate::diagnostics::{Diagnostic, Severity, counts};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn print(diagnostics: &[Diagnostic], format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Human => {
            // Messages quote what the user wrote: escape sequences in it must not reach the terminal.
            for d in diagnostics {
                writeln!(out, "{}", crate::text::terminal_safe(&d.to_string()))?;
            }
            let (errors, warnings) = counts(diagnostics);
            if errors + warnings > 0 {
                writeln!(out, "{errors} error{}, {warnings} warning{}", plural(errors), plural(warnings))?;
            }
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, diagnostics)?;
            writeln!(out)?;
        }
        Format::Github => {
            for d in diagnostics {
                let level = if d.severity == Severity::Error { "error" } else { "warning" };
                let mut message = d.message.clone();
                if let Some(h) = &d.help {
                    message.push('\n');
                    message.push_str(h);
                }
                writeln!(
                    out,
                    "::{level} file={},line={},col={},title={}::{}",
                    escape_property(&d.file),
                    d.line,
                    d.column,
                    escape_property(d.code),
                    escape_data(&message)
                )?;
            }
        }
    }
    Ok(())
}

/// The folder of the knowledge base at `root` relative to the top of the git repository it is
/// in (found as git finds it: the nearest folder above with a `.git`), when it is below it.
fn below_repository(root: &Path) -> Option<PathBuf> {
    let root = std::fs::canonicalize(root).ok()?;
    let top = root.ancestors().find(|dir| dir.join(".git").exists())?;
    let below = root.strip_prefix(top).ok()?;
    (!below.as_os_str().is_empty()).then(|| below.to_path_buf())
}

/// Makes the files of `diagnostics` relative to the top of the git repository holding the
/// knowledge base at `root` instead of to `root`: pull-request annotations name files as the
/// diff does, from the repository's top, also when the knowledge base lives in a subfolder.
pub fn from_repository_top(diagnostics: &mut [Diagnostic], root: &Path) {
    let Some(below) = below_repository(root) else { return };
    let prefix = crate::diagnostics::display_path(&below);
    for d in diagnostics.iter_mut().filter(|d| !d.file.starts_with('<')) {
        d.file = format!("{prefix}/{}", d.file);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Escaping of workflow-command messages, as the runner expects; other control characters
/// (escape sequences the log viewer would interpret) are made visible.
fn escape_data(s: &str) -> String {
    crate::text::terminal_safe(&s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")).into_owned()
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Pos;

    #[test]
    fn github_annotations_escape_properties() {
        let d =
            Diagnostic::error(Path::new("content/a,b.md"), Pos::new(2, 3), "broken-link", "50% gone").with_help("fix");
        let mut out = Vec::new();
        print(&[d], Format::Github, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::error file=content/a%2Cb.md,line=2,col=3,title=broken-link::50%25 gone%0Afix\n"
        );
    }
}
