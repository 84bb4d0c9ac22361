//! Share links: the whole page state in the URL fragment, versioned and compressed.
//!
//! `#v1.<base64url(deflate(JSON))>`. The JSON is [`SharedState`]: every field has a default, so
//! a link made before a field existed still opens after the format grows (tests/share.rs keeps
//! a stored v1 link). Decoding is defensive: the fragment's length, the compressed size and the
//! inflated size are all bounded, and the scenario inside goes through the same validation as a
//! scenario file. A bad fragment gives an error that says what is wrong; it never panics and
//! its text is only ever shown as text.

use crate::sim::scenario::{Scenario, ScenarioError, ScenarioErrors, ValidScenario};
use crate::sim::timeline::{clock, Recorded, MAX_LINK_MOMENT_MS, MAX_RECORDED};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const PREFIX: &str = "v1.";
/// The speeds the page offers (a link may carry any from 0.1 to 60).
pub const SPEEDS: [f64; 7] = [0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0];
/// Longest fragment accepted: above the link of the largest valid setup (`tests/round_trip.rs`
/// measures it), below the 2 MB that Chromium allows in a URL.
pub const MAX_FRAGMENT_CHARS: usize = 1024 * 1024;
/// Largest JSON a link may inflate to, so a small "zip bomb" cannot exhaust memory; the same as a
/// scenario file, so any valid setup fits.
pub const MAX_INFLATED_BYTES: usize = crate::sim::scenario::MAX_FILE_BYTES;

/// What a link carries. Fields only ever get added, each with a default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SharedState {
    /// The setup with every changed knob. `None`: the default scenario (or the exercise's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Scenario>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Sim speed, 0.1-60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// The open settings section: client, alb-sg, listener, target-group, task-sg,
    /// task-definition, service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<String>,
    /// An exercise id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_sandbox: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_paused: bool,
    /// A link to a moment: the changes made since the run began, with their sim times. The
    /// scenario is then the one the run began with, and the page replays the run to `at_ms`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Recorded>,
    /// The moment (sim ms) a link opens at, replayed from the start (at most
    /// [`MAX_LINK_MOMENT_MS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ShareError {
    NotALink,
    NewerVersion(String),
    TooLong,
    BadEncoding,
    BadCompression,
    /// The state is not JSON of the right shape; the error names the field.
    BadJson(ScenarioError),
    BadScenario(ScenarioErrors),
    BadValue(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotALink => f.write_str("the part after # is not an ALB Lab state (it should start with #v1.)"),
            ShareError::NewerVersion(v) => write!(f, "the link was made by a newer ALB Lab (state format {v}); this one reads v1"),
            ShareError::TooLong => write!(f, "the link's state is longer than {} KB", MAX_FRAGMENT_CHARS / 1024),
            ShareError::BadEncoding => f.write_str("the link's state is damaged (not valid base64url); was it cut short when copied?"),
            ShareError::BadCompression => {
                f.write_str("the link's state is damaged (it does not decompress); was it cut short when copied?")
            }
            ShareError::BadJson(e) if e.field.is_empty() => write!(f, "the link's state {}", e.message),
            ShareError::BadJson(e) => write!(f, "in the link's state, {}", e.in_words().trim_end_matches('.')),
            ShareError::BadScenario(e) => write!(f, "the setup in the link is invalid: {e}"),
            ShareError::BadValue(e) => write!(f, "the link has a bad value: {e}"),
        }
    }
}

impl std::error::Error for ShareError {}

/// Sentences joined as prose: each ends with its own mark (a "?" keeps its place; a period is
/// added only where none is), so "…cut short when copied?" is not followed by a stray ".".
pub fn sentences(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| if p.ends_with(['.', '?', '!']) { p.to_string() } else { format!("{p}.") })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Encode a state as a URL fragment (without the `#`).
pub fn encode(state: &SharedState) -> String {
    let json = serde_json::to_vec(state).unwrap_or_default();
    let compressed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(compressed))
}

/// A decoded link: the state, and its scenario validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub state: SharedState,
    pub scenario: Option<ValidScenario>,
}

