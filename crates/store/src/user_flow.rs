//! User creation and profile patches, once for both backends (as
//! `write_flow.rs` is for commands): the uniqueness checks, the site
//! community's step for a new user ([`site_step`]: join it, found it, or
//! stay outside), and which fields a patch changes — with the engine's
//! [`email_stays_verified`] deciding whether a changed email stays
//! verified.
//!
//! `async`, as `write_flow.rs` is: PostgreSQL awaits each statement on
//! its async driver; SQLite's futures are ready when first polled.
//!
//! Each backend implements [`UserTx`] on its write transaction with its
//! SQL, and keeps what is its own: how usernames and emails compare
//! (SQLite's `COLLATE NOCASE`, PostgreSQL's `lower(…)`), how a patched row
//! is locked, and how two nodes agree on the one site community.

use roster_engine::users::{email_or_none, email_stays_verified};
use roster_engine::{site_step, DomainError, SiteStep, UserId};

use crate::{NewUser, Profile, User, UserPatch};

/// The two user columns that are unique (case-insensitively).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unique {
    Username,
    Email,
}

impl Unique {
    /// The column's name (never input: safe to splice into SQL).
    pub(crate) fn column(self) -> &'static str {
        match self {
            Unique::Username => "username",
            Unique::Email => "email",
        }
    }
}

/// The fields of a user row a patch may change.
pub(crate) struct Patched {
    pub email: Option<String>,
    pub email_verified: bool,
    pub profile: Profile,
    pub password_hash: String,
}

/// The SQL primitives user writes need, inside one write transaction that
/// the caller commits or rolls back; none decides anything.
pub(crate) trait UserTx {
    /// The backend's failure; a refusal by the rules is one of them.
    type Error: From<DomainError>;

    /// Does another user (not `except`, by number) hold this value?
    async fn taken(
        &mut self,
        column: Unique,
        value: &str,
        except: Option<i64>,
    ) -> Result<bool, Self::Error>;
    /// Insert a new user row (email unverified, not yet in any community)
    /// and return its number.
    async fn insert_user(&mut self, new: &NewUser, email: Option<&str>)
        -> Result<i64, Self::Error>;
    /// The user with this number as stored now.
    async fn user_by_num(&mut self, num: i64) -> Result<Option<User>, Self::Error>;
    /// The user to patch, locked against other patches of it.
    async fn lock_user(&mut self, id: UserId) -> Result<Option<User>, Self::Error>;
    /// The site community's number, as every node agrees on it while a new
    /// user's step is taken (`None`: there is none yet).
    async fn settled_site(&mut self) -> Result<Option<i64>, Self::Error>;
    /// Join `user` to the site community (the write flow's site join).
    async fn join_site(&mut self, site: i64, user: &User) -> Result<(), Self::Error>;
    /// Found the site community, owned by `owner`.
    async fn create_site(&mut self, owner: &User) -> Result<(), Self::Error>;
    /// Write a patched user row and stamp its `updated_at`.
    async fn write_user(&mut self, num: i64, patched: &Patched) -> Result<(), Self::Error>;
}

/// Create a user, and take the site community's step for them.
pub(crate) async fn create<T: UserTx>(tx: &mut T, new: &NewUser) -> Result<User, T::Error> {
    let email = email_or_none(new.email.as_deref());
    if tx.taken(Unique::Username, &new.username, None).await? {
        return Err(DomainError::UsernameTaken.into());
    }
    if let Some(email) = email {
        if tx.taken(Unique::Email, email, None).await? {
            return Err(DomainError::EmailTaken.into());
        }
    }
    let num = tx.insert_user(new, email).await?;
    let user = by_num(tx, num).await?;
    let site = tx.settled_site().await?;
    match (site, site_step(site.is_some(), user.admin)) {
        (Some(site), SiteStep::Join) => tx.join_site(site, &user).await?,
        (_, SiteStep::Found) => tx.create_site(&user).await?,
        _ => {}
    }
    // Joining the site stamps the user's `updated_at`: return it as stored.
    by_num(tx, num).await
}

/// Apply a profile patch; `None` fields keep their value.
pub(crate) async fn update<T: UserTx>(
    tx: &mut T,
    id: UserId,
    patch: &UserPatch,
) -> Result<User, T::Error> {
    let Some(user) = tx.lock_user(id).await? else {
        return Err(DomainError::UserNotFound.into());
    };
    let mut email = user.email.clone();
    let mut verified = user.email_verified;
    if let Some(new_email) = &patch.email {
        let new_email = email_or_none(Some(new_email));
        if let Some(address) = new_email {
            if tx.taken(Unique::Email, address, Some(user.num)).await? {
                return Err(DomainError::EmailTaken.into());
            }
        }
        verified = email_stays_verified(user.email.as_deref(), new_email, verified);
        email = new_email.map(str::to_owned);
    }
    let keep =
        |value: &Option<String>, current: &str| value.clone().unwrap_or_else(|| current.to_owned());
    let profile = &user.profile;
    let patched = Patched {
        email,
        email_verified: verified,
        profile: Profile {
            nickname: keep(&patch.nickname, &profile.nickname),
            slug: keep(&patch.slug, &profile.slug),
            first_name: keep(&patch.first_name, &profile.first_name),
            last_name: keep(&patch.last_name, &profile.last_name),
            photo_url: keep(&patch.photo_url, &profile.photo_url),
        },
        password_hash: keep(&patch.password_hash, &user.password_hash),
    };
    tx.write_user(user.num, &patched).await?;
    by_num(tx, user.num).await
}

async fn by_num<T: UserTx>(tx: &mut T, num: i64) -> Result<User, T::Error> {
    tx.user_by_num(num)
        .await?
        .ok_or_else(|| DomainError::UserNotFound.into())
}
