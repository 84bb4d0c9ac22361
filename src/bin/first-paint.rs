//! Writes the page's first paint: the default scenario's request path as static HTML and SVG,
//! drawn natively by the same code as the SVG export (`diagram::still`), styled by the page's own
//! CSS. `index.html` inlines it, so a reader sees the diagram before the wasm has arrived; the app
//! removes it when it starts, in the same place its own diagram appears.
//!
//! Trunk runs it before each build (the `pre_build` hook in Trunk.toml):
//!
//! ```text
//! cargo run --bin first-paint -- target/first-paint.html
//! ```
//!
//! The file is written only when its content changes, so Trunk's watcher does not loop.

use alb_lab::diagram::still::{escape, first_paint_svg};
use alb_lab::diagram::text::clock_text;
use alb_lab::diagram::{scene, Viewport};
use alb_lab::scenarios::default_scenario;
use alb_lab::share::SPEEDS;
use alb_lab::sim::Sim;

/// The diagram's width on a wide screen (the page's diagram column at 1440 × 900) and on a phone
/// (390 px less the page's margins). The drawing scales to its box, as the live one does.
const WIDE_PX: f64 = 990.0;
/// The page asks for 42 % of the window's height: 378 px at 900.
const WIDE_MIN_HEIGHT_PX: f64 = 378.0;
const TALL_PX: f64 = 348.0;

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "target/first-paint.html".into());
    let sim = Sim::new(default_scenario(), None);
    let wide = scene(&sim, Viewport::wide(WIDE_PX, WIDE_MIN_HEIGHT_PX));
    let tall = scene(&sim, Viewport::tall(TALL_PX));
    let name = escape(&sim.scenario().name);
    let seed = sim.seed();
    // The page's own header, controls and diagram panel, inert: the same classes give the same
    // boxes, so the live page takes over without moving the diagram.
    let html = format!(
        r#"<div id="first-paint" class="first-paint" aria-hidden="true" inert>
<header class="app-header first-paint__page"><div class="app-header__title"><h1>ALB Lab</h1><p class="app-header__scenario">{name}</p></div><div class="app-header__actions"><button class="button" tabindex="-1">Share</button> <button class="button" tabindex="-1">Import your setup</button> <button class="button" tabindex="-1">Exercises</button> <label class="app-header__theme">Theme <select tabindex="-1"><option>Auto</option></select></label></div></header>
<header class="embed-header first-paint__embed"><h1 class="embed-header__title">ALB Lab<span class="embed-header__scenario"> · {name}</span></h1><a class="embed-header__open" tabindex="-1">Open in ALB Lab</a></header>
<section class="controls panel"><button class="button button--primary" tabindex="-1">Pause</button> <button class="button controls__back" tabindex="-1">Step back</button> <button class="button" tabindex="-1">Step</button> <label class="controls__speed"><span class="controls__label first-paint__page">Speed </span><select tabindex="-1">{speeds}</select></label> <button class="button" tabindex="-1">Reset</button> <span class="controls__clock"><span class="controls__label first-paint__page">Sim time </span> <output>{clock}</output></span> <span class="controls__seed first-paint__page"><label>Seed <input type="text" size="8" tabindex="-1" value="{seed}"></label> <button class="button" tabindex="-1">Restart with seed</button></span></section>
<main class="layout"><section class="layout__diagram panel"><h2 class="first-paint__page">Request path</h2><div class="diagram">{}{}</div></section></main>
</div>
"#,
        first_paint_svg(&wide, "first-paint__wide", Some("client")),
        first_paint_svg(&tall, "first-paint__tall", Some("client")),
        clock = clock_text(sim.now_ms()),
        // Every option, so the select is as wide as the live one.
        speeds = SPEEDS.iter().map(|s| format!("<option{}>{s}×</option>", if *s == 1.0 { " selected" } else { "" })).collect::<String>(),
    );
    if std::fs::read_to_string(&out).ok().as_deref() == Some(html.as_str()) {
        return;
    }
    if let Some(dir) = std::path::Path::new(&out).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = std::fs::write(&out, html) {
        eprintln!("first-paint: cannot write {out}: {e}");
        std::process::exit(1);
    }
}
