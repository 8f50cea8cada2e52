//! `/readyz` as JSON and the pool's series on `/metrics` (issue 13): on
//! PostgreSQL the pool's size, occupancy and checkout waits; on SQLite
//! (no pool) `pool` is null and no pool series is shown.

use super::*;

fn on_postgres() -> bool {
    std::env::var("ROSTER_TEST_DATABASE").as_deref() == Ok("postgres")
}

#[tokio::test]
async fn readyz_reports_the_pool_as_json_when_asked() {
    let s = TestServer::start().await;
    let ready = s
        .client
        .get(s.url("/readyz"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    if on_postgres() {
        let pool = &body["pool"];
        let size = pool["size"].as_u64().expect("size");
        assert!(size >= 4, "{body}");
        let in_use = pool["in_use"].as_u64().expect("in_use");
        assert!(in_use <= size, "{body}");
        let saturation = pool["saturation"].as_f64().expect("saturation");
        assert!((0.0..=1.0).contains(&saturation), "{body}");
        assert!(
            pool["checkouts"].as_u64().expect("checkouts") >= 1,
            "{body}"
        );
    } else {
        assert!(body["pool"].is_null(), "{body}");
    }
    // Plain text stays the default.
    let text = s.client.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(text.text().await.unwrap(), "ready\n");
}

#[tokio::test]
async fn metrics_show_the_pool_on_postgres() {
    let s = TestServer::start().await;
    s.client.get(s.url("/readyz")).send().await.unwrap();
    let text = s.metrics().await;
    let shown = |series: &str| text.lines().any(|line| line.starts_with(series));
    if on_postgres() {
        assert!(shown("roster_store_pool_size "), "{text}");
        assert!(
            shown("roster_store_pool_connections{state=\"in_use\"}"),
            "{text}"
        );
        assert!(
            shown("roster_store_pool_connections{state=\"idle\"}"),
            "{text}"
        );
        assert!(
            shown("roster_store_pool_wait_seconds_bucket{le=\"0.0001\"}"),
            "{text}"
        );
        assert!(shown("roster_store_pool_wait_seconds_count "), "{text}");
    } else {
        assert!(!shown("roster_store_pool"), "{text}");
    }
}
