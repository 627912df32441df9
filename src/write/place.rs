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
pub fn check(root: &Path, output: &Path, inputs: &[&str]) -> Result<PathBuf, String> {
    let canonical_output =
        canonical(output).map_err(|e| format!("cannot resolve the output {}: {e}", output.display()))?;
    let canonical_root = canonical(root).map_err(|e| format!("cannot resolve the root {}: {e}", root.display()))?;
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
