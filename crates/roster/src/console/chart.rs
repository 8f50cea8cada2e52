//! The timeline's chart: joins and leaves per day over the last 30 days,
//! drawn by Roster as inline SVG (no script, no image request), from the
//! store's per-day counts of the event feed.

use chrono::{Duration, NaiveDate};
use maud::{html, Markup};
use roster_engine::EventKind;
use roster_store::DayCount;

/// Days shown, today included.
pub const DAYS: i64 = 30;

/// Does an event of this kind bring someone in, or take someone out?
/// (`Some(true)`: a join; `Some(false)`: a leave; `None`: neither.)
fn direction(kind: EventKind) -> Option<bool> {
    match kind {
        EventKind::Created
        | EventKind::Joined
        | EventKind::InvitationAccepted
        | EventKind::Added
        | EventKind::Approved => Some(true),
        EventKind::Left | EventKind::Removed | EventKind::Banned => Some(false),
        EventKind::Updated
        | EventKind::Archived
        | EventKind::Unarchived
        | EventKind::Deleted
        | EventKind::Requested
        | EventKind::RequestWithdrawn
        | EventKind::Invited
        | EventKind::InvitationDeclined
        | EventKind::InvitationRevoked
        | EventKind::Rejected
        | EventKind::RoleChanged
        | EventKind::OwnershipTransferred
        | EventKind::Unbanned
        | EventKind::PolicyChanged => None,
        // A bulk load (`roster import`) is not a day's joins.
        EventKind::Imported => None,
    }
}

/// Joins and leaves for each of the `DAYS` days ending `today`, oldest first.
pub fn per_day(counts: &[DayCount], today: NaiveDate) -> Vec<(NaiveDate, u64, u64)> {
    (0..DAYS)
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            let (mut joins, mut leaves) = (0, 0);
            for count in counts.iter().filter(|c| c.day == day) {
                match direction(count.kind) {
                    Some(true) => joins += count.count,
                    Some(false) => leaves += count.count,
                    None => {}
                }
            }
            (day, joins, leaves)
        })
        .collect()
}

/// The chart as SVG, with a text summary for screen readers.
pub fn svg(days: &[(NaiveDate, u64, u64)]) -> Markup {
    const WIDTH: u64 = 600;
    const HEIGHT: u64 = 150;
    const TOP: u64 = 10;
    let slot = WIDTH / u64::try_from(days.len().max(1)).unwrap_or(1);
    let most = days
        .iter()
        .map(|(_, j, l)| (*j).max(*l))
        .max()
        .unwrap_or(0)
        .max(1);
    let bar = |value: u64| value * (HEIGHT - TOP) / most;
    let joins: u64 = days.iter().map(|(_, j, _)| j).sum();
    let leaves: u64 = days.iter().map(|(_, _, l)| l).sum();
    let summary = format!(
        "Joins and leaves per day over the last {DAYS} days: {joins} joins, {leaves} leaves."
    );
    let first = days.first().map(|(d, _, _)| d.format("%b %d").to_string());
    let last = days.last().map(|(d, _, _)| d.format("%b %d").to_string());
    html! {
        figure {
            svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(summary)
                viewBox={"0 0 " (WIDTH) " " (HEIGHT + 20)} {
                title { (summary) }
                line x1="0" y1=(HEIGHT) x2=(WIDTH) y2=(HEIGHT) stroke="#999" {}
                @for (i, (day, j, l)) in days.iter().enumerate() {
                    @let x = u64::try_from(i).unwrap_or(0) * slot;
                    @let half = slot / 2 - 1;
                    rect.joins x=(x + 1) y=(HEIGHT - bar(*j)) width=(half) height=(bar(*j)) {
                        title { (day) ": " (j) " joins" }
                    }
                    rect.leaves x=(x + 1 + half) y=(HEIGHT - bar(*l)) width=(half) height=(bar(*l)) {
                        title { (day) ": " (l) " leaves" }
                    }
                }
                @if let (Some(first), Some(last)) = (first, last) {
                    text x="0" y=(HEIGHT + 15) { (first) }
                    text x=(WIDTH) y=(HEIGHT + 15) text-anchor="end" { (last) }
                }
                text x="0" y="10" { "max " (most) " a day" }
            }
            figcaption {
                (summary) " "
                span.badge { "green: joins" } " " span.badge { "red: left, removed or banned" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_without_events_are_zero_and_kinds_are_sorted_into_joins_and_leaves() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let counts = [
            DayCount {
                day: today,
                kind: EventKind::Joined,
                count: 3,
            },
            DayCount {
                day: today,
                kind: EventKind::Left,
                count: 1,
            },
            DayCount {
                day: today,
                kind: EventKind::RoleChanged,
                count: 9,
            },
        ];
        let days = per_day(&counts, today);
        assert_eq!(days.len(), 30);
        assert_eq!(days[29], (today, 3, 1));
        assert_eq!(days[0].1 + days[0].2, 0);
        let drawn = svg(&days).into_string();
        assert!(drawn.contains("3 joins, 1 leaves"));
    }
}
