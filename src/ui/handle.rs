//! [`SimHandle`]: the one owner of the [`Sim`] in the page. It publishes a version signal that
//! moves whenever the sim changes, a slower `settled` one for the panels, the diagram's scene,
//! and the notices the page shows; components read the sim through it and call
//! [`SimHandle::dispatch`] directly (not through a signal and an effect, which could merge two
//! quick clicks).

use super::tokens;
use crate::diagram::{Scene, Selected, Viewport};
use crate::sim::{Applied, Command, CommandError, Sim, ValidScenario};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct SimHandle {
    sim: StoredValue<Sim>,
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
    pub fn dispatch(&self, command: Command) -> Result<Applied, CommandError> {
        let result = self.sim.try_update_value(|s| s.apply(command)).unwrap_or_else(|| Err(CommandError::lab("the page is shutting down")));
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

    pub fn reset(&self) {
        self.sim.update_value(|s| s.reset());
        self.after_restart();
    }

    pub fn reseed(&self, seed: u64) {
        self.sim.update_value(|s| s.reseed(seed));
        self.after_restart();
    }

    fn after_restart(&self) {
        self.config_version.update(|v| *v += 1);
        let handle = *self;
        self.tokens.update_value(|t| t.clear(&handle));
        self.notice.set(Some((false, "Reset: the scenario starts again from the beginning.".into())));
        self.selected.set(Selected::Client);
        self.bump();
    }

    pub fn step(&self) {
        self.sim.update_value(|s| {
            s.step_to_next_event(600_000);
        });
        self.bump();
    }

    /// Advance by `ticks`.
    pub(crate) fn advance(&self, ticks: u64, wall_ms: f64) {
        if ticks == 0 {
            return;
        }
        self.sim.update_value(|s| {
            for _ in 0..ticks {
                s.tick();
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
