//! The permission policy's storage side (issue 14): every node keeps the
//! policy it last read in a [`PolicyCache`] and reads it again, inside the
//! write transaction that needs it, once the copy is older than
//! [`POLICY_REFRESH`]. A change made through this store is seen by its own
//! commands at once; one made by another node (PostgreSQL) or another
//! process on the same file (SQLite, e.g. `roster policy set` beside a
//! running server) within [`POLICY_REFRESH`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

use roster_engine::{
    decide_policy_change, Action, Actor, CommunityId, DomainError, EventKind, Level, Policy,
};

use crate::write_flow::CommandTx;
use crate::EventRecord;

/// The longest a node decides under a policy older than the stored one.
pub const POLICY_REFRESH: Duration = Duration::from_secs(1);

/// The policy last read, and when.
#[derive(Debug)]
pub(crate) struct PolicyCache {
    slot: Mutex<Option<(Instant, Arc<Policy>)>>,
    refresh: Duration,
}

impl Default for PolicyCache {
    fn default() -> Self {
        PolicyCache {
            slot: Mutex::new(None),
            refresh: POLICY_REFRESH,
        }
    }
}

impl PolicyCache {
    /// The cached policy, or `load()`'s when the copy is missing or older
    /// than the refresh bound.
    pub(crate) fn get<E>(
        &self,
        load: impl FnOnce() -> Result<Policy, E>,
    ) -> Result<Arc<Policy>, E> {
        if let Some((at, policy)) = &*self.lock() {
            if at.elapsed() < self.refresh {
                return Ok(policy.clone());
            }
        }
        let policy = Arc::new(load()?);
        *self.lock() = Some((Instant::now(), policy.clone()));
        Ok(policy)
    }

    /// Remember a policy this store just wrote.
    pub(crate) fn put(&self, policy: Policy) {
        *self.lock() = Some((Instant::now(), Arc::new(policy)));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Arc<Policy>)>> {
        self.slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The stored policy and when each action was last set (actions never
/// set have no time).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StoredPolicy {
    pub policy: Policy,
    pub updated_at: BTreeMap<Action, DateTime<Utc>>,
}

/// The policy from its stored rows (`action`, `level`, `updated_at`); a
/// row that does not parse is a broken database, reported as such.
pub(crate) fn from_rows(
    rows: impl IntoIterator<Item = (String, String, DateTime<Utc>)>,
) -> Result<StoredPolicy, String> {
    let mut stored = StoredPolicy::default();
    for (action, level, at) in rows {
        let action: Action = action.parse().map_err(|e| format!("policy row: {e}"))?;
        let level: Level = level.parse().map_err(|e| format!("policy row: {e}"))?;
        stored
            .policy
            .set(action, level)
            .map_err(|e| format!("policy row {action}: {e}"))?;
        stored.updated_at.insert(action, at);
    }
    Ok(stored)
}

/// What [`crate::Store::set_policy`] did: the policy now stored and the
/// event it wrote (none when nothing changed).
#[derive(Clone, Debug)]
pub struct PolicyUpdate {
    pub policy: Policy,
    pub event: Option<EventRecord>,
}

/// The SQL a policy change needs beside [`CommandTx`]'s event append.
pub(crate) trait PolicyTx: CommandTx {
    /// The stored policy, read in this transaction; a backend that can
    /// race (PostgreSQL) locks it against other writers of the policy.
    async fn load_policy_for_update(&mut self) -> Result<Policy, Self::Error>;
    /// Write (insert or replace) the rows of the actions set, stamped `at`.
    async fn store_levels(
        &mut self,
        levels: &[(Action, Level)],
        at: DateTime<Utc>,
    ) -> Result<(), Self::Error>;
    /// The site community, on which policy events are recorded.
    async fn site_id(&mut self) -> Result<Option<CommunityId>, Self::Error>;
}

/// Change the policy as the engine's [`decide_policy_change`] rules (admins
/// only; each level must apply to its action): write the rows and one
/// `policy_changed` event on the site community, whose reason says what
/// moved. Nothing differs: nothing is written.
pub(crate) async fn set_policy<T: PolicyTx>(
    tx: &mut T,
    actor: Actor,
    changes: &[(Action, Level)],
) -> Result<PolicyUpdate, T::Error> {
    let update = set_levels(tx, actor, changes).await?;
    let Some(mut event) = update.event else {
        return Ok(update);
    };
    event.seq = tx.insert_event(&event).await?;
    Ok(PolicyUpdate {
        policy: update.policy,
        event: Some(event),
    })
}

/// The rows of a policy change, and its event (not appended yet).
async fn set_levels<T: PolicyTx>(
    tx: &mut T,
    actor: Actor,
    changes: &[(Action, Level)],
) -> Result<PolicyUpdate, T::Error> {
    let current = tx.load_policy_for_update().await?;
    let Some(change) = decide_policy_change(actor, &current, changes)? else {
        return Ok(PolicyUpdate {
            policy: current,
            event: None,
        });
    };
    let Some(site) = tx.site_id().await? else {
        return Err(DomainError::CommunityNotFound.into());
    };
    let moved: Vec<(Action, Level)> = Action::ALL
        .iter()
        .filter(|&&a| current.level(a) != change.next.level(a))
        .map(|&a| (a, change.next.level(a)))
        .collect();
    let now = tx.now();
    tx.store_levels(&moved, now).await?;
    let event = EventRecord {
        seq: 0,
        at: now,
        community: site,
        actor: actor.user,
        subject: None,
        kind: EventKind::PolicyChanged,
        reason: Some(change.reason),
    };
    Ok(PolicyUpdate {
        policy: change.next,
        event: Some(event),
    })
}
