//! Workshop exercises in the page: the picker with progress marks, the active exercise with its
//! story, live goal checks, tiered hints and the worked solution, sandbox mode, and progress
//! saved in the browser with export and import.

use super::{storage, use_sim, SimHandle};
use crate::progress::Progress;
use crate::scenarios;
use crate::sim::exercise::{self, Exercise};
use crate::sim::ValidScenario;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

const PROGRESS_KEY: &str = "alb-lab-progress";

#[derive(Clone, Debug, PartialEq)]
pub struct Active {
    pub exercise: Arc<Exercise>,
    pub scenario: ValidScenario,
    pub is_sandbox: bool,
    pub hints_shown: usize,
    pub is_solution_shown: bool,
    pub next_step: usize,
    pub is_solved: bool,
    pub used_solution: bool,
    /// The goal must hold for the exercise's hold time before it counts as solved.
    pub tracker: exercise::GoalTracker,
}

/// Exercise state shared by the picker, the exercise panel and the inspector's knob locks.
#[derive(Clone, Copy)]
pub struct Exercises {
    pub active: RwSignal<Option<Active>>,
    pub progress: RwSignal<Progress>,
    pub is_picker_open: RwSignal<bool>,
    pub message: RwSignal<Option<(bool, String)>>,
    /// Embedded pages never rewrite their own URL.
    pub may_rewrite_url: bool,
    /// Held here, not looked up in context, so messages from a parent page (which arrive
    /// outside Leptos's owner tree) can start exercises too.
    handle: SimHandle,
    library: super::OnDemand<Library>,
    /// The saved progress is read from the browser when the library arrives, once.
    is_progress_read: StoredValue<bool>,
}

/// The exercises' own code, loaded the first time an exercise is looked up or the picker opens:
/// the catalogue (baked at build time), each exercise's scenario, and reading and writing the
/// progress saved in the browser. A page opened without an exercise needs none of it.
#[derive(Clone, Copy)]
pub struct Library {
    pub find: fn(&str) -> Option<Found>,
    read_progress: fn() -> Progress,
    pub save_progress: fn(&Progress),
    /// Checks the goal against the sim; true once it has held long enough.
    track_goal: fn(&mut exercise::GoalTracker, &Exercise, &crate::sim::Sim) -> bool,
}

/// An exercise with its starting scenario.
pub type Found = (Arc<Exercise>, ValidScenario);

#[cfg_attr(alb_split, leptos::lazy)]
async fn load_library() -> Library {
    Library { find: find_exercise, read_progress: load_progress, save_progress, track_goal: exercise::GoalTracker::update }
}

fn find_exercise(id: &str) -> Option<(Arc<Exercise>, ValidScenario)> {
    catalogue().iter().find(|e| e.id == id).and_then(with_scenario)
}

pub fn use_exercises() -> Exercises {
    expect_context::<Exercises>()
}

/// Every shipped exercise, baked at build time, by difficulty. Made once: nothing is parsed,
/// and an exercise's scenario is read only when it starts.
pub fn catalogue() -> &'static [Arc<Exercise>] {
    static CATALOGUE: std::sync::OnceLock<Vec<Arc<Exercise>>> = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| scenarios::exercise_catalogue().into_iter().map(Arc::new).collect())
}

/// An exercise with its starting scenario, read now.
fn with_scenario(e: &Arc<Exercise>) -> Option<(Arc<Exercise>, ValidScenario)> {
    Some((e.clone(), scenarios::exercise_scenario(e)?))
}

fn known_ids() -> Vec<String> {
    catalogue().iter().map(|e| e.id.clone()).collect()
}

fn load_progress() -> Progress {
    let ids = known_ids();
    let ids: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
    storage().and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten()).map(|text| Progress::from_storage(&text, &ids)).unwrap_or_default()
}

fn save_progress(p: &Progress) {
    if let Some(s) = storage() {
        let _ = s.set_item(PROGRESS_KEY, &p.to_json());
    }
}

fn set_query(query: &str) {
    let Some(window) = web_sys::window() else { return };
    let Ok(history) = window.history() else { return };
    let path = window.location().pathname().unwrap_or_default();
    let hash = window.location().hash().unwrap_or_default();
    let url = format!("{path}{query}{hash}");
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
}

impl Exercises {
    pub fn new(may_rewrite_url: bool, handle: SimHandle) -> Self {
        Exercises {
            handle,
            active: RwSignal::new(None),
            progress: RwSignal::new(Progress::default()),
            library: super::OnDemand::default(),
            is_progress_read: StoredValue::new(false),
            is_picker_open: RwSignal::new(false),
            message: RwSignal::new(None),
            may_rewrite_url,
        }
    }

