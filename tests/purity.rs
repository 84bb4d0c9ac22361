//! The core stays pure: `src/sim/` knows nothing of the web, reads no clock, draws no unseeded
//! randomness and iterates no hash-ordered collection (ARCHITECTURE.md, invariants). clippy.toml
//! forbids the clock and the hash maps crate-wide; this test also keeps web crates out.

use std::fs;
use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("src/sim is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), fs::read_to_string(&path).expect("a source file")));
        }
    }
}

#[test]
fn the_core_has_no_web_crates_no_clock_and_no_hash_order() {
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim"), &mut files);
    assert!(files.len() > 10, "found only {} files in src/sim", files.len());
    let forbidden = [
        "leptos",
        "web_sys",
        "js_sys",
        "wasm_bindgen",
        "gloo_",
        "Instant::now",
        "SystemTime",
        "thread_rng",
        "rand::",
        "HashMap",
        "HashSet",
    ];
    let mut found = Vec::new();
    for (file, text) in &files {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                if code.contains(word) {
                    found.push(format!("{file}:{}: {word}", n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "src/sim must stay pure:\n{}", found.join("\n"));
}
