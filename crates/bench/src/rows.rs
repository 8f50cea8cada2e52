//! The rows of the benchmark: what each one measures, and the requests each
//! client task sends for it. A row is a cycle of requests per task (a join
//! and its leave, or one read); every task acts as its own bench user, so a
//! cycle always leaves the data as it found it.

use crate::fixture::{Account, Fixture};
use anyhow::{anyhow, Result};
use clap::ValueEnum;
use reqwest::Method;
use roster_store::Community;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub enum Row {
    /// Baseline 1a: the SQL of join/leave in-process, one commit each.
    StorageOne,
    /// Baseline 1b: the same, `storage::GROUP` operations per commit.
    StorageGrouped,
    /// Baseline 2, the HTTP floor: `GET /healthz` (always measured).
    Healthz,
    Readyz,
    Native,
    Whisk,
    Rocketchat,
    Course,
    Wix,
    #[value(name = "leave-1k")]
    LeaveSmall,
    LeaveBig,
    Read,
    #[value(name = "list-1k")]
    ListSmall,
    ListBig,
}

impl Row {
    pub const ALL: [Row; 14] = [
        Row::StorageOne,
        Row::StorageGrouped,
        Row::Healthz,
        Row::Readyz,
        Row::Native,
        Row::Whisk,
        Row::Rocketchat,
        Row::Course,
        Row::Wix,
        Row::LeaveSmall,
        Row::LeaveBig,
        Row::Read,
        Row::ListSmall,
        Row::ListBig,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Row::StorageOne => "storage-one",
            Row::StorageGrouped => "storage-grouped",
            Row::Healthz => "healthz",
            Row::Readyz => "readyz",
            Row::Native => "native",
            Row::Whisk => "whisk",
            Row::Rocketchat => "rocketchat",
            Row::Course => "course",
            Row::Wix => "wix",
            Row::LeaveSmall => "leave-1k",
            Row::LeaveBig => "leave-big",
            Row::Read => "read",
            Row::ListSmall => "list-1k",
            Row::ListBig => "list-big",
        }
    }

    /// One line for the report.
    pub fn meaning(self, small: usize, big: usize) -> String {
        match self {
            Row::StorageOne => "baseline 1: join/leave SQL in-process, 1 op per commit".into(),
            Row::StorageGrouped => format!(
                "baseline 1: join/leave SQL in-process, {} ops per commit",
                crate::storage::GROUP
            ),
            Row::Healthz => "baseline 2: `GET /healthz` (no store access)".into(),
            Row::Readyz => "`GET /readyz` (one store read)".into(),
            Row::Native => "native `POST /v1/communities/{id}/join` + `…/leave`".into(),
            Row::Whisk => "Whisk `POST /community/v2/{id}/join` + `…/leave`".into(),
            Row::Rocketchat => "Rocket.Chat `groups.invite` (by the owner) + `groups.leave`".into(),
            Row::Course => "course `POST` + `DELETE /api/v2/course/{num}/join/`".into(),
            Row::Wix => "Wix `join-community` + `leave-community` (site community)".into(),
            Row::LeaveSmall => format!("native join + leave, community of {small} members"),
            Row::LeaveBig => format!("native join + leave, community of {big} members"),
            Row::Read => {
                format!("Whisk `GET /community/v2/{{id}}` (caller's standing), {big} members")
            }
            Row::ListSmall => {
                format!("native `GET …/members?limit=50`, community of {small} members")
            }
            Row::ListBig => {
                format!("native `GET …/members?limit=50`, community of {big} members")
            }
        }
    }

    /// Is this a baseline-1 row (no HTTP)?
    pub fn storage(self) -> bool {
        matches!(self, Row::StorageOne | Row::StorageGrouped)
    }

    /// Does every request of this row write exactly one event?
    pub fn writes(self) -> bool {
        !matches!(
            self,
            Row::Healthz | Row::Readyz | Row::Read | Row::ListSmall | Row::ListBig
        ) && !self.storage()
    }

    pub fn needs_small(self) -> bool {
        matches!(self, Row::LeaveSmall | Row::ListSmall)
    }

    pub fn needs_big(self) -> bool {
        matches!(self, Row::LeaveBig | Row::ListBig | Row::Read)
    }
}

/// One request, ready to send, with the status that means success.
#[derive(Clone, Debug)]
pub struct Op {
    pub label: &'static str,
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    pub expect: u16,
}

impl Op {
    fn new(label: &'static str, method: Method, url: String, expect: u16) -> Op {
        Op {
            label,
            method,
            url,
            headers: Vec::new(),
            body: None,
            expect,
        }
    }

    fn bearer(self, account: &Account) -> Op {
        self.header("authorization", format!("Bearer {}", account.token))
    }

    fn header(mut self, name: &'static str, value: String) -> Op {
        self.headers.push((name, value));
        self
    }

    fn json(mut self, body: serde_json::Value) -> Op {
        self.body = Some(body.to_string());
        self.header("content-type", "application/json".into())
    }
}