    /// Run `then` with the exercises' library: now if it is here, else when it arrives (in the
    /// order asked). The saved progress has been read by then.
    pub fn with_library(&self, then: impl FnOnce(Library) + 'static) {
        let this = *self;
        self.library.with(load_library, move |library| {
            if !this.is_progress_read.get_value() {
                this.is_progress_read.set_value(true);
                this.progress.set((library.read_progress)());
            }
            then(library)
        });
    }

    pub fn start(&self, exercise: Arc<Exercise>, scenario: ValidScenario, is_sandbox: bool) {
        let handle = self.handle;
        handle.load(scenario.clone());
        handle.selected.set(super::Selected::Client);
        if self.may_rewrite_url {
            set_query(&format!("?exercise={}{}", exercise.id, if is_sandbox { "&sandbox=1" } else { "" }));
        }
        self.active.set(Some(Active {
            exercise,
            scenario,
            is_sandbox,
            hints_shown: 0,
            is_solution_shown: false,
            next_step: 0,
            is_solved: false,
            used_solution: false,
            tracker: exercise::GoalTracker::default(),
        }));
        self.is_picker_open.set(false);
    }

    pub fn restart(&self) {
        let Some(active) = self.active.get_untracked() else { return };
        self.handle.load(active.scenario.clone());
        self.active.update(|a| {
            if let Some(a) = a {
                a.next_step = 0;
                a.is_solved = false;
                a.tracker = exercise::GoalTracker::default();
            }
        });
    }

    /// The run started over (Reset, a new seed): the attempt starts over too.
    pub fn restart_attempt(&self) {
        self.active.update(|a| {
            if let Some(a) = a {
                a.next_step = 0;
                a.is_solved = false;
                a.tracker = exercise::GoalTracker::default();
            }
        });
    }

    /// The run jumped in time and goes on from there: the goal is judged again from that moment
    /// (a solved exercise stays solved).
    pub fn restart_goal_tracking(&self) {
        self.active.update(|a| {
            if let Some(a) = a.as_mut().filter(|a| !a.is_solved) {
                a.tracker = exercise::GoalTracker::default();
            }
        });
    }

    pub fn leave(&self) {
        self.handle.load(scenarios::default_scenario());
        self.active.set(None);
        if self.may_rewrite_url {
            set_query("");
        }
    }

    /// Does the active exercise hide the answers (diagnosis, fixes)?
    pub fn hides_answers(&self) -> bool {
        self.active.with(|a| a.as_ref().is_some_and(|a| !a.is_sandbox && !a.is_solved))
    }

    /// Mark the exercise solved when every check is met; called after each change of the sim.
    pub fn watch_goal(&self) {
        let handle = self.handle;
        let this = *self;
        Effect::new(move |_| {
            let is_watching = this.active.with(|a| a.as_ref().is_some_and(|a| !a.is_sandbox && !a.is_solved));
            // A past moment is history, not an attempt: the goal is judged on the live run.
            if !is_watching || handle.past.get().is_some() {
                return;
            }
            handle.version.track();
            // An exercise is active, so its library (with the goal checks) is here.
            let Some(library) = this.library.loaded() else { return };
            // The tracker changes every sim second; update it in place without notifying.
            let reached = this.active.try_update_untracked(|a| {
                a.as_mut().is_some_and(|a| handle.peek(|s| (library.track_goal)(&mut a.tracker, &a.exercise, s)))
            });
            if reached != Some(true) {
                return;
            }
            this.active.update(|a| {
                if let Some(a) = a {
                    a.is_solved = true;
                }
            });
            let Some((id, title, hints, used)) = this.active.with_untracked(|a| {
                a.as_ref().map(|a| (a.exercise.id.clone(), a.exercise.title.clone(), a.hints_shown as u32, a.used_solution))
            }) else {
                return;
            };
            // An exercise is active, so the library is here and this runs at once.
            let solved = id.clone();
            this.with_library(move |library| {
                this.progress.update(|p| p.record(&solved, hints, used));
                (library.save_progress)(&this.progress.get_untracked());
            });
            handle.notice.set(Some((false, format!("Exercise solved: {title}"))));
            super::post_to_parent("exerciseSolved", Some(("id", &id)));
        });
    }
}

#[component]
pub fn ExercisePanel() -> impl IntoView {
    let ex = use_exercises();
    // Only starting or leaving an exercise swaps the panel; the panel follows the rest itself.
    let is_active = Memo::new(move |_| ex.active.with(Option::is_some));
    let panel = super::OnDemand::default();
    move || is_active.get().then(|| panel.view(exercise_panel))
}

/// A hint's words, each moment it names (`00:01:12`) a button that shows that moment.
fn hint_text(handle: SimHandle, text: &str) -> impl IntoView {
    crate::sim::timeline::split_moments(text)
        .into_iter()
        .map(|(piece, at)| match at {
            Some(at_ms) => view! {
                <button class="button button--small" aria-label=format!("Go to {piece} on the timeline") on:click=move |_| handle.seek(at_ms)>{piece.to_string()}</button>
            }
            .into_any(),
            None => piece.to_string().into_any(),
        })
        .collect_view()
}

