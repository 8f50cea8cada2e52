//! Typed async store calls for the handlers, so that a handler awaits
//! `state.find_user(key)` rather than building a closure. Each is one
//! store call: a read through [`AppState::read`] (PostgreSQL's async
//! driver, or inline on SQLite), a write through [`AppState::call`].

use super::AppState;
use roster_engine::{Actor, CommunityId, NewCommunity, Sight, Standing, UserId};
use roster_store::{
    Community, CommunityKey, MemberQuery, MemberRow, MembershipQuery, Outcome, Page, Result,
    RoomQuery, User, UserKey,
};

impl AppState {
    /// A community and `viewer`'s standing in it.
    pub async fn community(
        &self,
        key: CommunityKey,
        viewer: Option<UserId>,
    ) -> Result<Option<(Community, Standing)>> {
        self.read(
            key,
            move |calls, key| calls.community(key, viewer),
            move |store, key| store.community(&key, viewer),
        )
        .await
    }

    /// A community as `viewer` addresses it through `sight`, and their
    /// standing; `CommunityNotFound` when absent or out of sight (the
    /// engine decides, see [`roster_store::Store::community_in_sight`]).
    pub async fn community_in_sight(
        &self,
        sight: Sight,
        key: CommunityKey,
        viewer: Actor,
    ) -> Result<(Community, Standing)> {
        let hot = key.clone();
        self.read_hot(
            move |reads| reads.community_in_sight(sight, hot, viewer),
            move |store| store.community_in_sight(sight, &key, viewer),
        )
        .await
    }

    /// The site community, once the first admin exists.
    pub async fn site_community(&self) -> Result<Option<Community>> {
        self.read(
            (),
            |calls, ()| calls.site_community(),
            |store, ()| store.site_community(),
        )
        .await
    }

    /// One user's standing in one community.
    pub async fn standing(&self, community: CommunityId, user: UserId) -> Result<Standing> {
        self.read(
            (),
            move |calls, ()| calls.standing(community, user),
            move |store, ()| store.standing(community, user),
        )
        .await
    }

    /// People in a community, one page.
    pub async fn members(
        &self,
        community: CommunityId,
        query: MemberQuery,
    ) -> Result<Page<MemberRow>> {
        self.read(
            query,
            move |calls, query| calls.members(community, query),
            move |store, query| store.members(community, &query),
        )
        .await
    }

    /// The communities a user stands in, one page.
    pub async fn communities_of(
        &self,
        user: UserId,
        query: MembershipQuery,
    ) -> Result<Page<(Community, Standing)>> {
        self.read(
            query,
            move |calls, query| calls.communities_of(user, query),
            move |store, query| store.communities_of(user, &query),
        )
        .await
    }

    /// One user, by any key.
    pub async fn find_user(&self, key: UserKey) -> Result<Option<User>> {
        self.read(
            key,
            move |calls, key| calls.find_user(key),
            move |store, key| store.find_user(&key),
        )
        .await
    }

    /// Several users in one store call, in the order of `keys`.
    pub async fn find_users(&self, keys: Vec<UserKey>) -> Result<Vec<Option<User>>> {
        self.read(
            keys,
            move |calls, keys| calls.find_users(keys),
            move |store, keys| store.find_users(&keys),
        )
        .await
    }

    /// Rooms of one visibility (Rocket.Chat's lists), one page.
    pub async fn rooms(&self, query: RoomQuery) -> Result<Page<(Community, Standing)>> {
        self.call(move |store| store.rooms(query)).await
    }

    /// Create a community owned by `actor`.
    pub async fn create_community(&self, actor: Actor, new: NewCommunity) -> Result<Outcome> {
        self.call(move |store| store.create_community(actor, new))
            .await
    }
}
