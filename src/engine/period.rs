//! Calendar periods in the export's time zone, and the ended ones a periodic rule judges.

use crate::check::ir::PeriodKind;
use jiff::civil::{date, Date};
use jiff::tz::Offset;
use jiff::{Timestamp, ToSpan};

const YEAR_NS: i128 = 365 * 86_400_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub kind: PeriodKind,
    /// First instant, nanoseconds since the epoch.
    pub start: i128,
    /// First instant of the next period.
    pub end: i128,
    year: i16,
    /// Month 1..12 or quarter 1..4 (unused for a year).
    n: i8,
}

impl Period {
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{:04}-{:02}", self.year, self.n),
            PeriodKind::Quarter => format!("{:04}-Q{}", self.year, self.n),
            PeriodKind::Year => format!("{:04}", self.year),
        }
    }

    /// The period of `kind` numbered `n` (month or quarter) in `year`.
    pub fn of(kind: PeriodKind, year: i64, n: i64, tz: Offset) -> Option<Period> {
        let year = i16::try_from(year).ok()?;
        let n = i8::try_from(n).ok()?;
        let (first, months) = match kind {
            PeriodKind::Month if (1..=12).contains(&n) => (date(year, n, 1), 1),
            PeriodKind::Quarter if (1..=4).contains(&n) => (date(year, 3 * n - 2, 1), 3),
            PeriodKind::Year => (date(year, 1, 1), 12),
            _ => return None,
        };
        let next = first.checked_add(months.months()).ok()?;
        Some(Period {
            kind,
            start: midnight(first, tz)?,
            end: midnight(next, tz)?,
            year,
            n,
        })
    }

    /// The period of `kind` containing the instant `t`.
    pub fn containing(kind: PeriodKind, t: i128, tz: Offset) -> Option<Period> {
        let local = tz.to_datetime(Timestamp::from_nanosecond(t).ok()?);
        let (y, m) = (i64::from(local.year()), i64::from(local.month()));
        match kind {
            PeriodKind::Month => Period::of(kind, y, m, tz),
            PeriodKind::Quarter => Period::of(kind, y, (m - 1) / 3 + 1, tz),
            PeriodKind::Year => Period::of(kind, y, 1, tz),
        }
    }

    fn previous(&self, tz: Offset) -> Option<Period> {
        Period::containing(self.kind, self.start - 1, tz)
    }
}

pub fn midnight(d: Date, tz: Offset) -> Option<i128> {
    tz.to_timestamp(d.at(0, 0, 0, 0))
        .ok()
        .map(|t| t.as_nanosecond())
}

/// Periods of `kind` whose end `e` satisfies `as_of - 365 days <= e <= as_of`,
/// oldest first.
pub fn ended(kind: PeriodKind, as_of: i128, tz: Offset) -> Vec<Period> {
    let mut out = Vec::new();
    let Some(current) = Period::containing(kind, as_of, tz) else {
        return out;
    };
    let mut p = current.previous(tz);
    while let Some(period) = p {
        if period.end < as_of - YEAR_NS {
            break;
        }
        out.push(period);
        p = period.previous(tz);
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i128 {
        s.parse::<Timestamp>()
            .map(|t| t.as_nanosecond())
            .unwrap_or_default()
    }
    fn tz8() -> Offset {
        Offset::from_hours(8).unwrap_or(Offset::UTC)
    }

    #[test]
    fn quarters_of_a_year_end_run() {
        let q: Vec<String> = ended(PeriodKind::Quarter, ts("2025-12-31T23:59:59+08:00"), tz8())
            .iter()
            .map(Period::label)
            .collect();
        assert_eq!(q, ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"]);
    }

    #[test]
    fn as_of_exactly_at_a_period_end_includes_it() {
        let m: Vec<String> = ended(PeriodKind::Month, ts("2025-07-01T00:00:00+08:00"), tz8())
            .iter()
            .map(Period::label)
            .collect();
        // 2024-06 ends exactly 365 days before as_of: both ends are inclusive.
        assert_eq!(m.first().map(String::as_str), Some("2024-06"));
        assert_eq!(m.last().map(String::as_str), Some("2025-06"));
        assert_eq!(m.len(), 13);
    }

    #[test]
    fn a_january_run_still_judges_last_year() {
        let y: Vec<String> = ended(PeriodKind::Year, ts("2026-01-15T00:00:00+08:00"), tz8())
            .iter()
            .map(Period::label)
            .collect();
        assert_eq!(y, ["2025"]);
    }

    #[test]
    fn periods_follow_the_export_time_zone() {
        let p = Period::containing(PeriodKind::Month, ts("2025-03-31T20:00:00Z"), tz8());
        assert_eq!(p.map(|p| p.label()), Some("2025-04".to_string()));
    }
}