/// Decode a fragment (with or without the leading `#`).
pub fn decode(fragment: &str) -> Result<Decoded, ShareError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_FRAGMENT_CHARS {
        return Err(ShareError::TooLong);
    }
    let Some(payload) = fragment.strip_prefix(PREFIX) else {
        return match fragment.split_once('.') {
            Some((v, _)) if v.len() <= 4 && v.starts_with('v') && v[1..].bytes().all(|b| b.is_ascii_digit()) && v != "v1" => {
                Err(ShareError::NewerVersion(v.to_string()))
            }
            _ => Err(ShareError::NotALink),
        };
    };
    let compressed = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| ShareError::BadEncoding)?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_INFLATED_BYTES).map_err(|_| ShareError::BadCompression)?;
    // from_str, not from_slice: every other JSON in the page is read from a str, and a second
    // reader type would compile all the scenario's deserialization code twice into the wasm.
    let json = std::str::from_utf8(&json)
        .map_err(|_| ShareError::BadJson(ScenarioError { field: String::new(), message: "is not UTF-8 text".into(), knob: None }))?;
    let state: SharedState = crate::sim::json::read(json).map_err(ShareError::BadJson)?;
    if let Some(speed) = state.speed {
        if !(speed.is_finite() && (0.1..=60.0).contains(&speed)) {
            return Err(ShareError::BadValue(format!("speed must be 0.1-60, got {speed}")));
        }
    }
    if let Some(sel) = &state.selected {
        if !crate::sim::exercise::KNOB_GROUPS.contains(&sel.as_str()) {
            return Err(ShareError::BadValue(format!("selected must be one of {}", crate::sim::exercise::KNOB_GROUPS.join(", "))));
        }
    }
    if let Some(id) = &state.exercise {
        if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(ShareError::BadValue("exercise must be an exercise id".into()));
        }
    }
    if let Some(at_ms) = state.at_ms {
        if at_ms > MAX_LINK_MOMENT_MS {
            return Err(ShareError::BadValue(format!(
                "the moment {} is past the {} a link can replay",
                clock(at_ms),
                clock(MAX_LINK_MOMENT_MS)
            )));
        }
    } else if !state.history.is_empty() {
        return Err(ShareError::BadValue("the link has a history of changes but no moment to open at".into()));
    }
    if state.history.len() > MAX_RECORDED {
        return Err(ShareError::BadValue(format!(
            "the link's history has {} changes; at most {MAX_RECORDED} are read",
            state.history.len()
        )));
    }
    if state.at_ms.is_some() && state.scenario.is_none() {
        return Err(ShareError::BadValue("the link has a moment but not the setup its run began with".into()));
    }
    let at_ms = state.at_ms.unwrap_or(0);
    let mut last = 0;
    for (i, step) in state.history.iter().enumerate() {
        if step.at_ms < last {
            return Err(ShareError::BadValue(format!(
                "change {} of the link's history, at {}, comes before the change listed ahead of it, at {}",
                i + 1,
                clock(step.at_ms),
                clock(last)
            )));
        }
        if step.at_ms > at_ms {
            return Err(ShareError::BadValue(format!(
                "change {} of the link's history is at {}, after the moment {} the link opens at",
                i + 1,
                clock(step.at_ms),
                clock(at_ms)
            )));
        }
        last = step.at_ms;
    }
    let scenario = match state.scenario.clone() {
        Some(s) => Some(s.validate().map_err(ShareError::BadScenario)?),
        None => None,
    };
    Ok(Decoded { state, scenario })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_full_state() {
        let state = SharedState {
            scenario: Some(crate::scenarios::default_scenario().into_inner()),
            seed: Some(7),
            speed: Some(10.0),
            selected: Some("task-sg".into()),
            exercise: Some("task-sg-blocks-alb".into()),
            is_sandbox: true,
            is_paused: true,
            ..Default::default()
        };
        let link = encode(&state);
        assert!(link.starts_with("v1."));
        assert!(link.len() < 3000, "a default-scenario link stays short: {} chars", link.len());
        let decoded = decode(&format!("#{link}")).unwrap();
        assert_eq!(decoded.state, state);
        assert!(decoded.scenario.is_some());
    }

    #[test]
    fn every_bad_fragment_names_its_problem() {
        assert_eq!(decode("#hello"), Err(ShareError::NotALink));
        assert_eq!(decode(""), Err(ShareError::NotALink));
        assert_eq!(decode("#v2.abc"), Err(ShareError::NewerVersion("v2".into())));
        assert_eq!(decode("#v1.!!!"), Err(ShareError::BadEncoding));
        assert_eq!(decode("#v1.aGVsbG8"), Err(ShareError::BadCompression));
        assert_eq!(decode(&format!("#v1.{}", "A".repeat(MAX_FRAGMENT_CHARS))), Err(ShareError::TooLong));
        let not_json = format!("v1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"<img src=x onerror=alert(1)>", 6)));
        assert!(matches!(decode(&not_json), Err(ShareError::BadJson(_))));
        let bad_speed = encode(&SharedState { speed: Some(1e9), ..Default::default() });
        assert!(matches!(decode(&bad_speed), Err(ShareError::BadValue(_))));
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let huge = vec![b' '; MAX_INFLATED_BYTES * 4];
        let bomb = format!("v1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&huge, 9)));
        assert!(bomb.len() < MAX_FRAGMENT_CHARS);
        assert_eq!(decode(&bomb), Err(ShareError::BadCompression));
    }

    #[test]
    fn an_invalid_scenario_in_a_link_names_the_field() {
        let mut s = crate::scenarios::default_scenario().into_inner();
        s.target_groups[0].health_check.interval_seconds = 1;
        let link = encode(&SharedState { scenario: Some(s), ..Default::default() });
        let err = decode(&link).unwrap_err().to_string();
        assert!(err.contains("target_groups[0].health_check.interval_seconds"), "{err}");
    }
}