/// The active exercise's story, goal, hints and solution: loaded when an exercise starts.
#[cfg_attr(alb_split, leptos::lazy)]
async fn exercise_panel() -> fn() -> AnyView {
    exercise_panel_view as fn() -> AnyView
}

fn exercise_panel_view() -> AnyView {
    let ex = use_exercises();
    let handle = use_sim();
    let goal = Memo::new(move |_| {
        let active = ex.active.get()?;
        if active.is_sandbox {
            return Some(vec![]);
        }
        Some(handle.with_settled(|s| exercise::evaluate(&active.exercise.goal, s)))
    });
    (move || {
        let active = ex.active.get()?;
        let e = active.exercise.clone();
        let total_hints = e.hints.len();
        let steps = e.solution.clone();
        let n_steps = steps.len();
        let sandbox = active.is_sandbox;
        let goal_view = (!sandbox).then(|| {
            view! {
                <h3>"Goal"</h3>
                <ul class="goal" aria-label="Goal checks">
                    {move || goal.get().unwrap_or_default().into_iter().map(|c| view! {
                        <li class="goal__check" class:goal__check--met=c.is_met>
                            <span class="goal__mark" aria-hidden="true">{if c.is_met { "✓" } else { "○" }}</span>
                            <span class="sr-only">{if c.is_met { "met: " } else { "not met yet: " }}</span>
                            {c.text} <span class="goal__now">{format!(" ({})", c.now)}</span>
                        </li>
                    }).collect_view()}
                </ul>
                {active.is_solved.then(|| view! { <p class="exercise__solved" role="status">"Solved! Your progress is saved in this browser."</p> })}
                {active.tracker.reached_at_ms.filter(|_| active.is_solved).map(|reached| {
                    let start = handle.timeline.with_value(|t| t.start_ms());
                    view! {
                        <p class="exercise__review">
                            "Review your run on the timeline: "
                            <button class="button button--small" on:click=move |_| handle.seek(start)>"From the start"</button>
                            " "
                            <button class="button button--small" on:click=move |_| handle.seek(reached)>
                                {format!("The moment the goal was met ({})", crate::sim::timeline::clock(reached))}
                            </button>
                        </p>
                    }
                })}
            }
        });
        let hints_view = (!sandbox).then(|| {
            view! {
                <h3>"Hints"</h3>
                <ol class="hints">
                    {e.hints.iter().take(active.hints_shown).map(|h| view! { <li>{hint_text(handle, h)}</li> }).collect_view()}
                </ol>
                {(active.hints_shown < total_hints).then(|| view! {
                    <button class="button" data-focus-key="hint" on:click=move |_| ex.active.update(|a| if let Some(a) = a { a.hints_shown += 1 })>
                        {format!("Show a hint ({} of {total_hints})", active.hints_shown + 1)}
                    </button>
                })}
            }
        });
        let solution_view = if active.is_solution_shown {
            view! {
                <ol class="solution">
                    {steps.iter().enumerate().map(|(i, s)| view! {
                        <li class:solution__done=i < active.next_step>{s.explain.clone()}</li>
                    }).collect_view()}
                </ol>
                {(active.next_step < n_steps).then(|| {
                    let step = steps[active.next_step].command.clone();
                    // The same step as the aws command, for the console or a real account.
                    let cli = handle.peek(|s| crate::sim::cli::to_cli(&step, s.scenario()));
                    view! {
                        <button class="button button--primary" data-focus-key="apply-step" on:click=move |_| {
                            if handle.dispatch(step.clone()).is_ok() {
                                ex.active.update(|a| if let Some(a) = a { a.next_step += 1; a.used_solution = true; });
                            }
                        }>{format!("Apply step {} of {n_steps}", active.next_step + 1)}</button>
                        {cli.map(|cli| view! {
                            <p class="panel__hint solution__cli">"Or type it in the AWS CLI console: " <code>{cli}</code></p>
                        })}
                    }
                })}
            }
            .into_any()
        } else {
            view! {
                <button class="button" data-focus-key="apply-step" on:click=move |_| ex.active.update(|a| if let Some(a) = a { a.is_solution_shown = true })>"Show solution"</button>
            }
            .into_any()
        };
        Some(view! {
            <section class="panel exercise" aria-labelledby="exercise-heading">
                <p class="exercise__kicker">{if sandbox { "Sandbox" } else { "Exercise" }}</p>
                <h2 id="exercise-heading">{e.title.clone()}</h2>
                <div class="exercise__body">
                    <div class="exercise__main">
                        <p class="exercise__story">{e.story.clone()}</p>
                        {sandbox.then(|| view! { <p class="panel__hint">"Sandbox: this exercise's setup with every knob unlocked and no goal."</p> })}
                        {goal_view}
                    </div>
                    <div class="exercise__help">
                        {hints_view}
                        <h3>"Solution"</h3>
                        {solution_view}
                        <div class="exercise__actions">
                            <button class="button" on:click=move |_| ex.restart()>"Restart exercise"</button>
                            <button class="button" on:click=move |_| ex.leave()>"Leave exercise"</button>
                        </div>
                    </div>
                </div>
            </section>
        })
    })
    .into_any()
}

