//! "Import your setup": paste or drop AWS CLI output, `terraform show -json` or a CloudFormation
//! template; see what was read, what was assumed, the findings with their `aws` fixes, and AWS's
//! observed target states beside the simulation's; then run the setup in the page.
//!
//! Reading, building and diagnosing are [`crate::import`]'s; this file is the dialog. Its code
//! (and the importer's) is a split point, loaded when the dialog first opens, so the first load
//! carries none of it. Nothing is uploaded: documents are read in this tab and kept only in its
//! memory, until the tab closes.

use super::{use_sim, OnDemand};
use crate::import::report::{report, Report};
use crate::import::{self, collector, redact, Imported, NoteKind, Source};
use leptos::prelude::*;
use std::cell::RefCell;

/// The dialog's open state, in the page's context: the dialog closes itself after a run, and
/// the share dialog opens it to redact an imported setup first.
#[derive(Clone, Copy)]
pub struct ImportDialog(pub RwSignal<bool>);

#[component]
pub fn ImportPanel(is_open: RwSignal<bool>) -> impl IntoView {
    let contents = OnDemand::default();
    view! {
        <super::dialog::Modal is_open=is_open labelled_by="import-heading">
            {move || contents.view(load_import_dialog)}
        </super::dialog::Modal>
    }
}

#[cfg_attr(alb_split, leptos::lazy)]
async fn load_import_dialog() -> fn() -> AnyView {
    (|| {
        super::browser::add_style_once("import-style", include_str!("../../style/import.css"));
        import_dialog().into_any()
    }) as fn() -> AnyView
}

/// One document in the dialog: read, or refused before it was read (a file over the limit).
#[derive(Clone, Debug, PartialEq)]
struct Doc {
    source: Source,
    refused_early: Option<String>,
}

thread_local! {
    /// The documents, kept while the dialog is closed (the tab's memory only).
    static DOCS: RefCell<Vec<Doc>> = const { RefCell::new(Vec::new()) };
    static PASTES: RefCell<u32> = const { RefCell::new(0) };
    /// Which set of documents the latest analysis is for.
    static GENERATION: RefCell<u64> = const { RefCell::new(0) };
}

/// What the dialog shows for the documents it holds.
#[derive(Clone)]
struct Analysis {
    imported: Imported,
    report: Option<Report>,
}

fn analyse(docs: &[Doc]) -> Analysis {
    let sources: Vec<Source> = docs.iter().filter(|d| d.refused_early.is_none()).map(|d| d.source.clone()).collect();
    let imported = import::import(&sources);
    let report = report(&imported);
    Analysis { imported, report }
}

fn copy(handle: super::SimHandle, text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    handle.notice.set(Some((false, "Copied to the clipboard.".into())));
}

