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

/// The text field a person would find by its visible label.
fn field_labelled(host: &web_sys::HtmlElement, label: &str) -> web_sys::HtmlInputElement {
    let labels = host.query_selector_all("label").expect("query");
    let id = (0..labels.length())
        .filter_map(|i| labels.item(i))
        .map(|n| n.unchecked_into::<web_sys::Element>())
        .find(|l| l.text_content().unwrap_or_default().trim() == label)
        .and_then(|l| l.get_attribute("for"))
        .unwrap_or_else(|| panic!("no field labelled {label:?}"));
    host.query_selector(&format!("[id='{id}']"))
        .expect("query")
        .unwrap_or_else(|| panic!("label {label:?} points at no field"))
        .unchecked_into::<web_sys::HtmlInputElement>()
}

/// The event log as a reader sees it, newest first.
fn log_text(host: &web_sys::HtmlElement) -> String {
    host.query_selector("ol.log").expect("query").expect("the event log").text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_bad_field_value_gets_a_message_and_changes_nothing() {
    let host = mount_app();
    settle().await;
    // Paused, so the only thing that could add to the event log is the refused change.
    // (An earlier test may have left the remembered run paused already.)
    if let Some(pause) = buttons_named(&host, "Pause").first() {
        pause.click();
        settle().await;
    }
    assert_eq!(buttons_named(&host, "Play").len(), 1, "the run is paused");
    let select = host
        .query_selector("select#inspector-section")
        .expect("query")
        .expect("settings selector")
        .unchecked_into::<web_sys::HtmlSelectElement>();
    select.set_value("target-group");
    select.dispatch_event(&web_sys::Event::new("change").expect("event")).expect("dispatch");
    settle().await;
    let log_before = log_text(&host);
    assert!(!log_before.is_empty(), "the warm-up wrote events to the log");
    let input = field_labelled(&host, "Interval (HealthCheckIntervalSeconds)");
    input.set_value("1");
    input.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
    buttons_named(&host, "Apply health check")[0].click();
    settle().await;
    let error = host.query_selector(".field-error").expect("query").expect("an error message");
    assert_eq!(error.text_content().unwrap_or_default(), "Interval must be 5-300 s; you entered 1.");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"), "the field is marked invalid");
    assert_eq!(log_text(&host), log_before, "a refused change logs nothing");
    host.remove();
}