#[component]
pub fn ExercisePicker() -> impl IntoView {
    let ex = use_exercises();
    let picker = super::OnDemand::default();
    view! {
        <super::dialog::Modal is_open=ex.is_picker_open labelled_by="picker-heading">
            {move || picker.view(picker_view)}
        </super::dialog::Modal>
    }
}

/// The catalogue, its progress and import: loaded when the picker first opens.
#[cfg_attr(alb_split, leptos::lazy)]
async fn picker_view() -> fn() -> AnyView {
    picker_contents as fn() -> AnyView
}

fn picker_contents() -> AnyView {
    let ex = use_exercises();
    // The progress marks: read the saved progress if nothing has yet.
    ex.with_library(|_| {});
    let list = catalogue().to_vec();
    let file_input = NodeRef::<leptos::html::Input>::new();
    let export = move |_| {
        ex.with_library(move |_| download("alb-lab-progress.json", &ex.progress.get_untracked().to_json(), "application/json"));
    };
    let import = move |_| {
        let Some(input) = file_input.get() else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        if file.size() > crate::progress::MAX_BYTES as f64 {
            ex.message.set(Some((
                true,
                format!(
                    "Progress not imported: {} is {:.0} KB; an ALB Lab progress file is a few KB. Nothing was changed.",
                    file.name(),
                    file.size() / 1024.0
                ),
            )));
            input.set_value("");
            return;
        }
        let promise = file.text();
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
            let ids = known_ids();
            let ids: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
            match Progress::from_json(&text, &ids) {
                Ok(imported) => {
                    // Merged into the saved progress, never in place of it.
                    ex.with_library(move |library| {
                        let mut p = ex.progress.get_untracked();
                        p.merge(&imported.progress);
                        (library.save_progress)(&p);
                        ex.progress.set(p);
                        ex.message.set(Some((false, imported.summary())));
                    });
                }
                Err(e) => ex.message.set(Some((true, format!("Progress not imported: {e} Nothing was changed.")))),
            }
        });
        input.set_value("");
    };
    view! {
            <section class="picker" aria-labelledby="picker-heading">
                <h2 id="picker-heading">"Exercises"</h2>
                <p class="panel__hint">"Broken setups to fix, from first steps to hard. Each goal checks itself as the simulation runs."</p>
                <ol class="picker__list">
                    {list.into_iter().map(|e| {
                        let id = e.id.clone();
                        let solved = move || ex.progress.with(|p| p.is_solved(&id));
                        let (e1, e2) = (e.clone(), e.clone());
                        let start = move |e: &Arc<Exercise>, is_sandbox: bool| {
                            if let Some((e, s)) = with_scenario(e) {
                                ex.start(e, s, is_sandbox);
                            }
                        };
                        view! {
                            <li class="picker__item">
                                <span class="picker__mark" class:picker__mark--solved=solved.clone()>
                                    {let solved = solved.clone(); move || if solved() { "✓" } else { "○" }}
                                </span>
                                <span class="sr-only">{let solved = solved.clone(); move || if solved() { "solved: " } else { "not solved: " }}</span>
                                <span class="picker__title">{e.title.clone()}</span>
                                <span class="picker__level">{format!("level {}", e.difficulty)}</span>
                                <button class="button button--small" aria-label=format!("Start {}", e.title) on:click=move |_| start(&e1, false)>"Start"</button>
                                <button class="button button--small" aria-label=format!("Open {} in the sandbox", e.title) on:click=move |_| start(&e2, true)>"Sandbox"</button>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <div class="picker__progress">
                    <button class="button" on:click=export>"Export progress"</button>
                    <label class="field">
                        <span class="field__label">"Import progress"</span>
                        <input type="file" accept="application/json,.json" node_ref=file_input on:change=import/>
                    </label>
                    {move || ex.message.get().map(|(is_error, t)| view! { <p class=if is_error { "notice notice--error" } else { "notice" } role=if is_error { "alert" } else { "status" }>{t}</p> })}
                </div>
            </section>
    }
    .into_any()
}

/// Offer `text` as a file download.
pub fn download(name: &str, text: &str, mime: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    download_blob(name, &blob);
}

pub fn download_blob(name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else { return };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(a) = document.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
