//! A linear pre-scan of YAML text that mirrors the tokenizer of libyaml (the parser behind
//! serde_yaml 0.9) closely enough to know, before parsing, how deep the text nests and where it
//! uses aliases: libyaml's scanner is quadratic in the depth of flow collections (`[[[[…`), and
//! one alias can stand for megabytes. Swap this module with the parser.
//!
//! The scan follows libyaml token by token: flow level, the stack of block indentations, the
//! possible simple key of each flow level, and the rules by which plain, quoted and block scalars
//! end. Where libyaml would stop with an error, the scan goes on one character further: anything
//! after libyaml's first error costs libyaml nothing, so over-reporting there is harmless, while
//! under-reporting before it is what the scan must never do (tests compare it with libyaml).

/// What a scan found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// The deepest nesting reached (block collections plus flow collections), and the byte offset
    /// of the first token that went deeper than the `limit` passed to [`scan`].
    pub max_depth: usize,
    pub too_deep_at: Option<usize>,
    /// The deepest flow nesting reached (`[` and `{`).
    pub max_flow: usize,
    /// Byte offsets of the aliases (`*name`).
    pub aliases: Vec<usize>,
}

/// A simple key libyaml may still turn into a mapping key: where it started.
#[derive(Clone, Copy)]
struct Key {
    column: usize,
    line: usize,
    index: usize,
    /// The deepest flow nesting inside the key so far (a flow collection can be a key, and
    /// then sits inside the block mapping it opens).
    inner: usize,
}

struct Scanner<'a> {
    s: &'a [u8],
    i: usize,
    column: usize,
    line: usize,
    flow: usize,
    /// Columns of the open block collections (libyaml's `indents` plus `indent`).
    indents: Vec<usize>,
    /// The possible simple key of each flow level (`flow + 1` entries).
    keys: Vec<Option<Key>>,
    simple_key_allowed: bool,
    limit: usize,
    shape: Shape,
}

/// Scans `yaml`, recording the first place nesting exceeds `limit` and every alias.
pub fn scan(yaml: &str, limit: usize) -> Shape {
    let mut s = Scanner {
        s: yaml.as_bytes(),
        i: 0,
        column: 0,
        line: 0,
        flow: 0,
        indents: Vec::new(),
        keys: vec![None],
        simple_key_allowed: true,
        limit,
        shape: Shape::default(),
    };
    // The reader drops a byte order mark at the start of the stream without counting a column.
    if yaml.starts_with('\u{feff}') {
        s.i = 3;
    }
    s.run();
    s.shape
}

