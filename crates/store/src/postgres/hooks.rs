//! The store's async faces (issue 13): [`AsyncWrites`] and [`AsyncReads`],
//! which the server awaits on its own runtime, each a future that owns a
//! handle to the async driver's side of the store (`live.rs`), so that it
//! may outlive the borrow it was made from.

use std::sync::Arc;

use roster_engine::{Actor, Command, Sight, Standing};

use super::PgStore;
use crate::{
    AsyncReads, AsyncWrites, Community, CommunityKey, MemberQuery, MemberRow, Page, Ruling,
    StoreFuture, TokenRecord, User,
};

impl AsyncWrites for PgStore {
    fn execute_in_sight(
        &self,
        sight: Sight,
        actor: Actor,
        community: CommunityKey,
        command: Command,
    ) -> StoreFuture<Ruling> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.execute(sight, actor, community, command).await })
    }
}

impl AsyncReads for PgStore {
    fn ping(&self) -> StoreFuture<()> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.ping().await })
    }

    fn find_token(&self, hash: [u8; 32]) -> StoreFuture<Option<(TokenRecord, User)>> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.find_token(hash).await })
    }

    fn community_in_sight(
        &self,
        sight: Sight,
        key: CommunityKey,
        viewer: Actor,
    ) -> StoreFuture<(Community, Standing)> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.community_in_sight(sight, &key, viewer).await })
    }

    fn members_in_sight(
        &self,
        sight: Sight,
        key: CommunityKey,
        viewer: Actor,
        query: MemberQuery,
    ) -> StoreFuture<Page<MemberRow>> {
        let live = Arc::clone(&self.live);
        Box::pin(async move { live.members_in_sight(sight, &key, viewer, &query).await })
    }
}