/// The cycle each client task repeats: `tasks[i]` acts as bench user `i`.
pub struct Plan {
    pub tasks: Vec<Vec<Op>>,
    /// The community whose member count must be the same after the row.
    pub community: Option<Community>,
}

impl Plan {
    pub fn cycle_len(&self) -> usize {
        self.tasks.first().map_or(1, Vec::len)
    }
}

pub async fn plan(row: Row, f: &Fixture) -> Result<Plan> {
    let plan = match row {
        Row::Healthz | Row::Readyz => {
            let url = f.url(&format!("/{}", row.name()));
            Plan {
                tasks: per_task(f, |_| vec![Op::new("get", Method::GET, url.clone(), 200)]),
                community: None,
            }
        }
        Row::Native => native_cycle(f, &f.native),
        Row::LeaveSmall => native_cycle(f, need(&f.small)?),
        Row::LeaveBig => native_cycle(f, need(&f.big)?),
        Row::Whisk => {
            let base = f.url(&format!("/community/v2/{}", f.whisk.id().simple()));
            Plan {
                tasks: per_task(f, |a| {
                    vec![
                        Op::new("join", Method::POST, format!("{base}/join"), 200).bearer(a),
                        Op::new("leave", Method::POST, format!("{base}/leave"), 200).bearer(a),
                    ]
                }),
                community: Some(f.whisk.clone()),
            }
        }
        Row::Rocketchat => {
            let room = f.group.id().to_string();
            let rc = |account: &Account, method: &'static str| {
                Op::new(
                    method,
                    Method::POST,
                    f.url(&format!("/api/v1/groups.{method}")),
                    200,
                )
                .header("x-user-id", account.user.id.to_string())
                .header("x-auth-token", account.token.clone())
            };
            Plan {
                tasks: per_task(f, |a| {
                    let invite = json!({"roomId": room, "userId": a.user.id.to_string()});
                    vec![
                        rc(&f.owner, "invite").json(invite),
                        rc(a, "leave").json(json!({"roomId": room})),
                    ]
                }),
                community: Some(f.group.clone()),
            }
        }
        Row::Course => {
            let url = f.url(&format!("/api/v2/course/{}/join/", f.course.num));
            Plan {
                tasks: per_task(f, |a| {
                    vec![
                        Op::new("join", Method::POST, url.clone(), 200).bearer(a),
                        Op::new("leave", Method::DELETE, url.clone(), 204).bearer(a),
                    ]
                }),
                community: Some(f.course.clone()),
            }
        }
        Row::Wix => {
            let base = f.url("/members/v1/members");
            // Wix clients send the token bare.
            let wix = |label, path: &str, a: &Account| {
                Op::new(label, Method::POST, format!("{base}/{path}"), 200)
                    .header("authorization", a.token.clone())
                    .json(json!({}))
            };
            Plan {
                tasks: per_task(f, |a| {
                    vec![
                        wix("join", "join-community", a),
                        wix("leave", "leave-community", a),
                    ]
                }),
                community: Some(f.site().await?),
            }
        }
        Row::ListSmall => list(f, need(&f.small)?),
        Row::ListBig => list(f, need(&f.big)?),
        Row::Read => {
            let big = need(&f.big)?;
            let url = f.url(&format!("/community/v2/{}", big.id().simple()));
            Plan {
                tasks: per_task(f, |a| {
                    vec![Op::new("read", Method::GET, url.clone(), 200).bearer(a)]
                }),
                community: Some(big.clone()),
            }
        }
        Row::StorageOne | Row::StorageGrouped => {
            return Err(anyhow!("{} is not an HTTP row", row.name()))
        }
    };
    Ok(plan)
}

/// Each bench user's cycle, made by `make`.
fn per_task(f: &Fixture, make: impl Fn(&Account) -> Vec<Op>) -> Vec<Vec<Op>> {
    f.bench.iter().map(make).collect()
}

fn native_cycle(f: &Fixture, community: &Community) -> Plan {
    let base = f.url(&format!("/v1/communities/{}", community.id()));
    Plan {
        tasks: per_task(f, |a| {
            vec![
                Op::new("join", Method::POST, format!("{base}/join"), 200).bearer(a),
                Op::new("leave", Method::POST, format!("{base}/leave"), 200).bearer(a),
            ]
        }),
        community: Some(community.clone()),
    }
}

fn list(f: &Fixture, community: &Community) -> Plan {
    let url = f.url(&format!(
        "/v1/communities/{}/members?limit=50",
        community.id()
    ));
    Plan {
        tasks: per_task(f, |a| {
            vec![Op::new("list", Method::GET, url.clone(), 200).bearer(a)]
        }),
        community: Some(community.clone()),
    }
}

fn need(community: &Option<Community>) -> Result<&Community> {
    community
        .as_ref()
        .ok_or_else(|| anyhow!("the fixture lacks this row's community"))
}
