//! The diagram, as pure data: where each hop of the request path sits for a given size, what
//! every node says (fitted to its box), and the paths that request tokens, flows and health
//! checks follow.
//!
//! Pure arithmetic with native tests, kept apart from the Leptos components that draw it (as
//! leptos-chartistry keeps its projection apart from its components). The same [`Scene`] feeds
//! the live SVG in the page ([`crate::ui`]) and the still pictures ([`still`]), so a picture and
//! the page can never disagree. The diagram reads left to right on a wide screen and top to
//! bottom on a phone; one row per task.
//!
//! Sizes are CSS pixels: the layout is made for the width it will be shown at, so text keeps its
//! size (12 px titles, 11 px details) instead of shrinking with the drawing. Below
//! [`MIN_LOGICAL_WIDTH`] the layout is made at that width and scaled down to fit.

pub mod chart;
pub mod plan;
pub mod still;
pub mod text;

use crate::sim::scenario::NetworkMode;
use crate::sim::{Hop, Sim, TargetId, TaskState};

/// Narrower than this, the diagram is laid out at this width and scaled down to fit.
pub const MIN_LOGICAL_WIDTH: f64 = 660.0;
/// Rows the diagram draws at most.
pub const MAX_ROWS: usize = 32;
/// Font sizes in CSS pixels: node titles and details. Below [`ROOMY_WIDTH`] a wide layout uses
/// one pixel less, so a 700-pixel docs column still shows every hop's name in full.
pub const TITLE_PX: f64 = 12.0;
pub const SUB_PX: f64 = 11.0;
const ROOMY_WIDTH: f64 = 800.0;
/// Line pitch of a node's text.
const LINE_PX: f64 = 14.0;
/// How far above its baseline and below it a line of text reaches, in ems.
pub const ASCENT_EM: f64 = 0.8;
pub const DESCENT_EM: f64 = 0.24;

/// Relative widths of the eleven hop columns in the wide layout: gates (network ACLs and
/// security groups) are narrow, the target group holds the state pills.
const COLUMN_WEIGHTS: [f64; HOPS] = [1.15, 0.32, 0.45, 0.95, 0.95, 1.15, 0.32, 0.45, 1.1, 1.0, 1.1];
const HOPS: usize = Hop::ALL.len();
/// Space between two columns' nodes.
const COLUMN_GAP: f64 = 8.0;
/// Wide layout: the two header bands (VPC and subnets; target group, task security group and
/// service titles) above the task rows, and the target group's counts below them.
const BAND1_Y: f64 = 20.0;
const BAND2_Y: f64 = 45.0;
const ROWS_TOP: f64 = 72.0;
const ROWS_BOTTOM_GAP: f64 = 56.0;
/// A task row is comfortable at this pitch and still drawable (without text) at the minimum.
const ROW_PITCH: f64 = 56.0;
/// Rows never get closer than this, so a task's node stays a 24-pixel target to tap (a box too
/// small for the rows is scaled down to fit, where tapping is not the point).
const MIN_ROW_PITCH: f64 = 30.0;
/// On a phone, rows sit side by side at least this far apart; more rows make the diagram wider
/// than the screen, and it scrolls sideways.
const MIN_TALL_CELL: f64 = 36.0;
/// Tall layout (phones): the centre of each hop along the page, and the height of its node.
const TALL_ALONG: [f64; HOPS] = [32.0, 104.0, 142.0, 192.0, 240.0, 312.0, 368.0, 422.0, 470.0, 524.0, 570.0];
const TALL_EXTENT: [f64; HOPS] = [52.0, 22.0, 26.0, 40.0, 40.0, 76.0, 22.0, 26.0, 52.0, 36.0, 36.0];
const TALL_HEIGHT: f64 = 604.0;
const TALL_VPC_TOP: f64 = 66.0;
const TALL_BAND_Y: f64 = 396.0;

/// What the learner can select on the diagram (its settings open in the inspector, its trace in
/// Why?). Shared by the page, share links and exercises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Selected {
    Client,
    Vpc,
    Subnet(usize),
    AlbSubnetNacl,
    AlbSecurityGroup,
    Listener,
    ListenerRule,
    TargetGroup,
    Target(TargetId),
    TaskSubnetNacl,
    TaskSecurityGroup,
    Task(u32),
    PortMapping(u32),
    App(u32),
    TaskDefinition,
    Service,
    Request(u64),
}

/// The settings sections of the inspector (the core's knob groups).
pub use crate::sim::knobs::GROUPS as SECTIONS;

impl Selected {
    /// The settings section that opens for this selection.
    pub fn section_key(self) -> &'static str {
        match self {
            Selected::Client | Selected::Request(_) => "client",
            Selected::Vpc | Selected::Subnet(_) | Selected::AlbSubnetNacl | Selected::TaskSubnetNacl => "network",
            Selected::AlbSecurityGroup => "alb-sg",
            Selected::Listener | Selected::ListenerRule => "listener",
            Selected::TargetGroup | Selected::Target(_) => "target-group",
            Selected::TaskSecurityGroup => "task-sg",
            Selected::Task(_) | Selected::PortMapping(_) | Selected::App(_) | Selected::TaskDefinition => "task-definition",
            Selected::Service => "service",
        }
    }

    /// The selection a settings section stands for when it is opened by name.
    pub fn from_section_key(key: &str) -> Selected {
        match key {
            "network" => Selected::Vpc,
            "alb-sg" => Selected::AlbSecurityGroup,
            "listener" => Selected::Listener,
            "target-group" => Selected::TargetGroup,
            "task-sg" => Selected::TaskSecurityGroup,
            "task-definition" => Selected::TaskDefinition,
            "service" => Selected::Service,
            _ => Selected::Client,
        }
    }
}

/// The space the diagram may use, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub width_px: f64,
    /// The diagram is at least this tall (the page asks for 40 % of the window).
    pub min_height_px: f64,
    /// An embed has a fixed box: rows spread to fill it, and a diagram that cannot fit is
    /// scaled down rather than scrolled.
    pub max_height_px: Option<f64>,
    /// Top to bottom (phones) instead of left to right.
    pub is_vertical: bool,
}

impl Viewport {
    pub fn wide(width_px: f64, min_height_px: f64) -> Viewport {
        Viewport { width_px, min_height_px, max_height_px: None, is_vertical: false }
    }
    pub fn tall(width_px: f64) -> Viewport {
        Viewport { width_px, min_height_px: 0.0, max_height_px: None, is_vertical: true }
    }
    /// A fixed box, such as an embed's diagram area.
    pub fn boxed(width_px: f64, height_px: f64) -> Viewport {
        Viewport { width_px, min_height_px: height_px, max_height_px: Some(height_px), is_vertical: false }
    }
}

