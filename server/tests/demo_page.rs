//! The day's page of `doorstep demo` in a real browser: headless Chromium (Debian's `chromium`,
//! driven over WebDriver by `chromedriver`) opens `index.html`, every picture on it loads, and
//! it shows one visit per form sealed on the server. A screenshot of the whole page is kept at
//! `target/demo-artifacts/index.png`. Chromium and chromedriver are installed by
//! `scripts/test`; without them the test fails (it is never skipped).

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use doorstep_core::forms::form::Form;
use doorstep_core::sync::protocol::Entity;
use doorstep_server::serve::StorageOptions;
use doorstep_server::storage;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// The tallest screenshot taken: Chromium draws a window up to about this height.
const MAX_SHOT_HEIGHT: u64 = 16_000;

#[test]
fn the_days_page_opens_in_a_browser_with_every_picture_loaded_and_every_form_sealed_on_the_server()
{
    let chromium = installed(&["chromium", "chromium-browser"]);
    let chromedriver = installed(&["chromedriver"]);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");

    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_doorstep"))
        .args([
            "demo",
            "--no-serve",
            "--seed",
            "7",
            "--listen",
            "127.0.0.1:0",
        ])
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "doorstep demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "figure demo_page_demo_s {:.1}",
        started.elapsed().as_secs_f64()
    );
    let sealed = sealed_forms_on_the_server(&data.join("server"));

    let driver = Driver::start(&chromedriver);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let page = data.join("index.html");
    let shown = runtime.block_on(async {
        let browser = driver.browser(&chromium).await;
        let result = look_at(&browser, &page).await;
        browser.close().await.unwrap();
        result
    });

    for (src, complete, width) in &shown.images {
        assert!(
            *complete && *width > 0,
            "the picture {src} did not load (complete {complete}, naturalWidth {width})"
        );
    }
    assert_eq!(
        shown.forms, sealed,
        "the page shows one visit per form sealed on the server"
    );
    assert!(shown.has_map, "the page draws the route");
    eprintln!(
        "the page: {} visits, {} pictures, {} px tall; screenshot {}",
        shown.forms.len(),
        shown.images.len(),
        shown.height,
        shown.screenshot.display()
    );
}

/// What the browser found on the page.
struct Shown {
    /// Every `<img>`: its `src`, whether it finished loading, its natural width.
    images: Vec<(String, bool, u64)>,
    /// The form of each visit section, by id.
    forms: BTreeSet<String>,
    has_map: bool,
    height: u64,
    screenshot: PathBuf,
}

async fn look_at(browser: &Client, page: &Path) -> Shown {
    let url = format!("file://{}", page.display());
    browser.goto(&url).await.unwrap();
    let images = browser
        .execute(
            "return Array.from(document.images).map(i => \
             [i.getAttribute('src'), i.complete, i.naturalWidth]);",
            vec![],
        )
        .await
        .unwrap();
    let images = images
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i[0].as_str().unwrap_or_default().to_owned(),
                i[1].as_bool().unwrap_or(false),
                i[2].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let forms = browser
        .execute(
            "return Array.from(document.querySelectorAll('section.visit')) \
             .map(s => s.dataset.form);",
            vec![],
        )
        .await
        .unwrap();
    let forms = forms
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap_or_default().to_owned())
        .collect();
    let has_map = browser
        .execute(
            "return document.querySelector('#route svg') !== null;",
            vec![],
        )
        .await
        .unwrap()
        == Value::Bool(true);
    let height = browser
        .execute(
            "return Math.ceil(document.documentElement.scrollHeight);",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(2000);
    // The whole page in one picture: the window as tall as the page (headless Chromium draws
    // what its window holds).
    let wanted = height.clamp(800, MAX_SHOT_HEIGHT);
    browser.set_window_size(1280, wanted as u32).await.unwrap();
    // The window's frame takes some of its height: grow it by what the page still lacks.
    let inner = browser
        .execute("return window.innerHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(wanted);
    if inner < wanted {
        let frame = wanted - inner;
        browser
            .set_window_size(1280, (wanted + frame).min(MAX_SHOT_HEIGHT) as u32)
            .await
            .unwrap();
    }
    let png = browser.screenshot().await.unwrap();
    let screenshot = artifacts().join("index.png");
    std::fs::create_dir_all(screenshot.parent().unwrap()).unwrap();
    std::fs::write(&screenshot, png).unwrap();
    Shown {
        images,
        forms,
        has_map,
        height,
        screenshot,
    }
}

/// The ids of the sealed forms the demo's server holds, read from its own storage.
fn sealed_forms_on_the_server(server: &Path) -> BTreeSet<String> {
    let options = StorageOptions {
        data: server.to_owned(),
        database_url: None,
        blobs: None,
        pool: 1,
    };
    let storage = options.open_storage().unwrap();
    let records =
        storage::read(&*storage, |tx| Ok(tx.records(Entity::Form, "", 100_000)?)).unwrap();
    records
        .iter()
        .filter(|r| !r.deleted)
        .filter(|r| serde_json::from_str::<Form>(&r.body).unwrap().is_sealed())
        .map(|r| r.id.clone())
        .collect()
}

/// `target/demo-artifacts`: in CARGO_TARGET_DIR when it is set, else the workspace's target.
fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("demo-artifacts")
}

/// The first of `names` on the PATH; a failure saying how to install it otherwise.
fn installed(names: &[&str]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "{} is not installed: run scripts/test, which installs chromium, chromium-driver and \
         fonts-noto-cjk (or apt-get install -y chromium chromium-driver fonts-noto-cjk)",
        names[0]
    );
}

/// `chromedriver` on a free port of the loopback; stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(chromedriver: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let until = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < until,
                "chromedriver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A headless Chromium session.
    async fn browser(&self, chromium: &Path) -> Client {
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--window-size=1280,2000",
                ],
            }
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
