//! Where a build's time goes, stage by stage, for `cairn build --timings`. Stages can run at
//! the same time (the search index is built beside the pages), so each keeps its start and end.

use std::sync::Mutex;
use std::time::Instant;

/// One stage of a build: seconds from the start of the build.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub name: &'static str,
    pub start: f64,
    pub end: f64,
}

/// Records stages as they run; shared by the threads of a build.
pub struct Clock {
    started: Instant,
    stages: Mutex<Vec<Stage>>,
}

impl Clock {
    pub fn new(started: Instant) -> Clock {
        Clock { started, stages: Mutex::new(Vec::new()) }
    }

    /// Runs `f` as the stage `name`.
    pub fn time<T>(&self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = self.started.elapsed().as_secs_f64();
        let out = f();
        let end = self.started.elapsed().as_secs_f64();
        if let Ok(mut stages) = self.stages.lock() {
            stages.push(Stage { name, start, end });
        }
        out
    }

    /// The stages recorded, by start time.
    pub fn stages(self) -> Vec<Stage> {
        let mut stages = self.stages.into_inner().unwrap_or_default();
        stages.sort_by(|a, b| a.start.total_cmp(&b.start));
        stages
    }
}

/// The stages as a table: start, end and length in seconds, and a bar on a 40-column timeline.
pub fn table(stages: &[Stage], total: f64) -> String {
    let scale = 40.0 / total.max(f64::EPSILON);
    let mut out = String::from("stage                 start     end  length  timeline\n");
    for s in stages {
        let from = (s.start * scale).round() as usize;
        let to = ((s.end * scale).round() as usize).max(from + 1).min(40);
        out.push_str(&format!(
            "{:<20} {:>6.2} {:>7.2} {:>7.2}  {}{}\n",
            s.name,
            s.start,
            s.end,
            s.end - s.start,
            " ".repeat(from.min(39)),
            "█".repeat(to.saturating_sub(from.min(39)))
        ));
    }
    out.push_str(&format!("{:<20} {:>6.2} {:>7.2} {:>7.2}\n", "total", 0.0, total, total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_listed_by_start_with_their_length() {
        let clock = Clock::new(Instant::now());
        let n = clock.time("first", || 2 + 2);
        assert_eq!(n, 4);
        clock.time("second", || std::thread::sleep(std::time::Duration::from_millis(5)));
        let stages = clock.stages();
        assert_eq!(stages.iter().map(|s| s.name).collect::<Vec<_>>(), ["first", "second"]);
        assert!(stages[1].end - stages[1].start >= 0.005);
        let text = table(&stages, stages[1].end);
        assert!(text.lines().nth(2).unwrap().starts_with("second"), "{text}");
        assert!(text.lines().last().unwrap().starts_with("total"), "{text}");
    }
}
