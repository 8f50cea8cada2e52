//! A short smoke run of the benchmark binary (tiny sizes, seconds): every
//! row runs, its correctness checks hold, and `--json` is what it claims;
//! and one of `--nodes` on PostgreSQL (skipped with
//! `ROSTER_SKIP_POSTGRES=1`). Their figures are not looked at: speed is
//! measured by running the binary whole.

use roster_store::postgres::scratch;
use std::process::Command;

#[test]
fn a_tiny_run_passes_its_checks_and_prints_json() {
    let output = Command::new(env!("CARGO_BIN_EXE_roster-bench"))
        .args([
            "--requests",
            "40",
            "--concurrency",
            "2",
            "--small",
            "5",
            "--big",
            "40",
            "--max-seconds",
            "60",
            "--json",
        ])
        .output()
        .expect("run roster-bench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "roster-bench failed:\n{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the report is JSON");
    let rows = report["rows"].as_array().expect("rows");
    let names: Vec<&str> = rows.iter().filter_map(|r| r["row"].as_str()).collect();
    for expected in [
        "storage-one",
        "storage-grouped",
        "healthz",
        "native",
        "whisk",
        "rocketchat",
        "course",
        "wix",
        "leave-1k",
        "leave-big",
        "read",
        "list-1k",
        "list-big",
    ] {
        assert!(names.contains(&expected), "no row {expected} in {names:?}");
    }
    for row in rows {
        assert_eq!(row["errors"], 0, "{row}");
        assert_eq!(row["checks_passed"], true, "{row}");
        assert!(row["requests"].as_u64().unwrap() > 0, "{row}");
    }
    let healthz = rows.iter().find(|r| r["row"] == "healthz").unwrap();
    assert_eq!(healthz["ratio_to_http_floor"], 1.0);
    assert!(healthz["server_peak_rss_mib"].as_f64().unwrap() > 0.0);
    let big = rows.iter().find(|r| r["row"] == "leave-big").unwrap();
    assert!(
        big["meaning"].as_str().unwrap().contains("40 members"),
        "{big}"
    );
}

#[test]
fn a_tiny_run_of_two_nodes_on_postgres_prints_every_row_without_errors() {
    if scratch::skipped() {
        return;
    }
    let server = scratch::server_url();
    let output = Command::new(env!("CARGO_BIN_EXE_roster-bench"))
        .args(["--postgres", &server, "--nodes", "2"])
        .args([
            "--requests",
            "40",
            "--concurrency",
            "4",
            "--max-seconds",
            "60",
        ])
        .output()
        .expect("run roster-bench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "roster-bench failed:\n{stderr}");
    let table = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<Vec<&str>> = table
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| row "))
        .map(|line| line.split('|').map(str::trim).collect())
        .collect();
    let names: Vec<&str> = rows.iter().map(|cells| cells[1]).collect();
    for expected in [
        "sql-pool",
        "write",
        "read",
        "write-A-alone",
        "write-A-while-B-hammered",
        "write-B-hammered",
        "write-A-while-B-read",
        "write-A-alone-unflushed",
        "write-A-while-B-hammered-unflushed",
        "write-B-hammered-unflushed",
    ] {
        assert!(names.contains(&expected), "no row {expected} in:\n{table}");
    }
    for cells in &rows {
        // Columns: row, nodes, ops, errors, …
        assert_eq!(cells[4], "0", "errors in:\n{table}");
        assert_ne!(cells[3], "0", "no operations in:\n{table}");
    }
}
