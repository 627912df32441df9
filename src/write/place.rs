//! Where an output may go: never onto, into or around an input, never onto a file. Checked on
//! canonical paths before anything is created or moved, because the swap moves the whole output
//! aside and a later build deletes what it moved.

use std::path::{Component, Path, PathBuf};

/// The output `output` as a canonical absolute path, or why a build must not write there.
///
/// Refused: an output that is the root, contains it (an ancestor), or is or sits inside one of
/// `inputs` (names below the root, such as `content` or `.git`); and an existing path that is
/// not a folder. The longest existing prefix of each path is canonicalized (symbolic links
/// resolved) and the rest appended, so that two spellings of one folder compare equal and an
/// output reached through a link into the sources is refused too.
///
/// Links are refused where a contributor could have committed them (see [`links`]): the output
/// itself, its lock, staging and previous-output siblings, and any folder on the way to it that
/// sits inside the repository.
pub fn check(root: &Path, output: &Path, inputs: &[&str]) -> Result<PathBuf, String> {
    let canonical_output =
        canonical(output).map_err(|e| format!("cannot resolve the output {}: {e}", output.display()))?;
    let canonical_root = canonical(root).map_err(|e| format!("cannot resolve the root {}: {e}", root.display()))?;
    links(&canonical_root, output, &canonical_output)?;
    let shown_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let refuse = |what: String| {
        Err(format!(
            "refusing to build into {}: {what}; choose an output folder outside the sources, such as {}",
            output.display(),
            shown_root.join("public").display()
        ))
    };
    if canonical_root.starts_with(&canonical_output) {
        let how = if canonical_root == canonical_output { "it is" } else { "it contains" };
        return refuse(format!("{how} the root of the knowledge base {}", shown_root.display()));
    }
    for input in inputs {
        let input_path = canonical_root.join(input);
        let input_path = canonical(&input_path).unwrap_or(input_path);
        if canonical_output.starts_with(&input_path) {
            let how = if canonical_output == input_path { "it is" } else { "it is inside" };
            return refuse(format!("{how} the input {}", shown_root.join(input).display()));
        }
        // An input reached through a link from elsewhere could sit inside the output.
        if input_path.starts_with(&canonical_output) {
            return refuse(format!("it contains the input {}", shown_root.join(input).display()));
        }
    }
    match std::fs::metadata(&canonical_output) {
        Ok(meta) if !meta.is_dir() => {
            Err(format!("refusing to build into {}: it exists and is not a folder", output.display()))
        }
        _ => Ok(canonical_output),
    }
}

