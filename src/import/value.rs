//! Small readers over `serde_json::Value` that never panic: a field that is missing or of
//! another type reads as absent, so a document from another CLI version still reads.

use serde_json::Value;

pub fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

pub fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    match v.get(key) {
        Some(Value::Array(a)) => a,
        _ => &[],
    }
}

/// A list of strings (ids), skipping anything that is not one.
pub fn strings(v: &Value, key: &str) -> Vec<String> {
    list(v, key).iter().filter_map(|x| x.as_str().map(str::to_string)).collect()
}

/// A whole number, also when written as a string (`"300"`, as attributes are).
pub fn int(v: &Value, key: &str) -> Option<i64> {
    number(v.get(key)?)
}

pub fn number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn port(v: &Value, key: &str) -> Option<u16> {
    int(v, key).and_then(|n| u16::try_from(n).ok())
}

pub fn count(v: &Value, key: &str) -> Option<u32> {
    int(v, key).and_then(|n| u32::try_from(n).ok())
}

pub fn flag(v: &Value, key: &str) -> Option<bool> {
    match v.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") || s == "ENABLED" => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") || s == "DISABLED" => Some(false),
        _ => None,
    }
}

/// The first object of a Terraform nested block (`health_check: [{…}]`), or the object itself.
pub fn block<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v.get(key)? {
        Value::Array(a) => a.first().filter(|x| x.is_object()),
        o @ Value::Object(_) => Some(o),
        _ => None,
    }
}
