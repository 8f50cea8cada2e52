//! The rules that used to be decided outside the engine, each now a named
//! engine function: the sight a dialect addresses communities through, the
//! site community's part in creating a user, the default join policy, the
//! email that stays verified, who sees private profile fields, and whom an
//! admin acting for a member acts as.

mod support;

use roster_engine::site::{new_site, site_name, SITE_NAME};
use roster_engine::users::{email_or_none, email_stays_verified, may_see_private_fields};
use roster_engine::{
    decide_in_sight, decide_site_join, in_sight, may_list, may_manage, site_step, view_in_sight,
    webhooks_listed_for, Actor, Command, DomainError, Effect, EventKind, JoinPolicy, Role, Sight,
    SiteStep, Standing, UserId, Visibility,
};
use support::*;

const OUTSIDERS: [Standing; 2] = [Standing::None, Standing::Banned];
const INSIDERS: [Standing; 4] = [Standing::Invited, Standing::Requested, MEMBER, OWNER];

#[test]
fn a_secret_community_is_out_of_sight_for_outsiders_of_every_sight_but_any() {
    let secret = community().private().policy(JoinPolicy::Invite).build();
    for standing in OUTSIDERS {
        assert!(in_sight(Sight::Any, &secret, false, standing));
        assert!(in_sight(Sight::CourseJoin, &secret, false, standing));
        for sight in [Sight::Viewable, Sight::Group, Sight::Course] {
            assert!(!in_sight(sight, &secret, false, standing), "{sight:?}");
            assert!(in_sight(sight, &secret, true, standing), "admin, {sight:?}");
        }
    }
    for standing in INSIDERS {
        for sight in [Sight::Viewable, Sight::Group, Sight::Course] {
            assert!(in_sight(sight, &secret, false, standing), "{sight:?}");
        }
    }
}

#[test]
fn a_group_is_private_and_only_for_the_people_in_it() {
    let group = community().private().policy(JoinPolicy::Invite).build();
    for standing in OUTSIDERS {
        assert!(!in_sight(Sight::Group, &group, false, standing));
    }
    assert!(in_sight(Sight::Group, &group, false, MEMBER));
    // A private community is never a channel, not even for an admin.
    assert!(!in_sight(Sight::Channel, &group, true, OWNER));
}

#[test]
fn a_public_community_is_a_channel_for_everyone_and_never_a_group() {
    // Rocket.Chat answers a channel asked for as a group with not-found.
    let public = community().build();
    for standing in OUTSIDERS.into_iter().chain(INSIDERS) {
        assert!(in_sight(Sight::Channel, &public, false, standing));
        assert!(!in_sight(Sight::Group, &public, true, standing));
    }
    let site = community().site().build();
    assert!(!in_sight(Sight::Channel, &site, true, OWNER));
}

#[test]
fn the_site_community_is_no_group_and_no_course_not_even_for_an_admin() {
    let site = community().site().build();
    for sight in [Sight::Group, Sight::Course, Sight::CourseJoin] {
        assert!(!in_sight(sight, &site, true, OWNER), "{sight:?}");
    }
    assert!(in_sight(Sight::Viewable, &site, false, Standing::None));
    assert!(in_sight(Sight::Any, &site, false, Standing::None));
}

#[test]
fn a_read_out_of_sight_is_community_not_found_and_in_sight_is_shown() {
    let secret = community().private().policy(JoinPolicy::Invite).build();
    for standing in OUTSIDERS {
        assert_eq!(
            view_in_sight(Sight::Viewable, &secret, false, standing),
            Err(DomainError::CommunityNotFound),
        );
        assert_eq!(
            view_in_sight(Sight::Viewable, &secret, true, standing),
            Ok(())
        );
    }
    assert_eq!(view_in_sight(Sight::Course, &secret, false, MEMBER), Ok(()));
    let site = community().site().build();
    assert_eq!(
        view_in_sight(Sight::Course, &site, true, OWNER),
        Err(DomainError::CommunityNotFound),
    );
}