/// A rectangle: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn centred(cx: f64, cy: f64, w: f64, h: f64) -> Rect {
        Rect { x: cx - w / 2.0, y: cy - h / 2.0, w, h }
    }
    /// Whether the two share any area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w && other.x < self.x + self.w && self.y < other.y + other.h && other.y < self.y + self.h
    }
    pub fn contains(&self, other: &Rect) -> bool {
        const SLACK: f64 = 0.01;
        other.x >= self.x - SLACK
            && other.y >= self.y - SLACK
            && other.x + other.w <= self.x + self.w + SLACK
            && other.y + other.h <= self.y + self.h + SLACK
    }
    pub fn centre(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    fn inset(&self, by: f64) -> Rect {
        Rect { x: self.x + by, y: self.y + by, w: (self.w - 2.0 * by).max(0.0), h: (self.h - 2.0 * by).max(0.0) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub is_vertical: bool,
    pub rows: usize,
    /// The centre of each hop along the path (x when wide, y when tall), and its node's extent.
    along: [f64; HOPS],
    extent: [f64; HOPS],
    /// The task rows' span across the path (y when wide, x when tall).
    rows_from: f64,
    rows_to: f64,
    /// Font sizes of node titles and details.
    pub title_px: f64,
    pub sub_px: f64,
}

impl Layout {
    /// Lay out `rows` task rows (at least one, so an empty service still has a lane) for a
    /// viewport.
    pub fn fit(rows: usize, viewport: Viewport) -> Layout {
        let rows = rows.clamp(1, MAX_ROWS);
        if viewport.is_vertical {
            let width = viewport.width_px.max(280.0).max(24.0 + rows as f64 * MIN_TALL_CELL);
            return Layout {
                width,
                height: TALL_HEIGHT,
                is_vertical: true,
                rows,
                along: TALL_ALONG,
                extent: TALL_EXTENT,
                rows_from: 12.0,
                rows_to: width - 12.0,
                title_px: TITLE_PX,
                sub_px: SUB_PX,
            };
        }
        let width = viewport.width_px.max(MIN_LOGICAL_WIDTH);
        let margin = 8.0;
        let total: f64 = COLUMN_WEIGHTS.iter().sum();
        let unit = (width - 2.0 * margin) / total;
        let mut along = [0.0; HOPS];
        let mut extent = [0.0; HOPS];
        let mut x = margin;
        for i in 0..HOPS {
            let w = COLUMN_WEIGHTS[i] * unit;
            along[i] = x + w / 2.0;
            extent[i] = w - COLUMN_GAP;
            x += w;
        }
        let fixed = ROWS_TOP + ROWS_BOTTOM_GAP;
        let needed = fixed + rows as f64 * MIN_ROW_PITCH;
        let comfortable = fixed + rows as f64 * ROW_PITCH;
        let wanted = comfortable.max(viewport.min_height_px).min(viewport.max_height_px.unwrap_or(f64::INFINITY));
        let height = wanted.max(needed).max(fixed + 60.0);
        let smaller = if width < ROOMY_WIDTH { 1.0 } else { 0.0 };
        Layout {
            width,
            height,
            is_vertical: false,
            rows,
            along,
            extent,
            rows_from: ROWS_TOP,
            rows_to: height - ROWS_BOTTOM_GAP,
            title_px: TITLE_PX - smaller,
            sub_px: SUB_PX - smaller,
        }
    }

    /// The distance between two task rows.
    pub fn row_pitch(&self) -> f64 {
        (self.rows_to - self.rows_from) / self.rows as f64
    }

    /// The cross-axis position of a task row, or of the shared lane when `row` is `None`.
    fn across(&self, row: Option<usize>) -> f64 {
        let step = self.row_pitch();
        match row {
            None => (self.rows_from + self.rows_to) / 2.0,
            Some(r) => self.rows_from + step * (r.min(self.rows - 1) as f64 + 0.5),
        }
    }

    fn at(&self, along: f64, across: f64) -> (f64, f64) {
        if self.is_vertical {
            (across, along)
        } else {
            (along, across)
        }
    }

    /// The centre of a hop's element. Hops up to the target group are shared; later hops
    /// belong to a task row.
    pub fn point(&self, hop: Hop, row: Option<usize>) -> (f64, f64) {
        let row = if hop > Hop::TargetGroup { row } else { None };
        self.at(self.along[hop.index()], self.across(row))
    }

    /// Where a target's pill sits inside the target group box.
    pub fn target_pill(&self, row: usize) -> (f64, f64) {
        self.at(self.along[Hop::TargetGroup.index()], self.across(Some(row)))
    }

    /// A box for a hop's node: `along` its extent on the path axis, `across` its size on the
    /// other (for a per-row node, never more than the row allows).
    fn node_box(&self, hop: Hop, row: Option<usize>, along_size: Option<f64>, across_size: f64) -> Rect {
        let (cx, cy) = self.point(hop, row);
        let along = along_size.unwrap_or(self.extent[hop.index()]);
        let across = match row {
            Some(_) if hop > Hop::TargetGroup => across_size.min(self.row_pitch() - 6.0).max(4.0),
            _ => across_size,
        };
        if self.is_vertical {
            Rect::centred(cx, cy, across, along)
        } else {
            Rect::centred(cx, cy, along, across)
        }
    }

    /// The width a per-row node may take across the path (on a phone, rows sit side by side).
    fn row_cell(&self) -> f64 {
        self.row_pitch() - 6.0
    }

    /// The target group box, spanning every row.
    pub fn target_group_box(&self) -> Rect {
        let i = Hop::TargetGroup.index();
        if self.is_vertical {
            Rect { x: 8.0, y: self.along[i] - self.extent[i] / 2.0, w: self.width - 16.0, h: self.extent[i] }
        } else {
            Rect { x: self.along[i] - self.extent[i] / 2.0, y: BAND2_Y - 11.0, w: self.extent[i], h: self.height - BAND2_Y + 3.0 }
        }
    }

    /// The VPC frame: everything from the ALB security group to the app.
    pub fn vpc_box(&self) -> Rect {
        if self.is_vertical {
            Rect { x: 4.0, y: TALL_VPC_TOP, w: self.width - 8.0, h: self.height - TALL_VPC_TOP - 4.0 }
        } else {
            let i = Hop::AlbSubnetNacl.index();
            let left = self.along[i] - self.extent[i] / 2.0 - 4.0;
            Rect { x: left, y: 4.0, w: self.width - left - 4.0, h: self.height - 8.0 }
        }
    }

    /// The ECS service's frame: its tasks, from the task security group to the app.
    pub fn service_box(&self) -> Rect {
        let from = Hop::TaskSecurityGroup.index();
        let to = Hop::App.index();
        if self.is_vertical {
            let top = TALL_BAND_Y - 12.0;
            Rect { x: 8.0, y: top, w: self.width - 16.0, h: self.along[to] + self.extent[to] / 2.0 + 8.0 - top }
        } else {
            let left = self.along[from] - self.extent[from] / 2.0 - 2.0;
            let right = self.along[to] + self.extent[to] / 2.0 + 2.0;
            Rect { x: left, y: BAND2_Y - 11.0, w: right - left, h: self.height - BAND2_Y + 3.0 }
        }
    }

    /// The points a request passes from the client to the hop where it stopped. Past the
    /// target group the path bends to the task's row.
    pub fn token_points(&self, stop: Hop, row: Option<usize>) -> Vec<(f64, f64)> {
        let mut pts = Vec::new();
        for hop in Hop::ALL.iter().copied().take_while(|h| *h <= stop) {
            match (hop, row) {
                (Hop::TargetGroup, Some(r)) => {
                    pts.push(self.point(Hop::TargetGroup, None));
                    pts.push(self.target_pill(r));
                }
                _ => pts.push(self.point(hop, row)),
            }
        }
        pts
    }

    /// An SVG path through the points of [`Layout::token_points`].
    pub fn token_path(&self, stop: Hop, row: Option<usize>) -> String {
        path_d(&self.token_points(stop, row))
    }

    /// A health check goes from the target group's pill for a row towards that row's app.
    pub fn probe_points(&self, row: usize, stop: Hop) -> Vec<(f64, f64)> {
        self.path_to_row(self.target_pill(row), row, stop)
    }

    /// A direct curl skips the load balancer: from the client straight to the task's row.
    pub fn curl_points(&self, stop: Hop, row: usize) -> Vec<(f64, f64)> {
        let start = self.point(Hop::Client, None);
        if stop == Hop::Client {
            return vec![start];
        }
        self.path_to_row(start, row, stop)
    }

    /// From `start` through a task row's hops (network ACL, security group, task, port mapping,
    /// app) up to
    /// `stop`.
    fn path_to_row(&self, start: (f64, f64), row: usize, stop: Hop) -> Vec<(f64, f64)> {
        let mut pts = vec![start];
        for hop in [Hop::TaskSubnetNacl, Hop::TaskSecurityGroup, Hop::Task, Hop::PortMapping, Hop::App] {
            if hop > stop {
                break;
            }
            pts.push(self.point(hop, Some(row)));
        }
        pts
    }
}

/// `M x y L x y …` for a polyline.
pub fn path_d(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            d.push(' ');
        }
        d.push_str(&format!("{}{x:.1} {y:.1}", if i == 0 { 'M' } else { 'L' }));
    }
    d
}

