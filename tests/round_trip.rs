//! Whatever the lab writes, it reads back, and a setup that goes out and comes back is the same
//! run: scenario → JSON → scenario, and state → share link → state → share link, with the largest
//! setup validation allows and with random ones.

mod common;

use alb_lab::scenarios::FILES;
use alb_lab::share::{self, SharedState, MAX_FRAGMENT_CHARS};
use alb_lab::sim::scenario::{
    Action, Listener, ListenerRule, SecurityGroup, SecurityGroupRule, ValidScenario, MAX_FILE_BYTES, MAX_REQUESTS_PER_SECOND,
};
use alb_lab::sim::{Scenario, Sim};
use common::scenario;
use proptest::prelude::*;
use proptest::sample::select;

/// What a run did: every event, every request's outcome, in order. Two runs with the same
/// fingerprint are the same run as far as a learner could tell.
fn fingerprint(valid: ValidScenario, seed: Option<u64>, seconds: u64) -> String {
    let mut sim = Sim::new(valid, seed);
    sim.run_for(seconds * 1000);
    let mut out = format!("sent {} done {}\n", sim.requests_sent(), sim.requests_done());
    for e in sim.events().iter() {
        out.push_str(&format!("{} {}\n", e.at_ms, e.message));
    }
    for r in sim.recent_requests() {
        out.push_str(&format!("{} {} {:?}\n", r.id, r.done_at_ms, r.outcome));
    }
    out
}

/// Text of exactly `len` bytes from `alphabet`, different for every `salt`, so it does not
/// compress away.
fn text(alphabet: &str, len: usize, salt: u64) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut x = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chars[(x % chars.len() as u64) as usize]
        })
        .collect()
}

const DESCRIPTION_CHARS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-:/()#,@[]+=&;{}!$*";

/// The largest setup validation accepts: every list at its limit, every text at its longest, in
/// characters that neither compress nor stay short when escaped.
fn largest() -> Scenario {
    let mut s = scenario("default.json").into_inner();
    let mut salt = 1;
    let mut next = || {
        salt += 1;
        salt
    };
    s.description = text("\"\\abcdefghijklmnopqrstuvwxyz0123456789", 4000, next());
    s.name = text("abcdefghijklmnopqrstuvwxyz", 120, next());
    let existing = s.security_groups.len();
    for i in existing..10 {
        s.security_groups.push(SecurityGroup {
            id: format!("sg-extra{i}"),
            name: String::new(),
            description: String::new(),
            ingress: vec![],
            egress: vec![],
        });
    }
    for g in &mut s.security_groups {
        g.name = text("abcdefghijklmnopqrstuvwxyz\"\\", 255, next());
        g.description = text(DESCRIPTION_CHARS, 255, next());
        let rule = |port: u16, salt: u64| SecurityGroupRule {
            protocol: "tcp".into(),
            from_port: port,
            to_port: port,
            source: "192.168.100.100/32".into(),
            description: text(DESCRIPTION_CHARS, 255, salt),
        };
        g.ingress = (0..60).map(|p| rule(10000 + p, next())).collect();
        g.egress = (0..60).map(|p| rule(20000 + p, next())).collect();
    }
    let forward = s.load_balancer.listeners[0].default_action.clone();
    let body = |salt: u64| Action::FixedResponse {
        status_code: 200,
        content_type: "text/plain".into(),
        message_body: text("\"\\abcdefghijklmnopqrstuvwxyz", 1024, salt),
    };
    s.load_balancer.listeners = (0..10)
        .map(|l| Listener {
            port: if l == 0 { 80 } else { 8000 + l },
            protocol: "HTTP".into(),
            rules: (0..10)
                .map(|r| ListenerRule {
                    priority: 1 + r,
                    path_pattern: format!("/{}", text("abcdefghijklmnopqrstuvwxyz\"\\*?", 127, 1000 * l as u64 + r as u64)),
                    action: body(next()),
                })
                .collect(),
            default_action: if l == 0 { forward.clone() } else { body(next()) },
        })
        .collect();
    s
}

#[test]
fn the_largest_valid_setup_is_written_and_read_back_as_a_file_and_as_a_link() {
    let s = largest();
    if let Err(e) = s.clone().validate() {
        panic!("the largest setup must be valid:\n{e}");
    }
    // The file the lab writes (pretty JSON) is under the limit it reads, and reads back equal.
    let pretty = s.to_json();
    assert!(pretty.len() <= MAX_FILE_BYTES, "pretty JSON of the largest setup is {} bytes, over {MAX_FILE_BYTES}", pretty.len());
    let back = Scenario::from_json(&pretty).unwrap_or_else(|e| panic!("the lab's own file was refused:\n{e}"));
    assert_eq!(back.get(), &s);
    // And as a link.
    let state = SharedState { scenario: Some(s.clone()), seed: Some(3), ..Default::default() };
    let link = share::encode(&state);
    assert!(link.len() <= MAX_FRAGMENT_CHARS, "the largest setup's link is {} characters, over {MAX_FRAGMENT_CHARS}", link.len());
    let decoded = share::decode(&link).unwrap_or_else(|e| panic!("the lab's own link was refused: {e}"));
    assert_eq!(decoded.state, state);
    println!("largest setup: {} bytes of pretty JSON, a link of {} characters", pretty.len(), link.len());
}