fn import_dialog() -> impl IntoView {
    let handle = use_sim();
    let dialog = use_context::<ImportDialog>();
    let docs = RwSignal::new(DOCS.with(|d| d.borrow().clone()));
    let analysis: RwSignal<Option<Analysis>, LocalStorage> = RwSignal::new_local(None);
    let is_busy = RwSignal::new(false);
    // The documents live in DOCS, so a file that finishes reading after the dialog closed (and
    // its signals are gone) is still kept; the signals only follow when they still exist.
    let update = move |f: &dyn Fn(&mut Vec<Doc>)| {
        let now = DOCS.with(|d| {
            f(&mut d.borrow_mut());
            d.borrow().clone()
        });
        let generation = GENERATION.with(|g| {
            *g.borrow_mut() += 1;
            *g.borrow()
        });
        if docs.try_set(now.clone()).is_some() {
            return;
        }
        let _ = is_busy.try_set(!now.is_empty());
        // The five simulated minutes run after the page has painted the new document, and only
        // for the latest set of documents.
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(16).await;
            if GENERATION.with(|g| *g.borrow()) != generation {
                return;
            }
            let result = (!now.is_empty()).then(|| analyse(&now));
            let _ = analysis.try_set(result);
            let _ = is_busy.try_set(false);
        });
    };
    if !docs.get_untracked().is_empty() {
        update(&|_| {});
    }
    let paste = NodeRef::<leptos::html::Textarea>::new();
    let add_paste = move |_| {
        let Some(area) = paste.get() else { return };
        let text = area.value();
        if text.trim().is_empty() {
            return;
        }
        let n = PASTES.with(|p| {
            *p.borrow_mut() += 1;
            *p.borrow()
        });
        update(&|d| d.push(Doc { source: Source::new(format!("pasted text {n}"), text.clone()), refused_early: None }));
        area.set_value("");
    };
    let add_files = move |files: web_sys::FileList| {
        for i in 0..files.length() {
            let Some(file) = files.get(i) else { continue };
            let name = file.name();
            let size = file.size() as usize;
            if size > import::MAX_DOCUMENT_BYTES {
                update(&|d| d.push(Doc { source: Source::new(name.clone(), String::new()), refused_early: Some(import::too_big(size)) }));
                continue;
            }
            leptos::task::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string());
                match text {
                    Some(text) => update(&|d| d.push(Doc { source: Source::new(name.clone(), text.clone()), refused_early: None })),
                    None => update(&|d| {
                        d.push(Doc {
                            source: Source::new(name.clone(), String::new()),
                            refused_early: Some("the browser could not read it as text".into()),
                        })
                    }),
                }
            });
        }
    };
    let file_input = NodeRef::<leptos::html::Input>::new();
    let on_files = move |_| {
        let Some(input) = file_input.get() else { return };
        if let Some(files) = input.files() {
            add_files(files);
        }
        input.set_value("");
    };
    let is_over = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        // The page's own drop handler reopens pictures: this drop is the dialog's.
        ev.stop_propagation();
        is_over.set(false);
        if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
            add_files(files);
        }
    };
    let cluster = RwSignal::new(String::new());
    let service = RwSignal::new(String::new());
    let snippet = Memo::new(move |_| collector::snippet(&cluster.get(), &service.get()));
    let run = move |redacted: bool| {
        let Some(a) = analysis.get_untracked() else { return };
        let imported = if redacted { redact::redact(&a.imported).imported } else { a.imported };
        let Ok(valid) = imported.scenario.clone() else {
            handle.banner.set(Some("The redacted copy of this setup could not be built, so nothing was run. Run it as it is, or remove the document that names it.".into()));
            return;
        };
        let name = valid.get().name.clone();
        handle.load(valid);
        handle.notice.set(Some((false, format!("Running {name}. Its notes and findings stay in Import your setup."))));
        if let Some(d) = dialog {
            d.0.set(false);
        }
    };

    view! {
        <section class="import" aria-labelledby="import-heading">
            <h2 id="import-heading">"Import your setup"</h2>
            <p class="panel__hint">
                "Paste or drop what you already have: AWS CLI JSON output, "<code>"terraform show -json"</code>" of a state or a plan, or a CloudFormation template in JSON. "
                "Any number of documents, in any order. "<strong>"Nothing leaves your browser"</strong>": the documents are read on this page and never uploaded."
            </p>
            <div
                class="import__drop"
                class:import__drop--over=move || is_over.get()
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); ev.stop_propagation(); is_over.set(true); }
                on:dragleave=move |_| is_over.set(false)
                on:drop=on_drop
            >
                <label class="field">
                    <span class="field__label">"Paste a document"</span>
                    <textarea node_ref=paste rows="6" spellcheck="false" placeholder="{\"LoadBalancers\": [ … ]}"></textarea>
                </label>
                <div class="import__add">
                    <button class="button" on:click=add_paste>"Add pasted text"</button>
                    <label class="button import__files">
                        "Choose files…"
                        <input type="file" multiple accept=".json,application/json,text/plain" node_ref=file_input on:change=on_files/>
                    </label>
                    <span class="panel__hint">"or drop files here. Up to 64 documents of at most 4 MB each, 5,000 resources in all."</span>
                </div>
            </div>
            <details class="import__collector">
                <summary>"Collect everything with one command"</summary>
                <p class="panel__hint">
                    "This read-only snippet runs the "<code>"aws"</code>" describe commands for one ECS service and its load balancer, with your own credentials (it needs only "
                    <code>"elasticloadbalancing:Describe*"</code>", "<code>"ecs:Describe*"</code>", "<code>"ecs:List*"</code>" and "<code>"ec2:Describe*"</code>
                    "), and writes "<code>"alb-lab-setup.json"</code>". Drop that file here."
                </p>
                <div class="import__names">
                    <label class="field"><span class="field__label">"Cluster"</span>
                        <input type="text" prop:value=move || cluster.get() on:input=move |ev| cluster.set(event_target_value(&ev)) autocomplete="off"/></label>
                    <label class="field"><span class="field__label">"Service"</span>
                        <input type="text" prop:value=move || service.get() on:input=move |ev| service.set(event_target_value(&ev)) autocomplete="off"/></label>
                </div>
                <label class="field">
                    <span class="field__label">"Collector (bash)"</span>
                    <textarea readonly rows="8" class="import__code" prop:value=move || snippet.get()></textarea>
                </label>
                <button class="button" on:click=move |_| copy(handle, &snippet.get_untracked())>"Copy the collector"</button>
            </details>
            {move || {
                let list = docs.get();
                (!list.is_empty()).then(|| {
                    // Reports come in the order of the documents that were read (not those
                    // refused before reading), whatever their names.
                    let reports: Vec<Option<import::DocumentReport>> = analysis.with(|a| {
                        let mut read = a.as_ref().map(|a| a.imported.documents.clone().into_iter());
                        list.iter().map(|d| if d.refused_early.is_some() { None } else { read.as_mut().and_then(|r| r.next()) }).collect()
                    });
                    view! {
                        <h3>"Documents"</h3>
                        <ul class="import__docs">
                            {list.iter().zip(reports).enumerate().map(|(i, (d, report))| {
                                let name = d.source.name.clone();
                                let early = d.refused_early.clone();
                                let label = format!("Remove {name}");
                                view! {
                                    <li>
                                        <span class="import__doc-name">{name.clone()}</span>
                                        {match (early, report) {
                                            (Some(why), _) => view! { <span class="field-error">{format!("Not imported: {why}.")}</span> }.into_any(),
                                            (None, Some(r)) => match r.refused {
                                                Some(why) => view! { <span class="field-error">{format!("Not imported: {why}.")}</span> }.into_any(),
                                                None => view! {
                                                    <span class="import__read">{format!("Read as {}.", r.read_as.join(", "))}</span>
                                                    {r.warnings.iter().map(|w| view! { <span class="import__warning">{w.clone()}</span> }).collect_view()}
                                                }.into_any(),
                                            },
                                            (None, None) => view! { <span class="import__read">"Reading…"</span> }.into_any(),
                                        }}
                                        <button class="button button--small" aria-label=label on:click=move |_| update(&|d| { if i < d.len() { d.remove(i); } })>"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {move || is_busy.get().then(|| view! { <p class="panel__hint" role="status">"Running your setup for five simulated minutes…"</p> })}
                        {move || analysis.with(|a| a.clone()).map(|a| result_view(a, run))}
                    }
                })
            }}
        </section>
    }
}

fn result_view(a: Analysis, run: impl Fn(bool) + Copy + 'static) -> impl IntoView {
    let handle = use_sim();
    let Analysis { imported, report } = a;
    let notes = imported.notes.clone();
    let assumed: Vec<_> = notes.iter().filter(|n| n.kind == NoteKind::Assumed).cloned().collect();
    let not_modelled: Vec<_> = notes.iter().filter(|n| n.kind == NoteKind::NotModelled).cloned().collect();
    let errors = imported.scenario.as_ref().err().cloned();
    view! {
        {errors.map(|e| view! {
            <div class="field-error" role="alert">
                <p>"No setup could be built from these documents yet:"</p>
                <ul>{e.into_iter().map(|x| view! { <li>{x}</li> }).collect_view()}</ul>
            </div>
        })}
        {report.map(|r| {
            let verdict = if r.gets_through { "A request gets through to the app." } else { "A request cannot get through." };
            view! {
                <h3>"Diagnosis"</h3>
                <p class="import__verdict" class:import__verdict--bad=!r.gets_through role="status">
                    <strong>{verdict}</strong>" "{format!("Simulated for 5 minutes: {}", r.client_sees)}
                </p>
                <ol class="import__findings">
                    {r.findings.iter().map(|f| {
                        let cli = f.aws_cli.clone();
                        let title = match f.linter {
                            Some(l) => format!("{} at {} ({l})", f.id, f.hop),
                            None => format!("{} at {}", f.id, f.hop),
                        };
                        view! {
                            <li class=format!("import__finding import__finding--{}", f.severity)>
                                <p><strong>{format!("{}: ", f.severity)}</strong>{f.cause.clone()}</p>
                                <p class="panel__hint">{title}</p>
                                <p>{format!("AWS shows: {}", f.aws_shows)}</p>
                                <p>{format!("Fix: {}", f.fix)}</p>
                                {cli.map(|c| {
                                    let c2 = c.clone();
                                    view! {
                                        <pre class="import__code"><code>{c}</code></pre>
                                        <button class="button button--small" on:click=move |_| copy(handle, &c2)>"Copy the command"</button>
                                    }
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
                {(!r.comparisons.is_empty()).then(|| view! {
                    <h3>"What AWS observed, next to the simulation"</h3>
                    <table class="import__observed">
                        <thead><tr><th scope="col">"Target"</th><th scope="col">"AWS says"</th><th scope="col">"Simulation predicts"</th><th scope="col">"Verdict"</th></tr></thead>
                        <tbody>
                            {r.comparisons.iter().map(|c| view! {
                                <tr>
                                    <td data-label="Target">{c.target.clone()}</td>
                                    <td data-label="AWS says">{c.observed.clone()}</td>
                                    <td data-label="Simulation predicts">{c.simulated.clone()}</td>
                                    <td data-label="Verdict">{c.verdict}{(!c.note.is_empty()).then(|| view! { <span class="panel__hint">{format!(" {}", c.note)}</span> })}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
                <div class="import__run">
                    <button class="button button--primary" on:click=move |_| run(false)>"Run this setup"</button>
                    <button class="button" on:click=move |_| run(true)>"Run it redacted (safe to share)"</button>
                    <span class="panel__hint">"Redacted: account ids, names, resource ids and public addresses become placeholders; the diagnosis stays the same."</span>
                </div>
            }
        })}
        {(!assumed.is_empty()).then(|| view! {
            <h3>"What was assumed"</h3>
            <ul class="import__notes">
                {assumed.into_iter().map(|n| view! {
                    <li>{n.text}{n.fill.map(|f| view! { " Fill it: "<code>{f}</code> })}</li>
                }).collect_view()}
            </ul>
        })}
        {(!not_modelled.is_empty()).then(|| view! {
            <h3>"What the lab does not model"</h3>
            <ul class="import__notes">{not_modelled.into_iter().map(|n| view! { <li>{n.text}</li> }).collect_view()}</ul>
        })}
    }
}
