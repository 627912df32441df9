//! The pre-parse scan against libyaml's own tokenizer, on random texts and on the example.

use super::*;
use std::mem::MaybeUninit;
use unsafe_libyaml as unsafe_yaml;

/// What libyaml's own tokenizer reaches on `text`: deepest flow nesting, deepest nesting in
/// all, aliases, and whether it got to the end without an error.
fn libyaml(text: &str) -> (usize, usize, usize, bool) {
    let (mut flow, mut block, mut max_flow, mut max_depth, mut aliases) = (0usize, 0usize, 0, 0, 0);
    let mut complete = false;
    // SAFETY: the parser and token are initialised by libyaml before use and freed after;
    // `text` outlives the parser.
    unsafe {
        let mut parser = MaybeUninit::<unsafe_yaml::yaml_parser_t>::uninit();
        assert!(unsafe_yaml::yaml_parser_initialize(parser.as_mut_ptr()).ok);
        let parser = parser.as_mut_ptr();
        unsafe_yaml::yaml_parser_set_input_string(parser, text.as_ptr(), text.len() as u64);
        loop {
            let mut token = MaybeUninit::<unsafe_yaml::yaml_token_t>::uninit();
            if unsafe_yaml::yaml_parser_scan(parser, token.as_mut_ptr()).fail {
                break;
            }
            let token = token.as_mut_ptr();
            let kind = (*token).type_;
            unsafe_yaml::yaml_token_delete(token);
            match kind {
                unsafe_yaml::YAML_STREAM_END_TOKEN => {
                    complete = true;
                    break;
                }
                unsafe_yaml::YAML_FLOW_SEQUENCE_START_TOKEN | unsafe_yaml::YAML_FLOW_MAPPING_START_TOKEN => flow += 1,
                unsafe_yaml::YAML_FLOW_SEQUENCE_END_TOKEN | unsafe_yaml::YAML_FLOW_MAPPING_END_TOKEN => {
                    flow = flow.saturating_sub(1)
                }
                unsafe_yaml::YAML_BLOCK_SEQUENCE_START_TOKEN | unsafe_yaml::YAML_BLOCK_MAPPING_START_TOKEN => {
                    block += 1
                }
                unsafe_yaml::YAML_BLOCK_END_TOKEN => block = block.saturating_sub(1),
                unsafe_yaml::YAML_ALIAS_TOKEN => aliases += 1,
                _ => {}
            }
            max_flow = max_flow.max(flow);
            max_depth = max_depth.max(flow + block);
        }
        unsafe_yaml::yaml_parser_delete(parser);
    }
    (max_flow, max_depth, aliases, complete)
}

#[rustfmt::skip]
const PIECES: &[&str] = &[
    "[", "]", "{", "}", ",", ":", ": ", "- ", "-", "? ", "?", "\n", "\n  ", "\n    ", "\n ", " ", "  ", "\t",
    "#", " #c", "\"", "'", "''", "\\", "\\\"", "a", "b", "b: ", "k:", "|", "|-", "|2", "|+1", ">", "*a",
    "&a ", "!t ", "!<x> ", "\n---", "\n...", "\r\n", "\r", "\u{2028}", "\u{85}", "x y", "\n%", "é", ":x",
    "-x", "\u{feff}", "\n      ", "- - ", "  - ", "a:\n  b:", "[a, b]: c", ":\t", "\t", "? [", "\\\n", "x:y",
    "'a'", "\"a\":", "-\t", "\n- ", "\n  -", "|\n  ", ">-\n   ",
];

/// A small deterministic generator (xorshift), so a failure can be replayed from its seed.
fn pieces(seed: u64, count: usize) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = String::new();
    for _ in 0..count {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
    }
    out
}

#[test]
fn the_scan_never_sees_less_than_libyaml() {
    let mut compared = 0;
    for seed in 0..80_000u64 {
        let text = pieces(seed, 4 + (seed % 60) as usize);
        let (flow, depth, aliases, complete) = libyaml(&text);
        let shape = scan(&text, usize::MAX);
        assert!(shape.max_flow >= flow, "seed {seed}: flow {} < {flow} in {text:?}", shape.max_flow);
        assert!(shape.max_depth >= depth, "seed {seed}: depth {} < {depth} in {text:?}", shape.max_depth);
        assert!(shape.aliases.len() >= aliases, "seed {seed}: aliases in {text:?}");
        if complete {
            compared += 1;
            assert_eq!(
                (shape.max_flow, shape.max_depth, shape.aliases.len()),
                (flow, depth, aliases),
                "seed {seed}: {text:?}"
            );
        }
    }
    assert!(compared > 5_000, "only {compared} texts were valid to the end");
}

#[test]
fn real_documents_scan_like_libyaml() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in walkdir::WalkDir::new(root.join("content")).into_iter().filter_map(Result::ok) {
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        let yaml = match crate::load::yaml::split_front_matter(&text) {
            Ok(fm) => fm.yaml.to_string(),
            Err(_) => text,
        };
        let (flow, depth, aliases, complete) = libyaml(&yaml);
        assert!(complete, "{}", entry.path().display());
        let shape = scan(&yaml, usize::MAX);
        assert_eq!((shape.max_flow, shape.max_depth, shape.aliases.len()), (flow, depth, aliases));
    }
}
