//! Reading JSON a person gave the lab (a scenario file, a pasted document, the state in a share
//! link). serde's own messages ("invalid value: integer `-1`, expected u32 at line 1 column 39")
//! name no field; here every error names the field by its path, and a number that is out of
//! range or of the wrong kind gets the same words as the validator gives it.

use super::knobs::{self, Knob};
use super::scenario::ScenarioError;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

/// Parse `text` as a `T`, or say which field is wrong and how.
///
/// Every reader of scenario JSON goes through here: a second deserializer type would compile all
/// of the scenario's deserialization code twice into the page.
pub fn read<T: DeserializeOwned>(text: &str) -> Result<T, ScenarioError> {
    serde_json::from_str(text).map_err(|e| {
        let field = path_at(text, byte_offset(text, e.line(), e.column()));
        explain(field, e)
    })
}

/// serde_json reports a line and a column (both from 1, the column in bytes); the byte just
/// after the position it stopped at.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 { 0 } else { text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1).unwrap_or(text.len()) };
    (line_start + column).min(text.len())
}

/// The path of the value the reader was in when it stopped at byte `end` of `text`
/// (`target_groups[0].health_check.interval_seconds`), found by walking the document's
/// brackets, keys and commas up to there. serde_json names no field itself, and a wrapper that
/// tracks the path (serde_path_to_error) made the page's wasm 30 KB larger; this walk is small
/// and runs only on an error.
fn path_at(text: &str, end: usize) -> String {
    enum Frame {
        Object { key: Option<String>, expecting_key: bool },
        Array { index: usize },
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Frame::Object { key: None, expecting_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            // A closing bracket as the very last byte read: the error is about that object
            // (a missing field), so it stays on the path.
            b'}' | b']' if i + 1 < end => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, expecting_key }) = stack.last_mut() {
                    if *expecting_key {
                        *key = Some(text.get(start..i.min(text.len())).unwrap_or("").to_string());
                        *expecting_key = false;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    // Stopped on a closing bracket: the path is the container's own, without its last key.
    let closing = end > 0 && matches!(bytes.get(end - 1), Some(b'}' | b']'));
    let mut path = String::new();
    for (depth, frame) in stack.iter().enumerate() {
        if closing && depth + 1 == stack.len() {
            break;
        }
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

fn explain(field: String, e: serde_json::Error) -> ScenarioError {
    let (line, column) = (e.line(), e.column());
    let text = e.to_string();
    // serde_json appends " at line L column C"; the position is given once, in words.
    let message = text.rsplit_once(" at line ").map(|(m, _)| m.to_string()).unwrap_or(text);
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            ScenarioError { field, message: format!("is not valid JSON at line {line}, column {column}: {message}"), knob: None }
        }
        Category::Data => {
            let knob = knobs::for_field(&field);
            let message = match knob {
                Some(k) => knob_message(k, &message).unwrap_or_else(|| in_words(&message)),
                None => in_words(&message),
            };
            ScenarioError { field, message, knob }
        }
    }
}

/// A number or text where a knob's number belongs, in the validator's words.
fn knob_message(knob: &Knob, serde_message: &str) -> Option<String> {
    let found = serde_message.strip_prefix("invalid value: ").or_else(|| serde_message.strip_prefix("invalid type: "))?;
    let found = found.split_once(", expected").map(|(f, _)| f).unwrap_or(found);
    let number = found
        .strip_prefix("integer `")
        .or_else(|| found.strip_prefix("floating point `"))
        .and_then(|rest| rest.strip_suffix('`'))
        .and_then(|n| n.parse::<f64>().ok());
    Some(match number {
        Some(v) if !knob.contains(v) => knob.out_of_range(v),
        // In range but not whole (1.5 for a port).
        Some(v) => format!("must be a whole number, {}, got {v}", knob.range_text()),
        None => format!("must be a number, {}, got {}", knob.range_text(), found_in_words(found)),
    })
}

/// serde's message with its type names turned into words: "must be a whole number 0-65535, got
/// text \"abc\"".
fn in_words(serde_message: &str) -> String {
    if let Some(rest) = serde_message.strip_prefix("unknown field `") {
        // The field's path already ends with the name.
        let expected = rest.split_once('`').map(|(_, e)| e).unwrap_or("").trim_start_matches(", ").replace('`', "");
        return if expected.is_empty() {
            "is not a field ALB Lab knows here".to_string()
        } else {
            format!("is not a field ALB Lab knows here ({expected})")
        };
    }
    if let Some(rest) = serde_message.strip_prefix("missing field `") {
        return format!("is missing {:?}, which is required", rest.trim_end_matches('`'));
    }
    if let Some(rest) = serde_message.strip_prefix("unknown variant `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        return format!("{name:?} is not allowed; {}", expected.trim_start_matches(", ").replace('`', "\""));
    }
    let body = serde_message.strip_prefix("invalid value: ").or_else(|| serde_message.strip_prefix("invalid type: "));
    match body.and_then(|b| b.split_once(", expected ")) {
        Some((found, expected)) => format!("must be {}, got {}", expected_in_words(expected), found_in_words(found)),
        None => serde_message.to_string(),
    }
}

