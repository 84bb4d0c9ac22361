//! Browser glue: local storage, the query string, messages to an embedding page, the panic
//! screen, keeping focus through re-renders, and measuring the window and elements.

use super::exercises::Exercises;
use super::SimHandle;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub(crate) fn prefers_reduced_motion() -> bool {
    web_sys::window().and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten()).is_some_and(|m| m.matches())
}

/// Written with plain DOM calls: once wasm has panicked nothing in it can run again, so the
/// reload button is an ordinary link.
pub(crate) fn show_fatal_error(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(div) = document.create_element("div") else { return };
    div.set_class_name("fatal");
    div.set_attribute("role", "alert").ok();
    let p = document.create_element("p").ok();
    let pre = document.create_element("pre").ok();
    let a = document.create_element("a").ok();
    if let (Some(p), Some(pre), Some(a)) = (p, pre, a) {
        p.set_text_content(Some(
            "ALB Lab hit an internal error and stopped. Nothing you did should cause this; please report it with the text below.",
        ));
        pre.set_text_content(Some(message));
        a.set_text_content(Some("Reload and reset"));
        a.set_attribute("href", "./").ok();
        a.set_class_name("button");
        div.append_child(&p).ok();
        div.append_child(&pre).ok();
        div.append_child(&a).ok();
    }
    if let Some(body) = document.body() {
        body.append_child(&div).ok();
    }
}

/// Parts of the page are rebuilt when the sim changes (the exercise panel when a hint opens).
/// Elements that can take focus carry a `data-focus-key`; when a rebuild takes the focused
/// element away, focus returns to its successor instead of falling to the page.
pub(crate) fn keep_focus(handle: SimHandle, ex: Exercises) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let last_key: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let record = last_key.clone();
    let on_focus = Closure::<dyn FnMut(web_sys::FocusEvent)>::new(move |ev: web_sys::FocusEvent| {
        let key = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.get_attribute("data-focus-key"));
        *record.borrow_mut() = key;
    });
    let _ = document.add_event_listener_with_callback("focusin", on_focus.as_ref().unchecked_ref());
    on_focus.forget();
    Effect::new(move |_| {
        handle.version.track();
        ex.active.track();
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let lost = match document.active_element() {
            None => true,
            Some(el) => document.body().is_some_and(|b| el == *b.as_ref()),
        };
        let key = last_key.borrow().clone();
        if let (true, Some(key)) = (lost, key) {
            let selector = format!("[data-focus-key=\"{key}\"]");
            // SVG nodes are not HtmlElements; call focus() on whatever the element is.
            if let Some(el) = document.query_selector(&selector).ok().flatten() {
                let el: &web_sys::HtmlElement = el.unchecked_ref();
                let _ = el.focus();
            }
        }
    });
}

pub(crate) fn watch_width(handle: SimHandle) {
    let update = move || {
        let narrow = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).is_some_and(|w| w < 720.0);
        if handle.is_narrow.get_untracked() != narrow {
            handle.is_narrow.set(narrow);
        }
    };
    update();
    let closure = Closure::<dyn FnMut()>::new(update);
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("resize", closure.as_ref().unchecked_ref());
    }
    closure.forget();
}

/// The width of an element, kept up to date as it is resized.
pub(crate) fn observe_width<E>(host: NodeRef<E>, initial: f64) -> RwSignal<f64>
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let width = RwSignal::new(initial);
    let measure = move || {
        if let Some(el) = host.get_untracked() {
            let el: &web_sys::Element = el.unchecked_ref();
            let w = el.client_width() as f64;
            if w > 0.0 && (w - width.get_untracked()).abs() >= 1.0 {
                width.set(w);
            }
        }
    };
    let cb = Closure::<dyn FnMut()>::new(measure);
    let observer = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()).ok();
    let observed = observer.clone();
    Effect::new(move |_| {
        if let (Some(el), Some(o)) = (host.get(), observed.as_ref()) {
            o.observe(el.unchecked_ref());
        }
        measure();
    });
    // A chart shown again and again (an embed's Metrics tab) must not leave observers behind.
    let cb = send_wrapper::SendWrapper::new((cb, observer));
    on_cleanup(move || {
        let (cb, observer) = cb.take();
        if let Some(o) = observer {
            o.disconnect();
        }
        drop(cb);
    });
    width
}

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub(crate) fn window_size() -> (f64, f64) {
    let w = web_sys::window();
    let get = |v: Option<Result<JsValue, JsValue>>| v.and_then(|v| v.ok()).and_then(|v| v.as_f64()).unwrap_or(0.0);
    (get(w.as_ref().map(|w| w.inner_width())), get(w.as_ref().map(|w| w.inner_height())))
}

/// Tell the page that embeds ALB Lab (if any) what happened. Only plain data is sent.
pub(crate) fn post_to_parent(kind: &str, field: Option<(&str, &str)>) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"source".into(), &"alb-lab".into());
    let _ = js_sys::Reflect::set(&message, &"type".into(), &kind.into());
    if let Some((k, v)) = field {
        let _ = js_sys::Reflect::set(&message, &k.into(), &v.into());
    }
    let _ = parent.post_message(&message, "*");
}

/// A query parameter of the page's URL.
pub(crate) fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// Add a split piece's style sheet to the page once (its `id` marks it): a piece's style comes
/// with its code, so the first load carries neither.
pub(crate) fn add_style_once(id: &str, css: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if document.get_element_by_id(id).is_some() {
        return;
    }
    let Ok(style) = document.create_element("style") else { return };
    style.set_id(id);
    style.set_text_content(Some(css));
    if let Some(head) = document.head() {
        let _ = head.append_child(&style);
    }
}
