//! The clock: the `requestAnimationFrame` loop turns wall time × speed into whole ticks of sim
//! time, bounded per frame, and then draws the traffic. The sim never sees the clock.

use super::SimHandle;
use crate::sim::TICK_MS;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// At most this much sim time per animation frame (60× speed at 10 fps).
const MAX_TICKS_PER_FRAME: u64 = 60;

/// The frame callback keeps a handle to itself so it can ask for the next frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

pub(crate) fn start_animation_loop(handle: SimHandle) {
    let callback: FrameCallback = Rc::new(RefCell::new(None));
    let next = callback.clone();
    let last = Cell::new(None::<f64>);
    let carry = Cell::new(0.0f64);
    *callback.borrow_mut() = Some(Closure::new(move |wall_ms: f64| {
        let dt = last.get().map(|l| (wall_ms - l).clamp(0.0, 250.0)).unwrap_or(0.0);
        last.set(Some(wall_ms));
        if handle.is_playing.get_untracked() {
            let sim_ms = carry.get() + dt * handle.speed.get_untracked();
            let ticks = ((sim_ms / TICK_MS as f64).floor() as u64).min(MAX_TICKS_PER_FRAME);
            carry.set((sim_ms - (ticks * TICK_MS) as f64).clamp(0.0, TICK_MS as f64));
            handle.advance(ticks, wall_ms);
        } else {
            carry.set(0.0);
        }
        // Tokens keep moving (and expire) while paused.
        handle.draw_traffic(wall_ms);
        if let (Some(window), Some(cb)) = (web_sys::window(), next.borrow().as_ref()) {
            let _ = window.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    if let (Some(window), Some(cb)) = (web_sys::window(), callback.borrow().as_ref()) {
        let _ = window.request_animation_frame(cb.as_ref().unchecked_ref());
    }
    // The closure lives as long as the page.
    std::mem::forget(callback);
}