/// The length of a polyline.
pub fn path_length(points: &[(f64, f64)]) -> f64 {
    points.windows(2).map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt()).sum()
}

/// The point at `fraction` (0-1) of the way along a polyline.
pub fn point_along(points: &[(f64, f64)], fraction: f64) -> (f64, f64) {
    let Some(&first) = points.first() else { return (0.0, 0.0) };
    let seg = |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let total = path_length(points);
    if total <= 0.0 {
        return first;
    }
    // The end is exactly the last point: a token that has arrived sits on its hop.
    if fraction >= 1.0 {
        return *points.last().unwrap_or(&first);
    }
    let mut left = total * fraction.clamp(0.0, 1.0);
    for w in points.windows(2) {
        let len = seg(w[0], w[1]);
        if left <= len && len > 0.0 {
            let t = left / len;
            return (w[0].0 + (w[1].0 - w[0].0) * t, w[0].1 + (w[1].1 - w[0].1) * t);
        }
        left -= len;
    }
    *points.last().unwrap_or(&first)
}

// ---- the scene: every node with its box and fitted labels ----

/// What a node shows, its lines joined with spaces.
pub fn visible_text(n: &Node) -> String {
    n.labels.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" ")
}

/// Text reduced to lower-case words, as accessibility checkers compare a visible label with an
/// accessible name (punctuation and extra spaces do not count).
pub fn words(text: &str) -> Vec<String> {
    let kept: String = text.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    kept.split_whitespace().map(str::to_string).collect()
}

/// Does `name` contain the words of `shown`, in order and next to each other (WCAG 2.5.3,
/// label in name, as axe checks it)?
pub fn name_contains(name: &str, shown: &str) -> bool {
    let (n, v) = (words(name), words(shown));
    v.is_empty() || n.windows(v.len()).any(|w| w == v.as_slice())
}

/// How a label is anchored on its `x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
}

/// One line of text, already shortened to fit where it is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub x: f64,
    /// The baseline.
    pub y: f64,
    /// What is drawn: `full`, or its start and an ellipsis when it does not fit.
    pub text: String,
    pub full: String,
    pub size_px: f64,
    pub is_bold: bool,
    pub anchor: Anchor,
}

impl Label {
    /// The box the drawn text covers.
    pub fn bounds(&self) -> Rect {
        let w = text::width(&self.text, self.size_px, self.is_bold);
        let x = match self.anchor {
            Anchor::Start => self.x,
            Anchor::Middle => self.x - w / 2.0,
        };
        Rect { x, y: self.y - ASCENT_EM * self.size_px, w, h: (ASCENT_EM + DESCENT_EM) * self.size_px }
    }
}

/// A line to place: its full text, size and weight.
struct Line<'a> {
    text: &'a str,
    size_px: f64,
    is_bold: bool,
}

impl Layout {
    fn title<'a>(&self, text: &'a str) -> Line<'a> {
        Line { text, size_px: self.title_px, is_bold: true }
    }
    fn sub<'a>(&self, text: &'a str) -> Line<'a> {
        Line { text, size_px: self.sub_px, is_bold: false }
    }
}

/// Place as many of `lines` (most important first) as fit in `area`, centred, each shortened
/// with an ellipsis to the area's width. Lines that would be an ellipsis alone are left out.
fn fill(area: Rect, lines: &[Line]) -> Vec<Label> {
    let size = lines.iter().map(|l| l.size_px).fold(0.0, f64::max);
    let fits = ((area.h + LINE_PX - size) / LINE_PX).floor().max(0.0) as usize;
    let mut chosen: Vec<(String, &Line)> = Vec::new();
    for line in lines.iter().take(fits) {
        if area.h < line.size_px {
            break;
        }
        let shown = text::fit(line.text, area.w, line.size_px, line.is_bold);
        if shown.is_empty() || shown == "…" {
            continue;
        }
        chosen.push((shown, line));
    }
    let n = chosen.len() as f64;
    let (cx, cy) = area.centre();
    // Baselines: the block of n lines is centred on the area.
    let first = cy - (n - 1.0) * LINE_PX / 2.0 + (ASCENT_EM - DESCENT_EM) * size / 2.0;
    chosen
        .into_iter()
        .enumerate()
        .map(|(i, (text, line))| Label {
            x: cx,
            y: first + i as f64 * LINE_PX,
            text,
            full: line.text.to_string(),
            size_px: line.size_px,
            is_bold: line.is_bold,
            anchor: Anchor::Middle,
        })
        .collect()
}

/// One line at a given baseline, centred on `cx`, shortened to `max_w`.
fn line_at(cx: f64, baseline: f64, max_w: f64, line: Line) -> Option<Label> {
    let shown = text::fit(line.text, max_w, line.size_px, line.is_bold);
    (!shown.is_empty() && shown != "…").then(|| Label {
        x: cx,
        y: baseline,
        text: shown,
        full: line.text.to_string(),
        size_px: line.size_px,
        is_bold: line.is_bold,
        anchor: Anchor::Middle,
    })
}

/// [`line_at`], but only when the whole text fits: for short names a shortened form would lose.
fn whole_line_at(cx: f64, baseline: f64, max_w: f64, line: Line) -> Option<Label> {
    (text::width(line.text, line.size_px, line.is_bold) <= max_w).then(|| line_at(cx, baseline, max_w, line)).flatten()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Client,
    Vpc,
    Subnet,
    AlbNacl,
    AlbSecurityGroup,
    Listener,
    ListenerRule,
    TargetGroup,
    Service,
    Target,
    TaskNacl,
    TaskSecurityGroup,
    Task,
    PortMapping,
    App,
}

impl NodeKind {
    /// The CSS modifier of the node's class.
    pub fn key(self) -> &'static str {
        match self {
            NodeKind::Client => "client",
            NodeKind::Vpc => "vpc",
            NodeKind::Subnet => "subnet",
            NodeKind::AlbNacl => "alb-nacl",
            NodeKind::AlbSecurityGroup => "alb-sg",
            NodeKind::Listener => "listener",
            NodeKind::ListenerRule => "rule",
            NodeKind::TargetGroup => "tg",
            NodeKind::Service => "service",
            NodeKind::Target => "pill",
            NodeKind::TaskNacl => "task-nacl",
            NodeKind::TaskSecurityGroup => "task-sg",
            NodeKind::Task => "task",
            NodeKind::PortMapping => "map",
            NodeKind::App => "app",
        }
    }
}

