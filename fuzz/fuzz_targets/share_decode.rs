//! A share link's fragment, any bytes: decoding never panics, and whatever opens runs a little
//! while with every invariant holding, and re-shares to a link that opens to the same state.
#![no_main]

use alb_lab::share;
use alb_lab::sim::Sim;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(fragment) = std::str::from_utf8(data) else { return };
    let Ok(decoded) = share::decode(fragment) else { return };
    let again = share::decode(&share::encode(&decoded.state)).expect("a link the lab wrote opens");
    assert_eq!(again.state, decoded.state);
    if let Some(scenario) = decoded.scenario {
        let mut sim = Sim::new(scenario, decoded.state.seed);
        for _ in 0..50 {
            sim.tick();
            sim.check_invariants().expect("invariants hold");
        }
    }
});
