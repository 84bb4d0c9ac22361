//! Bakes the shipped exercises and the default scenario into Rust values, so the page parses none
//! of them at start-up, and its first load carries no JSON reader (share links, exercise scenarios
//! and saved progress are read by code loaded on demand).
//!
//! The build script compiles the core (`src/sim`) and the list of shipped files (`src/shipped.rs`)
//! natively, reads every exercise with the same reader and validator the tests use, fails the
//! build on an invalid one with its message, and writes `$OUT_DIR/baked_exercises.rs` (Rust
//! expressions that build the same values), which `src/scenarios.rs` includes.
//! `tests/exercises.rs` checks that the baked values equal the files as read.

// The core is compiled here for its types and its validator; most of it is unused by the script.
#[allow(dead_code)]
#[path = "src/shipped.rs"]
mod shipped;
#[allow(dead_code, unused_imports, clippy::all)]
#[path = "src/sim/mod.rs"]
mod sim;

use serde::ser::{self, Serialize};
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=scenarios");
    println!("cargo::rerun-if-changed=src/sim");
    println!("cargo::rerun-if-changed=src/shipped.rs");
    let scenario_text = |name: &str| shipped::FILES.iter().find(|(file, _)| *file == name).map(|(_, text)| text.to_string());
    let mut exercises = Vec::new();
    for (file, text) in shipped::EXERCISES {
        match sim::exercise::Exercise::from_json(text, scenario_text) {
            Ok((exercise, _)) => exercises.push(exercise),
            Err(e) => panic!("scenarios/exercises/{file} is invalid: {e}"),
        }
    }
    let mut baked = String::new();
    exercises.serialize(Rust { out: &mut baked }).unwrap_or_else(|e| panic!("cannot bake the exercises: {e}"));
    let code = format!(
        "/// Every shipped exercise, in `EXERCISES` order, validated when this was built.\n\
         pub fn baked_exercises() -> Vec<crate::sim::exercise::Exercise> {{\n    {baked}\n}}\n"
    );
    write_if_changed("baked_exercises.rs", &code);

    // The scenario the page opens with, so the first load needs no JSON reader: the page
    // validates it at start with the same validator as any scenario.
    let default = sim::Scenario::from_json(shipped::DEFAULT).unwrap_or_else(|e| panic!("scenarios/default.json is invalid: {e}"));
    let mut baked = String::new();
    default.get().serialize(Rust { out: &mut baked }).unwrap_or_else(|e| panic!("cannot bake the default scenario: {e}"));
    let code = format!(
        "/// `scenarios/default.json` as read when this was built (not yet validated).\n\
         pub fn baked_default_scenario() -> crate::sim::Scenario {{\n    {baked}\n}}\n"
    );
    write_if_changed("baked_default_scenario.rs", &code);
}

/// Write a generated file into OUT_DIR, leaving it alone (and the crate unrebuilt) when unchanged.
fn write_if_changed(name: &str, code: &str) {
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    if std::fs::read_to_string(&out).ok().as_deref() != Some(code) {
        std::fs::write(&out, code).unwrap_or_else(|e| panic!("write {name}: {e}"));
    }
}

/// Where each type the exercises hold lives, and, for an internally tagged enum, its tag field.
/// A type missing here stops the build with its name.
fn type_path(name: &str) -> (&'static str, Option<&'static str>) {
    match name {
        "Exercise" => ("crate::sim::exercise::Exercise", None),
        "SolutionStep" => ("crate::sim::exercise::SolutionStep", None),
        "Check" => ("crate::sim::exercise::Check", Some("check")),
        "Command" => ("crate::sim::command::Command", Some("command")),
        "TaskDefinitionChanges" => ("crate::sim::command::TaskDefinitionChanges", None),
        "HealthCheck" => ("crate::sim::scenario::HealthCheck", None),
        "TargetType" => ("crate::sim::scenario::TargetType", None),
        "LoadBalancingAlgorithm" => ("crate::sim::scenario::LoadBalancingAlgorithm", None),
        "NetworkMode" => ("crate::sim::scenario::NetworkMode", None),
        "HealthResponse" => ("crate::sim::scenario::HealthResponse", None),
        "NaclAction" => ("crate::sim::scenario::NaclAction", None),
        "Scenario" => ("crate::sim::scenario::Scenario", None),
        "Vpc" => ("crate::sim::scenario::Vpc", None),
        "Subnet" => ("crate::sim::scenario::Subnet", None),
        "SecurityGroup" => ("crate::sim::scenario::SecurityGroup", None),
        "SecurityGroupRule" => ("crate::sim::scenario::SecurityGroupRule", None),
        "NetworkAcl" => ("crate::sim::scenario::NetworkAcl", None),
        "NetworkAclEntry" => ("crate::sim::scenario::NetworkAclEntry", None),
        "Scheme" => ("crate::sim::scenario::Scheme", None),
        "LoadBalancer" => ("crate::sim::scenario::LoadBalancer", None),
        "Listener" => ("crate::sim::scenario::Listener", None),
        "ListenerRule" => ("crate::sim::scenario::ListenerRule", None),
        "Action" => ("crate::sim::scenario::Action", Some("type")),
        "TargetGroup" => ("crate::sim::scenario::TargetGroup", None),
        "ContainerInstance" => ("crate::sim::scenario::ContainerInstance", None),
        "TaskDefinition" => ("crate::sim::scenario::TaskDefinition", None),
        "ContainerDefinition" => ("crate::sim::scenario::ContainerDefinition", None),
        "PortMapping" => ("crate::sim::scenario::PortMapping", None),
        "App" => ("crate::sim::scenario::App", None),
        "AppAnswer" => ("crate::sim::scenario::AppAnswer", None),
        "LaunchType" => ("crate::sim::scenario::LaunchType", None),
        "EcsService" => ("crate::sim::scenario::EcsService", None),
        "ServiceLoadBalancer" => ("crate::sim::scenario::ServiceLoadBalancer", None),
        "DeploymentConfiguration" => ("crate::sim::scenario::DeploymentConfiguration", None),
        "NetworkConfiguration" => ("crate::sim::scenario::NetworkConfiguration", None),
        "Client" => ("crate::sim::scenario::Client", None),
        "SimOptions" => ("crate::sim::scenario::SimOptions", None),
        other => panic!("build.rs does not know where the type {other} lives; add it to type_path"),
    }
}