fn expected_in_words(expected: &str) -> String {
    match expected {
        "u8" => "a whole number 0-255".into(),
        "u16" => "a whole number 0-65535".into(),
        "u32" => "a whole number 0-4294967295".into(),
        "u64" => "a whole number 0 or more".into(),
        "i32" | "i64" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" => "text in quotes".into(),
        "a sequence" => "a list [ … ]".into(),
        e if e.starts_with("struct ") || e == "a map" => "an object { … }".into(),
        e => e.replace('`', "\""),
    }
}

fn found_in_words(found: &str) -> String {
    let unquote = |s: &str| s.trim_matches('`').to_string();
    if let Some(n) = found.strip_prefix("integer ").or_else(|| found.strip_prefix("floating point ")) {
        return unquote(n);
    }
    if let Some(s) = found.strip_prefix("string ") {
        return format!("text {s}");
    }
    match found {
        "null" => "null".into(),
        "sequence" => "a list".into(),
        "map" => "an object".into(),
        f if f.starts_with("boolean ") => unquote(&f["boolean ".len()..]),
        f => f.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    fn error_of(json: &str) -> ScenarioError {
        read::<Scenario>(json).unwrap_err()
    }

    fn default_with(path: &[&str], value: serde_json::Value) -> String {
        let mut v: serde_json::Value = serde_json::from_str(crate::scenarios::FILES[0].1).unwrap();
        let mut at = &mut v;
        for p in &path[..path.len() - 1] {
            at = match p.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*p],
            };
        }
        at[path[path.len() - 1]] = value;
        v.to_string()
    }

    #[test]
    fn a_negative_port_names_its_field_in_the_validators_words() {
        let e = error_of(&default_with(&["client", "port"], serde_json::json!(-1)));
        assert_eq!(e.field, "client.port");
        assert_eq!(e.knob.map(|k| k.key), Some("client.port"));
        assert_eq!(e.message, knobs::CLIENT_PORT.out_of_range(-1.0));
        assert_eq!(e.in_words(), "Port the client connects to must be 1-65535, got -1.");
    }

    #[test]
    fn a_fraction_or_text_where_a_whole_number_belongs_says_so() {
        let e = error_of(&default_with(&["target_groups", "0", "health_check", "interval_seconds"], serde_json::json!(7.5)));
        assert_eq!(e.field, "target_groups[0].health_check.interval_seconds");
        assert_eq!(e.message, "must be a whole number, 5-300 s, got 7.5");
        let e = error_of(&default_with(&["target_groups", "0", "health_check", "interval_seconds"], serde_json::json!("thirty")));
        assert_eq!(e.message, "must be a number, 5-300 s, got text \"thirty\"");
    }

    #[test]
    fn the_path_is_found_by_walking_the_document() {
        let text = "{\"a\": {\"b\": [1, {\"c\": \"x,]}\", \"d\": 5}]}}";
        let at = |needle: &str| text.find(needle).unwrap() + needle.len();
        assert_eq!(path_at(text, at("[1")), "a.b[0]");
        assert_eq!(path_at(text, at("\"d\": 5")), "a.b[1].d");
        assert_eq!(path_at(text, at("\"x,]}\"")), "a.b[1].c");
        assert_eq!(path_at(text, at("5}")), "a.b[1]");
    }

    #[test]
    fn a_missing_field_names_the_object_it_is_missing_from() {
        let mut v: serde_json::Value = serde_json::from_str(crate::scenarios::FILES[0].1).unwrap();
        v["target_groups"][0].as_object_mut().unwrap().remove("port");
        let e = error_of(&serde_json::to_string_pretty(&v).unwrap());
        assert_eq!(e.field, "target_groups[0]");
        assert_eq!(e.message, "is missing \"port\", which is required");
    }

    #[test]
    fn unknown_and_missing_fields_and_bad_syntax_are_named() {
        let e = error_of(&default_with(&["client", "colour"], serde_json::json!(1)));
        assert_eq!(e.field, "client.colour");
        assert!(e.message.starts_with("is not a field ALB Lab knows here (expected"), "{}", e.message);
        assert!(e.in_words().starts_with("colour is not a field ALB Lab knows here"), "{}", e.in_words());
        let e = error_of("{\"format\": ");
        assert!(e.message.starts_with("is not valid JSON at line 1, column 11"), "{}", e.message);
        let e = error_of(&default_with(&["vpc", "subnets"], serde_json::json!("subnet-a")));
        assert_eq!(e.field, "vpc.subnets");
        assert_eq!(e.message, "must be a list [ … ], got text \"subnet-a\"");
    }
}
