//! The live SVG diagram. The scene (every node, its box and its fitted text) comes from
//! [`crate::diagram::scene`], pure and tested natively; this file only draws it.
//!
//! Nodes are keyed (`task-7` stays the same element while task 7 lives), so an element keeps
//! keyboard focus while the run goes on around it. Every node is a button: a click, Enter or
//! Space selects it and opens its settings; focus alone selects nothing. What moves (tokens,
//! flows, badges) lives in layers that never take the pointer, filled each frame by
//! [`super::tokens`] without the reactive system.

use super::{use_sim, SimHandle};
use crate::diagram::plan::MAX_TOKENS;
use crate::diagram::still::{frame_radius, label_class, node_classes};
use crate::diagram::{still, Label, Node, Rect, Selected, Viewport};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How a node was chosen: a keyboard user is taken to the settings; a pointer user stays on
/// the diagram (on a phone the settings are scrolled into view).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum How {
    Pointer,
    Keyboard,
}

/// Select a node and open its settings.
pub fn choose(handle: SimHandle, what: Selected, how: How) {
    handle.selected.set(what);
    // In an embed the settings (or Why?) are behind a tab: open it.
    if let Some(tabs) = use_context::<super::app::EmbedTabs>() {
        tabs.open_for(what);
    }
    let narrow = handle.is_narrow.get_untracked();
    if how == How::Pointer && !narrow {
        return;
    }
    // After the inspector has drawn the section for the new selection.
    let cb = Closure::once(move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        // A target is selected to ask why: Why? first. Otherwise the section's first control;
        // else what the inspector says (a locked section); else Why? when the page shows no
        // settings.
        let first = |selector: &str| document.query_selector(selector).ok().flatten();
        let target = if matches!(what, Selected::Target(_)) { first("#why-heading") } else { None }
            .or_else(|| first("#inspector .knobs :is(input, select, button):not([disabled])"))
            .or_else(|| first("#inspector .knobs, #inspector .notice"))
            .or_else(|| first("#why-heading"));
        let Some(el) = target else { return };
        let el: web_sys::HtmlElement = el.unchecked_into();
        if how == How::Keyboard {
            if el.get_attribute("tabindex").is_none() && !matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "BUTTON") {
                let _ = el.set_attribute("tabindex", "-1");
            }
            let _ = el.focus();
        }
        if narrow {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Start);
            if let Some(section) = document.get_element_by_id("inspector") {
                section.scroll_into_view_with_scroll_into_view_options(&options);
            }
        }
    });
    // The section's form may still be loading (the forms load on demand): wait for it, then a
    // frame for the inspector to draw it.
    super::knobs::Forms::when_ready(what.section_key(), move || {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
        cb.forget();
    });
}

fn rect_view(class: &'static str, r: Rect, rx: f64) -> impl IntoView {
    view! { <rect class=class x=format!("{:.1}", r.x) y=format!("{:.1}", r.y) width=format!("{:.1}", r.w) height=format!("{:.1}", r.h) rx=format!("{rx:.1}")></rect> }
}

fn label_view(l: &Label) -> impl IntoView {
    let class = label_class(l);
    view! {
        <text
            class=class
            x=format!("{:.1}", l.x)
            y=format!("{:.1}", l.y)
            font-size=l.size_px.to_string()
            font-weight=if l.is_bold { "700" } else { "400" }
            text-anchor=if l.anchor == crate::diagram::Anchor::Middle { "middle" } else { "start" }
        >
            // The trailing space keeps a node's lines apart as words when its text is read.
            {format!("{} ", l.text)}
        </text>
    }
}

/// What of a node is drawn inside its group (everything but the group's own attributes).
fn node_body(n: &Node) -> impl IntoView {
    let focus = Rect { x: n.bounds.x - 3.0, y: n.bounds.y - 3.0, w: n.bounds.w + 6.0, h: n.bounds.h + 6.0 };
    view! {
        <title>{n.name.clone()}</title>
        {rect_view("diagram-node__hit", n.bounds, 6.0)}
        {n.frame.map(|f| rect_view("diagram-node__frame", f, frame_radius(n.kind, &f)))}
        {n.gate.as_ref().map(|g| g.bars.iter().map(|b| rect_view("diagram-gate", *b, 2.0)).collect_view())}
        {rect_view("diagram-node__focus", focus, 8.0)}
        {n.labels.iter().map(label_view).collect_view()}
    }
}

