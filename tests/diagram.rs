//! The diagram's layout, for every shipped scenario and every exercise's start, at the sizes the
//! page shows it: a wide screen, a docs embed, a small embed (scaled down) and a phone. Every
//! label fits inside its node (shortened with an ellipsis where it must be), every node inside
//! the diagram, and the text is never smaller than the page promises.

use alb_lab::diagram::{name_contains, scene, text, visible_text, Rect, Scene, Viewport, MIN_LOGICAL_WIDTH, SUB_PX, TITLE_PX};
use alb_lab::scenarios::{exercises, FILES};
use alb_lab::sim::{Command, Scenario, Sim};

/// The sizes the diagram is drawn at: 1440×900 (main column), 700×560 embed, 400×300 embed,
/// 390×844 phone.
fn viewports() -> [(&'static str, Viewport); 5] {
    [
        ("desktop", Viewport::wide(1000.0, 360.0)),
        ("desktop with many rows", Viewport::wide(1000.0, 0.0)),
        ("700x560 embed", Viewport::boxed(680.0, 300.0)),
        ("400x300 embed", Viewport::boxed(384.0, 200.0)),
        ("phone", Viewport::tall(348.0)),
    ]
}

fn runs() -> Vec<(String, Sim)> {
    let mut out = Vec::new();
    for (file, text) in FILES {
        let s = Scenario::from_json(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut sim = Sim::new(s.clone(), None);
        sim.run_for(30_000);
        out.push((file.to_string(), sim));
        // The same setup scaled to ten tasks mid-deployment: up to twenty rows.
        let mut big = Sim::new(s, None);
        if big.scenario().service.is_some() {
            let _ = big.apply(Command::update_service(Some(10), None, None));
            big.run_for(40_000);
            let _ = big.apply(Command::RegisterTaskDefinition { changes: Default::default(), deploy: true });
            big.run_for(25_000);
            out.push((format!("{file} with ten tasks, deploying"), big));
        }
    }
    for e in exercises() {
        let (exercise, s) = e.unwrap_or_else(|(f, e)| panic!("{f}: {e}"));
        out.push((format!("exercise {}", exercise.id), Sim::new(s, None)));
    }
    // The labels that used to clip: a detached service and a long client address.
    let mut detached = Sim::new(alb_lab::scenarios::default_scenario(), None);
    detached.apply(Command::DetachLoadBalancer).expect("detach");
    out.push(("detached".into(), detached));
    out
}

fn check(name: &str, sc: &Scene) -> Vec<String> {
    let mut problems = Vec::new();
    let whole = Rect { x: 0.0, y: 0.0, w: sc.layout.width, h: sc.layout.height };
    for n in &sc.nodes {
        if !whole.contains(&n.bounds) {
            problems.push(format!("{name}: node {} {:?} leaves the diagram {whole:?}", n.key, n.bounds));
        }
        let inner = n.frame.unwrap_or(n.bounds);
        for l in &n.labels {
            let b = l.bounds();
            if !inner.contains(&b) {
                problems.push(format!("{name}: label {:?} of {} ({b:?}) leaves its node {inner:?}", l.text, n.key));
            }
        }
        // What a node shows is part of its accessible name (WCAG 2.5.3, label in name).
        if !name_contains(&n.name, &visible_text(n)) {
            problems.push(format!(
                "{name}: {} shows {:?}, which its accessible name {:?} does not contain",
                n.key,
                visible_text(n),
                n.name
            ));
        }
        // Where a label is shortened, its full words are in the name (and so the tooltip).
        for l in &n.labels {
            if !name_contains(&n.name, &l.full) {
                problems.push(format!("{name}: {} shows {:?} but its name {:?} lacks the full {:?}", n.key, l.text, n.name, l.full));
            }
        }
    }
    for c in &sc.captions {
        if !c.area.contains(&c.label.bounds()) || !whole.contains(&c.label.bounds()) {
            problems.push(format!("{name}: caption {:?} leaves its column", c.label.text));
        }
    }
    // Nodes of one kind never overlap one another (rows, chips).
    for (i, a) in sc.nodes.iter().enumerate() {
        for b in &sc.nodes[i + 1..] {
            if a.kind == b.kind {
                let (ra, rb) = (a.bounds, b.bounds);
                let overlap = ra.x < rb.x + rb.w - 0.5 && rb.x < ra.x + ra.w - 0.5 && ra.y < rb.y + rb.h - 0.5 && rb.y < ra.y + ra.h - 0.5;
                if overlap {
                    problems.push(format!("{name}: {} and {} overlap", a.key, b.key));
                }
            }
        }
    }
    problems
}

#[test]
fn every_label_fits_its_node_and_every_node_the_diagram_at_every_size() {
    let mut problems = Vec::new();
    let mut scenes = 0;
    for (run, sim) in runs() {
        for (size, viewport) in viewports() {
            let sc = scene(&sim, viewport);
            problems.extend(check(&format!("{run} at {size}"), &sc));
            scenes += 1;
        }
    }
    assert!(scenes > 150, "only {scenes} scenes laid out");
    assert!(
        problems.is_empty(),
        "{} problems, first ones:\n{}",
        problems.len(),
        problems.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_labels_that_used_to_clip_now_fit_or_end_in_an_ellipsis() {
    let mut sim = Sim::new(alb_lab::scenarios::default_scenario(), None);
    sim.apply(Command::DetachLoadBalancer).expect("detach");
    let sc = scene(&sim, Viewport::wide(1000.0, 360.0));
    let client = sc.node("client").expect("client");
    assert!(client.labels.iter().any(|l| l.text == "203.0.113.10"), "{:?}", client.labels);
    let service = sc.node("service").expect("service");
    assert!(service.name.contains("not attached to a target group"));
    let shown = &service.labels[0].text;
    assert!(service.name.contains(shown.trim_end_matches('…')), "{shown}");
    assert!(service.frame.expect("frame").contains(&service.labels[0].bounds()));
}

#[test]
fn text_is_at_least_11_px_on_a_desktop_and_10_px_in_a_700_px_embed() {
    let mut sim = Sim::new(alb_lab::scenarios::default_scenario(), None);
    sim.run_for(10_000);
    // The page shows the layout at its own width: one SVG unit is one CSS pixel unless the
    // space is narrower than the minimum layout width.
    for (viewport, min_px) in [(Viewport::wide(1000.0, 360.0), 11.0), (Viewport::boxed(680.0, 300.0), 10.0)] {
        let sc = scene(&sim, viewport);
        let scale = viewport.width_px / sc.layout.width;
        assert!(viewport.width_px >= MIN_LOGICAL_WIDTH);
        assert_eq!(scale, 1.0);
        for n in &sc.nodes {
            for l in &n.labels {
                assert!(l.size_px * scale >= min_px, "{} is {} px", l.text, l.size_px * scale);
            }
        }
    }
    const { assert!(SUB_PX >= 11.0 && TITLE_PX >= SUB_PX) };
    // A 700-pixel embed keeps every hop's title readable in full.
    let sc = scene(&sim, Viewport::boxed(680.0, 300.0));
    for key in ["listener", "rule", "client"] {
        let n = sc.node(key).expect(key);
        assert!(!n.labels[0].text.ends_with('…'), "{key}: {:?}", n.labels[0].text);
    }
    assert!(text::width("Listener", TITLE_PX, true) < 80.0);
}

#[test]
fn tab_order_follows_the_request_path() {
    let mut sim = Sim::new(alb_lab::scenarios::default_scenario(), None);
    sim.run_for(10_000);
    let sc = scene(&sim, Viewport::wide(1000.0, 360.0));
    let keys: Vec<&str> = sc.nodes.iter().map(|n| n.key.as_str()).collect();
    let pos = |k: &str| keys.iter().position(|x| *x == k).unwrap_or_else(|| panic!("no {k} in {keys:?}"));
    let row0 = sc.rows[0];
    let order = ["client", "vpc", "alb-nacl", "alb-sg", "listener", "rule", "tg", "service"];
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "{} before {}", w[0], w[1]);
    }
    let row = [
        format!("pill-{row0}"),
        format!("tnacl-{row0}"),
        format!("tsg-{row0}"),
        format!("task-{row0}"),
        format!("map-{row0}"),
        format!("app-{row0}"),
    ];
    assert!(pos("service") < pos(&row[0]));
    for w in row.windows(2) {
        assert!(pos(&w[0]) < pos(&w[1]), "{} before {}", w[0], w[1]);
    }
}

#[test]
fn a_listener_moved_off_the_clients_port_shows_where_it_went() {
    let mut sim = Sim::new(alb_lab::scenarios::default_scenario(), None);
    sim.apply(Command::ModifyListener { port: 80, new_port: 8080 }).expect("move the listener");
    let sc = scene(&sim, Viewport::wide(1000.0, 360.0));
    let listener = sc.node("listener").expect("listener");
    let shown: Vec<&str> = listener.labels.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(shown, ["Listener", "HTTP:8080", "not :80"]);
    assert!(listener.name.contains("the client sends to port 80, where no listener is"), "{}", listener.name);
    assert_eq!(listener.state, "broken");
}
