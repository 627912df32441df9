//! Renderings made by earlier builds, kept by blob, path and audience (`.cairn/history/`), so
//! that a build renders, and reads from git, only the revisions it never saw. A rendering that
//! depends on the build's time (an embargo the public audience waits for) is kept with that
//! time and used again only at the same time.

use super::revisions::Rendering;
use std::collections::HashMap;
use std::sync::Mutex;

/// One kept rendering: `None` when the audience does not see that revision.
#[derive(Debug, Clone)]
struct Kept {
    /// The build time it was made at, when it depends on it.
    now: Option<i64>,
    rendering: Option<Rendering>,
}

/// Renderings by key (see [`Renderings::key`]), and those added by this build.
#[derive(Debug, Default)]
pub struct Renderings {
    kept: HashMap<String, Kept>,
    added: Mutex<Vec<(String, Kept)>>,
}

/// What a cache file starts with; a file without it is ignored.
const MAGIC: &[u8] = b"cairn-renderings-1\n";

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.bytes(n)?.to_vec()).ok()
    }
}

impl Renderings {
    /// The key of the rendering of blob `blob` at path `rel` for `audience`.
    pub fn key(blob: &str, rel: &str, audience: usize) -> String {
        format!("{blob} {audience} {rel}")
    }

    /// Reads a cache file's bytes; anything unreadable is an empty cache.
    pub fn decode(bytes: &[u8]) -> Renderings {
        let mut kept = HashMap::new();
        let Some(body) = bytes.strip_prefix(MAGIC) else { return Renderings::default() };
        let mut r = Reader(body);
        let one = |r: &mut Reader<'_>| -> Option<(String, Kept)> {
            let key = r.string()?;
            let now = r.i64()?;
            let parts = r.u32()?;
            let rendering = if parts == u32::MAX {
                None
            } else {
                let mut list = Vec::with_capacity(parts as usize);
                for _ in 0..parts {
                    list.push((r.string()?, r.string()?));
                }
                Some(Rendering::from_parts(list))
            };
            Some((key, Kept { now: (now != i64::MIN).then_some(now), rendering }))
        };
        while !r.0.is_empty() {
            match one(&mut r) {
                Some((key, k)) => {
                    kept.insert(key, k);
                }
                None => return Renderings::default(),
            }
        }
        Renderings { kept, added: Mutex::new(Vec::new()) }
    }

    /// The cache with this build's renderings added, as bytes; `None` when nothing was added.
    pub fn encode(self) -> Option<Vec<u8>> {
        let added = self.added.into_inner().unwrap_or_default();
        if added.is_empty() {
            return None;
        }
        let mut kept = self.kept;
        kept.extend(added);
        let mut keys: Vec<&String> = kept.keys().collect();
        keys.sort();
        let mut out = MAGIC.to_vec();
        for key in keys {
            let k = &kept[key];
            put_str(&mut out, key);
            out.extend_from_slice(&k.now.unwrap_or(i64::MIN).to_le_bytes());
            match &k.rendering {
                None => out.extend_from_slice(&u32::MAX.to_le_bytes()),
                Some(r) => {
                    out.extend_from_slice(&(r.parts().len() as u32).to_le_bytes());
                    for (name, text) in r.parts() {
                        put_str(&mut out, name);
                        put_str(&mut out, text);
                    }
                }
            }
        }
        Some(out)
    }

    /// The kept rendering for `key` made at `now` (or at any time, when it does not depend on
    /// it); `None` when there is none.
    pub fn get(&self, key: &str, now: i64) -> Option<Option<Rendering>> {
        let k = self.kept.get(key)?;
        k.now.is_none_or(|t| t == now).then(|| k.rendering.clone())
    }

    /// Whether `key` is kept for a build at `now`.
    pub fn has(&self, key: &str, now: i64) -> bool {
        self.kept.get(key).is_some_and(|k| k.now.is_none_or(|t| t == now))
    }

    /// Keeps a rendering made by this build; `timed` when it depends on `now`.
    pub fn put(&self, key: String, timed: bool, now: i64, rendering: Option<Rendering>) {
        if let Ok(mut added) = self.added.lock() {
            added.push((key, Kept { now: timed.then_some(now), rendering }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderings_read_back_and_timed_ones_only_at_their_time() {
        let cache = Renderings::default();
        let r = Rendering::from_parts(vec![("title".into(), "# T\n".into()), ("body".into(), "\nBody ü\n".into())]);
        cache.put(Renderings::key("b1", "incidents/x.md", 0), false, 5, Some(r.clone()));
        cache.put(Renderings::key("b2", "incidents/x.md", 0), true, 5, None);
        let back = Renderings::decode(&cache.encode().unwrap());
        assert_eq!(back.get(&Renderings::key("b1", "incidents/x.md", 0), 99), Some(Some(r)));
        assert_eq!(back.get(&Renderings::key("b2", "incidents/x.md", 0), 5), Some(None));
        assert_eq!(back.get(&Renderings::key("b2", "incidents/x.md", 0), 6), None);
        assert!(!back.has(&Renderings::key("b1", "incidents/x.md", 1), 5));
        assert!(Renderings::decode(b"garbage").kept.is_empty());
        assert!(Renderings::default().encode().is_none());
    }
}