/// A gate's bars: two apart when it admits, one across when it drops. Network ACLs draw thinner
/// bars than security groups, so the two layers read apart.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    pub is_open: bool,
    pub bars: Vec<Rect>,
}

/// Something the learner can select: its box (the whole clickable area), the shape drawn, and
/// its text, fitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Stable across frames (`task-7`), so the page keeps the same element and its focus.
    pub key: String,
    pub kind: NodeKind,
    pub select: Selected,
    /// The hop this node stands for, and its task row (for tokens and the tests).
    pub hop: Option<Hop>,
    pub row: Option<usize>,
    pub bounds: Rect,
    /// The rounded rectangle drawn (gates draw bars instead).
    pub frame: Option<Rect>,
    pub gate: Option<Gate>,
    pub labels: Vec<Label>,
    /// The full words: the accessible name and the tooltip. It starts with the visible text.
    pub name: String,
    /// State modifiers for CSS, such as `healthy`, `broken` or `running`.
    pub state: String,
}

/// Text the diagram draws that is not a control (the task security group's name over its
/// column of gates).
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    pub label: Label,
    /// The column it heads.
    pub area: Rect,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub layout: Layout,
    pub title: String,
    pub vpc: Rect,
    pub service: Rect,
    pub lanes: Vec<String>,
    pub nodes: Vec<Node>,
    pub captions: Vec<Caption>,
    /// The task drawn in each row.
    pub rows: Vec<u32>,
}

impl Scene {
    pub fn node(&self, key: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.key == key)
    }
    /// The row a task is drawn in.
    pub fn row_of(&self, task: u32) -> Option<usize> {
        self.rows.iter().position(|r| *r == task)
    }
}

/// The tasks the diagram draws, one row each, in launch order: the newest [`MAX_ROWS`], leaving
/// out stopped ones first when there are more.
pub fn task_rows(sim: &Sim) -> Vec<u32> {
    let mut rows: Vec<_> = sim.tasks().collect();
    if rows.len() > MAX_ROWS {
        rows.retain(|t| t.state != TaskState::Stopped);
    }
    let skip = rows.len().saturating_sub(MAX_ROWS);
    rows.iter().skip(skip).map(|t| t.seq).collect()
}

fn gate_bars(is_open: bool, is_vertical: bool, cx: f64, cy: f64, span: f64, thick: f64) -> Vec<Rect> {
    let bar = (span * 0.32).max(3.0);
    match (is_open, is_vertical) {
        (true, false) => {
            vec![Rect::centred(cx, cy - span / 2.0 + bar / 2.0, thick, bar), Rect::centred(cx, cy + span / 2.0 - bar / 2.0, thick, bar)]
        }
        (true, true) => {
            vec![Rect::centred(cx - span / 2.0 + bar / 2.0, cy, bar, thick), Rect::centred(cx + span / 2.0 - bar / 2.0, cy, bar, thick)]
        }
        (false, false) => vec![Rect::centred(cx, cy, thick, span)],
        (false, true) => vec![Rect::centred(cx, cy, span, thick)],
    }
}

/// A task row as the scene shows it: the task, its state, its target's state and reason code,
/// whether it has a public IP, and whether its app is hung.
type RowKey = (u32, TaskState, Option<crate::sim::TargetState>, Option<&'static str>, bool, bool);

/// What a scene depends on besides the setup: the tasks drawn and the states their nodes show.
/// Cheap to take every frame; the page builds a new scene only when this (or the setup, or the
/// size) changes, which is a few times a minute rather than sixty times a second.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneKey {
    rows: Vec<RowKey>,
    hosts: (u16, u16),
    service_refused: bool,
}

pub fn scene_key(sim: &Sim) -> SceneKey {
    let rows = task_rows(sim)
        .into_iter()
        .filter_map(|seq| sim.task(seq))
        .map(|t| {
            let target = sim.target_of_task(t.seq);
            (
                t.seq,
                t.state,
                target.map(|x| x.state),
                target.and_then(|x| x.reason.as_ref()).map(|r| r.code()),
                t.public_ip.is_some(),
                t.is_hung && !t.has_crashed,
            )
        })
        .collect();
    SceneKey { rows, hosts: sim.host_counts(), service_refused: sim.service_runtime().create_error.is_some() }
}

