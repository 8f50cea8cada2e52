//! The store against real databases: every case below runs twice, on a
//! SQLite file (`on_sqlite::…`) and on a fresh database of the local
//! PostgreSQL server (`on_postgres::…`): users, tokens, every membership
//! round trip, paging, the event feed, reopening, migrations, idempotency
//! keys and concurrent commands. After each step the counters are compared
//! with the rows (`SELECT count(*)` on a separate connection) and the number
//! of events with the number of accepted changes.
//!
//! `sqlite_only` and `postgres_only` hold what one backend alone promises
//! (a WAL file; several nodes sharing one database). PostgreSQL tests fail
//! with a clear message when no server answers, unless
//! `ROSTER_SKIP_POSTGRES=1` (see `env.rs`).

mod accounts;
mod communities;
// The web console's reads and sessions (issue 17).
mod concurrency;
mod console;
mod env;
mod group_commit;
mod idempotency;
// Data versions of a page of people (issue 11).
mod page_versions;
mod pg_async;
mod pg_feed;
mod pg_pool;
mod policy;
mod postgres_only;
mod reads;
mod schema;
mod sight;
mod sqlite_only;
mod users;
// Webhooks (issue 16).
mod webhooks;

/// One `#[test]` per case and backend, each on a fresh store.
macro_rules! on_both_backends {
    ($($module:ident :: $case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $case() {
                    crate::$module::$case(crate::env::Env::sqlite());
                }
            )*
        }
        mod on_postgres {
            $(
                #[test]
                fn $case() {
                    if let Some(env) = crate::env::Env::postgres() {
                        crate::$module::$case(env);
                    }
                }
            )*
        }
    };
}

on_both_backends! {
    users::users_are_unique_and_the_first_account_founds_the_site_community,
    users::the_site_community_holds_its_name,
    users::find_update_login_and_list_users,
    users::find_users_answers_each_key_in_order,
    users::tokens_round_trip,
    communities::creating_communities,
    communities::membership_round_trips_keep_counters_and_events_exact,
    communities::an_admin_acts_without_a_membership,
    communities::settings_archive_and_delete,
    reads::members_paging_filters_and_totals,
    reads::communities_of_a_user,
    reads::the_event_feed_pages_oldest_first,
    reads::data_survives_reopening,
    reads::hostile_input_is_refused_not_panicked_on,
    concurrency::concurrent_commands_keep_every_invariant,
    schema::migrations_are_recorded_once,
    schema::a_newer_schema_is_refused,
    idempotency::a_key_is_held_then_replayed_byte_for_byte,
    idempotency::an_empty_body_and_a_no_content_answer_replay,
    idempotency::a_key_reused_for_another_request_is_a_mismatch,
    idempotency::keys_are_per_user_and_case_sensitive,
    idempotency::abandoning_releases_an_in_flight_key_but_not_a_completed_one,
    idempotency::server_errors_are_never_stored,
    idempotency::finishing_twice_keeps_the_first_response,
    idempotency::keys_expire_after_24_hours_and_are_purged_on_insert,
    idempotency::an_unknown_user_holds_no_key,
    idempotency::the_migration_is_recorded_and_survives_reopening,
    sight::a_secret_community_is_not_found_through_a_viewer_sight,
    sight::a_refusal_carries_the_standing_it_was_decided_on,
    sight::an_accepted_command_in_sight_is_one_event,
    sight::a_leave_through_a_room_sight_reads_the_usernames_in_its_transaction,
    // Configurable permissions (issue 14).
    policy::the_policy_is_stored_and_each_change_is_one_event,
    policy::the_invariants_hold_under_any_policy,
    policy::another_node_follows_a_change_within_the_refresh_bound,
    // feature `rooms`
    accounts::deleting_an_account_ends_every_standing_in_one_transaction,
    accounts::rooms_page_by_visibility_and_membership,
    // Webhooks (issue 16).
    webhooks::the_cursor_moves_only_on_an_acknowledgement_by_the_lease_holder,
    webhooks::failures_in_a_row_pause_until_resumed,
    webhooks::a_lapsed_lease_is_taken_over,
    webhooks::the_log_keeps_the_newest_attempts,
    // The web console (issue 17).
    console::member_search_pages_by_username_prefix,
    console::sessions_end_when_signed_out,
    console::the_timeline_reads_newest_first_and_counts_days,
    // Data versions of a page of people (issue 11).
    page_versions::a_page_is_unchanged_only_while_nothing_is_committed,
    page_versions::who_may_see_the_page_is_checked_at_a_current_version_too,
    page_versions::a_kept_page_never_hides_an_acknowledged_write,
}
