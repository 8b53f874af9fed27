//! Chart geometry for the report's inline SVG: numbers only, the markup is
//! in the template.

use serde::Serialize;

use crate::violation::Severity;

pub const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

/// Counts of one bar, by severity (error, warning, info).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub [usize; 3]);

impl Counts {
    pub fn add(&mut self, s: Severity) {
        self.0[sev_index(s)] += 1;
    }
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
}

pub fn sev_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub severity: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub total: usize,
    /// Where the label and the total are written.
    pub label_x: f64,
    pub label_y: f64,
    pub total_x: f64,
    pub total_y: f64,
    pub show_label: bool,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub bars: Vec<Bar>,
    pub empty: bool,
    /// Axis line (vertical charts) from (x1, y) to (x2, y).
    pub axis_x1: f64,
    pub axis_x2: f64,
    pub axis_y: f64,
}

const LABEL_W: f64 = 96.0;
const ROW_H: f64 = 22.0;
const BAR_H: f64 = 16.0;

/// Horizontal bars, stacked by severity, one row per (label, counts).
pub fn horizontal(rows: &[(String, Counts)], width: f64) -> Chart {
    let max = rows.iter().map(|r| r.1.total()).max().unwrap_or(0);
    let area = width - LABEL_W - 48.0;
    let scale = if max == 0 { 0.0 } else { area / max as f64 };
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, counts))| {
            let y = 4.0 + i as f64 * ROW_H;
            let mut x = LABEL_W;
            let segments = stack(counts, |n| {
                let w = n as f64 * scale;
                let s = (x, y, w, BAR_H);
                x += w;
                s
            });
            Bar {
                label: label.clone(),
                total: counts.total(),
                label_x: LABEL_W - 6.0,
                label_y: y + BAR_H - 4.0,
                total_x: x + 4.0,
                total_y: y + BAR_H - 4.0,
                show_label: true,
                segments,
            }
        })
        .collect();
    Chart {
        width,
        height: 8.0 + rows.len().max(1) as f64 * ROW_H,
        bars,
        empty: max == 0,
        axis_x1: 0.0,
        axis_x2: 0.0,
        axis_y: 0.0,
    }
}

/// Vertical bars (months), stacked by severity; every `k`-th label shown.
pub fn vertical(cols: &[(String, Counts)], width: f64, height: f64) -> Chart {
    let max = cols.iter().map(|r| r.1.total()).max().unwrap_or(0);
    let (left, bottom, top) = (8.0, 34.0, 16.0);
    let plot_h = height - bottom - top;
    let n = cols.len().max(1) as f64;
    let step = (width - 2.0 * left) / n;
    let bar_w = (step * 0.75).max(1.0);
    let scale = if max == 0 { 0.0 } else { plot_h / max as f64 };
    // Labels (`YYYY-MM`) need about 56 px each.
    let every = ((56.0 / step).ceil() as usize).max(1);
    let base = height - bottom;
    let bars = cols
        .iter()
        .enumerate()
        .map(|(i, (label, counts))| {
            let x = left + i as f64 * step + (step - bar_w) / 2.0;
            let mut y = base;
            let segments = stack(counts, |c| {
                let h = c as f64 * scale;
                y -= h;
                (x, y, bar_w, h)
            });
            Bar {
                label: label.clone(),
                total: counts.total(),
                label_x: x + bar_w / 2.0,
                label_y: base + 14.0,
                total_x: x + bar_w / 2.0,
                total_y: y - 3.0,
                // Every `every`-th only: labels closer than that overlap.
                show_label: i % every == 0,
                segments,
            }
        })
        .collect();
    Chart {
        width,
        height,
        bars,
        empty: max == 0,
        axis_x1: left,
        axis_x2: width - left,
        axis_y: base,
    }
}

fn stack(counts: &Counts, mut place: impl FnMut(usize) -> (f64, f64, f64, f64)) -> Vec<Segment> {
    SEVERITIES
        .iter()
        .zip(counts.0)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| {
            let (x, y, w, h) = place(n);
            Segment {
                x: round(x),
                y: round(y),
                w: round(w),
                h: round(h),
                severity: s.as_str(),
                count: n,
            }
        })
        .collect()
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `YYYY-MM` of a date or timestamp, if it starts with one.
pub fn month_of(s: &str) -> Option<(i32, u32)> {
    let y: i32 = s.get(0..4)?.parse().ok()?;
    if s.get(4..5)? != "-" {
        return None;
    }
    let m: u32 = s.get(5..7)?.parse().ok()?;
    (1..=12).contains(&m).then_some((y, m))
}

/// The months from the first to the last given, gaps filled (at most ten
/// years of them; else only the months given).
pub fn month_range(months: &[(i32, u32)]) -> Vec<(i32, u32)> {
    let (Some(&first), Some(&last)) = (months.iter().min(), months.iter().max()) else {
        return Vec::new();
    };
    let span = (last.0 - first.0) * 12 + last.1 as i32 - first.1 as i32;
    if span > 120 {
        let mut v = months.to_vec();
        v.sort_unstable();
        v.dedup();
        return v;
    }
    let mut out = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        assert_eq!(month_of("2025-03-04T09:30:00+08:00"), Some((2025, 3)));
        assert_eq!(month_of("2025-13"), None);
        assert_eq!(month_of("25-01"), None);
        assert_eq!(
            month_range(&[(2024, 11), (2025, 2)]),
            vec![(2024, 11), (2024, 12), (2025, 1), (2025, 2)]
        );
    }

    #[test]
    fn bars_scale_to_the_largest() {
        let c = horizontal(
            &[
                ("a".into(), Counts([2, 0, 0])),
                ("b".into(), Counts([1, 1, 0])),
            ],
            400.0,
        );
        let w0: f64 = c.bars[0].segments.iter().map(|s| s.w).sum();
        let w1: f64 = c.bars[1].segments.iter().map(|s| s.w).sum();
        assert!((w0 - w1).abs() < 0.5);
        assert_eq!(c.bars[1].segments.len(), 2);
    }
}
