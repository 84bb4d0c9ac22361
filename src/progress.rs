//! Workshop progress: which exercises a learner has solved, saved in the browser and exported
//! or imported as a small JSON file.
//!
//! Pure data and validation (tested natively); the page does the storage and the file dialogs.
//! A file that is not ours, from a newer format, or damaged is refused with a message and
//! changes nothing. Marks for exercises this build no longer ships (renamed or removed) are left
//! out and named, and every other mark is kept: an upgrade of the exercise list never costs a
//! learner the marks that still apply.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FORMAT: &str = "alb-lab/progress";
pub const VERSION: u32 = 1;
/// Progress files are tiny; anything larger is not one.
pub const MAX_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Solved {
    /// How many hint tiers the learner opened before solving.
    #[serde(default)]
    pub hints_used: u32,
    /// Whether the worked solution was used.
    #[serde(default)]
    pub used_solution: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub format: String,
    pub version: u32,
    #[serde(default)]
    pub solved: BTreeMap<String, Solved>,
}

/// A read progress file: the marks this build knows, and the ids it left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub progress: Progress,
    pub left_out: Vec<String>,
}

impl Imported {
    /// What the page says after an import.
    pub fn summary(&self) -> String {
        let n = self.progress.solved.len();
        let mut out = format!("Imported progress for {n} exercise{}.", if n == 1 { "" } else { "s" });
        if !self.left_out.is_empty() {
            let names: Vec<String> = self.left_out.iter().take(5).map(|id| format!("{id:?}")).collect();
            let more = if self.left_out.len() > 5 { format!(" and {} more", self.left_out.len() - 5) } else { String::new() };
            out.push_str(&format!(
                " Left out {}{more}: this ALB Lab no longer has {}.",
                names.join(", "),
                if self.left_out.len() == 1 { "that exercise" } else { "those exercises" }
            ));
        }
        out
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress { format: FORMAT.into(), version: VERSION, solved: BTreeMap::new() }
    }
}

impl Progress {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parse a progress file. Marks for ids not in `known_ids` are left out and listed.
    pub fn from_json(text: &str, known_ids: &[&str]) -> Result<Imported, String> {
        if text.len() > MAX_BYTES {
            return Err(format!("This file is {} KB; an ALB Lab progress file is a few KB at most.", text.len() / 1024));
        }
        // First only the header, so a foreign file gets a message about what it is.
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u64>,
        }
        let header: Header = serde_json::from_str(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => "This JSON file is not ALB Lab progress.".to_string(),
            _ => format!("This is not a JSON file (line {}, column {}).", e.line(), e.column()),
        })?;
        match header.format.as_deref() {
            Some(FORMAT) => {}
            Some(other) => return Err(format!("This file is a {other:?} file, not ALB Lab progress.")),
            None => return Err("This JSON file is not ALB Lab progress: it has no \"format\": \"alb-lab/progress\".".into()),
        }
        match header.version {
            Some(v) if v == VERSION as u64 => {}
            Some(v) => return Err(format!("This progress file is version {v}; this ALB Lab reads version {VERSION}.")),
            None => return Err("version: missing".into()),
        }
        let mut progress: Progress =
            crate::sim::json::read(text).map_err(|e| format!("This progress file is damaged: {}", e.in_words()))?;
        let left_out: Vec<String> = progress.solved.keys().filter(|id| !known_ids.contains(&id.as_str())).cloned().collect();
        progress.solved.retain(|id, _| known_ids.contains(&id.as_str()));
        Ok(Imported { progress, left_out })
    }

    /// Read what this browser saved earlier, by the same rules as an import; anything unreadable
    /// starts afresh rather than stopping the page.
    pub fn from_storage(text: &str, known_ids: &[&str]) -> Progress {
        Progress::from_json(text, known_ids).map(|i| i.progress).unwrap_or_default()
    }

    /// Take in imported marks: each exercise keeps the better of the two records.
    pub fn merge(&mut self, other: &Progress) {
        for (id, s) in &other.solved {
            self.record(id, s.hints_used, s.used_solution);
        }
    }

    pub fn is_solved(&self, id: &str) -> bool {
        self.solved.contains_key(id)
    }

    /// Record a solve; a later solve with fewer hints keeps the better record.
    pub fn record(&mut self, id: &str, hints_used: u32, used_solution: bool) {
        let entry = self.solved.entry(id.to_string()).or_insert(Solved { hints_used, used_solution });
        if hints_used < entry.hints_used || (!used_solution && entry.used_solution) {
            *entry = Solved { hints_used, used_solution };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: &[&str] = &["a", "b"];

    #[test]
    fn round_trips() {
        let mut p = Progress::default();
        p.record("a", 2, false);
        let back = Progress::from_json(&p.to_json(), IDS).unwrap().progress;
        assert_eq!(back, p);
        assert!(back.is_solved("a") && !back.is_solved("b"));
    }

    #[test]
    fn stored_progress_keeps_what_it_can() {
        let text = "{\"format\":\"alb-lab/progress\",\"version\":1,\"solved\":{\"a\":{},\"renamed\":{}}}";
        let p = Progress::from_storage(text, IDS);
        assert!(p.is_solved("a") && !p.is_solved("renamed"));
        assert_eq!(Progress::from_storage("garbage", IDS), Progress::default());
    }

    #[test]
    fn marks_for_exercises_that_are_gone_are_left_out_and_named_and_the_rest_kept() {
        let text = "{\"format\":\"alb-lab/progress\",\"version\":1,\"solved\":{\"a\":{\"hints_used\":1},\"zzz\":{}}}";
        let imported = Progress::from_json(text, IDS).unwrap();
        assert!(imported.progress.is_solved("a") && !imported.progress.is_solved("zzz"));
        assert_eq!(imported.left_out, vec!["zzz".to_string()]);
        assert_eq!(imported.summary(), "Imported progress for 1 exercise. Left out \"zzz\": this ALB Lab no longer has that exercise.");
        // Importing adds to what the browser has, keeping the better record.
        let mut mine = Progress::default();
        mine.record("b", 0, false);
        mine.record("a", 0, false);
        mine.merge(&imported.progress);
        assert!(mine.is_solved("b"));
        assert_eq!(mine.solved["a"], Solved { hints_used: 0, used_solution: false });
    }

    #[test]
    fn keeps_the_better_record() {
        let mut p = Progress::default();
        p.record("a", 3, true);
        p.record("a", 1, false);
        assert_eq!(p.solved["a"], Solved { hints_used: 1, used_solution: false });
        p.record("a", 3, true);
        assert_eq!(p.solved["a"], Solved { hints_used: 1, used_solution: false });
    }

    #[test]
    fn refuses_foreign_or_bad_files_with_a_reason() {
        let cases = [
            ("not json", "not a JSON file"),
            ("{\"name\":\"x\"}", "no \"format\""),
            ("{\"format\":\"alb-lab/scenario\",\"version\":1}", "not ALB Lab progress"),
            ("{\"format\":\"alb-lab/progress\",\"version\":9}", "version 9"),
            (
                "{\"format\":\"alb-lab/progress\",\"version\":1,\"solved\":{\"a\":{\"hints_used\":\"x\"}}}",
                "damaged: hints used must be a whole number 0-4294967295, got text \"x\"",
            ),
            ("{\"format\":\"alb-lab/progress\",\"version\":1,\"extra\":1}", "damaged: extra is not a field ALB Lab knows here"),
        ];
        for (text, needle) in cases {
            let err = Progress::from_json(text, IDS).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
        assert!(Progress::from_json(&"x".repeat(MAX_BYTES + 1), IDS).unwrap_err().contains("KB"));
    }
}
