//! Share links: a stored v1 link keeps opening as the format grows, and the decoder survives
//! anything a URL can carry (property tests stand in for a fuzzer here; run
//! `PROPTEST_CASES=100000 cargo test --test share` to search harder).

use alb_lab::share::{decode, encode, ShareError, SharedState};
use proptest::prelude::*;

/// Made with the first release of the v1 format (the default scenario with the task security
/// group opened to 0.0.0.0/0, seed 5, speed 10×, the task SG settings open, paused). Never edit
/// this string: if it stops opening, old links in people's docs stop opening.
const STORED_V1_LINK: &str = include_str!("data/v1-link.txt");

#[test]
fn a_stored_v1_link_still_opens() {
    let decoded = decode(STORED_V1_LINK.trim()).expect("the stored v1 link opens");
    let state = &decoded.state;
    assert_eq!(state.seed, Some(5));
    assert_eq!(state.speed, Some(10.0));
    assert_eq!(state.selected.as_deref(), Some("task-sg"));
    assert!(state.is_paused);
    let scenario = decoded.scenario.expect("the link carries a scenario");
    let task_sg = scenario.find_security_group("sg-task").expect("sg-task");
    assert!(task_sg.ingress.iter().any(|r| r.source == "0.0.0.0/0" && r.from_port == 8000));
}

fn state_strategy() -> impl Strategy<Value = SharedState> {
    (
        proptest::option::of(any::<u64>()),
        proptest::option::of(1u32..=600),
        proptest::option::of(proptest::sample::select(vec![
            "client",
            "alb-sg",
            "listener",
            "target-group",
            "task-sg",
            "task-definition",
            "service",
        ])),
        proptest::option::of("[a-z0-9-]{1,20}"),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(seed, speed_tenths, selected, exercise, is_sandbox, is_paused, with_scenario)| SharedState {
            scenario: with_scenario.then(|| alb_lab::scenarios::default_scenario().into_inner()),
            seed,
            speed: speed_tenths.map(|t| t as f64 / 10.0),
            selected: selected.map(String::from),
            exercise,
            is_sandbox,
            is_paused,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_state_round_trips(state in state_strategy()) {
        let decoded = decode(&encode(&state)).expect("our own links decode");
        prop_assert_eq!(decoded.state, state);
    }

    #[test]
    fn any_text_decodes_or_errs_without_panicking(text in "\\PC{0,400}") {
        let _ = decode(&text);
        let _ = decode(&format!("#v1.{text}"));
    }

    #[test]
    fn any_bytes_behind_the_prefix_are_refused_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        use base64::Engine;
        let link = format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes));
        match decode(&link) {
            Ok(_) => {}
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn a_link_cut_short_is_refused(state in state_strategy(), cut in 4usize..200) {
        let link = encode(&state);
        if cut < link.len() {
            let short = &link[..link.len() - cut];
            prop_assert!(decode(short).is_err() || decode(short).map(|d| d.state == state).unwrap_or(false));
        }
    }
}

#[test]
fn hostile_text_comes_back_as_an_error_message_not_markup_to_render() {
    let err = decode("#<img src=x onerror=alert(1)>").unwrap_err();
    assert_eq!(err, ShareError::NotALink);
}

#[test]
fn messages_join_as_prose_without_a_stray_period() {
    use alb_lab::share::sentences;
    let e = alb_lab::share::decode("#v1.@@@").expect_err("not base64");
    let text = sentences(&[&format!("This link could not be opened: {e}"), "Showing the default scenario instead."]);
    assert!(text.contains("copied? Showing the default scenario instead."), "{text}");
    assert!(!text.contains("?."), "{text}");
    assert_eq!(sentences(&["One", "two.", "", "three!"]), "One. two. three!");
}
