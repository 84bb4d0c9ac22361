//! How wide a label is, so the diagram can fit every label into its node before drawing it.
//!
//! The diagram's text is set in DejaVu Sans (with Verdana, a face of the same width, as the
//! fallback), so these advance widths, read from DejaVu Sans and DejaVu Sans Bold (2048 units
//! per em), are what the browser will draw. A character outside the table counts as a full em,
//! which only ever makes a label look longer than it is: labels may end up a little short, never
//! clipped.

/// The font the diagram asks for, in CSS; the widths below are this face's.
pub const FONT_FAMILY: &str = "\"DejaVu Sans\", Verdana, \"Bitstream Vera Sans\", sans-serif";

const UNITS_PER_EM: f64 = 2048.0;

/// Advance widths of the printable ASCII characters (space to `~`), DejaVu Sans Book.
const REGULAR: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303,
    1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532,
    1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260,
    721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,
    1303, 1716,
];

/// The same for DejaVu Sans Bold.
const BOLD: [u16; 95] = [
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425,
    1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714,
    1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389,
    891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748,
    1458, 1716,
];

fn advance(c: char, bold: bool) -> u16 {
    let code = c as u32;
    if (32..127).contains(&code) {
        let i = (code - 32) as usize;
        return if bold { BOLD[i] } else { REGULAR[i] };
    }
    match c {
        '→' | '×' | '✓' | '✗' => 1716,
        '·' if bold => 778,
        '·' => 651,
        '–' => 1024,
        // The ellipsis, the em dash, and anything else: a full em.
        _ => 2048,
    }
}

/// The width of `text` in CSS pixels at `size_px`.
pub fn width(text: &str, size_px: f64, bold: bool) -> f64 {
    let units: u32 = text.chars().map(|c| advance(c, bold) as u32).sum();
    units as f64 * size_px / UNITS_PER_EM
}

/// `text` if it fits in `max_px`, else its longest prefix that fits with an ellipsis after it
/// (an empty string when not even the ellipsis fits).
pub fn fit(text: &str, max_px: f64, size_px: f64, bold: bool) -> String {
    if width(text, size_px, bold) <= max_px {
        return text.to_string();
    }
    let ellipsis = width("…", size_px, bold);
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        let w = advance(c, bold) as f64 * size_px / UNITS_PER_EM;
        if used + w + ellipsis > max_px {
            break;
        }
        used += w;
        out.push(c);
    }
    if ellipsis > max_px {
        return String::new();
    }
    // Never end on a space before the ellipsis ("web …").
    let trimmed = out.trim_end().to_string();
    trimmed + "…"
}

/// Sim time as the page shows it: `hh:mm:ss.t`.
pub fn clock_text(ms: u64) -> String {
    format!("{}.{}", crate::sim::timeline::clock(ms), (ms % 1000) / 100)
}

/// A piece of a log message: plain text, or an ARN split so its middle can be hidden
/// (`arn:` · `aws:elasticloadbalancing:us-east-1:123456789012:` · `targetgroup/web-tg/…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Arn { head: &'a str, middle: &'a str, tail: &'a str },
}

/// Split a message into text and ARNs. An ARN runs from `arn:` to the next space or `)`.
pub fn split_arns(message: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(start) = rest.find("arn:") {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let arn_len = rest[start..].find([' ', ')', ',']).unwrap_or(rest.len() - start);
        let arn = &rest[start..start + arn_len];
        let cut = arn.rfind(':').filter(|i| *i > 3).unwrap_or(3);
        out.push(Piece::Arn { head: &arn[..4], middle: &arn[4..cut + 1], tail: &arn[cut + 1..] });
        rest = &rest[start + arn_len..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_font() {
        // "Listener" in DejaVu Sans Bold at 12 px: (1305+702+1219+979+1389+1458+1389+1010) / 2048 * 12.
        assert!((width("Listener", 12.0, true) - 9451.0 / 2048.0 * 12.0).abs() < 1e-9);
        assert!(width("W", 11.0, false) > width("i", 11.0, false));
        assert!(width("ab", 11.0, true) > width("ab", 11.0, false));
        assert_eq!(width("", 11.0, false), 0.0);
    }

    #[test]
    fn fit_keeps_what_fits_and_ellipsizes_the_rest() {
        assert_eq!(fit("HTTP:80", 200.0, 11.0, false), "HTTP:80");
        let long = "service web: desired 2, not attached to a target group";
        let shown = fit(long, 120.0, 11.0, false);
        assert!(shown.ends_with('…'), "{shown}");
        assert!(width(&shown, 11.0, false) <= 120.0);
        assert!(long.starts_with(shown.trim_end_matches('…')));
        assert_eq!(fit(long, 2.0, 11.0, false), "");
    }

    #[test]
    fn arns_are_split_so_their_middle_can_be_hidden() {
        let m = "(service web) registered 1 targets in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/0123456789abcdef)";
        let pieces = split_arns(m);
        assert_eq!(pieces.len(), 3);
        assert_eq!(
            pieces[1],
            Piece::Arn {
                head: "arn:",
                middle: "aws:elasticloadbalancing:us-east-1:123456789012:",
                tail: "targetgroup/web-tg/0123456789abcdef"
            }
        );
        assert_eq!(pieces[2], Piece::Text(")"));
        let joined: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.to_string(),
                Piece::Arn { head, middle, tail } => format!("{head}{middle}{tail}"),
            })
            .collect();
        assert_eq!(joined, m);
        assert_eq!(split_arns("no arn here"), vec![Piece::Text("no arn here")]);
        assert_eq!(split_arns("arn:"), vec![Piece::Arn { head: "arn:", middle: "", tail: "" }]);
    }

    #[test]
    fn unknown_characters_count_as_a_full_em() {
        assert_eq!(width("漢", 10.0, false), 10.0);
    }
}
