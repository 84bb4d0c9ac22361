//! Diagram geometry: where each hop of the request path sits, and the paths tokens follow.
//!
//! Pure arithmetic with native tests, kept apart from the Leptos components that draw it (as
//! leptos-chartistry keeps its projection apart from its views). The diagram reads left to
//! right on a wide screen and top to bottom on a phone; one row per task.

use crate::sim::Hop;

/// Room for one task row, in SVG units.
const ROW: f64 = 64.0;
const WIDE_COLUMNS: [f64; 9] = [48.0, 150.0, 246.0, 340.0, 458.0, 586.0, 690.0, 804.0, 904.0];
const TALL_COLUMNS: [f64; 9] = [40.0, 112.0, 178.0, 244.0, 330.0, 428.0, 498.0, 566.0, 630.0];

/// Rows the diagram draws at most.
pub const MAX_ROWS: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub is_vertical: bool,
    pub rows: usize,
}

impl Layout {
    /// `rows`: how many task rows to draw (at least one, so an empty service still has a lane).
    pub fn new(rows: usize, is_vertical: bool) -> Layout {
        // A deployment of ten tasks at maximumPercent 200 runs twenty, and stopped tasks stay a
        // while: room for all of them.
        let rows = rows.clamp(1, MAX_ROWS);
        if is_vertical {
            Layout { width: 360.0, height: 680.0, is_vertical, rows }
        } else {
            Layout { width: 960.0, height: (96.0 + rows as f64 * ROW).max(300.0), is_vertical, rows }
        }
    }

    /// The offset of the path's main axis for a hop (x when wide, y when tall).
    fn along(&self, hop: Hop) -> f64 {
        let i = hop.index();
        if self.is_vertical {
            TALL_COLUMNS[i]
        } else {
            WIDE_COLUMNS[i]
        }
    }

    /// The cross-axis position of a task row, or of the shared lane when `row` is `None`.
    fn across(&self, row: Option<usize>) -> f64 {
        let (extent, start) = if self.is_vertical { (self.width - 40.0, 20.0) } else { (self.height - 60.0, 46.0) };
        match row {
            None => start + extent / 2.0,
            Some(r) => {
                let step = extent / self.rows as f64;
                start + step * (r.min(self.rows - 1) as f64 + 0.5)
            }
        }
    }

    /// How wide a per-row element may be: its natural width, or less when rows are packed
    /// side by side on a phone.
    pub fn cell_width(&self, natural: f64) -> f64 {
        if self.is_vertical {
            let step = (self.width - 40.0) / self.rows as f64;
            natural.min(step - 4.0).max(8.0)
        } else {
            natural
        }
    }

    /// The centre of a hop's element. Hops up to the target group are shared; later hops
    /// belong to a task row.
    pub fn point(&self, hop: Hop, row: Option<usize>) -> (f64, f64) {
        let row = if hop > Hop::TargetGroup { row } else { None };
        let a = self.along(hop);
        let c = self.across(row);
        if self.is_vertical {
            (c, a)
        } else {
            (a, c)
        }
    }

    /// Where a target's pill sits inside the target group box.
    pub fn target_pill(&self, row: usize) -> (f64, f64) {
        let a = self.along(Hop::TargetGroup);
        let c = self.across(Some(row));
        if self.is_vertical {
            (c, a)
        } else {
            (a, c)
        }
    }

    /// The target group box, spanning every row: (x, y, width, height).
    pub fn target_group_box(&self) -> (f64, f64, f64, f64) {
        let a = self.along(Hop::TargetGroup);
        if self.is_vertical {
            (12.0, a - 30.0, self.width - 24.0, 60.0)
        } else {
            (a - 62.0, 30.0, 124.0, self.height - 44.0)
        }
    }

    /// The points a request passes from the client to the hop where it stopped. Past the
    /// target group the path bends to the task's row.
    pub fn token_points(&self, stop: Hop, row: Option<usize>) -> Vec<(f64, f64)> {
        let mut pts = Vec::new();
        for hop in Hop::ALL.iter().copied().take_while(|h| *h <= stop) {
            match (hop, row) {
                (Hop::TargetGroup, Some(r)) => {
                    // Enter the target group on the shared lane, then go to the target's pill.
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
        let mut pts = vec![self.target_pill(row)];
        for hop in [Hop::TaskSecurityGroup, Hop::Task, Hop::PortMapping, Hop::App] {
            if hop > stop {
                break;
            }
            pts.push(self.point(hop, Some(row)));
        }
        pts
    }

    /// The VPC frame: everything from the ALB security group to the app.
    pub fn vpc_box(&self) -> (f64, f64, f64, f64) {
        let a0 = self.along(Hop::AlbSecurityGroup) - 34.0;
        let a1 = self.along(Hop::App) + 44.0;
        if self.is_vertical {
            (6.0, a0, self.width - 12.0, a1 - a0)
        } else {
            (a0, 8.0, a1 - a0, self.height - 16.0)
        }
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

/// The point at `fraction` (0-1) of the way along a polyline.
pub fn point_along(points: &[(f64, f64)], fraction: f64) -> (f64, f64) {
    let Some(&first) = points.first() else { return (0.0, 0.0) };
    let seg = |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let total: f64 = points.windows(2).map(|w| seg(w[0], w[1])).sum();
    if total <= 0.0 {
        return first;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_go_left_to_right_when_wide_and_top_down_when_tall() {
        for vertical in [false, true] {
            let l = Layout::new(3, vertical);
            let mut last = -1.0;
            for hop in Hop::ALL {
                let (x, y) = l.point(hop, Some(1));
                let along = if vertical { y } else { x };
                assert!(along > last, "{hop:?} is not after the previous hop");
                last = along;
                assert!(x >= 0.0 && x <= l.width && y >= 0.0 && y <= l.height, "{hop:?} is off the canvas");
            }
        }
    }

    #[test]
    fn rows_are_distinct_and_inside_the_target_group_box() {
        let l = Layout::new(4, false);
        let (bx, by, bw, bh) = l.target_group_box();
        let mut ys: Vec<f64> = (0..4).map(|r| l.target_pill(r).1).collect();
        for (x, y) in (0..4).map(|r| l.target_pill(r)) {
            assert!(x > bx && x < bx + bw && y > by && y < by + bh);
        }
        ys.dedup();
        assert_eq!(ys.len(), 4);
    }

    #[test]
    fn token_path_stops_at_the_deciding_hop() {
        let l = Layout::new(2, false);
        let to_sg = l.token_path(Hop::AlbSecurityGroup, None);
        assert_eq!(to_sg.matches('L').count(), 1);
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
    }

    #[test]
    fn packed_rows_never_overlap_on_a_phone() {
        for rows in 1..=MAX_ROWS {
            let l = Layout::new(rows, true);
            let w = l.cell_width(92.0);
            for r in 1..rows {
                let gap = l.point(Hop::Task, Some(r)).0 - l.point(Hop::Task, Some(r - 1)).0;
                assert!(gap >= w, "rows {rows}: cells of {w} overlap at spacing {gap}");
            }
        }
        assert_eq!(Layout::new(10, false).cell_width(92.0), 92.0);
    }

    #[test]
    fn the_canvas_grows_with_rows_but_is_bounded() {
        assert!(Layout::new(10, false).height > Layout::new(2, false).height);
        assert_eq!(Layout::new(100, false), Layout::new(MAX_ROWS, false));
        assert_eq!(Layout::new(0, false).rows, 1);
    }
}
