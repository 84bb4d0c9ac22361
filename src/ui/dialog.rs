//! A modal dialog (the share dialog, the exercise picker): the browser's own `<dialog>`, so
//! focus stays inside it, Escape closes it and the page behind it is inert.

use leptos::prelude::*;

#[component]
pub fn Modal(
    is_open: RwSignal<bool>,
    /// The id of the heading that names the dialog.
    labelled_by: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let open = is_open.get();
        let Some(d) = dialog.get() else { return };
        if open && !d.open() {
            let _ = d.show_modal();
        } else if !open && d.open() {
            d.close();
        }
    });
    view! {
        <dialog class="dialog" node_ref=dialog aria-labelledby=labelled_by on:close=move |_| is_open.set(false)>
            <button class="button button--small dialog__close" on:click=move |_| is_open.set(false)>"Close"</button>
            {move || is_open.get().then(|| children())}
        </dialog>
    }
}
