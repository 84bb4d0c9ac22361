//! [`SimHandle`]: the one owner of the [`Sim`] in the page. It publishes a version signal that
//! moves whenever the sim changes, a slower `settled` one for the panels, the diagram's scene,
//! and the notices the page shows; components read the sim through it and call
//! [`SimHandle::dispatch`] directly (not through a signal and an effect, which could merge two
//! quick clicks).

use super::tokens;
use crate::diagram::{Scene, Selected, Viewport};
use crate::sim::timeline::Timeline;
use crate::sim::{Applied, Command, CommandError, Sim, ValidScenario};
use leptos::prelude::*;

/// What the timeline's module does for the handle once it has arrived.
#[derive(Clone, Copy)]
pub(crate) struct TravelHooks {
    /// Start a timeline for this run (its notes replayed from the run's beginning).
    pub start: fn(Timeline, &Sim) -> Timeline,
    /// After the live run ticked: a snapshot when one is due.
    pub after_ticks: fn(&mut Timeline, &Sim),
    /// A command, live or (as a branch) in the past.
    pub apply: fn(&mut Timeline, &mut Sim, Command) -> Result<Applied, CommandError>,
    /// Step forward through the recorded history while the past is shown.
    pub step_in_past: fn(&mut Timeline, &mut Sim),
    /// Show a moment (the present returns to the live run).
    pub seek: fn(SimHandle, u64),
    /// Go to the last thing that happened before the moment shown.
    pub step_back: fn(SimHandle),
}

#[derive(Clone, Copy)]
pub struct SimHandle {
    pub(crate) sim: StoredValue<Sim>,
    /// The run's history and snapshots, for time travel (`super::timeline`). Until the
    /// timeline's code arrives it only notes the commands (no copy of the run is made by code in
    /// the first load); then `travel` holds that code's hooks and the timeline is started.
    pub(crate) timeline: StoredValue<Timeline>,
    pub(crate) travel: StoredValue<Option<TravelHooks>>,
    /// A moment asked for (by a parent page) before the timeline's code arrived.
    pub(crate) pending_seek: StoredValue<Option<u64>>,
    /// The past moment shown (sim ms), or `None` while the page shows the live run. Time does
    /// not run in the past: playing from here first asks what to do with the later history.
    pub past: RwSignal<Option<u64>>,
    /// Set when play was asked for while the past is shown: the timeline asks whether to
    /// discard the later history or keep it as a branch.
    pub is_asking_resume: RwSignal<bool>,
    pub version: RwSignal<u64>,
    /// Moves with the sim too, but at most five times a second while it plays (and at once on a
    /// command, a step or a reset): the panels that are read, not watched, follow this one, so
    /// they do not redo their work every animation frame.
    pub settled: RwSignal<u64>,
    last_settled_ms: StoredValue<f64>,
    pub is_playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub selected: RwSignal<Selected>,
    /// The result of the last command: (is_error, text).
    pub notice: RwSignal<Option<(bool, String)>>,
    /// What the page says at its top about what it was asked to open (a link, a picture, an
    /// exercise): a message a learner must see wherever they are on the page.
    pub banner: RwSignal<Option<String>>,
    /// Moves when the setup changes (not on ticks): share links and the parent page follow it.
    pub config_version: RwSignal<u64>,
    pub is_narrow: RwSignal<bool>,
    /// `prefers-reduced-motion: reduce`: tokens appear where they stopped, without moving.
    pub is_reduced_motion: RwSignal<bool>,
    /// The space the diagram has, measured by the diagram itself.
    pub viewport: RwSignal<Viewport>,
    /// The diagram as it is now: every node, its box and its text.
    pub scene: Memo<Scene>,
    /// Tokens, flows and badges, drawn each frame outside the reactive system.
    pub(crate) tokens: StoredValue<tokens::Engine, LocalStorage>,
}