#[test]
fn a_rate_is_read_exactly_or_refused_and_re_shares_as_the_same_run() {
    // 0.0994999999999999912 is not 0.0995 but a double one unit below it; JSON readers (the page's
    // among them) may read it either way. The lab takes rates to six decimals, which every reader
    // reads exactly, and says so for a longer one instead of opening it as something else.
    let mut s = scenario("default.json").into_inner();
    s.client.requests_per_second = 0.0995;
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("\"requests_per_second\":0.0995"), "six decimals are written as they are");
    let long = json.replace("0.0995", "0.0994999999999999912");
    match Scenario::from_json(&long) {
        Ok(opened) => assert_eq!(opened.client.requests_per_second, 0.0995, "read as 0.0995 or refused, nothing else"),
        Err(e) => {
            assert_eq!(e.0[0].field, "client.requests_per_second");
            assert!(e.0[0].in_words().starts_with("Load must be 0 or 0.001-200 requests/s (to 6 decimals), got 0.0994999"), "{e}");
        }
    }
    let opened = Scenario::from_json(&json).unwrap();
    assert_eq!(opened.client.requests_per_second, 0.0995);
    // Re-share what was opened: the same link, the same run.
    let link = share::encode(&SharedState { scenario: Some(opened.get().clone()), ..Default::default() });
    let reopened = share::decode(&link).unwrap();
    assert_eq!(share::encode(&reopened.state), link);
    assert_eq!(fingerprint(opened, Some(1), 300), fingerprint(reopened.scenario.unwrap(), Some(1), 300));
}

#[test]
fn the_client_sends_what_its_rate_says_to_a_millionth_of_a_request_per_second() {
    // 0.0995 for 2000 s is 199 requests: neither rounded to 0.1 (200) nor to 0.099 (198).
    for (rate, seconds, expected) in
        [(0.001, 3000, 3), (0.005, 1000, 5), (0.0995, 2000, 199), (0.25, 100, 25), (7.5, 10, 75), (0.123456, 1000, 123)]
    {
        let mut s = scenario("default.json").into_inner();
        s.client.requests_per_second = rate;
        s.options.warm_up_seconds = 0;
        let mut sim = Sim::new(s.validate().unwrap(), Some(1));
        sim.run_for(seconds * 1000);
        assert_eq!(sim.requests_sent(), expected, "{rate} requests/s for {seconds} s");
    }
    // Below the resolution the validator says so instead of silently sending nothing.
    let mut s = scenario("default.json").into_inner();
    s.client.requests_per_second = 0.0004;
    let e = s.validate().unwrap_err();
    assert_eq!(e.0[0].field, "client.requests_per_second");
    assert_eq!(e.0[0].in_words(), "Load must be 0 or 0.001-200 requests/s (to 6 decimals), got 0.0004.");
}

fn rate() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        (1u64..=(MAX_REQUESTS_PER_SECOND as u64 * 1000)).prop_map(|m| m as f64 / 1000.0),
        // Any six-decimal rate, written the way a person or a tool might.
        (1u64..=(MAX_REQUESTS_PER_SECOND as u64 * 1_000_000)).prop_map(|m| m as f64 / 1e6),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: if std::env::var_os("PROPTEST_CASES").is_some() { ProptestConfig::default().cases } else { 24 }, ..ProptestConfig::default() })]

    /// A shipped scenario with a random rate, client path and seed: written as a file and read
    /// back, or shared as a link and opened, it is the same run; and the link the page makes
    /// from what it opened is the same link.
    #[test]
    fn a_setup_that_goes_out_and_comes_back_is_the_same_run(
        file in select(FILES.iter().map(|(f, _)| *f).collect::<Vec<_>>()),
        requests_per_second in rate(),
        seed in any::<u64>(),
        speed in prop_oneof![Just(None), (1u32..=600).prop_map(|t| Some(t as f64 / 10.0))],
    ) {
        let mut s = scenario(file).into_inner();
        s.client.requests_per_second = requests_per_second;
        let valid = s.clone().validate().unwrap();
        let expected = fingerprint(valid, Some(seed), 120);

        let from_file = Scenario::from_json(&s.to_json()).unwrap();
        prop_assert_eq!(from_file.get(), &s);
        prop_assert_eq!(fingerprint(from_file, Some(seed), 120), expected.clone());

        let state = SharedState { scenario: Some(s), seed: Some(seed), speed, ..Default::default() };
        let link = share::encode(&state);
        let decoded = share::decode(&link).unwrap();
        prop_assert_eq!(&decoded.state, &state);
        prop_assert_eq!(share::encode(&decoded.state), link);
        prop_assert_eq!(fingerprint(decoded.scenario.unwrap(), decoded.state.seed, 120), expected);
    }
}
