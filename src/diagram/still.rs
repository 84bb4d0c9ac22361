//! Still pictures of the diagram: a standalone SVG document of a [`Scene`], with its flows as
//! bands and its outcomes as counts at the hops that decided them (no tokens frozen in flight),
//! the scenario's title, the chosen theme's colours, and the state's link in `<metadata>` so
//! the picture can be dropped back onto the page to reopen that state.
//!
//! Pure: the page uses it for its SVG and PNG exports, and the build can run it natively. It
//! embeds the page's own `style/diagram.css` and reads the colours from `style/theme.css`, so a
//! picture looks like the page it came from.

use super::plan::{Badge, Band};
use super::{Anchor, Label, Node, NodeKind, Rect, Scene};

const THEME_CSS: &str = include_str!("../../style/theme.css");
const DIAGRAM_CSS: &str = include_str!("../../style/diagram.css");
/// Room above the diagram for the title, and below it for the caption.
const HEADER_PX: f64 = 30.0;
const FOOTER_PX: f64 = 22.0;
/// The element of `<metadata>` that carries the state link.
pub const STATE_ELEMENT: &str = "alb-lab-state";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

/// The colour tokens for a theme, as CSS declarations (`--ok:#1a7f37;…`), read from
/// `style/theme.css`, where each is `light-dark(light, dark)`.
pub fn theme_declarations(theme: Theme) -> String {
    let mut out = String::new();
    // The declarations of the first block (`:root { … }`), where each is `light-dark(…)`.
    for line in THEME_CSS.lines().take_while(|l| !l.starts_with('}')) {
        let line = line.trim();
        let Some((name, value)) = line.split_once(':') else { continue };
        if !name.starts_with("--") {
            continue;
        }
        let Some(inner) = value.trim().strip_prefix("light-dark(").and_then(|v| v.strip_suffix(");")) else { continue };
        let Some((light, dark)) = inner.split_once(',') else { continue };
        let chosen = match theme {
            Theme::Light => light,
            Theme::Dark => dark,
        };
        out.push_str(&format!("{}:{};", name.trim(), chosen.trim()));
    }
    out
}

/// Text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The corner radius a node's frame is drawn with.
pub fn frame_radius(kind: NodeKind, frame: &Rect) -> f64 {
    match kind {
        NodeKind::Target => frame.h / 2.0,
        NodeKind::Vpc | NodeKind::Subnet | NodeKind::Service => 9.0,
        NodeKind::TargetGroup => 8.0,
        _ => 6.0,
    }
}

/// The classes of a node's `<g>`.
pub fn node_classes(node: &Node) -> String {
    let mut c = format!("diagram-node diagram-node--{}", node.kind.key());
    for state in node.state.split_whitespace() {
        c.push_str(" diagram-node--");
        c.push_str(state);
    }
    c
}

fn rect(out: &mut String, class: &str, r: &Rect, rx: f64) {
    out.push_str(&format!(
        "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"{rx:.1}\"/>",
        r.x, r.y, r.w, r.h
    ));
}

/// One `<text>` element for a label.
pub fn label_svg(l: &Label, class: &str) -> String {
    format!(
        "<text class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"{}\"{}{}>{}</text>",
        l.x,
        l.y,
        l.size_px,
        if l.is_bold { " font-weight=\"700\"" } else { "" },
        if l.anchor == Anchor::Middle { " text-anchor=\"middle\"" } else { "" },
        escape(&l.text)
    )
}

/// The classes of a label: titles and details are styled apart.
pub fn label_class(l: &Label) -> &'static str {
    if l.is_bold {
        "diagram-label diagram-label--title"
    } else {
        "diagram-label diagram-label--sub"
    }
}

/// The picture's parts besides the scene.
pub struct Still<'a> {
    pub scene: &'a Scene,
    pub bands: &'a [Band],
    pub badges: &'a [Badge],
    pub theme: Theme,
    /// The share link of the state shown, carried in `<metadata>`.
    pub state_link: Option<&'a str>,
    /// A line under the diagram, such as the sim time and the counts' window.
    pub caption: &'a str,
}