impl SimHandle {
    pub(crate) fn new(sim: Sim) -> Self {
        let timeline = StoredValue::new(Timeline::default());
        let sim = StoredValue::new(sim);
        let version = RwSignal::new(0u64);
        let viewport = RwSignal::new(Viewport::wide(1000.0, 360.0));
        let config_version = RwSignal::new(0u64);
        // The scene is rebuilt only when what it shows can have changed: the setup, the size, or
        // the tasks and their states (not on every tick).
        let key = Memo::new(move |_| {
            version.track();
            sim.with_value(crate::diagram::scene_key)
        });
        let scene = Memo::new(move |_| {
            // Read, not only tracked: a memo runs (and subscribes to the sim) when it is read.
            key.with(|_| ());
            config_version.track();
            let v = viewport.get();
            sim.with_value(|s| crate::diagram::scene(s, v))
        });
        SimHandle {
            sim,
            timeline,
            travel: StoredValue::new(None),
            pending_seek: StoredValue::new(None),
            past: RwSignal::new(None),
            is_asking_resume: RwSignal::new(false),
            version,
            settled: RwSignal::new(0),
            last_settled_ms: StoredValue::new(f64::NEG_INFINITY),
            is_playing: RwSignal::new(true),
            speed: RwSignal::new(1.0),
            selected: RwSignal::new(Selected::Client),
            notice: RwSignal::new(None),
            banner: RwSignal::new(None),
            config_version,
            is_narrow: RwSignal::new(false),
            is_reduced_motion: RwSignal::new(super::browser::prefers_reduced_motion()),
            viewport,
            scene,
            tokens: StoredValue::new_local(tokens::Engine::default()),
        }
    }