#[component]
fn NodeView(key: String) -> impl IntoView {
    let handle = use_sim();
    let scene = handle.scene;
    let node = Memo::new(move |_| scene.with(|s| s.node(&key).cloned()));
    let select = move || node.with(|n| n.as_ref().map(|n| n.select));
    let is_selected = move || select() == Some(handle.selected.get());
    let on_click = move |_| {
        if let Some(what) = select() {
            choose(handle, what, How::Pointer);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            // Space must not scroll the page from a node.
            ev.prevent_default();
            if let Some(what) = select() {
                choose(handle, what, How::Keyboard);
            }
        }
    };
    view! {
        <g
            // One class attribute: a separate class: toggle would be wiped whenever the node's
            // own classes change.
            class=move || {
                let mut c = node.with(|n| n.as_ref().map(node_classes).unwrap_or_default());
                if is_selected() {
                    c.push_str(" diagram-node--selected");
                }
                c
            }
            role="button"
            tabindex="0"
            aria-label=move || node.with(|n| n.as_ref().map(|n| n.name.clone()).unwrap_or_default())
            aria-pressed=move || is_selected().to_string()
            data-focus-key=move || node.with(|n| n.as_ref().map(|n| n.key.clone()).unwrap_or_default())
            data-hop=move || node.with(|n| n.as_ref().and_then(|n| n.hop).map(|h| h.key()).unwrap_or(""))
            data-row=move || node.with(|n| n.as_ref().and_then(|n| n.row).map(|r| r.to_string()).unwrap_or_default())
            on:click=on_click
            on:keydown=on_key
        >
            {move || node.with(|n| n.as_ref().map(node_body))}
        </g>
    }
}

/// Measure the diagram's box and keep the scene's viewport in step with it.
fn watch_size(handle: SimHandle, host: NodeRef<leptos::html::Div>, is_embed: bool) {
    let measure = move || {
        let Some(el) = host.get_untracked() else { return };
        let el: &web_sys::Element = el.as_ref();
        let width = el.client_width() as f64;
        if width <= 0.0 {
            return;
        }
        let window_height = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|v| v.as_f64()).unwrap_or(900.0);
        let viewport = if is_embed {
            Viewport::boxed(width, (el.client_height() as f64).max(120.0))
        } else if handle.is_narrow.get_untracked() {
            Viewport::tall(width)
        } else {
            // The hero of the page: at least 40 % of the window's height.
            Viewport::wide(width, (window_height * 0.42).round())
        };
        if handle.viewport.get_untracked() != viewport {
            handle.viewport.set(viewport);
        }
    };
    let observer_cb = Closure::<dyn FnMut()>::new(measure);
    let observer = web_sys::ResizeObserver::new(observer_cb.as_ref().unchecked_ref()).ok();
    observer_cb.forget();
    Effect::new(move |_| {
        handle.is_narrow.track();
        if let (Some(el), Some(o)) = (host.get(), observer.as_ref()) {
            let el: &web_sys::Element = el.as_ref();
            o.observe(el);
        }
        measure();
    });
}