impl Still<'_> {
    pub fn width(&self) -> f64 {
        self.scene.layout.width
    }
    pub fn height(&self) -> f64 {
        self.scene.layout.height + HEADER_PX + FOOTER_PX
    }

    /// The standalone SVG document.
    pub fn render(&self) -> String {
        let s = self.scene;
        let (w, h) = (self.width(), self.height());
        let mut out = String::with_capacity(24 * 1024);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram__svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-label=\"{}\">",
            escape(&format!("ALB Lab diagram: {}", s.title))
        ));
        out.push_str(&format!("<title>{}</title>", escape(&format!("ALB Lab · {}", s.title))));
        if let Some(link) = self.state_link {
            out.push_str(&format!("<metadata><{STATE_ELEMENT}>{}</{STATE_ELEMENT}></metadata>", escape(link)));
        }
        // CDATA: the stylesheet is text, whatever characters its comments hold.
        out.push_str(&format!("<style><![CDATA[svg{{{}}}{}]]></style>", theme_declarations(self.theme), DIAGRAM_CSS.replace("]]>", "")));
        out.push_str(&format!("<rect x=\"0\" y=\"0\" width=\"{w:.0}\" height=\"{h:.0}\" fill=\"var(--panel)\"/>"));
        out.push_str(&format!(
            "<text class=\"still-title\" x=\"10\" y=\"20\">{}</text>",
            escape(&super::text::fit(&format!("ALB Lab · {}", s.title), w - 20.0, 14.0, true))
        ));
        out.push_str(&format!("<g transform=\"translate(0 {HEADER_PX})\">"));
        scene_body(&mut out, s, self.bands, self.badges, true, None);
        out.push_str("</g>");
        out.push_str(&format!(
            "<text class=\"still-caption\" x=\"10\" y=\"{:.0}\">{}</text>",
            h - 7.0,
            escape(&super::text::fit(self.caption, w - 20.0, 11.0, false))
        ));
        out.push_str("</svg>\n");
        out
    }
}

/// The drawing of a scene (frames, lanes, captions, flows, nodes, badges), as the page draws it
/// and with its classes, for a picture or for the page's first paint. `with_titles` gives each
/// node a `<title>` (a picture's tooltips; the first paint is hidden from assistive technology);
/// `selected_key` draws that node selected, as the page opens with it.
fn scene_body(out: &mut String, s: &Scene, bands: &[Band], badges: &[Badge], with_titles: bool, selected_key: Option<&str>) {
    rect(out, "diagram-vpc", &s.vpc, 12.0);
    rect(out, "diagram-service-frame", &s.service, 10.0);
    for d in &s.lanes {
        out.push_str(&format!("<path class=\"diagram-lane\" d=\"{d}\"/>"));
    }
    for c in &s.captions {
        out.push_str(&label_svg(&c.label, "diagram-caption"));
    }
    // Flows under the nodes, badges over them, as in the page.
    out.push_str("<g class=\"diagram-traffic\">");
    for b in bands {
        out.push_str(&band_svg(b));
    }
    out.push_str("</g>");
    for n in &s.nodes {
        let selected = if selected_key == Some(n.key.as_str()) { " diagram-node--selected" } else { "" };
        out.push_str(&format!("<g class=\"{}{selected}\">", node_classes(n)));
        if with_titles {
            out.push_str(&format!("<title>{}</title>", escape(&n.name)));
        }
        rect(out, "diagram-node__hit", &n.bounds, 6.0);
        if let Some(f) = &n.frame {
            rect(out, "diagram-node__frame", f, frame_radius(n.kind, f));
        }
        if let Some(g) = &n.gate {
            for b in &g.bars {
                rect(out, "diagram-gate", b, 2.0);
            }
        }
        for l in &n.labels {
            out.push_str(&label_svg(l, label_class(l)));
        }
        out.push_str("</g>");
    }
    out.push_str("<g class=\"diagram-traffic\">");
    for b in badges {
        out.push_str(&badge_svg(b));
    }
    out.push_str("</g>");
}

/// The page's first paint: the scene as an inline `<svg>` styled by the page's own CSS (so it
/// follows the light or dark theme), shown before the wasm arrives and replaced by the live
/// diagram. Built natively at build time (src/bin/first-paint.rs) by the same code as a picture.
pub fn first_paint_svg(scene: &Scene, class: &str, selected_key: Option<&str>) -> String {
    let (w, h) = (scene.layout.width, scene.layout.height);
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(&format!(
        "<svg class=\"diagram__svg {class}\" viewBox=\"0 0 {w:.0} {h:.0}\" preserveAspectRatio=\"xMidYMin meet\" aria-hidden=\"true\">"
    ));
    scene_body(&mut out, scene, &[], &[], false, selected_key);
    out.push_str("</svg>");
    out
}

