//! [`plan()`]: records plus what the database holds in, the rows to write
//! (or each record's rejection) out. Order-independent: users first, then
//! communities, then memberships, whatever order the file has them in.

use std::collections::{HashMap, HashSet};

use super::{
    check_community, check_existing_standing, check_user, parse_standing, CommunityRecord,
    MembershipRecord, Record, Ref, Reject, UserRecord,
};
use crate::ids::{CommunityId, UserId};
use crate::model::{Counters, Role, Standing};

/// A community the database already holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExistingCommunity {
    pub id: CommunityId,
    pub name: String,
    pub archived: bool,
}

/// What the database already holds of what a file names (the store reads
/// it for the file's usernames, ids and community names).
#[derive(Clone, Debug, Default)]
pub struct Existing {
    /// Lowercased username -> id (usernames are case-insensitive).
    pub usernames: HashMap<String, UserId>,
    /// Id -> username.
    pub user_ids: HashMap<UserId, String>,
    /// Lowercased emails in use.
    pub emails: HashSet<String>,
    pub communities: Vec<ExistingCommunity>,
    /// Standings of people in the existing communities above.
    pub memberships: HashMap<(CommunityId, UserId), Standing>,
    /// The site community, which every new account joins.
    pub site: Option<CommunityId>,
}

/// A user to create.
#[derive(Clone, Debug)]
pub struct PlannedUser {
    pub line: usize,
    pub id: UserId,
    pub record: UserRecord,
}

/// A membership row to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedMember {
    /// The record's line; 0 for the rows an import implies (a new
    /// community's owner, a new account's site membership).
    pub line: usize,
    pub user: UserId,
    pub standing: Standing,
    pub since: Option<i64>,
}

/// A community to create (`record` is `Some`) or to add people to.
#[derive(Clone, Debug)]
pub struct PlannedCommunity {
    pub line: usize,
    pub id: CommunityId,
    pub record: Option<CommunityRecord>,
    /// The owner the record names (its creator), for a new community.
    pub creator: Option<UserId>,
    pub members: Vec<PlannedMember>,
}

impl PlannedCommunity {
    /// The counters the new rows add, computed once.
    pub fn counters(&self) -> Counters {
        let mut counters = Counters::default();
        for member in &self.members {
            counters.apply(Standing::None, member.standing);
        }
        counters
    }
}

/// What an import would write, and what it refuses.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub users: Vec<PlannedUser>,
    /// New communities, and existing ones gaining members (only those
    /// with something to write).
    pub communities: Vec<PlannedCommunity>,
    /// (line, reason), in line order.
    pub rejects: Vec<(usize, Reject)>,
    /// Records already in the database as they are (a re-import).
    pub unchanged: usize,
}

impl Plan {
    /// Membership rows to write, in all.
    pub fn memberships(&self) -> usize {
        self.communities.iter().map(|c| c.members.len()).sum()
    }
}

/// Everything the planner knows about users while it works.
struct Users {
    by_name: HashMap<String, UserId>,
    ids: HashMap<UserId, String>,
    rejected: HashSet<String>,
}

impl Users {
    fn resolve(&self, key: &Ref<UserId>) -> Result<(UserId, String), Reject> {
        let found = match key {
            Ref::Id(id) => self.ids.get(id).map(|name| (*id, name.clone())),
            Ref::Name(name) => self
                .by_name
                .get(&name.to_lowercase())
                .map(|id| (*id, name.clone())),
        };
        found.ok_or_else(|| {
            if self.rejected.contains(&key_text(key)) {
                Reject::DependsOnRejected(format!("user {key}"))
            } else {
                Reject::UnknownUser(key.to_string())
            }
        })
    }
}

fn key_text<Id: std::fmt::Display>(key: &Ref<Id>) -> String {
    match key {
        Ref::Id(id) => id.to_string(),
        Ref::Name(name) => name.to_lowercase(),
    }
}

/// Plan an import of `records` (each with its line number) into a
/// database holding `existing`.
pub fn plan(records: Vec<(usize, Record)>, existing: &Existing) -> Plan {
    let mut out = Plan::default();
    let (mut users, mut communities, mut memberships) = (Vec::new(), Vec::new(), Vec::new());
    for (line, record) in records {
        match record {
            Record::User(user) => users.push((line, user)),
            Record::Community(community) => communities.push((line, community)),
            Record::Membership(membership) => memberships.push((line, membership)),
        }
    }
    let mut known = Users {
        by_name: existing.usernames.clone(),
        ids: existing.user_ids.clone(),
        rejected: HashSet::new(),
    };
    let new_users = plan_users(&mut out, &mut known, users, existing);
    let mut planner = Communities::new(existing);
    planner.plan_new(&mut out, &known, communities);
    if let Some(site) = existing.site {
        for user in &new_users {
            planner.add_implied(site, *user, Standing::Member(Role::Member));
        }
    }
    planner.plan_memberships(&mut out, &known, memberships);
    planner.finish(&mut out);
    out.rejects.sort_by_key(|(line, _)| *line);
    out
}

