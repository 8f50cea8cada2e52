//! Typed async store calls for the web console (issue 17): its sessions,
//! and each page's reads, taken together in one blocking call, so that its
//! handlers await `state.console_timeline(…)` rather than building a
//! `state.run(move |s| …)` closure.

use super::AppState;
use chrono::{DateTime, Utc};
use roster_engine::{can_manage, Actor, CommunityId, DomainError, Sight, Standing, UserId};
use roster_store::{
    Community, CommunityKey, ConsoleSession, DayCount, Error, EventRecord, MemberQuery, MemberRow,
    MemberSearch, NewConsoleSession, Page, Paging, Result, SearchPage, User, UserKey,
};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

impl AppState {
    /// Store a console session.
    pub async fn create_console_session(&self, new: NewConsoleSession) -> Result<ConsoleSession> {
        self.run(move |store| store.create_console_session(new))
            .await
    }

    /// The console session with this hash and its user, live or not.
    pub async fn console_session(&self, hash: [u8; 32]) -> Result<Option<(ConsoleSession, User)>> {
        self.run(move |store| store.console_session(&hash)).await
    }

    /// End a console session; false when unknown or already ended.
    pub async fn end_console_session(&self, hash: [u8; 32]) -> Result<bool> {
        self.run(move |store| store.end_console_session(&hash))
            .await
    }
}

/// What the console's timeline page shows of one community.
pub struct Timeline {
    pub community: Community,
    /// Newest first, one page.
    pub events: Vec<EventRecord>,
    /// Per day and kind, since the chart's first day.
    pub counts: Vec<DayCount>,
    /// The usernames of the people the events name.
    pub names: HashMap<UserId, String>,
}

/// What the console's community page shows.
pub struct CommunityPage {
    pub community: Community,
    pub standing: Standing,
    pub members: SearchPage,
    /// Requests, invitations and bans, for those who may see them.
    pub managed: Option<[Vec<MemberRow>; 3]>,
}

/// The admin page's two lists.
pub struct AdminLists {
    pub communities: Page<Community>,
    pub users: Vec<User>,
}

impl AppState {
    /// The timeline of a community `actor` runs (a manager, an owner or an
    /// admin), read at once: the community, a page of events before
    /// `before`, the daily counts since `since` and the names the events
    /// need. `Ok(Err(refusal))` when the engine keeps it from the actor.
    pub async fn console_timeline(
        &self,
        actor: Actor,
        id: CommunityId,
        before: Option<i64>,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<std::result::Result<Timeline, DomainError>> {
        self.run(move |store| {
            // The engine decides: out of sight, or not one who runs it.
            let seen = store
                .community_in_sight(Sight::Viewable, &CommunityKey::Id(id), actor)
                .and_then(|(community, standing)| {
                    roster_engine::may_manage(actor.admin, standing)?;
                    Ok(community)
                });
            let community = match seen {
                Ok(community) => community,
                Err(Error::Domain(refusal)) => return Ok(Err(refusal)),
                Err(fault) => return Err(fault),
            };
            let events = store.recent_events(id, before, limit)?;
            let counts = store.daily_counts(id, since)?;
            let mut names = HashMap::new();
            for event in &events {
                for person in [Some(event.actor), event.subject].into_iter().flatten() {
                    if let Entry::Vacant(slot) = names.entry(person) {
                        if let Some(found) = store.find_user(&UserKey::Id(person))? {
                            slot.insert(found.username);
                        }
                    }
                }
            }
            Ok(Ok(Timeline {
                community,
                events,
                counts,
                names,
            }))
        })
        .await
    }

    /// The community page as `actor` sees it, read at once: the community
    /// and the actor's standing, a page of the members `search` finds, and
    /// for those who run it the requests, invitations and bans (`limit`
    /// each). `None` when it is out of the actor's sight.
    pub async fn console_community(
        &self,
        actor: Actor,
        id: CommunityId,
        search: MemberSearch,
    ) -> Result<Option<CommunityPage>> {
        self.run(move |store| {
            let key = CommunityKey::Id(id);
            let (community, standing) = match store.community_in_sight(Sight::Viewable, &key, actor)
            {
                Ok(seen) => seen,
                Err(Error::Domain(_)) => return Ok(None),
                Err(fault) => return Err(fault),
            };
            let limit = search.limit;
            let members = store.search_members(id, &search)?;
            let managed = if can_manage(actor.admin, standing) {
                let list = |standing| {
                    let query = MemberQuery {
                        standings: vec![standing],
                        paging: Paging::After(None),
                        limit,
                    };
                    store.members(id, &query).map(|page| page.items)
                };
                Some([
                    list(Standing::Requested)?,
                    list(Standing::Invited)?,
                    list(Standing::Banned)?,
                ])
            } else {
                None
            };
            Ok(Some(CommunityPage {
                community,
                standing,
                members,
                managed,
            }))
        })
        .await
    }

    /// A page of every community and of every user, each after its number.
    pub async fn console_admin_lists(
        &self,
        after_communities: Option<i64>,
        after_users: Option<i64>,
        limit: u32,
    ) -> Result<AdminLists> {
        self.run(move |store| {
            Ok(AdminLists {
                communities: store.list_communities(after_communities, limit)?,
                users: store.list_users(after_users, limit)?,
            })
        })
        .await
    }
}