/// The dash pattern that tells an outcome apart besides its colour, for a line `width` wide:
/// the pattern grows with the line, so a wide band still reads as dashes, not as noise.
pub fn dash_pattern(class_key: &str, width: f64) -> String {
    let base: &[f64] = match class_key {
        "503" => &[6.0, 3.0],
        "502" => &[2.0, 3.0],
        "504" => &[10.0, 3.0, 2.0, 3.0],
        "timeout" | "refused" => &[1.0, 3.0],
        "4xx" => &[4.0, 2.0],
        "5xx" => &[8.0, 2.0],
        "probe-ok" | "probe-fail" => &[1.0, 2.0],
        _ => return "none".into(),
    };
    let scale = (width / 3.0).max(1.0);
    base.iter().map(|d| format!("{:.1}", d * scale)).collect::<Vec<_>>().join(" ")
}

/// One band of a flow.
pub fn band_svg(b: &Band) -> String {
    format!(
        "<line class=\"flow flow--{0} token--{0}\" x1=\"{1:.1}\" y1=\"{2:.1}\" x2=\"{3:.1}\" y2=\"{4:.1}\" stroke-width=\"{5:.1}\" stroke-dasharray=\"{6}\"/>",
        b.class_key,
        b.from.0,
        b.from.1,
        b.to.0,
        b.to.1,
        b.width,
        dash_pattern(b.class_key, b.width)
    )
}

/// One count badge.
pub fn badge_svg(b: &Badge) -> String {
    format!(
        "<g class=\"badge token--{}\"><title>{}</title><rect class=\"badge__box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"7\"/><text class=\"badge__text\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
        b.class_key,
        escape(&b.title),
        b.rect.x,
        b.rect.y,
        b.rect.w,
        b.rect.h,
        b.rect.x + b.rect.w / 2.0,
        b.rect.y + b.rect.h - 4.0,
        escape(&b.text)
    )
}

/// The state link inside an SVG this module wrote, if any.
pub fn state_in_svg(svg: &str) -> Option<String> {
    let open = format!("<{STATE_ELEMENT}>");
    let close = format!("</{STATE_ELEMENT}>");
    let start = svg.find(&open)? + open.len();
    let end = start + svg[start..].find(&close)?;
    Some(unescape(&svg[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagram::plan::{plan_flows, FLOW_WINDOW_SECONDS};
    use crate::diagram::{scene, Viewport};
    use crate::sim::Sim;

    #[test]
    fn both_themes_carry_every_colour_token() {
        let light = theme_declarations(Theme::Light);
        let dark = theme_declarations(Theme::Dark);
        for var in ["--ok:", "--bad:", "--panel:", "--text:", "--node:", "--e504:", "--selected:"] {
            assert!(light.contains(var) && dark.contains(var), "{var} missing");
        }
        assert!(light.contains("--panel:#ffffff;"));
        assert!(dark.contains("--panel:#161b22;"));
        assert_eq!(light.matches(':').count(), dark.matches(':').count());
    }

    #[test]
    fn old_browsers_get_the_same_light_colours() {
        let light = theme_declarations(Theme::Light);
        let fallback = THEME_CSS.split("@supports not").nth(1).expect("a fallback block");
        let mut n = 0;
        for decl in light.split(';').filter(|d| !d.is_empty()) {
            let (name, value) = decl.split_once(':').expect("name: value");
            assert!(fallback.contains(&format!("{name}: {value};")), "{name} differs in the fallback");
            n += 1;
        }
        assert_eq!(fallback.matches("--").count(), n, "the fallback has a colour the tokens do not");
    }

    #[test]
    fn a_still_has_the_title_the_counts_the_theme_and_the_link() {
        let mut sim = Sim::new(crate::scenarios::default_scenario(), None);
        sim.run_for(40_000);
        let sc = scene(&sim, Viewport::wide(1000.0, 0.0));
        let (bands, badges) = plan_flows(&sim.flows().window(sim.now_ms(), FLOW_WINDOW_SECONDS), 30.0, &sc);
        let link = "https://example.org/lab/?x=1&y=2#v1.abc";
        let still =
            Still { scene: &sc, bands: &bands, badges: &badges, theme: Theme::Dark, state_link: Some(link), caption: "At 00:01:40" };
        let svg = still.render();
        assert!(svg.contains(&escape(&sc.title)));
        assert!(svg.contains("--panel:#161b22;"));
        // Outcomes are counts at their hops: every band and badge of the plan is in the picture.
        assert!(!badges.is_empty());
        assert_eq!(svg.matches("class=\"badge ").count(), badges.len());
        assert_eq!(svg.matches("class=\"flow ").count(), bands.len());
        assert_eq!(state_in_svg(&svg).as_deref(), Some(link));
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count(), "{svg}");
    }

    #[test]
    fn hostile_names_are_escaped() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(unescape(&escape("a&b<c>\"d'")), "a&b<c>\"d'");
        assert_eq!(state_in_svg("<svg></svg>"), None);
    }
}