fn plan_users(
    out: &mut Plan,
    known: &mut Users,
    users: Vec<(usize, UserRecord)>,
    existing: &Existing,
) -> Vec<UserId> {
    let mut emails_in_file = HashSet::new();
    let mut created = Vec::new();
    for (line, record) in users {
        let name = record.username.to_lowercase();
        let verdict = (|| {
            check_user(&record)?;
            if existing.usernames.contains_key(&name) {
                return Ok(None); // already there: unchanged
            }
            if known.by_name.contains_key(&name) {
                return Err(Reject::Duplicate(format!("username '{}'", record.username)));
            }
            let id = record.id.unwrap_or_else(UserId::random);
            if known.ids.contains_key(&id) {
                return Err(Reject::Duplicate(format!("user id {id}")));
            }
            if let Some(email) = record.email.as_deref().filter(|e| !e.is_empty()) {
                let email = email.to_lowercase();
                if existing.emails.contains(&email) {
                    return Err(Reject::Rule(crate::DomainError::EmailTaken));
                }
                if !emails_in_file.insert(email) {
                    return Err(Reject::Duplicate(format!(
                        "email '{}'",
                        record.email.as_deref().unwrap_or("")
                    )));
                }
            }
            Ok(Some(id))
        })();
        match verdict {
            Ok(Some(id)) => {
                known.by_name.insert(name, id);
                known.ids.insert(id, record.username.clone());
                created.push(id);
                out.users.push(PlannedUser { line, id, record });
            }
            Ok(None) => out.unchanged += 1,
            Err(reject) => {
                if !known.by_name.contains_key(&name) {
                    known.rejected.insert(name);
                }
                if let Some(id) = record.id {
                    known.rejected.insert(id.to_string());
                }
                out.rejects.push((line, reject));
            }
        }
    }
    created
}

/// The communities being planned: new ones and existing ones touched.
struct Communities<'a> {
    existing: &'a Existing,
    planned: Vec<PlannedCommunity>,
    by_name: HashMap<String, usize>,
    by_id: HashMap<CommunityId, usize>,
    archived: HashSet<CommunityId>,
    rejected: HashSet<String>,
    /// Standings already there or planned, by membership key.
    standings: HashMap<(CommunityId, UserId), Standing>,
    /// Keys a membership record of this file has named.
    seen: HashSet<(CommunityId, UserId)>,
    /// A new community's creator given another standing by a record.
    creator_records: HashMap<usize, (usize, Standing, Option<i64>)>,
}

impl<'a> Communities<'a> {
    fn new(existing: &'a Existing) -> Self {
        let mut planner = Communities {
            existing,
            planned: Vec::new(),
            by_name: HashMap::new(),
            by_id: HashMap::new(),
            archived: HashSet::new(),
            rejected: HashSet::new(),
            standings: existing.memberships.clone(),
            seen: HashSet::new(),
            creator_records: HashMap::new(),
        };
        for community in &existing.communities {
            let index = planner.planned.len();
            planner.planned.push(PlannedCommunity {
                line: 0,
                id: community.id,
                record: None,
                creator: None,
                members: Vec::new(),
            });
            planner.by_name.insert(community.name.clone(), index);
            planner.by_id.insert(community.id, index);
            if community.archived {
                planner.archived.insert(community.id);
            }
        }
        planner
    }

    fn plan_new(&mut self, out: &mut Plan, users: &Users, records: Vec<(usize, CommunityRecord)>) {
        for (line, record) in records {
            let name = record.settings.name.clone();
            let verdict = (|| {
                check_community(&record)?;
                if record.site {
                    if let Some(index) = self.site_index() {
                        if self.planned[index].record.is_some() {
                            return Err(Reject::Duplicate("the site community".into()));
                        }
                        self.by_name.entry(name.clone()).or_insert(index);
                        return Ok(None); // the database's own site community
                    }
                }
                if let Some(&index) = self.by_name.get(&name) {
                    if self.planned[index].record.is_none() {
                        return Ok(None); // already in the database: unchanged
                    }
                    return Err(Reject::Duplicate(format!("community '{name}'")));
                }
                let id = record.id.unwrap_or_else(CommunityId::random);
                if self.by_id.contains_key(&id) {
                    return Err(Reject::Duplicate(format!("community id {id}")));
                }
                let owner = record.owner.as_ref().ok_or(Reject::OwnerMissing)?;
                let (creator, _) = users.resolve(owner)?;
                Ok(Some((id, creator)))
            })();
            match verdict {
                Ok(Some((id, creator))) => {
                    let index = self.planned.len();
                    self.planned.push(PlannedCommunity {
                        line,
                        id,
                        record: Some(record),
                        creator: Some(creator),
                        members: Vec::new(),
                    });
                    self.by_name.insert(name, index);
                    self.by_id.insert(id, index);
                    self.add_implied(id, creator, Standing::Member(Role::Owner));
                }
                Ok(None) => out.unchanged += 1,
                Err(reject) => {
                    self.rejected.insert(name);
                    if let Some(id) = record.id {
                        self.rejected.insert(id.to_string());
                    }
                    out.rejects.push((line, reject));
                }
            }
        }
    }

