//! Typed async store calls for the web console (issue 17): its sessions,
//! and each page's reads, gathered here, so that its handlers await
//! `state.console_timeline(…)` rather than several store calls.

use super::AppState;
use chrono::{DateTime, Utc};
use roster_engine::{can_manage, Actor, CommunityId, DomainError, Sight, Standing, UserId};
use roster_store::{
    Community, CommunityKey, ConsoleSession, DayCount, Error, EventRecord, MemberQuery, MemberRow,
    MemberSearch, NewConsoleSession, Page, Paging, Result, SearchPage, User, UserKey,
};
use std::collections::HashMap;

impl AppState {
    /// Store a console session.
    pub async fn create_console_session(&self, new: NewConsoleSession) -> Result<ConsoleSession> {
        self.call(move |store| store.create_console_session(new))
            .await
    }

    /// The console session with this hash and its user, live or not.
    pub async fn console_session(&self, hash: [u8; 32]) -> Result<Option<(ConsoleSession, User)>> {
        self.call(move |store| store.console_session(hash)).await
    }

    /// End a console session; false when unknown or already ended.
    pub async fn end_console_session(&self, hash: [u8; 32]) -> Result<bool> {
        self.call(move |store| store.end_console_session(hash))
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
        // The engine decides: out of sight, or not one who runs it.
        let seen = self
            .community_in_sight(Sight::Viewable, CommunityKey::Id(id), actor)
            .await
            .and_then(|(community, standing)| {
                roster_engine::may_manage(actor.admin, standing)?;
                Ok(community)
            });
        let community = match seen {
            Ok(community) => community,
            Err(Error::Domain(refusal)) => return Ok(Err(refusal)),
            Err(fault) => return Err(fault),
        };
        let events = self
            .call(move |store| store.recent_events(id, before, limit))
            .await?;
        let counts = self
            .call(move |store| store.daily_counts(id, since))
            .await?;
        let mut people: Vec<UserId> = events
            .iter()
            .flat_map(|event| [Some(event.actor), event.subject])
            .flatten()
            .collect();
        people.sort_unstable();
        people.dedup();
        let keys = people.iter().map(|&person| UserKey::Id(person)).collect();
        let found = self.find_users(keys).await?;
        let names = people
            .into_iter()
            .zip(found)
            .filter_map(|(person, user)| Some((person, user?.username)))
            .collect();
        Ok(Ok(Timeline {
            community,
            events,
            counts,
            names,
        }))
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
        let key = CommunityKey::Id(id);
        let (community, standing) = match self.community_in_sight(Sight::Viewable, key, actor).await
        {
            Ok(seen) => seen,
            Err(Error::Domain(_)) => return Ok(None),
            Err(fault) => return Err(fault),
        };
        let limit = search.limit;
        let members = self
            .call(move |store| store.search_members(id, search))
            .await?;
        let managed = if can_manage(actor.admin, standing) {
            let list = |standing| {
                let query = MemberQuery {
                    standings: vec![standing],
                    paging: Paging::After(None),
                    limit,
                };
                async move { self.members(id, query).await.map(|page| page.items) }
            };
            Some([
                list(Standing::Requested).await?,
                list(Standing::Invited).await?,
                list(Standing::Banned).await?,
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
    }

    /// A page of every community and of every user, each after its number.
    pub async fn console_admin_lists(
        &self,
        after_communities: Option<i64>,
        after_users: Option<i64>,
        limit: u32,
    ) -> Result<AdminLists> {
        Ok(AdminLists {
            communities: self
                .call(move |store| store.list_communities(after_communities, limit))
                .await?,
            users: self
                .call(move |store| store.list_users(after_users, limit))
                .await?,
        })
    }
}
