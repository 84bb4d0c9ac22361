//! Component tests in a real headless Chromium (wasm-bindgen-test). Few by design: the core is
//! tested natively, whole journeys with Playwright (e2e/). These check that the app mounts,
//! draws the diagram from the sim, and that its controls drive the sim.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test browser`
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a browser document")
}

fn mount_app() -> web_sys::HtmlElement {
    let doc = document();
    let host = doc.create_element("div").expect("div").unchecked_into::<web_sys::HtmlElement>();
    doc.body().expect("body").append_child(&host).expect("append");
    let handle = leptos::mount::mount_to(host.clone(), alb_lab::ui::App);
    std::mem::forget(handle);
    host
}

/// Let Leptos run the effects that a click or an input scheduled.
async fn settle() {
    gloo_timers::future::TimeoutFuture::new(50).await;
}

fn buttons_named(host: &web_sys::HtmlElement, text: &str) -> Vec<web_sys::HtmlElement> {
    let list = host.query_selector_all("button").expect("query");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into::<web_sys::HtmlElement>())
        .filter(|b| b.text_content().unwrap_or_default().trim() == text)
        .collect()
}

#[wasm_bindgen_test]
fn the_diagram_draws_every_hop_as_a_labelled_control() {
    let host = mount_app();
    let svg = host.query_selector("svg.diagram__svg").expect("query").expect("the diagram is drawn");
    let labels: Vec<String> = {
        let nodes = svg.query_selector_all("[role=button]").expect("query");
        (0..nodes.length())
            .filter_map(|i| nodes.item(i))
            .filter_map(|n| n.unchecked_into::<web_sys::Element>().get_attribute("aria-label"))
            .collect()
    };
    for wanted in ["Client", "ALB security group", "Listener", "Target group", "Task security group", "Task ", "app :"] {
        assert!(labels.iter().any(|l| l.starts_with(wanted)), "no diagram control labelled {wanted:?} in {labels:?}");
    }
    // The default scenario warms up for 60 s: two tasks are already running with healthy targets.
    assert!(labels.iter().filter(|l| l.starts_with("Target ") && l.contains("healthy")).count() >= 2, "{labels:?}");
    host.remove();
}

#[wasm_bindgen_test]
async fn pause_toggles_and_send_one_request_shows_its_trace() {
    let host = mount_app();
    let pause = buttons_named(&host, "Pause");
    assert_eq!(pause.len(), 1, "one Pause button");
    pause[0].click();
    settle().await;
    assert_eq!(buttons_named(&host, "Play").len(), 1, "Pause turns into Play");
    buttons_named(&host, "Send one request")[0].click();
    settle().await;
    let why = host.query_selector(".why__title").expect("query").expect("Why? panel");
    assert!(why.text_content().unwrap_or_default().starts_with("Request #"), "Why? shows the request just sent");
    host.remove();
}

#[wasm_bindgen_test]
async fn a_bad_field_value_gets_a_message_and_changes_nothing() {
    let host = mount_app();
    let select = host
        .query_selector("select#inspector-section")
        .expect("query")
        .expect("settings selector")
        .unchecked_into::<web_sys::HtmlSelectElement>();
    select.set_value("target-group");
    select.dispatch_event(&web_sys::Event::new("change").expect("event")).expect("dispatch");
    settle().await;
    let input = host
        .query_selector("#field-interval_seconds")
        .expect("query")
        .expect("interval field")
        .unchecked_into::<web_sys::HtmlInputElement>();
    input.set_value("1");
    input.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
    buttons_named(&host, "Apply health check")[0].click();
    settle().await;
    let error = host.query_selector(".field-error").expect("query").expect("an error message");
    let text = error.text_content().unwrap_or_default();
    assert!(text.contains("interval_seconds") && text.contains("5-300"), "{text}");
    host.remove();
}
