//! The HTML report in a real browser: headless Chromium renders it, runs its
//! script without errors, and the filter read from the URL hides rows.
//!
//! Chromium must be installed (`.ci/run` installs it); set
//! `COMPLY_SKIP_BROWSER=1` to skip these tests on a machine without it, and
//! `COMPLY_UPDATE_SCREENSHOT=1` to refresh `docs/report-screenshot.png`.

mod html_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

fn chromium() -> Option<PathBuf> {
    if std::env::var_os("COMPLY_SKIP_BROWSER").is_some_and(|v| v == "1") {
        eprintln!("COMPLY_SKIP_BROWSER=1: browser test skipped");
        return None;
    }
    let candidates = [
        std::env::var_os("COMPLY_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
        Some(PathBuf::from("/usr/bin/chromium-browser")),
    ];
    match candidates.into_iter().flatten().find(|p| p.is_file()) {
        Some(p) => Some(p),
        None => panic!(
            "headless Chromium not found at /usr/bin/chromium (install it: apt-get install -y chromium; \
             or set COMPLY_CHROMIUM=/path, or COMPLY_SKIP_BROWSER=1 to skip)"
        ),
    }
}

struct Output {
    stdout: String,
    stderr: String,
}

/// Runs Chromium on `url` with a fresh profile; kills it after a minute.
fn run_chromium(bin: &Path, url: &str, extra: &[String]) -> Output {
    let profile = tempfile::tempdir().expect("profile dir");
    let work = tempfile::tempdir().expect("work dir");
    let out_path = work.path().join("stdout");
    let err_path = work.path().join("stderr");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait chromium") {
            Some(status) => {
                let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
                assert!(status.success(), "chromium failed: {status}\n{stderr}");
                break;
            }
            None if start.elapsed() > Duration::from_secs(90) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish in 90 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    Output {
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// The fixture's report, written to a temp dir; returns the dir and its file URL.
fn report() -> (tempfile::TempDir, PathBuf) {
    let f = html_support::fixture();
    let html = html_support::render(&f);
    let dir = tempfile::tempdir().expect("report dir");
    let path = dir.path().join("report.html");
    std::fs::write(&path, html).expect("write report");
    (dir, path)
}

fn url(path: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", path.display())
}

/// Lines of Chromium's log that tell of a script error on the page.
fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("Uncaught")
                || (l.contains("CONSOLE") && (l.contains("Error") || l.contains("error")))
                || l.contains("Refused to")
        })
        .collect()
}

fn visible_rows(dom: &str) -> usize {
    let doc = Html::parse_document(dom);
    let sel = Selector::parse("tbody.viol:not([hidden])").expect("selector");
    doc.select(&sel).count()
}

fn dump(bin: &Path, path: &Path, fragment: &str) -> String {
    let out = run_chromium(bin, &url(path, fragment), &["--dump-dom".to_string()]);
    let errors = console_errors(&out.stderr);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    assert!(
        out.stdout.contains("data-ready=\"1\""),
        "the page's script did not finish:\n{}",
        out.stderr
    );
    out.stdout
}

#[test]
fn screenshot_is_drawn() {
    let Some(bin) = chromium() else { return };
    let (dir, path) = report();
    let shot = dir.path().join("shot.png");
    let out = run_chromium(
        &bin,
        &url(&path, ""),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    let errors = console_errors(&out.stderr);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 30_000,
        "screenshot too small: {} bytes",
        png.len()
    );
    if std::env::var_os("COMPLY_UPDATE_SCREENSHOT").is_some_and(|v| v == "1") {
        let dest = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-screenshot.png");
        std::fs::create_dir_all(dest.parent().expect("docs dir")).expect("mkdir docs");
        std::fs::copy(&shot, &dest).expect("copy screenshot");
    }
}

#[test]
fn script_runs_and_filters_from_the_url() {
    let Some(bin) = chromium() else { return };
    let (_dir, path) = report();
    let all = visible_rows(&dump(&bin, &path, ""));
    assert_eq!(all, 11);
    // A rule code.
    assert_eq!(visible_rows(&dump(&bin, &path, "#filter=CD532")), 2);
    // Explicit filters, combined.
    assert_eq!(visible_rows(&dump(&bin, &path, "#severity=warning")), 3);
    assert_eq!(
        visible_rows(&dump(&bin, &path, "#collection=complaints&severity=error")),
        2
    );
    assert_eq!(visible_rows(&dump(&bin, &path, "#clause=%C2%A74.3(b)")), 2);
    // Anything else is a record id search.
    let dom = dump(&bin, &path, "#filter=k00");
    assert_eq!(visible_rows(&dom), 3);
    assert!(dom.contains("3 of 11 shown"), "count shown");
}

/// The three verdicts of a real run, as the browser shows them.
#[test]
fn verdicts_pass_fail_and_incomplete() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample-export");
    let truncated = dir.path().join("export");
    std::fs::create_dir_all(&truncated).expect("mkdir");
    for e in std::fs::read_dir(&sample).expect("sample") {
        let e = e.expect("entry");
        if e.path().is_file() {
            std::fs::copy(e.path(), truncated.join(e.file_name())).expect("copy");
        }
    }
    let complaints = truncated.join("complaints.json");
    let text = std::fs::read_to_string(&complaints).expect("read");
    std::fs::write(&complaints, &text[..text.len() / 2]).expect("truncate");
    let cases: [(&str, Vec<String>, &str); 3] = [
        (
            "pass",
            vec![
                "--select".into(),
                "CD532".into(),
                "--param".into(),
                "complaint_response_days=30".into(),
                sample.display().to_string(),
            ],
            "PASS",
        ),
        ("fail", vec![sample.display().to_string()], "FAIL"),
        (
            "incomplete",
            vec![truncated.display().to_string()],
            "INCOMPLETE",
        ),
    ];
    for (name, args, verdict) in cases {
        let html = dir.path().join(format!("{name}.html"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_comply"))
            .arg("check")
            .args(&args)
            .arg("-o")
            .arg(&html)
            .output()
            .expect("comply runs");
        assert!(
            html.is_file(),
            "{name}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let dom = dump(&bin, &html, "");
        let doc = Html::parse_document(&dom);
        let sel = Selector::parse("#verdict").expect("selector");
        let shown: String = doc
            .select(&sel)
            .next()
            .map(|v| v.text().collect())
            .unwrap_or_default();
        assert!(shown.trim().starts_with(verdict), "{name}: {shown}");
        let listed = Selector::parse("#input-errors li").expect("selector");
        let errors = doc.select(&listed).count();
        assert_eq!(errors, usize::from(verdict == "INCOMPLETE"), "{name}");
        if verdict == "INCOMPLETE" {
            let item: String = doc.select(&listed).flat_map(|l| l.text()).collect();
            assert!(
                item.contains("complaints.json") && item.contains("Not checked"),
                "{item}"
            );
        }
    }
}