    /// Read the sim, subscribing the caller to every change.
    pub fn with<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.version.track();
        self.sim.with_value(f)
    }

    /// Read the sim, following it at most five times a second while it plays.
    pub fn with_settled<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.settled.track();
        self.sim.with_value(f)
    }

    /// Read the sim without subscribing (event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.sim.with_value(f)
    }

    fn bump(&self) {
        self.version.update(|v| *v += 1);
        self.settled.update(|v| *v += 1);
    }

    /// After ticks: the diagram follows every frame, the panels a few times a second.
    fn bump_ticks(&self, wall_ms: f64) {
        self.version.update(|v| *v += 1);
        if wall_ms - self.last_settled_ms.get_value() >= 200.0 {
            self.last_settled_ms.set_value(wall_ms);
            self.settled.update(|v| *v += 1);
        }
    }

    /// Apply a command now. On error nothing changed, and the typed error is returned to the
    /// form that asked, which shows each problem under its field.
    /// A change made while the past is shown starts a branch from there (the later history is
    /// kept, to return to).
    pub fn dispatch(&self, command: Command) -> Result<Applied, CommandError> {
        let timeline = self.timeline;
        let travel = self.travel.get_value();
        let result = self
            .sim
            .try_update_value(|s| match travel {
                Some(hooks) => timeline
                    .try_update_value(|t| (hooks.apply)(t, s, command))
                    .unwrap_or_else(|| Err(CommandError::lab("the page is shutting down"))),
                None => {
                    let result = s.apply(command.clone());
                    if result.is_ok() {
                        timeline.update_value(|t| t.note(s.now_ms(), command));
                    }
                    result
                }
            })
            .unwrap_or_else(|| Err(CommandError::lab("the page is shutting down")));
        if self.past.get_untracked().is_some() && timeline.with_value(|t| t.viewing().is_none()) {
            self.past.set(None);
            self.is_asking_resume.set(false);
        }
        match &result {
            Ok(Applied::Changed(text)) => {
                self.notice.set(Some((false, text.clone())));
                self.config_version.update(|v| *v += 1);
            }
            Ok(Applied::Sent(id)) => self.selected.set(Selected::Request(*id)),
            Err(e) => self.notice.set(Some((true, e.to_string()))),
        }
        self.bump();
        result
    }

    /// Replace the whole run with a new scenario (an exercise, a shared link).
    pub fn load(&self, scenario: ValidScenario) {
        self.load_with_seed(scenario, None);
    }

    pub fn load_with_seed(&self, scenario: ValidScenario, seed: Option<u64>) {
        self.sim.set_value(Sim::new(scenario, seed));
        self.after_restart();
        self.notice.set(None);
    }

    /// Show a run rebuilt elsewhere (a link to a moment): its timeline and its present.
    pub(crate) fn install(&self, sim: Sim, timeline: Timeline) {
        self.sim.set_value(sim);
        self.timeline.set_value(timeline);
        self.after_jump();
    }

    /// Show the moment `at_ms` of the run (sim ms): the past, paused, or the present.
    pub fn seek(&self, at_ms: u64) {
        match self.travel.get_value() {
            Some(hooks) => (hooks.seek)(*self, at_ms),
            None => self.pending_seek.set_value(Some(at_ms)),
        }
    }

    /// Go back to the previous event (once the timeline's code is here).
    pub fn step_back(&self) {
        if let Some(hooks) = self.travel.get_value() {
            (hooks.step_back)(*self);
        }
    }

    pub fn reset(&self) {
        self.sim.update_value(|s| s.reset());
        self.after_restart();
    }

    pub fn reseed(&self, seed: u64) {
        self.sim.update_value(|s| s.reseed(seed));
        self.after_restart();
    }

    /// After the page jumped in time: the setup may differ, tokens in flight belong to another
    /// moment.
    pub(crate) fn after_jump(&self) {
        self.past.set(self.timeline.with_value(|t| t.viewing().map(|v| v.at_ms)));
        self.is_asking_resume.set(false);
        self.redraw_all();
    }

    /// Another run, or another moment of it, is shown: everything is drawn again.
    fn redraw_all(&self) {
        self.config_version.update(|v| *v += 1);
        let handle = *self;
        self.tokens.update_value(|t| t.clear(&handle));
        self.bump();
    }

    /// A timeline for the run now shown, started if the timeline's code is here.
    pub(crate) fn restart_timeline(&self) {
        let fresh = match self.travel.get_value() {
            Some(hooks) => self.sim.with_value(|s| (hooks.start)(Timeline::default(), s)),
            None => Timeline::default(),
        };
        self.timeline.set_value(fresh);
    }

    fn after_restart(&self) {
        self.restart_timeline();
        self.notice.set(Some((false, "Reset: the scenario starts again from the beginning.".into())));
        self.selected.set(Selected::Client);
        self.after_jump();
    }

    /// To the next event: in the past, through the recorded history (the present ends it).
    pub fn step(&self) {
        let timeline = self.timeline;
        let travel = self.travel.get_value();
        self.sim.update_value(|s| match travel {
            Some(hooks) if timeline.with_value(|t| t.viewing().is_some()) => timeline.update_value(|t| (hooks.step_in_past)(t, s)),
            _ => {
                s.step_to_next_event(600_000);
                if let Some(hooks) = travel {
                    timeline.update_value(|t| (hooks.after_ticks)(t, s));
                }
            }
        });
        if self.past.get_untracked().is_some() {
            self.after_jump();
        } else {
            self.bump();
        }
    }

    /// Advance by `ticks`. Time does not run while the past is shown.
    pub(crate) fn advance(&self, ticks: u64, wall_ms: f64) {
        if ticks == 0 || self.past.get_untracked().is_some() {
            return;
        }
        let timeline = self.timeline;
        let travel = self.travel.get_value();
        self.sim.update_value(|s| {
            for _ in 0..ticks {
                s.tick();
            }
            if let Some(hooks) = travel {
                timeline.update_value(|t| (hooks.after_ticks)(t, s));
            }
        });
        self.bump_ticks(wall_ms);
    }

    /// Move the tokens and redraw the flows for this frame.
    pub(crate) fn draw_traffic(&self, wall_ms: f64) {
        let handle = *self;
        self.tokens.update_value(|t| t.frame(&handle, wall_ms));
    }
}
