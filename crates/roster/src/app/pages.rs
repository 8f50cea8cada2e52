//! A page of people as a dialect renders it, through the page cache
//! (`page_cache.rs`): the engine's checks made on every request, the page
//! read and rendered only when the store changed since the kept copy.

use std::sync::Arc;

use axum::body::Bytes;
use roster_engine::{Actor, Sight};
use roster_store::{CommunityKey, MemberQuery, MemberRow, Page, Revalidated};

use super::AppState;
use crate::page_cache::PageKey;

impl AppState {
    /// People of a community as `viewer` may list them (see
    /// [`roster_store::Store::members_in_sight`]), one page, rendered by
    /// `render` into the answer's body; `view` names that rendering (one
    /// per dialect's page shape). A refusal is the store's, as without a
    /// cache.
    pub async fn members_rendered<E>(
        &self,
        view: &'static str,
        sight: Sight,
        community: CommunityKey,
        viewer: Actor,
        query: MemberQuery,
        render: impl FnOnce(Page<MemberRow>) -> Result<Bytes, E>,
    ) -> Result<Bytes, E>
    where
        E: From<roster_store::Error>,
    {
        // Shared by the store call and the cache, so that the inline read
        // (SQLite) copies neither the community's key nor the query.
        let key = Arc::new(PageKey {
            view,
            community,
            query,
        });
        let kept = self.pages.get(&key);
        let known = kept.as_ref().map(|(version, _)| *version);
        let ask = Arc::clone(&key);
        let answer = self
            .read_hot(
                |reads| {
                    let (community, query) = (key.community.clone(), key.query.clone());
                    reads.members_in_sight_since(sight, community, viewer, query, known)
                },
                move |store| {
                    store.members_in_sight_since(sight, &ask.community, viewer, &ask.query, known)
                },
            )
            .await?;
        match (answer, kept) {
            (Revalidated::Unchanged, Some((_, page))) => {
                self.pages.count(true);
                Ok(page)
            }
            (Revalidated::Unchanged, None) => Err(roster_store::Error::Backend(
                "the store found a page unchanged that was never read".into(),
            )
            .into()),
            (Revalidated::Read(page, version), _) => {
                self.pages.count(false);
                let body = render(page)?;
                if let Some(version) = version {
                    self.pages.put(key, version, body.clone());
                }
                Ok(body)
            }
        }
    }
}
