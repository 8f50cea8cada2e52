//! The permission policy over HTTP (issue 14), on both databases: the
//! native `GET/PUT /v1/policy` (admins only), Rocket.Chat's
//! `permissions.listAll` / `permissions.update` over it, and the site
//! community that exists from the first account on (Wix on a Roster whose
//! users predate any admin).

mod native;
mod rocketchat;
mod site;
