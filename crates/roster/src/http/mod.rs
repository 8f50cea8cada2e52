//! HTTP plumbing shared by every dialect: body reading and parsing, the
//! failure type and the extractors every handler shares, paging cursors,
//! health routes, the timestamp format, and the connection limits of the
//! accept loop.

pub mod body;
pub mod connections;
pub mod cursor;
pub mod error;
pub mod extract;
pub mod health;
pub mod json;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

/// RFC 3339, UTC, with milliseconds: `2024-02-22T13:52:00.674Z`. The same
/// bytes as chrono's `to_rfc3339_opts(Millis, true)`, written digit by digit
/// for the years 0000..=9999 (a page of 50 members shows 150 of them; the
/// profile of the list found chrono's formatter among its costs).
pub fn timestamp(at: DateTime<Utc>) -> String {
    // Each field read from a `DateTime<Utc>` converts it to naive time
    // again: convert once.
    let naive = at.naive_utc();
    let (year, nanos) = (naive.year(), naive.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return at.to_rfc3339_opts(SecondsFormat::Millis, true);
    }
    let mut out = [0u8; 24];
    let mut put = |at: usize, width: usize, mut value: u32| {
        for slot in out[at..at + width].iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, naive.month());
    put(8, 2, naive.day());
    put(11, 2, naive.hour());
    put(14, 2, naive.minute());
    put(17, 2, naive.second());
    put(20, 3, nanos / 1_000_000);
    for (index, byte) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')] {
        out[index] = byte;
    }
    out[19] = b'.';
    out[23] = b'Z';
    // Digits and separators only: ASCII, so valid UTF-8 (one allocation of
    // 24 bytes, not a `char` at a time).
    std::str::from_utf8(&out).map_or_else(
        |_| at.to_rfc3339_opts(SecondsFormat::Millis, true),
        str::to_owned,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_matches_chrono() {
        let samples = [
            -62_167_219_200_000i64, // 0000-01-01
            0,
            1,
            999,
            951_782_400_123, // 2000-02-29
            1_708_609_920_674,
            253_402_300_799_999, // 9999-12-31T23:59:59.999
            253_402_300_800_000, // year 10000: chrono's own form
            -62_167_219_200_001, // year -1
        ];
        let spread = (0..2000).map(|i| i * 7_919_777_777_131 % 253_402_300_799_999);
        for millis in samples.into_iter().chain(spread) {
            let at = DateTime::from_timestamp_millis(millis).unwrap();
            let chrono = at.to_rfc3339_opts(SecondsFormat::Millis, true);
            assert_eq!(timestamp(at), chrono, "{millis}");
        }
        let nanos = DateTime::from_timestamp(1_708_609_920, 674_999_999).unwrap();
        assert_eq!(timestamp(nanos), "2024-02-22T13:52:00.674Z");
    }
}