#[test]
fn only_managers_owners_and_admins_see_what_runs_a_community() {
    for standing in [Standing::Member(Role::Manager), OWNER] {
        assert_eq!(may_manage(false, standing), Ok(()));
    }
    for standing in OUTSIDERS.into_iter().chain([Standing::Invited, MEMBER]) {
        assert_eq!(may_manage(false, standing), Err(DomainError::NotPermitted));
        assert_eq!(may_manage(true, standing), Ok(()));
    }
}

#[test]
fn anyone_who_sees_a_community_lists_its_members_only_managers_the_rest() {
    assert_eq!(may_list(false, Standing::None, &[]), Ok(()));
    assert_eq!(may_list(false, Standing::None, &[MEMBER, OWNER]), Ok(()));
    for pending in [Standing::Invited, Standing::Requested, Standing::Banned] {
        assert_eq!(
            may_list(false, MEMBER, &[MEMBER, pending]),
            Err(DomainError::NotPermitted)
        );
        assert_eq!(
            may_list(false, Standing::Member(Role::Manager), &[pending]),
            Ok(())
        );
        assert_eq!(may_list(true, Standing::None, &[pending]), Ok(()));
    }
}

#[test]
fn an_admin_lists_every_webhook_anyone_else_their_own() {
    let caller = UserId(uuid::Uuid::from_u128(7));
    assert_eq!(webhooks_listed_for(true, caller), None);
    assert_eq!(webhooks_listed_for(false, caller), Some(caller));
}

#[test]
fn a_command_out_of_sight_is_refused_as_not_found_before_any_other_rule() {
    let secret = community().private().policy(JoinPolicy::Invite).build();
    let outsider = scene(secret.clone()).me(Standing::None);
    for command in [Command::Join, Command::Leave, Command::Archive] {
        assert_eq!(
            decide_in_sight(Sight::Viewable, &outsider.context(), &command),
            Err(DomainError::CommunityNotFound),
        );
    }
    // Through `Any` the rules alone decide, as before.
    assert_eq!(
        decide_in_sight(Sight::Any, &outsider.context(), &Command::Leave),
        Err(DomainError::NotMember),
    );
    // In sight, the same command is decided as `decide` decides it.
    let member = scene(secret).me(MEMBER);
    assert_eq!(
        decide_in_sight(Sight::Viewable, &member.context(), &Command::Leave),
        member.decide(&Command::Leave),
    );
}

#[test]
fn a_banned_person_leaving_a_public_community_is_refused_as_not_a_member() {
    let banned = scene(community().build()).me(Standing::Banned);
    assert_eq!(
        decide_in_sight(Sight::Viewable, &banned.context(), &Command::Leave),
        Err(DomainError::NotMember),
    );
}

#[test]
fn the_site_step_joins_or_founds_whoever_comes_first() {
    assert_eq!(site_step(true, false), SiteStep::Join);
    assert_eq!(site_step(true, true), SiteStep::Join);
    assert_eq!(site_step(false, true), SiteStep::Found);
    // Issue 14: a plain first account founds (and owns) the site too.
    assert_eq!(site_step(false, false), SiteStep::Found);
}

#[test]
fn joining_the_site_is_one_joined_event_from_no_standing_to_member() {
    assert_eq!(
        decide_site_join(SUBJECT),
        moved(EventKind::Joined, SUBJECT, Standing::None, MEMBER),
    );
}

#[test]
fn the_site_is_public_open_and_named_site_members_then_numbered() {
    let site = new_site(site_name(1));
    assert!(site.site);
    assert_eq!(site.settings.name, SITE_NAME);
    assert_eq!(site.settings.visibility, Visibility::Public);
    assert_eq!(site.settings.join_policy, JoinPolicy::Open);
    assert_eq!(site_name(0), "Site members");
    assert_eq!(site_name(3), "Site members (3)");
    assert!(roster_engine::decide_create(ACTOR_ADMIN, &site).is_ok());
}

