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
            ..Default::default()
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

/// A link to a moment carries the changes made since the run began and the moment; opening it
/// (decoding, then replaying from the start as the page does) shows exactly the run that was
/// shown, at that moment, with the same timeline behind it.
#[test]
fn a_link_to_a_moment_reopens_exactly_that_moment() {
    use alb_lab::sim::timeline::Timeline;
    use alb_lab::sim::{Command, Sim};
    let scenario = alb_lab::scenarios::default_scenario();
    let mut sim = Sim::new(scenario.clone(), Some(9));
    let mut timeline = Timeline::new(&sim);
    let revoke =
        Command::RevokeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "sg-alb".into() };
    for (seconds, command) in [(20, Command::SetRequestRate { requests_per_second: 10.0 }), (40, revoke)] {
        for _ in 0..seconds * 10 {
            sim.tick();
            timeline.after_tick(&sim);
        }
        sim.apply(command.clone()).expect("the change is taken");
        timeline.record(&sim, command);
    }
    for _ in 0..900 {
        sim.tick();
        timeline.after_tick(&sim);
    }
    // Look back at a moment after the break, and link to it.
    let moment = sim.now_ms() - 30_000;
    timeline.view(&mut sim, moment);
    let state = SharedState {
        scenario: Some(sim.initial_scenario().get().clone()),
        seed: Some(sim.seed()),
        history: timeline.link_history(&sim).expect("a short run is linkable"),
        at_ms: Some(sim.now_ms()),
        is_paused: true,
        ..Default::default()
    };
    let decoded = decode(&encode(&state)).expect("a moment link decodes");
    assert_eq!(decoded.state.history.len(), 2);
    let (reopened_timeline, reopened) = Timeline::replay_from_start(
        Sim::new(decoded.scenario.expect("the link carries its setup"), decoded.state.seed),
        decoded.state.history,
        decoded.state.at_ms.expect("the link carries its moment"),
    )
    .expect("the history replays");
    assert_eq!(format!("{reopened:?}"), format!("{sim:?}"), "the reopened moment is the one shown");
    assert_eq!(reopened_timeline.commands(), &timeline.commands()[..2]);
}

#[test]
fn a_moment_link_that_does_not_add_up_is_refused_naming_what_is_wrong() {
    use alb_lab::sim::timeline::{Recorded, MAX_LINK_MOMENT_MS};
    use alb_lab::sim::Command;
    let step = |at_ms| Recorded { at_ms, command: Command::SendRequest };
    let setup = || Some(alb_lab::scenarios::default_scenario().into_inner());
    let cases = [
        (SharedState { history: vec![step(61_000)], scenario: setup(), ..Default::default() }, "no moment"),
        (SharedState { at_ms: Some(MAX_LINK_MOMENT_MS + 1), scenario: setup(), ..Default::default() }, "past the"),
        (SharedState { at_ms: Some(100_000), ..Default::default() }, "not the setup"),
        (
            SharedState { history: vec![step(90_000), step(70_000)], at_ms: Some(100_000), scenario: setup(), ..Default::default() },
            "comes before the change listed ahead of it",
        ),
        (SharedState { history: vec![step(200_000)], at_ms: Some(100_000), scenario: setup(), ..Default::default() }, "after the moment"),
    ];
    for (state, words) in cases {
        let err = decode(&encode(&state)).expect_err("refused").to_string();
        assert!(err.contains(words), "{err:?} should say {words:?}");
    }
}