#[component]
pub fn Diagram() -> impl IntoView {
    let handle = use_sim();
    let is_embed = super::share::use_embed().is_embed;
    let host = NodeRef::<leptos::html::Div>::new();
    watch_size(handle, host, is_embed);
    let scene = handle.scene;
    let keys = Memo::new(move |_| scene.with(|s| s.nodes.iter().map(|n| n.key.clone()).collect::<Vec<_>>()));
    let view_box = move || scene.with(|s| format!("0 0 {:.0} {:.0}", s.layout.width, s.layout.height));
    view! {
        <div class="diagram" class:diagram--boxed=is_embed node_ref=host>
            <svg
                class="diagram__svg"
                viewBox=view_box
                // A phone with many rows: the drawing keeps its size and the box scrolls sideways.
                style:min-width=move || scene.with(|s| if s.layout.is_vertical { format!("{:.0}px", s.layout.width) } else { "0".into() })
                preserveAspectRatio="xMidYMin meet"
                role="group"
                aria-label="Diagram of the request path from the client through the load balancer to the tasks"
            >
                {move || scene.with(|s| {
                    let v = s.vpc;
                    let f = s.service;
                    view! {
                        <rect class="diagram-vpc" x=v.x y=v.y width=v.w height=v.h rx="12"></rect>
                        <rect class="diagram-service-frame" x=f.x y=f.y width=f.w height=f.h rx="10"></rect>
                        {s.lanes.iter().map(|d| view! { <path class="diagram-lane" d=d.clone()></path> }).collect_view()}
                        {s.captions.iter().map(|c| {
                            let l = &c.label;
                            view! { <text class="diagram-caption" x=format!("{:.1}", l.x) y=format!("{:.1}", l.y) font-size=l.size_px.to_string() text-anchor="middle" aria-hidden="true">{l.text.clone()}</text> }
                        }).collect_view()}
                    }
                })}
                // Flows run under the nodes, so every label stays readable; badges and tokens
                // go on top.
                <g class="diagram-traffic diagram-flows" aria-hidden="true"></g>
                <For each=move || keys.get() key=|k: &String| k.clone() let:key>
                    <NodeView key=key/>
                </For>
                <g class="diagram-traffic" aria-hidden="true">
                    <g class="diagram-badges"></g>
                    <g class="diagram-tokens">
                        {(0..MAX_TOKENS).map(|_| token_slot("token token--idle")).collect_view()}
                    </g>
                </g>
            </svg>
        </div>
    }
}

/// A token's group: every shape, of which CSS shows the one its class names.
fn token_slot(class: &'static str) -> impl IntoView {
    view! {
        <g class=class>
            <circle class="token__shape token__circle" r="6"></circle>
            <rect class="token__shape token__square" x="-6" y="-6" width="12" height="12" rx="2"></rect>
            <path class="token__cross" d="M-6 -6 L6 6 M6 -6 L-6 6"></path>
            <rect class="token__shape token__diamond" x="-4.5" y="-4.5" width="9" height="9" transform="rotate(45)"></rect>
        </g>
    }
}

/// What the shapes, colours and patterns mean: every outcome a token, band or badge can show.
#[component]
pub fn Legend() -> impl IntoView {
    let item = |class: &'static str, text: &'static str| {
        view! {
            <li class="legend__item">
                <svg class="legend__icon" viewBox="-8 -8 16 16" aria-hidden="true">{token_slot(class)}</svg>
                {text}
            </li>
        }
    };
    let band = |key: &'static str, text: &'static str| {
        let dash = still::dash_pattern(key, 3.0);
        view! {
            <li class="legend__item">
                <svg class="legend__band" viewBox="0 0 24 8" aria-hidden="true"><line class=format!("flow token--{key}") x1="0" y1="4" x2="24" y2="4" stroke-width="3" stroke-dasharray=dash></line></svg>
                {text}
            </li>
        }
    };
    view! {
        <ul class="legend" aria-label="Diagram legend">
            {item("token token--ok token--shape-circle", "2xx/3xx from the app")}
            {item("token token--4xx token--shape-square", "4xx/5xx from the app")}
            {item("token token--502 token--shape-square", "502 (ELB)")}
            {item("token token--503 token--shape-square", "503 (ELB)")}
            {item("token token--504 token--shape-square", "504 (ELB)")}
            {item("token token--timeout token--shape-cross", "timeout or refused: no HTTP status")}
            {item("token token--probe-ok token--shape-diamond", "health check passed")}
            {item("token token--probe-fail token--shape-diamond", "health check failed")}
            {band("ok", "bands: requests per second (wider: more)")}
            {band("503", "503")}
            {band("504", "504")}
            <li class="legend__item">"Badges count the last 30 s at the hop that decided them."</li>
        </ul>
    }
}
