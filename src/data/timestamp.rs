//! Strict RFC 3339 timestamps and fixed offsets.
//!
//! jiff does the calendar work, but it accepts more than RFC 3339 §5.6
//! (a space for `T`, no seconds, leap second 60), so the shape is checked
//! first with the grammar of the RFC.

use jiff::civil::Date;
use jiff::tz::Offset;
use jiff::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeVal {
    Instant(Timestamp),
    Date(Date),
}

fn digits(b: &[u8], range: std::ops::Range<usize>) -> Option<u32> {
    let part = b.get(range)?;
    if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

fn is_full_date(b: &[u8]) -> bool {
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && digits(b, 0..4).is_some() && {
        matches!(digits(b, 5..7), Some(1..=12)) && matches!(digits(b, 8..10), Some(1..=31))
    }
}

/// `hh:mm` with hours 00-23 and minutes 00-59.
fn is_hh_mm(b: &[u8]) -> bool {
    b.len() == 5
        && b[2] == b':'
        && matches!(digits(b, 0..2), Some(0..=23))
        && matches!(digits(b, 3..5), Some(0..=59))
}

/// Parses an RFC 3339 `date-time` or `full-date`; `None` for anything else.
pub fn parse_time(s: &str) -> Option<TimeVal> {
    let b = s.as_bytes();
    if !is_full_date(b) {
        return None;
    }
    if b.len() == 10 {
        return s.parse::<Date>().ok().map(TimeVal::Date);
    }
    if !matches!(b[10], b'T' | b't') || b.len() < 20 {
        return None;
    }
    if !(is_hh_mm(&b[11..16]) && b[16] == b':' && matches!(digits(b, 17..19), Some(0..=59))) {
        return None;
    }
    let mut i = 19;
    let mut frac_end = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        // Precision beyond nanoseconds is dropped, not refused.
        frac_end = i.min(start + 9);
    }
    let offset = &b[i..];
    let offset_ok = matches!(offset, b"Z" | b"z")
        || (offset.len() == 6 && matches!(offset[0], b'+' | b'-') && is_hh_mm(&offset[1..]));
    if !offset_ok {
        return None;
    }
    // jiff gets a canonical spelling: upper-case `T`/`Z`, at most 9 digits.
    let mut canon = String::with_capacity(s.len());
    canon.push_str(&s[..10]);
    canon.push('T');
    canon.push_str(&s[11..frac_end]);
    if matches!(offset, b"Z" | b"z") {
        canon.push('Z');
    } else {
        canon.push_str(&s[i..]);
    }
    match canon.parse::<Timestamp>() {
        Ok(t) => Some(TimeVal::Instant(t)),
        // jiff's instants end a day early (9999-12-30T22:00:00Z, so that
        // every offset can show them), but RFC 3339 goes to the end of year
        // 9999: such a valid, far-future value (often a "never expires"
        // sentinel) is held as the latest instant jiff has.
        Err(_) if b[..4] == *b"9999" && canon[..19].parse::<jiff::civil::DateTime>().is_ok() => {
            Some(TimeVal::Instant(Timestamp::MAX))
        }
        Err(_) => None,
    }
}

/// `Z` (or `z`) or `±hh:mm`.
pub fn parse_offset(s: &str) -> Option<Offset> {
    let b = s.as_bytes();
    if matches!(b, b"Z" | b"z") {
        return Some(Offset::UTC);
    }
    if b.len() != 6 || !matches!(b[0], b'+' | b'-') || !is_hh_mm(&b[1..]) {
        return None;
    }
    let secs = (digits(b, 1..3)? * 3600 + digits(b, 4..6)? * 60) as i32;
    Offset::from_seconds(if b[0] == b'-' { -secs } else { secs }).ok()
}

/// The first instant of `date` at `offset`.
pub fn midnight(date: Date, offset: Offset) -> Option<Timestamp> {
    offset
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instant(s: &str) -> Timestamp {
        match parse_time(s) {
            Some(TimeVal::Instant(t)) => t,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn accepts_rfc3339() {
        assert_eq!(
            instant("2025-03-04T09:30:00+08:00"),
            instant("2025-03-04t01:30:00z")
        );
        assert_eq!(
            instant("2025-03-04T01:30:00.123456789123Z").subsec_nanosecond(),
            123_456_789
        );
        assert_eq!(
            instant("2025-03-04T01:30:00-00:00"),
            instant("2025-03-04T01:30:00Z")
        );
        assert!(matches!(parse_time("2024-02-29"), Some(TimeVal::Date(_))));
    }

    #[test]
    fn accepts_the_end_of_year_9999() {
        assert_eq!(instant("9999-12-31T23:59:59Z"), Timestamp::MAX);
        assert_eq!(instant("9999-12-31t23:59:59.5+08:00"), Timestamp::MAX);
        assert!(instant("9999-12-30T00:00:00Z") < Timestamp::MAX);
        assert_eq!(parse_time("9999-12-32T23:59:59Z"), None);
        assert_eq!(parse_time("9999-13-31T23:59:59Z"), None);
    }

    #[test]
    fn refuses_the_rest() {
        for s in [
            "2025-03-04 09:30:00+08:00",
            "2025-03-04T09:30:00",
            "2025-03-04T09:30+08:00",
            "2025-03-04T09:30:60Z",
            "2025-03-04T24:00:00Z",
            "2025-02-30",
            "2025-02-30T00:00:00Z",
            "2025-03-04T09:30:00.Z",
            "2025-03-04T09:30:00+0800",
            "2025-3-4",
            "20250304",
            "2025-03-04T09:30:00+08:00 ",
            "２０２５-03-04",
            "",
        ] {
            assert_eq!(parse_time(s), None, "{s}");
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+08:00").map(|o| o.seconds()), Some(8 * 3600));
        assert_eq!(parse_offset("-05:30").map(|o| o.seconds()), Some(-19800));
        assert_eq!(parse_offset("Z"), Some(Offset::UTC));
        assert_eq!(parse_offset("+8"), None);
        assert_eq!(parse_offset("Asia/Shanghai"), None);
    }
}
