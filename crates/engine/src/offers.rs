//! Which commands are worth offering to a person, for interfaces that show
//! buttons (the web console, issue 17). Answered by [`decide`] itself on
//! the projection the page already holds, so a button is shown exactly
//! when the rules would take it: no interface repeats a rule.

use crate::decide::{decide, Context};
use crate::error::DomainError;
use crate::event::Effect;
use crate::model::{Actor, CommunityState, Role, Standing};
use crate::{Command, SettingsPatch, UserId};

/// Is `command` worth offering: would it change something, or be refused
/// only for a reason the actor can resolve and should be told about (the
/// last owner must hand over before leaving)?
pub fn offered(ctx: &Context<'_>, command: &Command) -> bool {
    matches!(
        decide(ctx, command),
        Ok(Effect::Changed(_)) | Err(DomainError::LastOwner)
    )
}

/// The actor's own commands worth offering: join and leave.
pub fn own_offers(community: &CommunityState, actor: Actor, standing: Standing) -> Vec<Command> {
    let ctx = Context {
        community,
        actor,
        actor_standing: standing,
        subject_standing: standing,
    };
    [Command::Join, Command::Leave]
        .into_iter()
        .filter(|command| offered(&ctx, command))
        .collect()
}

/// The commands an actor may be offered about another person with
/// `subject_standing`: approve, reject, revoke an invitation, set each
/// role, transfer ownership, remove, ban, unban. Only those the rules
/// would accept (or refuse as last owner) are returned.
pub fn offers_on(
    community: &CommunityState,
    actor: Actor,
    actor_standing: Standing,
    subject: UserId,
    subject_standing: Standing,
) -> Vec<Command> {
    if subject == actor.user {
        return Vec::new();
    }
    let ctx = Context {
        community,
        actor,
        actor_standing,
        subject_standing,
    };
    let set_role = |role| Command::SetRole {
        subject,
        role,
        expect: subject_standing.role(),
    };
    [
        Command::Approve { subject },
        Command::Reject { subject },
        Command::RevokeInvitation { subject },
        set_role(Role::Owner),
        set_role(Role::Manager),
        set_role(Role::Member),
        Command::TransferOwnership { subject },
        Command::Remove { subject },
        Command::Ban {
            subject,
            reason: None,
        },
        Command::Unban { subject },
    ]
    .into_iter()
    .filter(|command| offered(&ctx, command))
    .collect()
}

/// May the actor change the community's settings (or ask to)?
pub fn may_update(community: &CommunityState, actor: Actor, standing: Standing) -> bool {
    let ctx = Context {
        community,
        actor,
        actor_standing: standing,
        subject_standing: standing,
    };
    decide(&ctx, &Command::Update(SettingsPatch::default())).is_ok()
}

/// May the actor invite people or ban people not yet listed (manager+)?
/// Asked of the rules for a stranger with no standing.
pub fn may_invite_and_ban(
    community: &CommunityState,
    actor: Actor,
    standing: Standing,
) -> (bool, bool) {
    let stranger = UserId(uuid::Uuid::nil());
    let offers = offers_on(community, actor, standing, stranger, Standing::None);
    let ctx = Context {
        community,
        actor,
        actor_standing: standing,
        subject_standing: Standing::None,
    };
    let invite = offered(&ctx, &Command::Invite { subject: stranger });
    let ban = offers
        .iter()
        .any(|command| matches!(command, Command::Ban { .. }));
    (invite, ban)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContributionMode, Counters, JoinPolicy, Settings, Visibility};
    use crate::CommunityId;

    fn community(owners: i64) -> CommunityState {
        CommunityState {
            id: CommunityId(uuid::Uuid::new_v4()),
            settings: Settings {
                name: "Bakers".into(),
                description: String::new(),
                visibility: Visibility::Public,
                join_policy: JoinPolicy::Request,
                contribution_mode: ContributionMode::Anyone,
            },
            archived: false,
            site: false,
            creator: UserId(uuid::Uuid::new_v4()),
            counters: Counters {
                members: 2,
                owners,
                pending: 1,
                invited: 0,
            },
        }
    }

    fn actor() -> Actor {
        Actor {
            user: UserId(uuid::Uuid::new_v4()),
            admin: false,
        }
    }

    #[test]
    fn the_last_owner_is_still_offered_leave_to_learn_why_not() {
        let c = community(1);
        let offers = own_offers(&c, actor(), Standing::Member(Role::Owner));
        assert_eq!(offers, vec![Command::Leave]);
        let offers = own_offers(&c, actor(), Standing::None);
        assert_eq!(offers, vec![Command::Join]);
    }

    #[test]
    fn an_owner_is_offered_approve_and_reject_for_a_requester_only() {
        let c = community(1);
        let subject = UserId(uuid::Uuid::new_v4());
        let owner = Standing::Member(Role::Owner);
        let on_requester = offers_on(&c, actor(), owner, subject, Standing::Requested);
        assert!(on_requester.contains(&Command::Approve { subject }));
        assert!(on_requester.contains(&Command::Reject { subject }));
        let on_member = offers_on(&c, actor(), owner, subject, Standing::Member(Role::Member));
        assert!(!on_member.contains(&Command::Approve { subject }));
        assert!(on_member.contains(&Command::TransferOwnership { subject }));
        assert!(on_member.contains(&Command::Remove { subject }));
        let member = Standing::Member(Role::Member);
        assert!(offers_on(&c, actor(), member, subject, member).is_empty());
        assert!(may_update(&c, actor(), owner));
        assert!(!may_update(&c, actor(), member));
        assert_eq!(may_invite_and_ban(&c, actor(), owner), (true, true));
        assert_eq!(may_invite_and_ban(&c, actor(), member), (false, false));
    }
}
