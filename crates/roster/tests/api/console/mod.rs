//! The web console's HTTP (issue 17), black-box: security headers, the
//! session cookie, CSRF and cross-origin refusals, visibility, signing
//! out, and the pages' reads and refusals. The browser test in
//! clients/browser drives the same pages in Chromium.

mod csrf;
mod headers;
mod pages;
mod session;
mod visibility;