const ACTOR_ADMIN: Actor = Actor {
    user: ACTOR,
    admin: true,
};

#[test]
fn a_community_without_a_policy_is_open_when_public_and_takes_requests_when_private() {
    assert_eq!(
        JoinPolicy::default_for(Visibility::Public),
        JoinPolicy::Open
    );
    assert_eq!(
        JoinPolicy::default_for(Visibility::Private),
        JoinPolicy::Request
    );
}

#[test]
fn an_email_stays_verified_only_while_it_is_the_same_address() {
    let old = Some("Ann@Example.org");
    assert!(email_stays_verified(old, Some("ann@example.ORG"), true));
    assert!(!email_stays_verified(old, Some("bob@example.org"), true));
    assert!(!email_stays_verified(old, None, true));
    assert!(!email_stays_verified(None, Some("ann@example.org"), true));
    assert!(email_stays_verified(None, None, true));
    // Beyond ASCII, a changed letter is a changed address.
    assert!(!email_stays_verified(
        Some("Ä@x.org"),
        Some("ä@x.org"),
        true
    ));
    // An unverified address never becomes verified by a patch.
    assert!(!email_stays_verified(old, old, false));
}

#[test]
fn an_empty_email_is_no_email() {
    assert_eq!(email_or_none(Some("")), None);
    assert_eq!(email_or_none(Some("a@b")), Some("a@b"));
    assert_eq!(email_or_none(None), None);
}

#[test]
fn private_fields_are_for_the_user_and_for_admin_tokens() {
    assert!(may_see_private_fields(ACTOR, false, ACTOR));
    assert!(!may_see_private_fields(ACTOR, false, SUBJECT));
    assert!(may_see_private_fields(ACTOR, true, SUBJECT));
}

#[test]
fn an_admin_acting_for_a_member_acts_as_that_member_without_elevation() {
    assert_eq!(
        ACTOR_ADMIN.acting_for(SUBJECT),
        Actor {
            user: SUBJECT,
            admin: false,
        }
    );
    assert_eq!(ACTOR_ADMIN.acting_for(ACTOR), ACTOR_ADMIN);
    // So a member's admin-only command is refused when an admin acts for them.
    let ctx = scene(community().build()).me(MEMBER);
    let mut as_member = ctx.context();
    as_member.actor = ACTOR_ADMIN.acting_for(SUBJECT);
    assert_eq!(
        decide_in_sight(Sight::Any, &as_member, &Command::Archive),
        Err(DomainError::NotPermitted),
    );
    as_member.actor = ACTOR_ADMIN;
    assert!(matches!(
        decide_in_sight(Sight::Any, &as_member, &Command::Archive),
        Ok(Effect::Changed(_))
    ));
}

#[test]
fn a_refusal_names_itself_in_snake_case() {
    let name = |error: &DomainError| -> &'static str { error.into() };
    assert_eq!(name(&DomainError::CommunityNotFound), "community_not_found");
    assert_eq!(name(&DomainError::LastOwner), "last_owner");
    assert_eq!(
        name(&DomainError::RoleMismatch {
            actual: roster_engine::Role::Owner
        }),
        "role_mismatch"
    );
    assert_eq!(
        name(&DomainError::Invalid {
            field: "name",
            reason: "too long"
        }),
        "invalid"
    );
}

#[test]
fn event_kinds_and_roles_keep_their_stored_names() {
    assert_eq!(EventKind::RequestWithdrawn.as_str(), "request_withdrawn");
    assert_eq!(
        "ownership_transferred".parse::<EventKind>(),
        Ok(EventKind::OwnershipTransferred)
    );
    assert_eq!(
        "boss"
            .parse::<roster_engine::Role>()
            .map_err(|e| e.to_string()),
        Err("unknown role 'boss'".to_owned())
    );
    assert_eq!(
        "x".parse::<JoinPolicy>().map_err(|e| e.to_string()),
        Err("unknown join policy 'x'".to_owned())
    );
}
