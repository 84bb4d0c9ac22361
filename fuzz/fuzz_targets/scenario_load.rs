//! A scenario file, any bytes: loading never panics; a file that loads is written back and
//! read back equal, and runs a little while with every invariant holding.
#![no_main]

use alb_lab::sim::{Scenario, Sim};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(valid) = Scenario::from_json(text) else { return };
    let back = Scenario::from_json(&valid.to_json()).expect("a file the lab wrote loads");
    assert_eq!(back.get(), valid.get());
    let mut sim = Sim::new(valid, None);
    for _ in 0..50 {
        sim.tick();
        sim.check_invariants().expect("invariants hold");
    }
});