/// The network ACLs of these subnets, as a diagram names them: their ids, or "default" for the
/// VPC's default ACL.
fn acl_names(s: &crate::sim::scenario::Scenario, subnets: &[String]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for sub in subnets {
        let name = s.network_acl_of(sub).map(|a| a.id.as_str()).unwrap_or("default");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(", ")
}

/// Build the scene for the sim as it is now, for a viewport.
pub fn scene(sim: &Sim, viewport: Viewport) -> Scene {
    let s = sim.scenario();
    let rows = task_rows(sim);
    let l = Layout::fit(rows.len(), viewport);
    let v = l.is_vertical;
    let mut nodes: Vec<Node> = Vec::new();
    let mut captions = Vec::new();
    let shared_h = 48.0;
    let client_h = if v { 52.0 } else { shared_h };
    let shared_w = |hop: Hop| if v { (l.width - 40.0).min(260.0) } else { l.extent[hop.index()] };
    let boxed = |hop: Hop| if v { l.node_box(hop, None, None, shared_w(hop)) } else { l.node_box(hop, None, None, shared_h) };

    // Client.
    let client_box = if v { l.node_box(Hop::Client, None, Some(client_h), shared_w(Hop::Client)) } else { boxed(Hop::Client) };
    let client_ip = s.client.ip.clone();
    let sends = format!("GET {} → :{}", s.client.path, s.client.port);
    nodes.push(Node {
        key: "client".into(),
        kind: NodeKind::Client,
        select: Selected::Client,
        hop: Some(Hop::Client),
        row: None,
        bounds: client_box,
        frame: Some(client_box),
        gate: None,
        labels: fill(client_box.inset(4.0), &[l.title("Client"), l.sub(&client_ip), l.sub(&sends)]),
        name: format!("Client {client_ip} {sends}: open client settings"),
        state: String::new(),
    });

    // The VPC and its subnets: chips along the top of the VPC frame.
    let vpc = l.vpc_box();
    let vpc_text = format!("VPC {}", s.vpc.cidr);
    let chip_h = 18.0;
    let chip_y = if v { vpc.y + 4.0 } else { BAND1_Y - chip_h / 2.0 };
    let mut chip_x = vpc.x + 6.0;
    let chip_limit = vpc.x + vpc.w - 6.0;
    let chip = |key: String, kind: NodeKind, select: Selected, text_full: &str, name: String, x: &mut f64| -> Option<Node> {
        let room = chip_limit - *x;
        let natural = text::width(text_full, l.sub_px, false) + 14.0;
        let w = natural.min(room);
        if w < 40.0 {
            return None;
        }
        let r = Rect { x: *x, y: chip_y, w, h: chip_h };
        *x += w + 6.0;
        let label = line_at(r.x + r.w / 2.0, r.y + 13.0, r.w - 10.0, l.sub(text_full));
        Some(Node {
            key,
            kind,
            select,
            hop: None,
            row: None,
            bounds: r,
            frame: Some(r),
            gate: None,
            labels: label.into_iter().collect(),
            name,
            state: String::new(),
        })
    };
    if let Some(n) = chip(
        "vpc".into(),
        NodeKind::Vpc,
        Selected::Vpc,
        &vpc_text,
        format!("{vpc_text} ({}): open VPC and subnet settings", s.vpc.id),
        &mut chip_x,
    ) {
        nodes.push(n);
    }
    for (i, subnet) in s.vpc.subnets.iter().enumerate() {
        let uses: Vec<&str> = [
            s.load_balancer.subnets.contains(&subnet.id).then_some("load balancer"),
            s.service
                .as_ref()
                .and_then(|svc| svc.network_configuration.as_ref())
                .is_some_and(|n| n.subnets.contains(&subnet.id))
                .then_some("tasks"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let text_full = format!("{} {}", subnet.availability_zone, if subnet.is_public { "public" } else { "private" });
        let name = format!(
            "Subnet {text_full}: {} {}{}: open VPC and subnet settings",
            subnet.id,
            subnet.cidr,
            if uses.is_empty() { String::new() } else { format!(", used by the {}", uses.join(" and the ")) }
        );
        match chip(format!("subnet-{i}"), NodeKind::Subnet, Selected::Subnet(i), &text_full, name, &mut chip_x) {
            Some(n) => nodes.push(n),
            None => break,
        }
    }

    // The load balancer's subnets' network ACL: a thin gate where the client enters the VPC.
    let alb_nacl_refusal = sim.alb_nacl_refusal();
    let alb_nacl_open = alb_nacl_refusal.is_none();
    let alb_acls = acl_names(s, &s.load_balancer.subnets);
    {
        let i = Hop::AlbSubnetNacl.index();
        let (gx, gy) = l.point(Hop::AlbSubnetNacl, None);
        let hit = if v { Rect::centred(gx, gy, l.width - 40.0, 28.0) } else { Rect::centred(gx, gy + 10.0, l.extent[i] + 8.0, 84.0) };
        let span = if v { 44.0 } else { 48.0 };
        let gate = Gate { is_open: alb_nacl_open, bars: gate_bars(alb_nacl_open, v, gx, gy, span, 5.0) };
        let label = if v {
            line_at(gx + 70.0, gy + 4.0, 100.0, l.sub("NACL"))
        } else {
            // "ACL" where "NACL" does not fit whole: "NA…" would say nothing.
            whole_line_at(gx, gy + span / 2.0 + 16.0, hit.w, l.sub("NACL"))
                .or_else(|| whole_line_at(gx, gy + span / 2.0 + 16.0, hit.w, l.sub("ACL")))
        };
        nodes.push(Node {
            key: "alb-nacl".into(),
            kind: NodeKind::AlbNacl,
            select: Selected::AlbSubnetNacl,
            hop: Some(Hop::AlbSubnetNacl),
            row: None,
            bounds: hit,
            frame: None,
            gate: Some(gate),
            labels: label.into_iter().collect(),
            name: match &alb_nacl_refusal {
                None => format!(
                    "NACL: network ACL {alb_acls} on the load balancer's subnets (admits the client on port {} and its replies): open VPC and network ACL settings",
                    s.client.port
                ),
                Some(r) => format!(
                    "NACL: network ACL {} on the load balancer's subnet {} (blocks the client: {}): open VPC and network ACL settings",
                    r.acl,
                    r.subnet,
                    crate::sim::trace::nacl_refusal_words(r)
                ),
            },
            state: if alb_nacl_open { "open".into() } else { "closed".into() },
        });
    }

    // ALB security group: a gate on the shared lane with the group's id under it.
    let alb_gate_open = sim.alb_gate_open();
    let alb_sg = s.load_balancer.security_groups.join(", ");
    {
        let i = Hop::AlbSecurityGroup.index();
        let (gx, gy) = l.point(Hop::AlbSecurityGroup, None);
        let hit = if v { Rect::centred(gx, gy + 6.0, l.width - 40.0, 40.0) } else { Rect::centred(gx, gy + 10.0, l.extent[i] + 8.0, 84.0) };
        let span = if v { 44.0 } else { 48.0 };
        let gate = Gate { is_open: alb_gate_open, bars: gate_bars(alb_gate_open, v, gx, gy, span, 8.0) };
        let label = if v {
            line_at(gx + 70.0, gy + 4.0, 100.0, l.sub(&alb_sg))
        } else {
            line_at(gx, gy + span / 2.0 + 16.0, hit.w - 4.0, l.sub(&alb_sg))
        };
        nodes.push(Node {
            key: "alb-sg".into(),
            kind: NodeKind::AlbSecurityGroup,
            select: Selected::AlbSecurityGroup,
            hop: Some(Hop::AlbSecurityGroup),
            row: None,
            bounds: hit,
            frame: None,
            gate: Some(gate),
            labels: label.into_iter().collect(),
            name: format!(
                "ALB security group {alb_sg} ({} the client on port {}): open its rules",
                if alb_gate_open { "admits" } else { "blocks" },
                s.client.port
            ),
            state: if alb_gate_open { "open".into() } else { "closed".into() },
        });
    }

    // Listener and the rule the client's path meets, as the data plane resolves them.
    let route = sim.client_route();
    let listener_box = boxed(Hop::Listener);
    // The listeners there are, and whether one is on the client's port: moving the listener to
    // 8080 while the client sends to 80 shows "HTTP:8080" and "not :80", not "none".
    let ports: Vec<String> = s.load_balancer.listeners.iter().map(|l| format!("HTTP:{}", l.port)).collect();
    let (listener_lines, listener_name, has_listener) = match &route {
        Some(r) => (vec![format!("HTTP:{}", r.listener_port)], format!("Listener HTTP:{}", r.listener_port), true),
        None if ports.is_empty() => (
            vec![format!("none on :{}", s.client.port)],
            format!("Listener none on :{}: the load balancer has no listener", s.client.port),
            false,
        ),
        None => (
            vec![ports.join(", "), format!("not :{}", s.client.port)],
            format!(
                "Listener {} not :{}: the client sends to port {}, where no listener is",
                ports.join(", "),
                s.client.port,
                s.client.port
            ),
            false,
        ),
    };
    let mut lines = vec![l.title("Listener")];
    lines.extend(listener_lines.iter().map(|t| l.sub(t)));
    nodes.push(Node {
        key: "listener".into(),
        kind: NodeKind::Listener,
        select: Selected::Listener,
        hop: Some(Hop::Listener),
        row: None,
        bounds: listener_box,
        frame: Some(listener_box),
        gate: None,
        labels: fill(listener_box.inset(4.0), &lines),
        name: format!("{listener_name}: open listener settings"),
        state: if has_listener { String::new() } else { "broken".into() },
    });
    let rule_box = boxed(Hop::ListenerRule);
    let rule_text = match &route {
        Some(r) => {
            let which = match r.priority {
                Some(p) => format!("#{p} {}", r.pattern),
                None => "default".into(),
            };
            match (&r.forward_to, r.fixed_status) {
                (Some(tg), _) => format!("{which} → {tg}"),
                (None, Some(code)) => format!("{which} → fixed {code}"),
                _ => which,
            }
        }
        None => "no rule".into(),
    };
    let rule_line2 = format!("for {}", s.client.path);
    nodes.push(Node {
        key: "rule".into(),
        kind: NodeKind::ListenerRule,
        select: Selected::ListenerRule,
        hop: Some(Hop::ListenerRule),
        row: None,
        bounds: rule_box,
        frame: Some(rule_box),
        gate: None,
        labels: fill(rule_box.inset(4.0), &[l.title("Rule"), l.sub(&rule_text), l.sub(&rule_line2)]),
        name: format!("Rule {rule_text} {rule_line2}: open listener settings"),
        state: if route.is_some() { String::new() } else { "broken".into() },
    });

    // Target group: a box around the targets' pills, with its name and counts.
    let tg = route.as_ref().and_then(|r| r.forward_to.as_deref()).and_then(|n| s.find_target_group(n)).or(s.target_groups.first());
    let tg_name = tg.map(|t| t.name.clone()).unwrap_or_default();
    let (healthy, unhealthy) = sim.host_counts();
    let healthy_text = format!("{healthy} healthy");
    let unhealthy_text = format!("{unhealthy} unhealthy");
    let counts = format!("{healthy_text} · {unhealthy_text}");
    // The group's clock, from its settings: how long a new target takes to turn healthy, and a
    // failing one to turn unhealthy (the core's HealthClock, as the settings and Why? show it).
    let startup = s.task_definition.container.app.startup_seconds;
    let health_clock = tg.map(|t| crate::sim::health::HealthClock::of(&t.health_check, t.deregistration_delay_seconds, startup));
    let clock_short = health_clock.map(|c| c.short()).unwrap_or_default();
    let clock_arrows = health_clock.map(|c| c.arrows()).unwrap_or_default();
    let clock_words = health_clock.map(|c| format!(" Clock: {}", c.in_words())).unwrap_or_default();
    let tg_box = l.target_group_box();
    let tg_title = format!("Target group {tg_name}");
    let mut tg_labels = Vec::new();
    if v {
        tg_labels.extend(line_at(tg_box.x + tg_box.w / 2.0, tg_box.y + 14.0, tg_box.w - 12.0, l.title(&tg_title)));
        let bottom = format!("{counts} · {clock_short}");
        let bottom = if text::width(&bottom, l.sub_px, false) <= tg_box.w - 12.0 { bottom } else { counts.clone() };
        tg_labels.extend(line_at(tg_box.x + tg_box.w / 2.0, tg_box.y + tg_box.h - 7.0, tg_box.w - 12.0, l.sub(&bottom)));
    } else {
        // Two lines, so a long name keeps its room: "Target group", then the name.
        tg_labels.extend(line_at(tg_box.x + tg_box.w / 2.0, BAND2_Y + 3.0, tg_box.w - 8.0, l.sub("Target group")));
        tg_labels.extend(line_at(tg_box.x + tg_box.w / 2.0, BAND2_Y + 17.0, tg_box.w - 8.0, l.title(&tg_name)));
        tg_labels.extend(line_at(tg_box.x + tg_box.w / 2.0, l.height - 38.0, tg_box.w - 8.0, l.sub(&healthy_text)));
        tg_labels.extend(line_at(tg_box.x + tg_box.w / 2.0, l.height - 25.0, tg_box.w - 8.0, l.sub(&unhealthy_text)));
        // Where "clock 35 s / 70-100 s" does not fit, arrows: up to healthy, down to unhealthy.
        let clock_line = whole_line_at(tg_box.x + tg_box.w / 2.0, l.height - 11.0, tg_box.w - 8.0, l.sub(&clock_short))
            .or_else(|| line_at(tg_box.x + tg_box.w / 2.0, l.height - 11.0, tg_box.w - 8.0, l.sub(&clock_arrows)));
        tg_labels.extend(clock_line);
    }
    nodes.push(Node {
        key: "tg".into(),
        kind: NodeKind::TargetGroup,
        select: Selected::TargetGroup,
        hop: Some(Hop::TargetGroup),
        row: None,
        bounds: tg_box,
        frame: Some(tg_box),
        gate: None,
        labels: tg_labels,
        name: format!(
            "{tg_title} {healthy_text} {unhealthy_text} {clock_short} ({clock_arrows}){}.{clock_words} Open target group settings",
            tg.map(|t| format!(" ({} · HTTP:{} · health check {})", t.target_type, t.port, t.health_check.path)).unwrap_or_default()
        ),
        state: String::new(),
    });

    // The ECS service: a frame around its tasks, with a chip that opens its settings.
    let service_frame = l.service_box();
    let service_text = match (&s.service, sim.service_runtime()) {
        (None, _) => "no ECS service".to_string(),
        (Some(svc), rt) if rt.create_error.is_some() => format!("ECS service {}: refused by ECS", svc.name),
        (Some(svc), _) => format!(
            "ECS service {} · desired {} · {}",
            svc.name,
            svc.desired_count,
            if svc.load_balancer.is_some() { "attached" } else { "not attached to a target group" }
        ),
    };
    {
        let (x, w) = if v {
            (service_frame.x + 4.0, service_frame.w - 8.0)
        } else {
            let from = l.along[Hop::Task.index()] - l.extent[Hop::Task.index()] / 2.0;
            (from, service_frame.x + service_frame.w - from - 4.0)
        };
        let natural = text::width(&service_text, l.sub_px, true) + 16.0;
        let w = natural.min(w);
        let y = if v { TALL_BAND_Y - 9.0 } else { BAND2_Y - 9.0 };
        let r = Rect { x, y, w, h: 18.0 };
        let label = line_at(r.x + r.w / 2.0, r.y + 13.0, r.w - 10.0, Line { text: &service_text, size_px: l.sub_px, is_bold: true });
        nodes.push(Node {
            key: "service".into(),
            kind: NodeKind::Service,
            select: Selected::Service,
            hop: None,
            row: None,
            bounds: r,
            frame: Some(r),
            gate: None,
            labels: label.into_iter().collect(),
            name: format!("{service_text}: open service settings"),
            state: if s.service.as_ref().is_some_and(|svc| svc.load_balancer.is_some()) { String::new() } else { "broken".into() },
        });
    }
    // The task security group's name heads its column of gates.
    let task_sg = match s.task_definition.network_mode {
        NetworkMode::Awsvpc => {
            s.service.as_ref().and_then(|svc| svc.network_configuration.as_ref()).map(|n| n.security_groups.join(", ")).unwrap_or_default()
        }
        NetworkMode::Bridge => s.container_instances.first().map(|c| c.security_groups.join(", ")).unwrap_or_default(),
    };
    if !v {
        let i = Hop::TaskSecurityGroup.index();
        let area = Rect { x: l.along[i] - l.extent[i] / 2.0 - 4.0, y: BAND2_Y - 11.0, w: l.extent[i] + 8.0, h: 20.0 };
        if let Some(label) = line_at(l.along[i], BAND2_Y + 4.0, area.w, l.sub(&task_sg)) {
            captions.push(Caption { label, area });
        }
        // And "NACL" heads the column of the subnet boundary's gates.
        let i = Hop::TaskSubnetNacl.index();
        let area = Rect { x: l.along[i] - l.extent[i] / 2.0 - COLUMN_GAP / 2.0, y: BAND2_Y - 11.0, w: l.extent[i] + COLUMN_GAP, h: 20.0 };
        let label = whole_line_at(l.along[i], BAND2_Y + 4.0, area.w, l.sub("NACL"))
            .or_else(|| whole_line_at(l.along[i], BAND2_Y + 4.0, area.w, l.sub("ACL")));
        if let Some(label) = label {
            captions.push(Caption { label, area });
        }
    }

    // One row per task: its target's pill, the task security group's gate, the task, its port
    // mapping, the app.
    let row_cell = l.row_cell();
    for (i, seq) in rows.iter().enumerate() {
        let Some(t) = sim.task(*seq) else { continue };
        let target = sim.target_of_task(t.seq);
        let lb_port = t.load_balancer.as_ref().map(|lb| lb.container_port);
        let container_port = lb_port.or(t.port_mappings.first().map(|m| m.container_port)).unwrap_or(0);
        let seq = t.seq;

        // The target's pill.
        let (px, py) = l.target_pill(i);
        let pill = if v {
            Rect::centred(px, py, row_cell.min(tg_box.w - 16.0).min(92.0), 20.0)
        } else {
            Rect::centred(px, py, (tg_box.w - 14.0).min(96.0), 20.0f64.min(l.row_pitch() - 4.0).max(6.0))
        };
        let state_text = target.map(|x| x.state.key().to_string()).unwrap_or_else(|| "not registered".into());
        let target_text = match target {
            Some(x) => match &x.reason {
                Some(r) => format!("{} {} ({})", x.endpoint, x.state, r.code()),
                None => format!("{} {}", x.endpoint, x.state),
            },
            None if t.load_balancer.is_some() => "not registered yet (the task is not running)".into(),
            None => "not registered".into(),
        };
        nodes.push(Node {
            key: format!("pill-{seq}"),
            kind: NodeKind::Target,
            select: target.map(|x| Selected::Target(x.id)).unwrap_or(Selected::TargetGroup),
            hop: Some(Hop::TargetGroup),
            row: Some(i),
            bounds: pill,
            frame: Some(pill),
            gate: None,
            labels: fill(pill.inset(2.0), &[l.sub(&state_text)]),
            name: format!("Target {target_text}: show why"),
            state: target.map(|x| x.state.key()).unwrap_or("none").to_string(),
        });

        // The subnet boundary between the load balancer's node and this task: its network ACLs.
        let nacl_refusal = sim.task_nacl_refusal(t.seq);
        let nacl_open = nacl_refusal.is_none();
        let (nx, ny) = l.point(Hop::TaskSubnetNacl, Some(i));
        let span = if v { row_cell.min(40.0) - 4.0 } else { (l.row_pitch() - 10.0).clamp(4.0, 40.0) };
        let hit = if v {
            Rect::centred(nx, ny, row_cell, 26.0)
        } else {
            Rect::centred(nx, ny, l.extent[Hop::TaskSubnetNacl.index()] + 6.0, (l.row_pitch() - 4.0).max(6.0))
        };
        let task_acls = acl_names(s, std::slice::from_ref(&t.subnet.to_string()));
        nodes.push(Node {
            key: format!("tnacl-{seq}"),
            kind: NodeKind::TaskNacl,
            select: Selected::TaskSubnetNacl,
            hop: Some(Hop::TaskSubnetNacl),
            row: Some(i),
            bounds: hit,
            frame: None,
            gate: Some(Gate { is_open: nacl_open, bars: gate_bars(nacl_open, v, nx, ny, span.max(4.0), 5.0) }),
            labels: vec![],
            // The ACL that refuses may be the task's subnet's or a load balancer node's.
            name: match &nacl_refusal {
                None => format!(
                    "Network ACL {task_acls} on the task's subnet {} (admits the load balancer and its replies): open VPC and network ACL settings",
                    t.subnet
                ),
                Some(r) => format!(
                    "Network ACL {} on subnet {} (blocks the load balancer: {}): open VPC and network ACL settings",
                    r.acl,
                    r.subnet,
                    crate::sim::trace::nacl_refusal_words(r)
                ),
            },
            state: if nacl_open { "open".into() } else { "closed".into() },
        });

        // The task security group's gate for this task.
        let gate_open = sim.task_gate_open(t.seq);
        let (sx, sy) = l.point(Hop::TaskSecurityGroup, Some(i));
        let span = if v { row_cell.min(40.0) - 4.0 } else { (l.row_pitch() - 10.0).clamp(4.0, 40.0) };
        let hit = if v {
            Rect::centred(sx, sy, row_cell, 30.0)
        } else {
            Rect::centred(sx, sy, l.extent[Hop::TaskSecurityGroup.index()] + 8.0, (l.row_pitch() - 4.0).max(6.0))
        };
        nodes.push(Node {
            key: format!("tsg-{seq}"),
            kind: NodeKind::TaskSecurityGroup,
            select: Selected::TaskSecurityGroup,
            hop: Some(Hop::TaskSecurityGroup),
            row: Some(i),
            bounds: hit,
            frame: None,
            gate: Some(Gate { is_open: gate_open, bars: gate_bars(gate_open, v, sx, sy, span.max(4.0), 8.0) }),
            labels: vec![],
            name: format!(
                "Task security group {task_sg} ({} the load balancer): open its rules",
                if gate_open { "admits" } else { "blocks" }
            ),
            state: if gate_open { "open".into() } else { "closed".into() },
        });

        // The task.
        let task_box = if v { l.node_box(Hop::Task, Some(i), None, row_cell) } else { l.node_box(Hop::Task, Some(i), None, 48.0) };
        let ip = t.private_ip.to_string();
        let who = match t.public_ip {
            Some(p) => format!("public {p}"),
            None => t.short_id().to_string(),
        };
        let state_key = t.state.key();
        nodes.push(Node {
            key: format!("task-{seq}"),
            kind: NodeKind::Task,
            select: Selected::Task(seq),
            hop: Some(Hop::Task),
            row: Some(i),
            bounds: task_box,
            frame: Some(task_box),
            gate: None,
            labels: fill(task_box.inset(3.0), &[l.title(&ip), l.sub(state_key), l.sub(&who)]),
            name: format!("Task {ip} {state_key} {who} in {}: open task settings", t.availability_zone),
            state: state_key.to_ascii_lowercase(),
        });

        // Its port mapping.
        let mapping = match (t.network_mode, t.host_port) {
            (NetworkMode::Bridge, Some(h)) => format!("{h}→{container_port}"),
            _ => format!("{container_port}→{container_port}"),
        };
        let map_box =
            if v { l.node_box(Hop::PortMapping, Some(i), None, row_cell) } else { l.node_box(Hop::PortMapping, Some(i), None, 38.0) };
        nodes.push(Node {
            key: format!("map-{seq}"),
            kind: NodeKind::PortMapping,
            select: Selected::PortMapping(seq),
            hop: Some(Hop::PortMapping),
            row: Some(i),
            bounds: map_box,
            frame: Some(map_box),
            gate: None,
            labels: fill(map_box.inset(3.0), &[l.sub(&mapping), l.sub("port mapping")]),
            name: format!("{mapping} port mapping (host port → container port): open the task definition"),
            state: String::new(),
        });

        // The app.
        let app_text = format!("app :{}", t.app.listen_port);
        // A hung app looks like any RUNNING task from the outside; the app node says it.
        let is_hung = t.is_hung && !t.has_crashed;
        let health_text = if is_hung { "hung: no answer".to_string() } else { format!("health {}", t.app.health_path) };
        let app_box = if v { l.node_box(Hop::App, Some(i), None, row_cell) } else { l.node_box(Hop::App, Some(i), None, 38.0) };
        let is_match = t.app.listen_port == container_port;
        nodes.push(Node {
            key: format!("app-{seq}"),
            kind: NodeKind::App,
            select: Selected::App(seq),
            hop: Some(Hop::App),
            row: Some(i),
            bounds: app_box,
            frame: Some(app_box),
            gate: None,
            labels: fill(app_box.inset(3.0), &[l.title(&app_text), l.sub(&health_text)]),
            name: format!(
                "{app_text} {health_text}{}: open the app's settings",
                if is_match { String::new() } else { format!(" (traffic arrives on {container_port})") }
            ),
            state: if is_match && !is_hung { String::new() } else { "broken".into() },
        });
    }

    // Speech and sight agree: a node's accessible name contains the words it shows, and where
    // a label had to be shortened, the name starts with what is shown, then the full words.
    for n in &mut nodes {
        let visible = visible_text(n);
        if !name_contains(&n.name, &visible) {
            n.name = format!("{visible}. {}", n.name);
        }
    }
    let lanes = if rows.is_empty() {
        vec![l.token_path(Hop::TargetGroup, None)]
    } else {
        (0..rows.len()).map(|r| l.token_path(Hop::App, Some(r))).collect()
    };
    Scene { layout: l, title: s.name.clone(), vpc, service: service_frame, lanes, nodes, captions, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_go_left_to_right_when_wide_and_top_down_when_tall() {
        for viewport in [Viewport::wide(1000.0, 360.0), Viewport::tall(360.0), Viewport::boxed(400.0, 240.0)] {
            let l = Layout::fit(3, viewport);
            let mut last = -1.0;
            for hop in Hop::ALL {
                let (x, y) = l.point(hop, Some(1));
                let along = if l.is_vertical { y } else { x };
                assert!(along > last, "{hop:?} is not after the previous hop");
                last = along;
                assert!(x >= 0.0 && x <= l.width && y >= 0.0 && y <= l.height, "{hop:?} is off the canvas");
            }
        }
    }

    #[test]
    fn the_layout_uses_the_width_it_is_given_and_the_height_it_is_asked_for() {
        let l = Layout::fit(2, Viewport::wide(1000.0, 360.0));
        assert_eq!(l.width, 1000.0);
        assert!(l.height >= 360.0);
        // Below the minimum width the layout keeps its proportions and is scaled down instead.
        assert_eq!(Layout::fit(2, Viewport::boxed(400.0, 240.0)).width, MIN_LOGICAL_WIDTH);
        // An embed's box is filled exactly when the rows fit.
        assert_eq!(Layout::fit(2, Viewport::boxed(700.0, 300.0)).height, 300.0);
    }

    #[test]
    fn rows_are_distinct_and_inside_the_target_group_box() {
        let l = Layout::fit(4, Viewport::wide(1000.0, 300.0));
        let b = l.target_group_box();
        let mut ys: Vec<f64> = (0..4).map(|r| l.target_pill(r).1).collect();
        for (x, y) in (0..4).map(|r| l.target_pill(r)) {
            assert!(x > b.x && x < b.x + b.w && y > b.y && y < b.y + b.h);
        }
        ys.dedup();
        assert_eq!(ys.len(), 4);
    }

    #[test]
    fn token_path_stops_at_the_deciding_hop() {
        let l = Layout::fit(2, Viewport::wide(1000.0, 300.0));
        let to_sg = l.token_path(Hop::AlbSecurityGroup, None);
        // Client, the network ACL where it enters the VPC, the security group.
        assert_eq!(to_sg.matches('L').count(), 2);
        let to_app = l.token_path(Hop::App, Some(1));
        let (x, y) = l.point(Hop::App, Some(1));
        assert!(to_app.ends_with(&format!("{x:.1} {y:.1}")));
        assert!(to_app.starts_with('M'));
    }

    #[test]
    fn point_along_walks_the_polyline() {
        let pts = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)];
        assert_eq!(point_along(&pts, 0.0), (0.0, 0.0));
        assert_eq!(point_along(&pts, 0.5), (10.0, 0.0));
        assert_eq!(point_along(&pts, 1.0), (10.0, 10.0));
        assert_eq!(point_along(&pts, 7.0), (10.0, 10.0));
        assert_eq!(point_along(&[], 0.5), (0.0, 0.0));
        assert_eq!(path_d(&pts), "M0.0 0.0 L10.0 0.0 L10.0 10.0");
        assert_eq!(path_length(&pts), 20.0);
    }

    #[test]
    fn packed_rows_never_overlap_on_a_phone() {
        for rows in 1..=MAX_ROWS {
            let l = Layout::fit(rows, Viewport::tall(360.0));
            let w = l.row_cell();
            for r in 1..rows {
                let gap = l.point(Hop::Task, Some(r)).0 - l.point(Hop::Task, Some(r - 1)).0;
                assert!(gap >= w, "rows {rows}: cells of {w} overlap at spacing {gap}");
            }
        }
    }

    #[test]
    fn the_canvas_grows_with_rows_but_is_bounded() {
        let v = Viewport::wide(1000.0, 0.0);
        assert!(Layout::fit(10, v).height > Layout::fit(2, v).height);
        assert_eq!(Layout::fit(100, v), Layout::fit(MAX_ROWS, v));
        assert_eq!(Layout::fit(0, v).rows, 1);
    }

    #[test]
    fn every_selection_opens_a_known_section() {
        let all = [
            Selected::Client,
            Selected::Vpc,
            Selected::Subnet(1),
            Selected::AlbSubnetNacl,
            Selected::AlbSecurityGroup,
            Selected::Listener,
            Selected::ListenerRule,
            Selected::TargetGroup,
            Selected::Target(TargetId(3)),
            Selected::TaskSubnetNacl,
            Selected::TaskSecurityGroup,
            Selected::Task(2),
            Selected::PortMapping(2),
            Selected::App(2),
            Selected::TaskDefinition,
            Selected::Service,
            Selected::Request(9),
        ];
        for s in all {
            let key = s.section_key();
            assert!(SECTIONS.iter().any(|(k, _)| *k == key), "{s:?} opens {key}");
            assert_eq!(Selected::from_section_key(key).section_key(), key);
        }
        for (key, _) in SECTIONS {
            assert!(crate::sim::exercise::KNOB_GROUPS.contains(&key), "{key} is not a knob group");
        }
    }

    #[test]
    fn a_hung_app_says_so_on_its_node_and_the_scene_is_rebuilt_for_it() {
        let mut sim = Sim::new(crate::scenarios::default_scenario(), Some(4));
        sim.run_for(60_000);
        let before = scene_key(&sim);
        let task = sim.tasks().find(|t| t.state == TaskState::Running).expect("a running task");
        let (seq, id) = (task.seq, task.id.to_string());
        sim.apply(crate::sim::Command::FailTask { task: id, failure: crate::sim::TaskFailure::Hang }).expect("hang");
        assert_ne!(scene_key(&sim), before, "the scene must be rebuilt when an app hangs");
        let sc = scene(&sim, Viewport::wide(1200.0, 360.0));
        let app = sc.nodes.iter().find(|n| n.key == format!("app-{seq}")).expect("its app node");
        assert_eq!(app.state, "broken");
        assert!(app.name.contains("hung: no answer"), "{}", app.name);
        let others: Vec<_> = sc.nodes.iter().filter(|n| n.kind == NodeKind::App && n.key != app.key).collect();
        assert!(!others.is_empty() && others.iter().all(|n| !n.name.contains("hung")));
    }
}