/// Refuses the links a build would otherwise write or delete through, before anything is made:
///
/// - a link on the way to the output whose own place is inside the repository (`public ->
///   /elsewhere` committed at the root, or `site/` committed as a link when the output is
///   `site/public`): contributors write the repository, and the site, its lock and the
///   previous output would land wherever they point. Links outside the repository, in the
///   folders the operator typed (`--output /srv/www/public` with `/srv/www` a link), are the
///   operator's choice and followed;
/// - the output itself being a link, wherever it is: the swap would replace the link and move
///   it aside, and a later build would clear what it points at;
/// - a link at `.<name>.lock`, `.<name>.prev` or `.<name>.staging-*` beside the output: cairn
///   opens, truncates, renames and deletes those.
///
/// `canonical_root` and `canonical_output` are [`canonical`]; `output` is as typed.
fn links(canonical_root: &Path, output: &Path, canonical_output: &Path) -> Result<(), String> {
    let refuse = |link: &Path, what: &str| {
        let target = std::fs::read_link(link).map(|t| format!(" (to {})", t.display())).unwrap_or_default();
        Err(format!(
            "refusing to build into {}: {} is a symbolic link{target}{what}; cairn never writes, moves or deletes \
             through a link. Remove the symlink (`rm {}`), or choose another output with --output",
            output.display(),
            link.display(),
            link.display()
        ))
    };
    let absolute = std::path::absolute(output).map_err(|e| format!("cannot resolve {}: {e}", output.display()))?;
    // Walk the path as the system resolves it, noting each link and where it sits.
    let mut real = PathBuf::new();
    let parts: Vec<Component> = absolute.components().collect();
    for (i, part) in parts.iter().enumerate() {
        match part {
            Component::Prefix(_) | Component::RootDir => real.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                real.pop();
            }
            Component::Normal(name) => {
                let next = real.join(name);
                match std::fs::symlink_metadata(&next) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        if i + 1 == parts.len() {
                            return refuse(&next, ", and it is the output itself");
                        }
                        if real.starts_with(canonical_root) {
                            return refuse(&next, " committed inside the repository");
                        }
                        real = next.canonicalize().map_err(|e| format!("cannot resolve {}: {e}", next.display()))?;
                    }
                    Ok(_) => real = next,
                    // Nothing further exists: nothing further is a link.
                    Err(_) => break,
                }
            }
        }
    }
    let siblings = [super::sibling(canonical_output, "lock"), super::sibling(canonical_output, "prev")];
    let staging = super::sibling(canonical_output, "staging-");
    let leftovers = staging
        .parent()
        .zip(staging.file_name())
        .and_then(|(dir, prefix)| {
            let prefix = prefix.to_string_lossy().into_owned();
            let found = std::fs::read_dir(dir).ok()?;
            Some(
                found
                    .filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                    .map(|e| e.path())
                    .collect::<Vec<_>>(),
            )
        })
        .unwrap_or_default();
    for sibling in siblings.iter().chain(&leftovers) {
        if std::fs::symlink_metadata(sibling).is_ok_and(|m| m.file_type().is_symlink()) {
            return refuse(sibling, " beside the output, where cairn keeps its lock and previous output");
        }
    }
    Ok(())
}

/// `path` made absolute with its longest existing prefix canonicalized and the rest appended,
/// `..` in the rest taken lexically (the prefix is canonical, so its parent is the real one).
fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let parts: Vec<Component> = absolute.components().collect();
    let mut last_error = None;
    for existing in (1..=parts.len()).rev() {
        match parts[..existing].iter().collect::<PathBuf>().canonicalize() {
            Ok(mut out) => {
                for part in &parts[existing..] {
                    match part {
                        Component::ParentDir => {
                            out.pop();
                        }
                        Component::Normal(name) => out.push(name),
                        Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
                    }
                }
                return Ok(out);
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("empty path")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUTS: [&str; 4] = ["cairn.yaml", "content", ".git", ".cairn"];

    #[test]
    fn outputs_around_or_inside_inputs_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("kb");
        std::fs::create_dir_all(root.join("content/incidents")).unwrap();
        std::fs::write(root.join("cairn.yaml"), "").unwrap();
        std::fs::write(tmp.path().join("file"), "").unwrap();
        for bad in [
            root.clone(),
            root.join("."),
            tmp.path().to_path_buf(),
            root.join("content"),
            root.join("content/incidents"),
            root.join("content/new/deeper"),
            root.join("public/../content"),
            root.join("cairn.yaml"),
            root.join(".git"),
            root.join(".cairn/x"),
            tmp.path().join("file"),
        ] {
            let refused = check(&root, &bad, &INPUTS).expect_err(&bad.display().to_string());
            assert!(refused.contains(&bad.display().to_string()), "{refused}");
        }
        for good in
            [root.join("public"), root.join("public-internal/"), tmp.path().join("site"), root.join("x/../public")]
        {
            let placed = check(&root, &good, &INPUTS).unwrap();
            assert!(placed.is_absolute() && !placed.starts_with(root.join("content")), "{}", placed.display());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_into_the_sources_is_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("kb");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::os::unix::fs::symlink(root.join("content"), tmp.path().join("link")).unwrap();
        assert!(check(&root, &tmp.path().join("link/site"), &INPUTS).is_err());
        assert_eq!(
            check(&root, &tmp.path().join("out/a/../b"), &INPUTS).unwrap(),
            tmp.path().canonicalize().unwrap().join("out/b")
        );
    }
}
