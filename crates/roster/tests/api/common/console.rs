//! A browser-like client of the web console (issue 17): signs in through
//! the form, keeps the session cookie by hand (no redirects followed), and
//! posts forms with the CSRF token scraped from the last page it saw.

use super::{TestServer, PASSWORD};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use reqwest::redirect::Policy;

/// One answer: status, headers, body.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The first CSRF token in the page's forms.
    pub fn csrf(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
        let end = self.body[at..].find('"')?;
        Some(self.body[at..at + end].to_owned())
    }

    /// The `Set-Cookie` line for `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

pub struct Console {
    pub base: String,
    client: reqwest::Client,
    /// `name=value` pairs sent as `Cookie`.
    pub cookies: Vec<(String, String)>,
    pub csrf: Option<String>,
}

impl Console {
    pub fn new(server: &TestServer) -> Console {
        Console {
            base: server.base.clone(),
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            cookies: Vec::new(),
            csrf: None,
        }
    }

    /// Sign in as `username` (password [`PASSWORD`]); panics unless it works.
    pub async fn signed_in(server: &TestServer, username: &str) -> Console {
        let mut console = Console::new(server);
        let page = console.sign_in(username, PASSWORD).await;
        assert_eq!(page.status, 303, "sign-in: {}", page.body);
        assert_eq!(page.header("location"), "/console/communities");
        let page = console.get("/console/communities").await;
        assert_eq!(page.status, 200);
        console
    }

    /// Fetch the sign-in form and post it.
    pub async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/console/sign-in").await;
        assert_eq!(form.status, 200);
        self.post(
            "/console/sign-in",
            &[("username", username), ("password", password)],
        )
        .await
    }

    fn cookie_header(&self) -> Option<HeaderValue> {
        if self.cookies.is_empty() {
            return None;
        }
        let text: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        HeaderValue::from_str(&text.join("; ")).ok()
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        for line in headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let Some((name, rest)) = line.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("").to_owned();
            self.cookies.retain(|(k, _)| k != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value));
            }
        }
        let page = Page {
            status,
            headers,
            body,
        };
        if let Some(token) = page.csrf() {
            self.csrf = Some(token);
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(cookie) = self.cookie_header() {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.expect("GET");
        self.finish(response).await
    }

    /// Post a form with the last CSRF token seen, from the console's own origin.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let origin = self.base.clone();
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[("origin", origin.as_str())])
            .await
    }

    /// Post exactly these fields with these extra headers.
    pub async fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if let Some(cookie) = self.cookie_header() {
            request = request.header(COOKIE, cookie);
        }
        for (name, value) in headers {
            if *name == "origin" {
                request = request.header(ORIGIN, *value);
            } else {
                request = request.header(*name, *value);
            }
        }
        let response = request.send().await.expect("POST");
        self.finish(response).await
    }
}

/// A user's id as the console's forms carry it.
pub async fn user_id(server: &TestServer, username: &str) -> String {
    let key = roster_store::UserKey::Username(username.to_owned());
    server
        .state
        .run(move |store| store.find_user(&key))
        .await
        .expect("find user")
        .expect("the user exists")
        .id
        .to_string()
}
