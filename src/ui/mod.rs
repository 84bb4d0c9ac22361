//! The page: a Leptos (client-side rendered) app that draws the simulation and sends it commands.
//!
//! By concern: [`handle`] owns the sim ([`SimHandle`], in context), [`clock`] turns wall time
//! into ticks, [`tokens`] draws what moves, [`app`] is the page and the embed view, [`browser`]
//! the glue to the browser, [`theme`] light and dark; the panels, the diagram, the settings
//! forms, the exercises, sharing and the timeline have a file each.

mod app;
mod browser;
mod clock;
mod console;
mod diagram;
mod dialog;
mod exercises;
mod handle;
mod import;
mod knobs;
mod panels;
mod share;
mod theme;
mod timeline;
mod tokens;

pub use crate::diagram::Selected;
pub use app::App;
pub(crate) use browser::{observe_width, post_to_parent, query_param, storage};
pub use handle::SimHandle;
use leptos::prelude::*;

pub fn use_sim() -> SimHandle {
    expect_context::<SimHandle>()
}

/// Mount the app. A panic shows a message with a reload button instead of a blank page.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        browser::show_fatal_error(&info.to_string());
    }));
    leptos::mount::mount_to_body(App);
    // The first paint (index.html's static diagram) gives way in the same task as the mount, so
    // no frame shows both or neither.
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("first-paint")) {
        el.remove();
    }
}

/// Code loaded on demand (a split point, see `scripts/build-wasm.sh`): `None` until its module
/// has arrived, then what it exports, usually the function that builds a view.
///
/// The view is built by the caller, in its own reactive scope, once the function is here: a
/// view built inside the loading future would be built in a scope that may have been disposed
/// while the module was on its way (the reader chose another section meanwhile).
pub struct OnDemand<T: Send + Sync + 'static> {
    loaded: RwSignal<Option<T>>,
    is_asked: StoredValue<bool>,
    /// What [`OnDemand::with`] was asked to do before the module arrived, in the order asked.
    waiting: StoredValue<Waiting<T>, LocalStorage>,
}

type Waiting<T> = Vec<Box<dyn FnOnce(T)>>;

/// The common case: a piece that exports the function building its view.
impl OnDemand<fn() -> AnyView> {
    /// The view, built here once its code has arrived; nothing until then (tracked).
    pub fn view<F: std::future::Future<Output = fn() -> AnyView> + 'static>(&self, load: impl FnOnce() -> F) -> Option<AnyView> {
        self.get(load).map(|build| build())
    }
}

impl<T: Send + Sync + 'static> Clone for OnDemand<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for OnDemand<T> {}

impl<T: Send + Sync + 'static> Default for OnDemand<T> {
    fn default() -> Self {
        OnDemand { loaded: RwSignal::new(None), is_asked: StoredValue::new(false), waiting: StoredValue::new_local(Vec::new()) }
    }
}

impl<T: Copy + Send + Sync + 'static> OnDemand<T> {
    /// What the module exports, or `None` while it loads; the first call starts the load.
    /// Tracked, so a view that asks is built again when the module arrives.
    pub fn get<F: std::future::Future<Output = T> + 'static>(&self, load: impl FnOnce() -> F) -> Option<T> {
        if let Some(value) = self.loaded.get() {
            return Some(value);
        }
        self.start(load);
        None
    }

    /// What the module exports if it has arrived; starts nothing and tracks nothing.
    pub fn loaded(&self) -> Option<T> {
        self.loaded.get_untracked()
    }

    /// Run `then` with what the module exports: now if it is here, else when it arrives, after
    /// whatever was asked before it (a parent page's `load` then `play` stay in that order).
    pub fn with<F: std::future::Future<Output = T> + 'static>(&self, load: impl FnOnce() -> F, then: impl FnOnce(T) + 'static) {
        if let Some(value) = self.loaded.get_untracked() {
            return then(value);
        }
        // Run it in the scope it was asked from, so what it touches finds its context.
        let owner = Owner::current();
        self.waiting.update_value(|w| {
            w.push(Box::new(move |value| match owner {
                Some(owner) => owner.with(|| then(value)),
                None => then(value),
            }))
        });
        self.start(load);
    }

    fn start<F: std::future::Future<Output = T> + 'static>(&self, load: impl FnOnce() -> F) {
        if self.is_asked.get_value() {
            return;
        }
        self.is_asked.set_value(true);
        self.await_boxed(Box::pin(load()));
    }

    /// The waiting half of [`OnDemand::start`], on a boxed future: compiled once per kind of
    /// export rather than once per split point, which keeps each split point's cost in the first
    /// load to the few bytes of its call.
    fn await_boxed(&self, future: std::pin::Pin<Box<dyn std::future::Future<Output = T>>>) {
        let this = *self;
        leptos::task::spawn_local(async move {
            let value = future.await;
            this.loaded.set(Some(value));
            let waiting = this.waiting.try_update_value(std::mem::take).unwrap_or_default();
            for then in waiting {
                then(value);
            }
        });
    }
}
