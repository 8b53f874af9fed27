//! Values as the text messages and keys show: instants in the export's
//! time zone, numbers, durations. Both engines render through these, so
//! their messages are the same text.

/// An instant in time zone `tz`; midnight shows as the date alone.
pub fn time_in(tz: jiff::tz::Offset, t: i128) -> String {
    let Ok(ts) = jiff::Timestamp::from_nanosecond(t) else {
        return t.to_string();
    };
    let local = tz.to_datetime(ts);
    if local.time() == jiff::civil::Time::midnight() {
        return local.date().to_string();
    }
    let mut s = local.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    if local.subsec_nanosecond() != 0 {
        s.push_str(format!(".{:09}", local.subsec_nanosecond()).trim_end_matches('0'));
    }
    s.push_str(&offset(tz));
    s
}

/// `+08:00`, or `Z` for UTC, as RFC 3339 writes offsets.
fn offset(tz: jiff::tz::Offset) -> String {
    let secs = tz.seconds();
    if secs == 0 {
        return "Z".into();
    }
    let (sign, abs) = if secs < 0 { ('-', -secs) } else { ('+', secs) };
    format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
}

pub fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// `19 days`, `15 days 1s`, `2h 30m`: whole days first, as people count deadlines.
pub fn duration(ns: i128) -> String {
    let neg = ns < 0;
    let total_s = ns.unsigned_abs() / 1_000_000_000;
    let (d, rem) = (total_s / 86_400, total_s % 86_400);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} day{}", if d == 1 { "" } else { "s" }));
    }
    for (v, u) in [(h, "h"), (m, "m"), (s, "s")] {
        if v > 0 {
            parts.push(format!("{v}{u}"));
        }
    }
    if parts.is_empty() {
        parts.push("0 days".into());
    }
    format!("{}{}", if neg { "-" } else { "" }, parts.join(" "))
}

/// The run's `as_of` for reports: RFC 3339 in the export's time zone.
pub fn rfc3339(tz: jiff::tz::Offset, t: jiff::Timestamp) -> String {
    let local = tz.to_datetime(t);
    format!("{}{}", local.strftime("%Y-%m-%dT%H:%M:%S"), offset(tz))
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_days() {
        assert_eq!(super::duration(19 * 86_400_000_000_000), "19 days");
        assert_eq!(
            super::duration(15 * 86_400_000_000_000 + 1_000_000_000),
            "15 days 1s"
        );
        assert_eq!(super::duration(86_400_000_000_000), "1 day");
    }
}