/// `set_request_rate` → `SetRequestRate`, `internet-facing` → `InternetFacing`, `FARGATE` →
/// `Fargate`: the serialized variant names back to the Rust ones.
fn camel(serialized: &str) -> String {
    // AWS's own upper-case names (`FARGATE`, `EC2`) are `Fargate`, `Ec2` in Rust.
    if serialized.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        let lower = serialized.to_ascii_lowercase();
        return camel(&lower);
    }
    serialized
        .split(['_', '-'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// A serde serializer that writes a Rust expression building the value. The types use serde's
/// default field names (no field renames, no skipped fields), so field names carry over; variant
/// names come back through `camel`, and internally tagged enums through their tag field.
struct Rust<'a> {
    out: &'a mut String,
}

#[derive(Debug)]
struct Error(String);
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Error {}
impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

fn unsupported<T>(what: &str) -> Result<T, Error> {
    Err(Error(format!("build.rs cannot bake {what}")))
}

macro_rules! number {
    ($method:ident, $ty:ty, $suffix:literal) => {
        fn $method(self, v: $ty) -> Result<(), Error> {
            let _ = write!(self.out, "{v}{}", $suffix);
            Ok(())
        }
    };
}

impl<'a> ser::Serializer for Rust<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = Struct<'a>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        let _ = write!(self.out, "{v}");
        Ok(())
    }
    number!(serialize_i8, i8, "i8");
    number!(serialize_i16, i16, "i16");
    number!(serialize_i32, i32, "i32");
    number!(serialize_i64, i64, "i64");
    number!(serialize_u8, u8, "u8");
    number!(serialize_u16, u16, "u16");
    number!(serialize_u32, u32, "u32");
    number!(serialize_u64, u64, "u64");
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        let _ = write!(self.out, "{v:?}f32");
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        // `{:?}` is the shortest text that reads back as the same double.
        let _ = write!(self.out, "{v:?}f64");
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        let _ = write!(self.out, "{v:?}");
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        // A `{:?}` string is a valid Rust string literal.
        let _ = write!(self.out, "alloc::string::String::from({v:?})");
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        unsupported("bytes")
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.push_str("None");
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        self.out.push_str("Some(");
        value.serialize(Rust { out: &mut *self.out })?;
        self.out.push(')');
        Ok(())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("()");
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.out.push_str(type_path(name).0);
        Ok(())
    }
    fn serialize_unit_variant(self, name: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        let _ = write!(self.out, "{}::{}", type_path(name).0, camel(variant));
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<(), Error> {
        unsupported("a newtype struct")
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<(), Error> {
        unsupported("a newtype variant")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Error> {
        self.out.push_str("alloc::vec![");
        Ok(Seq { out: self.out })
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        unsupported("a tuple")
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> {
        unsupported("a tuple struct")
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, Error> {
        unsupported("a tuple variant")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        unsupported("a map")
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Struct<'a>, Error> {
        let (path, tag) = type_path(name);
        match tag {
            // The tag field comes first and names the variant: the brace opens then.
            Some(tag) => Ok(Struct { out: self.out, path, tag: Some(tag), opened: false }),
            None => {
                let _ = write!(self.out, "{path} {{ ");
                Ok(Struct { out: self.out, path, tag: None, opened: true })
            }
        }
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, Error> {
        unsupported("an externally tagged struct variant")
    }
}

struct Seq<'a> {
    out: &'a mut String,
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Rust { out: &mut *self.out })?;
        self.out.push_str(", ");
        Ok(())
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(']');
        Ok(())
    }
}

struct Struct<'a> {
    out: &'a mut String,
    path: &'static str,
    tag: Option<&'static str>,
    opened: bool,
}

impl ser::SerializeStruct for Struct<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        if !self.opened && Some(key) == self.tag {
            let mut text = String::new();
            value.serialize(Rust { out: &mut text })?;
            let variant = text
                .strip_prefix("alloc::string::String::from(\"")
                .and_then(|t| t.strip_suffix("\")"))
                .ok_or_else(|| Error(format!("the tag of {} is not a name: {text}", self.path)))?;
            let _ = write!(self.out, "{}::{} {{ ", self.path, camel(variant));
            self.opened = true;
            return Ok(());
        }
        if !self.opened {
            return Err(Error(format!("{} has a field before its tag", self.path)));
        }
        let _ = write!(self.out, "{key}: ");
        value.serialize(Rust { out: &mut *self.out })?;
        self.out.push_str(", ");
        Ok(())
    }
    /// A field left out of files when it holds its default (`skip_serializing_if`). Every such
    /// field in the core skips exactly its type's `Default` value (an empty list, `Ok`);
    /// `tests/exercises.rs` holds the baked values equal to the files as read.
    fn skip_field(&mut self, key: &'static str) -> Result<(), Error> {
        let _ = write!(self.out, "{key}: Default::default(), ");
        Ok(())
    }
    fn end(self) -> Result<(), Error> {
        self.out.push('}');
        Ok(())
    }
}