    /// The site community: the database's, or the one this file creates.
    fn site_index(&self) -> Option<usize> {
        if let Some(site) = self.existing.site {
            return self.by_id.get(&site).copied();
        }
        self.planned
            .iter()
            .position(|c| c.record.as_ref().is_some_and(|r| r.site))
    }

    /// A row the import implies (an owner, a site membership).
    fn add_implied(&mut self, community: CommunityId, user: UserId, standing: Standing) {
        if self.standings.contains_key(&(community, user)) {
            return;
        }
        if let Some(&index) = self.by_id.get(&community) {
            self.standings.insert((community, user), standing);
            self.planned[index].members.push(PlannedMember {
                line: 0,
                user,
                standing,
                since: None,
            });
        }
    }

    fn resolve(&self, key: &Ref<CommunityId>) -> Result<usize, Reject> {
        let found = match key {
            Ref::Id(id) => self.by_id.get(id),
            Ref::Name(name) => self.by_name.get(name),
        };
        found.copied().ok_or_else(|| {
            let text = match key {
                Ref::Id(id) => id.to_string(),
                Ref::Name(name) => name.clone(),
            };
            if self.rejected.contains(&text) {
                Reject::DependsOnRejected(format!("community {key}"))
            } else {
                Reject::UnknownCommunity(key.to_string())
            }
        })
    }

    fn plan_memberships(
        &mut self,
        out: &mut Plan,
        users: &Users,
        records: Vec<(usize, MembershipRecord)>,
    ) {
        for (line, record) in records {
            match self.plan_membership(line, &record, users) {
                Ok(true) => {}
                Ok(false) => out.unchanged += 1,
                Err(reject) => out.rejects.push((line, reject)),
            }
        }
    }

    /// Ok(true) when a row is planned, Ok(false) when it is already there.
    fn plan_membership(
        &mut self,
        line: usize,
        record: &MembershipRecord,
        users: &Users,
    ) -> Result<bool, Reject> {
        let standing = parse_standing(&record.standing)?;
        let index = self.resolve(&record.community)?;
        let (user, username) = users.resolve(&record.user)?;
        let community = self.planned[index].id;
        if self.archived.contains(&community) {
            return Err(Reject::Archived);
        }
        if !self.seen.insert((community, user)) {
            return Err(Reject::Duplicate(format!(
                "the membership of {username} in {}",
                record.community
            )));
        }
        if self.planned[index].creator == Some(user) {
            if standing == Standing::Member(Role::Owner) {
                self.set_since(index, user, record.since);
                return Ok(false);
            }
            // Decided once every owner of the file is known (finish).
            self.creator_records
                .insert(index, (line, standing, record.since));
            return Ok(true);
        }
        let implied_here = self.planned[index]
            .members
            .iter()
            .any(|m| m.user == user && m.line == 0);
        if let Some(&current) = self.standings.get(&(community, user)) {
            check_existing_standing(&username, current, standing)?;
            if implied_here {
                self.set_since(index, user, record.since);
            }
            return Ok(false);
        }
        self.standings.insert((community, user), standing);
        self.planned[index].members.push(PlannedMember {
            line,
            user,
            standing,
            since: record.since,
        });
        Ok(true)
    }

    fn set_since(&mut self, index: usize, user: UserId, since: Option<i64>) {
        if since.is_none() {
            return;
        }
        if let Some(member) = self.planned[index]
            .members
            .iter_mut()
            .find(|m| m.user == user)
        {
            member.since = since;
        }
    }

    /// Apply (or refuse) the records that change a new community's creator,
    /// and keep only the communities with something to write.
    fn finish(mut self, out: &mut Plan) {
        for (index, (line, standing, since)) in std::mem::take(&mut self.creator_records) {
            let community = &mut self.planned[index];
            let creator = community.creator.expect("a new community has a creator");
            let other_owner = community
                .members
                .iter()
                .any(|m| m.user != creator && m.standing == Standing::Member(Role::Owner));
            if !other_owner {
                let name = self
                    .existing
                    .user_ids
                    .get(&creator)
                    .cloned()
                    .unwrap_or_else(|| creator.to_string());
                out.rejects.push((line, Reject::OwnerDemoted(name)));
                continue;
            }
            if let Some(member) = community.members.iter_mut().find(|m| m.user == creator) {
                member.standing = standing;
                member.since = since;
                member.line = line;
            }
        }
        out.communities = self
            .planned
            .into_iter()
            .filter(|c| c.record.is_some() || !c.members.is_empty())
            .collect();
    }
}
