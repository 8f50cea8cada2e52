//! A short smoke run of the benchmark binary (tiny sizes, seconds): every
//! row runs, its correctness checks hold, and `--json` is what it claims.
//! Its figures are not looked at: speed is measured by running it whole.

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
