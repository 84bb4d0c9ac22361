//! The metrics chart's geometry: scales, axis ticks in sim time and counts, and one path per
//! series. Pure, so its numbers are tested natively; the page draws it.

use super::Rect;

/// One line of the chart: a CloudWatch-style metric, one value per point.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub key: &'static str,
    pub label: &'static str,
    pub values: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    /// The plotting area inside the axes.
    pub plot: Rect,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// (series key, SVG path) for each shown series.
    pub lines: Vec<(&'static str, String)>,
    /// The x of each point, for the cursor.
    pub xs: Vec<f64>,
    pub y_max: f64,
}

/// A round number at or above `v` (1, 2, 5 × a power of ten), so the axis reads well.
pub fn nice_max(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if v <= m * power + 1e-9 {
            return m * power;
        }
    }
    10.0 * power
}

/// `hh:mm` of a sim time: the page's clock, to the minute.
pub fn clock_minutes(ms: u64) -> String {
    super::text::clock_text(ms)[..5].to_string()
}

/// Lay out a chart: `times_ms` is the start of each point; `hidden` series keep their place in
/// the legend but draw no line and do not set the scale.
pub fn chart(times_ms: &[u64], series: &[Series], hidden: &[&str], width: f64, height: f64, y_unit: &str) -> Chart {
    let plot = Rect { x: 44.0, y: 8.0, w: width - 52.0, h: height - 30.0 };
    let n = times_ms.len();
    let x_of = |i: usize| plot.x + if n <= 1 { 0.0 } else { i as f64 / (n - 1) as f64 * plot.w };
    let shown: Vec<&Series> = series.iter().filter(|s| !hidden.contains(&s.key)).collect();
    let highest = shown.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max);
    let y_max = nice_max(highest);
    let y_of = |v: f64| plot.y + plot.h - (v / y_max).clamp(0.0, 1.0) * plot.h;
    let lines = shown
        .iter()
        .map(|s| {
            let d: Vec<String> = s
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{}{:.1} {:.1}", if i == 0 { 'M' } else { 'L' }, x_of(i), y_of(*v)))
                .collect();
            (s.key, d.join(" "))
        })
        .collect();
    let y_ticks = [0.0, 0.5, 1.0]
        .iter()
        .map(|f| {
            let v = y_max * f;
            let text = if v.fract().abs() < 1e-9 { format!("{v:.0}") } else { format!("{v:.1}") };
            Tick { at: y_of(v), label: if *f == 1.0 { format!("{text} {y_unit}") } else { text } }
        })
        .collect();
    // A time tick every fifth of the window, on the points that start it.
    let x_ticks = if n < 2 {
        vec![]
    } else {
        (0..=4).map(|k| k * (n - 1) / 4).map(|i| Tick { at: x_of(i), label: clock_minutes(times_ms[i]) }).collect()
    };
    Chart { width, height, plot, x_ticks, y_ticks, lines, xs: (0..n).map(x_of).collect(), y_max }
}

/// The point nearest to `x` (for the cursor under a pointer).
pub fn nearest(xs: &[f64], x: f64) -> Option<usize> {
    xs.iter().enumerate().min_by(|a, b| (a.1 - x).abs().total_cmp(&(b.1 - x).abs())).map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_a_round_number_at_or_above_the_highest_value() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(0.3), 0.5);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(18.0), 20.0);
        assert_eq!(nice_max(200.0), 200.0);
        assert_eq!(nice_max(201.0), 500.0);
        assert_eq!(nice_max(f64::NAN), 1.0);
    }

    #[test]
    fn lines_and_ticks_fall_inside_the_chart() {
        let times: Vec<u64> = (0..60).map(|i| 600_000 + i * 10_000).collect();
        let series = vec![
            Series { key: "a", label: "A", values: (0..60).map(|i| i as f64).collect() },
            Series { key: "b", label: "B", values: vec![1000.0; 60] },
        ];
        let c = chart(&times, &series, &["b"], 600.0, 180.0, "/s");
        assert_eq!(c.lines.len(), 1, "hidden series draw nothing");
        assert_eq!(c.y_max, 100.0, "hidden series do not set the scale");
        assert_eq!(c.x_ticks.first().map(|t| t.label.as_str()), Some("00:10"));
        assert_eq!(c.x_ticks.last().map(|t| t.label.as_str()), Some("00:19"));
        assert_eq!(c.y_ticks.last().map(|t| t.label.as_str()), Some("100 /s"));
        for x in &c.xs {
            assert!(*x >= c.plot.x && *x <= c.plot.x + c.plot.w);
        }
        assert_eq!(nearest(&c.xs, c.xs[7] + 0.4), Some(7));
        assert_eq!(nearest(&[], 3.0), None);
    }
}