impl Scanner<'_> {
    fn at(&self, k: usize) -> u8 {
        self.s.get(self.i + k).copied().unwrap_or(0)
    }

    fn eof(&self) -> bool {
        self.i >= self.s.len()
    }

    /// Length of the line break at `i + k` (CR LF, CR, LF, NEL, LS, PS), or 0.
    fn break_len(&self, k: usize) -> usize {
        let j = self.i + k;
        match self.s.get(j..).unwrap_or_default() {
            [b'\r', b'\n', ..] => 2,
            [b'\r' | b'\n', ..] => 1,
            [0xC2, 0x85, ..] => 2,
            [0xE2, 0x80, 0xA8 | 0xA9, ..] => 3,
            _ => 0,
        }
    }

    fn is_break(&self, k: usize) -> bool {
        self.break_len(k) > 0
    }

    fn is_blank(&self, k: usize) -> bool {
        matches!(self.at(k), b' ' | b'\t')
    }

    fn is_blankz(&self, k: usize) -> bool {
        self.i + k >= self.s.len() || self.is_blank(k) || self.is_break(k) || self.at(k) == 0
    }

    /// One character forward (a line break counts as one, and starts a line).
    fn advance(&mut self) {
        let len = self.break_len(0);
        if len > 0 {
            self.i += len;
            self.line += 1;
            self.column = 0;
            return;
        }
        let lead = self.at(0);
        let width = match lead {
            0..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        self.i = (self.i + width).min(self.s.len());
        self.column += 1;
    }

    fn indent(&self) -> isize {
        self.indents.last().map_or(-1, |c| *c as isize)
    }

    /// Records a nesting of `depth` reached by the token at byte `at`.
    fn depth_check(&mut self, depth: usize, at: usize) {
        self.shape.max_depth = self.shape.max_depth.max(depth);
        if depth > self.limit && self.shape.too_deep_at.is_none() {
            self.shape.too_deep_at = Some(at);
        }
    }

    /// A block collection opening at `column` (for the token at byte `at`), whose key nested
    /// `inner` flow levels deep.
    fn roll_indent(&mut self, column: usize, at: usize, inner: usize) {
        if self.flow == 0 && self.indent() < column as isize {
            self.indents.push(column);
            self.depth_check(self.indents.len() + inner, at);
        }
    }

    fn unroll_indent(&mut self, column: isize) {
        if self.flow == 0 {
            while self.indent() > column {
                self.indents.pop();
            }
        }
    }

    fn save_key(&mut self) {
        if self.simple_key_allowed
            && let Some(slot) = self.keys.last_mut()
        {
            *slot = Some(Key { column: self.column, line: self.line, index: self.i, inner: 0 });
        }
    }

    fn remove_key(&mut self) {
        if let Some(slot) = self.keys.last_mut() {
            *slot = None;
        }
    }

    fn run(&mut self) {
        loop {
            self.skip_to_next_token();
            if self.eof() {
                return;
            }
            self.unroll_indent(self.column as isize);
            self.token();
        }
    }

    /// libyaml's `scan_to_next_token`: spaces, tabs where allowed, comments and line breaks.
    fn skip_to_next_token(&mut self) {
        loop {
            if self.column == 0 && self.s.get(self.i..self.i + 3) == Some("\u{feff}".as_bytes()) {
                self.advance();
            }
            while self.at(0) == b' ' || ((self.flow > 0 || !self.simple_key_allowed) && self.at(0) == b'\t') {
                self.advance();
            }
            if self.at(0) == b'#' {
                while !self.eof() && !self.is_break(0) {
                    self.advance();
                }
            }
            if self.eof() || !self.is_break(0) {
                return;
            }
            self.advance();
            if self.flow == 0 {
                self.simple_key_allowed = true;
            }
        }
    }

    fn document_marker(&self) -> bool {
        self.column == 0
            && (self.s.get(self.i..self.i + 3) == Some(b"---") || self.s.get(self.i..self.i + 3) == Some(b"..."))
            && self.is_blankz(3)
    }

    /// One token, as libyaml's `fetch_next_token` would take it.
    fn token(&mut self) {
        let c = self.at(0);
        if self.column == 0 && c == b'%' {
            self.unroll_indent(-1);
            self.remove_key();
            self.simple_key_allowed = false;
            while !self.eof() && !self.is_break(0) {
                self.advance();
            }
            return;
        }
        if self.document_marker() {
            self.unroll_indent(-1);
            self.remove_key();
            self.simple_key_allowed = false;
            (0..3).for_each(|_| self.advance());
            return;
        }
        match c {
            b'[' | b'{' => {
                self.save_key();
                self.keys.push(None);
                self.flow += 1;
                self.shape.max_flow = self.shape.max_flow.max(self.flow);
                if let Some(Some(key)) = self.keys.first_mut() {
                    key.inner = key.inner.max(self.flow);
                }
                self.depth_check(self.indents.len() + self.flow, self.i);
                self.simple_key_allowed = true;
                self.advance();
            }
            b']' | b'}' => {
                self.remove_key();
                if self.flow > 0 {
                    self.flow -= 1;
                    self.keys.pop();
                }
                self.simple_key_allowed = false;
                self.advance();
            }
            b',' => {
                self.remove_key();
                self.simple_key_allowed = true;
                self.advance();
            }
            b'-' if self.is_blankz(1) => {
                self.roll_indent(self.column, self.i, 0);
                self.remove_key();
                self.simple_key_allowed = true;
                self.advance();
            }
            b'?' if self.flow > 0 || self.is_blankz(1) => {
                self.roll_indent(self.column, self.i, 0);
                self.remove_key();
                self.simple_key_allowed = self.flow == 0;
                self.advance();
            }
            b':' if self.flow > 0 || self.is_blankz(1) => self.value(),
            b'*' | b'&' => {
                if c == b'*' {
                    self.shape.aliases.push(self.i);
                }
                self.save_key();
                self.simple_key_allowed = false;
                self.advance();
                while self.at(0).is_ascii_alphanumeric() || matches!(self.at(0), b'_' | b'-') {
                    self.advance();
                }
            }
            b'!' => {
                self.save_key();
                self.simple_key_allowed = false;
                self.tag();
            }
            b'|' | b'>' if self.flow == 0 => {
                self.remove_key();
                self.simple_key_allowed = true;
                self.block_scalar();
            }
            b'\'' | b'"' => {
                self.save_key();
                self.simple_key_allowed = false;
                self.quoted(c);
            }
            _ if self.starts_plain() => {
                self.save_key();
                self.simple_key_allowed = false;
                self.plain();
            }
            // libyaml stops here with an error; nothing after it costs libyaml anything.
            _ => self.advance(),
        }
    }

    /// `:` as a value indicator: the possible simple key before it becomes a mapping key.
    fn value(&mut self) {
        let key = self.keys.last().copied().flatten();
        let fresh = key.filter(|k| k.line == self.line && k.index + 1024 >= self.i);
        if let Some(k) = fresh {
            self.roll_indent(k.column, k.index, k.inner);
            self.remove_key();
            self.simple_key_allowed = false;
        } else {
            if self.flow == 0 {
                self.roll_indent(self.column, self.i, 0);
            }
            self.simple_key_allowed = self.flow == 0;
        }
        self.advance();
    }

    /// Whether a plain scalar may start here (libyaml's test before `fetch_plain_scalar`).
    fn starts_plain(&self) -> bool {
        let c = self.at(0);
        let indicator = b"-?:,[]{}#&*!|>'\"%@`".contains(&c);
        !(self.is_blankz(0) || indicator)
            || (c == b'-' && !self.is_blank(1))
            || (self.flow == 0 && matches!(c, b'?' | b':') && !self.is_blankz(1))
    }

    fn tag(&mut self) {
        self.advance();
        let verbatim = self.at(0) == b'<';
        loop {
            let c = self.at(0);
            let uri = c.is_ascii_alphanumeric() || b"-_;/?:@&=+$.%!~*'()".contains(&c);
            if self.eof() || !(uri || (verbatim && matches!(c, b',' | b'[' | b']' | b'<'))) {
                break;
            }
            self.advance();
        }
        if verbatim && self.at(0) == b'>' {
            self.advance();
        }
    }

    fn quoted(&mut self, quote: u8) {
        self.advance();
        loop {
            if self.document_marker() || self.eof() {
                return;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                if quote == b'\'' && c == b'\'' && self.at(1) == b'\'' {
                    self.advance();
                    self.advance();
                } else if c == quote {
                    self.advance();
                    return;
                } else if quote == b'"' && c == b'\\' && self.is_break(1) {
                    self.advance();
                    self.advance();
                    break;
                } else if quote == b'"' && c == b'\\' {
                    self.advance();
                    self.advance();
                } else {
                    self.advance();
                }
            }
            while !self.eof() && (self.is_blank(0) || self.is_break(0)) {
                self.advance();
            }
        }
    }

    fn plain(&mut self) {
        let indent = self.indent() + 1;
        let mut leading_blanks = false;
        loop {
            if self.document_marker() || self.at(0) == b'#' {
                break;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                if self.flow > 0 && c == b':' && matches!(self.at(1), b',' | b'?' | b'[' | b']' | b'{' | b'}') {
                    return;
                }
                if (c == b':' && self.is_blankz(1)) || (self.flow > 0 && matches!(c, b',' | b'[' | b']' | b'{' | b'}'))
                {
                    break;
                }
                leading_blanks = false;
                self.advance();
            }
            if self.eof() || !(self.is_blank(0) || self.is_break(0)) {
                break;
            }
            while !self.eof() && (self.is_blank(0) || self.is_break(0)) {
                if self.is_blank(0) {
                    if leading_blanks && (self.column as isize) < indent && self.at(0) == b'\t' {
                        return;
                    }
                    self.advance();
                } else {
                    self.advance();
                    leading_blanks = true;
                }
            }
            if self.flow == 0 && (self.column as isize) < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
    }

    fn block_scalar(&mut self) {
        self.advance();
        let mut increment = 0;
        if matches!(self.at(0), b'+' | b'-') {
            self.advance();
            if self.at(0).is_ascii_digit() {
                increment = usize::from(self.at(0) - b'0');
                self.advance();
            }
        } else if self.at(0).is_ascii_digit() {
            increment = usize::from(self.at(0) - b'0');
            self.advance();
            if matches!(self.at(0), b'+' | b'-') {
                self.advance();
            }
        }
        while self.is_blank(0) {
            self.advance();
        }
        if self.at(0) == b'#' {
            while !self.eof() && !self.is_break(0) {
                self.advance();
            }
        }
        if !self.eof() && !self.is_break(0) {
            return;
        }
        if !self.eof() {
            self.advance();
        }
        let parent = self.indent();
        let mut indent: usize = match increment {
            0 => 0,
            n if parent >= 0 => parent as usize + n,
            n => n,
        };
        let mut max_indent = 0;
        if !self.block_breaks(&mut indent, &mut max_indent) {
            return;
        }
        if indent == 0 {
            indent = max_indent.max((parent + 1).max(1) as usize);
        }
        while self.column == indent && !self.eof() {
            while !self.eof() && !self.is_break(0) {
                self.advance();
            }
            if self.eof() {
                return;
            }
            self.advance();
            if !self.block_breaks(&mut indent, &mut max_indent) {
                return;
            }
        }
    }

    /// libyaml's `scan_block_scalar_breaks`: indentation and empty lines; `false` where libyaml
    /// stops with an error (a tab in the indentation).
    fn block_breaks(&mut self, indent: &mut usize, max_indent: &mut usize) -> bool {
        loop {
            while (*indent == 0 || self.column < *indent) && self.at(0) == b' ' {
                self.advance();
            }
            *max_indent = (*max_indent).max(self.column);
            if (*indent == 0 || self.column < *indent) && self.at(0) == b'\t' {
                return false;
            }
            if self.eof() || !self.is_break(0) {
                return true;
            }
            self.advance();
        }
    }
}

#[cfg(test)]
mod tests;
