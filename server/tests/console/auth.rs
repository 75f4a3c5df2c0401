//! Staff sign-in, sessions and CSRF tokens of the console (issue 26), over real HTTP on both
//! backends: the security tests of the issue (a wrong password and the lock after repeated
//! failures, a form posted without its token, a session after sign-out and after its timeout,
//! a dispatcher refused on an administrator's page) and the staff accounts, on the console and
//! with `doorstep admin staff`.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::console::{self, Clock, Console, Page};
use crate::common::office::Office;
use crate::common::{self, Backend, TestServer};
use doorstep_server::console::Role;
use doorstep_server::console::account;
use doorstep_server::console::session::Settings;
use doorstep_server::storage::{self, Actor, AuditRow};

/// The newest audit lines (newest first).
fn audit(server: &TestServer) -> Vec<AuditRow> {
    storage::read(&*server.storage, |tx| Ok(tx.audit_log(1000)?)).unwrap()
}

fn audited(server: &TestServer, action: &str) -> Vec<AuditRow> {
    audit(server)
        .into_iter()
        .filter(|a| a.action == action)
        .collect()
}

fn staff_count(server: &TestServer) -> usize {
    storage::read(&*server.storage, |tx| Ok(tx.staff_members()?))
        .unwrap()
        .len()
}

/// A server on a clock the test moves, with these sign-in settings.
fn server_with(backend: Backend, settings: Settings) -> (TestServer, Clock) {
    let clock = Clock::default();
    let wall = clock.wall();
    let server = TestServer::start_with(backend, move |state| {
        state.wall = wall;
        state.console = settings;
    });
    (server, clock)
}

/// Limits without waits, so that a test of the lock does not sleep.
fn lock_after_three() -> Settings {
    Settings {
        slow_after: 100,
        lock_after: 3,
        lock_for: Duration::from_secs(10 * 60),
        ..Settings::default()
    }
}

fn refused_sign_in(page: &Page) -> bool {
    page.status != 303
        && page
            .set_cookies
            .iter()
            .all(|c| !c.starts_with("doorstep_session="))
}

on_both_backends! {
    fn an_administrator_signs_in_to_the_page_asked_for_and_after_signing_out_the_old_cookie_is_refused(backend: Backend) {
        let server = TestServer::start(backend);
        let password = console::staff(&server, "wangli", Role::Administrator, &[]);

        // Asked for the staff page without a session: the sign-in page, coming back to it.
        let mut c = Console::new(&server);
        let asked = c.get("/console/staff");
        assert!(asked.to_sign_in(), "{asked:?}");
        assert_eq!(asked.location.as_deref(), Some("/console/sign-in?next=/console/staff"));

        let signed = c.try_sign_in("WangLi ", &password, Some("/console/staff"));
        assert_eq!(signed.status, 303, "{}", signed.body);
        assert_eq!(signed.location.as_deref(), Some("/console/staff"));
        let page = c.follow(&signed).ok();
        assert!(page.shows("员工账号") && page.shows("wangli"), "{}", page.body);
        assert_eq!(audited(&server, "staff_signed_in")[0].actor, Actor::Staff("wangli".into()));

        // Signing out deletes the session: the old cookie, sent again, is refused.
        let cookie = c.cookie().unwrap();
        let out = c.sign_out();
        assert!(out.to_sign_in(), "{out:?}");
        assert!(c.cookie().is_none(), "the browser is told to forget it");
        c.set_cookie("doorstep_session", Some(&cookie));
        let again = c.get("/console/staff");
        assert!(again.to_sign_in(), "{again:?}");
        assert_eq!(audited(&server, "staff_signed_out").len(), 1);
    }
}

on_both_backends! {
    fn a_wrong_password_and_an_unknown_login_get_one_message_and_no_session(backend: Backend) {
        let server = TestServer::start(backend);
        console::staff(&server, "wangli", Role::Administrator, &[]);
        let mut c = Console::new(&server);

        let wrong = c.try_sign_in("wangli", "not-the-password", None);
        let unknown = c.try_sign_in("nobody", "not-the-password", None);
        for page in [&wrong, &unknown] {
            assert_eq!(page.status, 401);
            assert!(page.shows("登录名或密码不正确"), "{}", page.body);
            assert!(refused_sign_in(page));
        }
        // The login typed is kept in the form; the password is not.
        assert!(wrong.shows("value=\"wangli\""));
        assert!(!wrong.shows("not-the-password"));
        assert!(c.cookie().is_none());
        assert!(c.get("/console/board").to_sign_in());

        // In English, the same one message.
        c.set_cookie("doorstep_lang", Some("en"));
        let wrong = c.try_sign_in("wangli", "not-the-password", None);
        assert!(wrong.shows("The login or the password is not right"), "{}", wrong.body);
    }
}

on_both_backends! {
    fn repeated_failures_lock_the_login_even_for_the_right_password_until_lock_for_passes_on_the_servers_clock(backend: Backend) {
        let (server, clock) = server_with(backend, lock_after_three());
        let password = console::staff(&server, "wangli", Role::Dispatcher, &[district(&server)]);
        let mut c = Console::new(&server);
        for _ in 0..2 {
            assert_eq!(c.try_sign_in("wangli", "wrong password", None).status, 401);
        }
        let third = c.try_sign_in("wangli", "wrong password", None);
        assert_eq!(third.status, 429);
        assert!(third.shows("已锁定至"), "{}", third.body);

        // The right password, while locked: refused, with the lock's message.
        let locked = c.try_sign_in("wangli", &password, None);
        assert_eq!(locked.status, 429);
        assert!(refused_sign_in(&locked));
        assert!(locked.shows("已锁定至"), "{}", locked.body);

        // A login no one has is locked the same way: a lock says nothing of who exists.
        for _ in 0..3 {
            c.try_sign_in("nobody", "wrong password", None);
        }
        let nobody = c.try_sign_in("nobody", "wrong password", None);
        assert_eq!(nobody.status, 429);
        assert!(nobody.shows("已锁定至"));

        // Still locked a minute before the end; accepted once lock_for has passed.
        clock.advance(Duration::from_secs(9 * 60));
        assert_eq!(c.try_sign_in("wangli", &password, None).status, 429);
        clock.advance(Duration::from_secs(61));
        let signed = c.try_sign_in("wangli", &password, None);
        assert_eq!(signed.status, 303, "{}", signed.body);

        // A success resets the count: two failures do not lock it again.
        let mut other = Console::new(&server);
        for _ in 0..2 {
            assert_eq!(other.try_sign_in("wangli", "wrong password", None).status, 401);
        }
        assert_eq!(other.try_sign_in("wangli", &password, None).status, 303);
    }
}

/// A district on the server, for a dispatcher.
fn district(server: &TestServer) -> doorstep_core::ids::DistrictId {
    common::team(server, "西湖片区", "T001").district.id
}

on_both_backends! {
    fn after_slow_after_failures_each_attempt_waits_before_it_is_answered(backend: Backend) {
        let settings = Settings {
            slow_after: 1,
            lock_after: 100,
            first_delay: Duration::from_millis(400),
            max_delay: Duration::from_millis(800),
            ..Settings::default()
        };
        let (server, _clock) = server_with(backend, settings.clone());
        let password = console::staff(&server, "wangli", Role::Administrator, &[]);
        let mut c = Console::new(&server);
        assert_eq!(c.try_sign_in("wangli", "wrong password", None).status, 401);
        // The next attempt waits first_delay, even with the right password.
        let started = Instant::now();
        assert_eq!(c.try_sign_in("wangli", &password, None).status, 303);
        assert!(
            started.elapsed() >= Duration::from_millis(400),
            "waited {:?}",
            started.elapsed()
        );
        // How long, as the server decides it.
        use doorstep_server::console::session::delay;
        assert_eq!(delay(&settings, 0), Duration::ZERO);
        assert_eq!(delay(&settings, 1), Duration::from_millis(400));
        assert_eq!(delay(&settings, 2), Duration::from_millis(800));
        assert_eq!(delay(&settings, 9), Duration::from_millis(800));
    }
}

on_both_backends! {
    fn a_form_posted_without_its_token_or_with_another_sessions_or_from_another_site_is_refused_and_nothing_is_written(backend: Backend) {
        let server = TestServer::start(backend);
        let mut admin = console::admin(&server, "wangli");
        let other = console::admin(&server, "lihua");
        let before = (staff_count(&server), audited(&server, "staff_created").len());
        let form = [("login", "zhaomin"), ("name", "赵敏"), ("role", "supervisor")];

        let without = admin.post_without_csrf("/console/staff", &form);
        assert_eq!(without.status, 403, "{}", without.body);
        assert!(without.shows("表单已过期"), "{}", without.body);
        let others = other.csrf();
        let with_others = admin.post_with_csrf("/console/staff", &form, &others);
        assert_eq!(with_others.status, 403);
        let token = admin.csrf();
        let mut fields = form.to_vec();
        fields.push(("csrf", token.as_str()));
        let cross_site = admin.post_raw(
            "/console/staff",
            &fields,
            Some(&[("origin", "https://evil.example")]),
        );
        assert_eq!(cross_site.status, 403);
        // Signing out is a form too.
        assert_eq!(admin.post_without_csrf("/console/sign-out", &[]).status, 403);
        assert_eq!(
            (staff_count(&server), audited(&server, "staff_created").len()),
            before,
            "nothing written"
        );
        assert!(admin.get("/console/staff").status == 200, "still signed in");

        // The token in its header, from this server's own page: done.
        let by_header = admin.post_raw(
            "/console/staff",
            &form,
            Some(&[("x-csrf-token", token.as_str()), ("origin", server.url.as_str())]),
        );
        assert_eq!(by_header.status, 200, "{}", by_header.body);
        assert_eq!(staff_count(&server), before.0 + 1);
    }
}

on_both_backends! {
    fn a_session_unused_for_the_idle_timeout_ends_and_a_used_one_lives_on(backend: Backend) {
        let settings = Settings {
            idle_timeout: Duration::from_secs(10 * 60),
            ..Settings::default()
        };
        let (server, clock) = server_with(backend, settings);
        let mut c = console::admin(&server, "wangli");

        // Used every 9 minutes for half an hour: still signed in.
        for _ in 0..4 {
            clock.advance(Duration::from_secs(9 * 60));
            assert_eq!(c.get("/console/staff").status, 200);
        }
        // Then 11 minutes without use: over, back to the sign-in page with the page asked for.
        clock.advance(Duration::from_secs(11 * 60));
        let token = c.csrf();
        let over = c.get("/console/staff");
        assert!(over.to_sign_in(), "{over:?}");
        assert_eq!(over.location.as_deref(), Some("/console/sign-in?next=/console/staff"));
        assert!(c.csrf().is_empty(), "the session's row is deleted");
        assert!(!token.is_empty());
        // A form posted on the ended session is not taken either.
        let posted = c.post_with_csrf("/console/staff", &[("login", "x1"), ("role", "supervisor")], &token);
        assert!(posted.to_sign_in(), "{posted:?}");
    }
}

on_both_backends! {
    fn a_deactivated_member_loses_their_session_and_cannot_sign_in_again(backend: Backend) {
        let server = TestServer::start(backend);
        let mut admin = console::admin(&server, "wangli");
        let password = console::staff(&server, "lihua", Role::Supervisor, &[]);
        let mut lihua = Console::sign_in(&server, "lihua", &password);
        assert_eq!(lihua.get("/console/staff").status, 403, "a supervisor is not an administrator");

        let id = storage::read(&*server.storage, |tx| Ok(tx.staff_by_login("lihua")?))
            .unwrap()
            .unwrap()
            .id;
        let done = admin.post(&format!("/console/staff/{id}/deactivate"), &[]);
        assert_eq!(done.status, 303, "{}", done.body);
        let shown = admin.follow(&done).ok();
        assert!(shown.shows("已停用 lihua"), "{}", shown.body);
        assert!(shown.shows("已停用"));

        assert!(lihua.get("/console/board").to_sign_in());
        let again = Console::new(&server).try_sign_in("lihua", &password, None);
        assert_eq!(again.status, 401);
        assert!(again.shows("登录名或密码不正确"));
        let line = &audited(&server, "staff_deactivated")[0];
        assert_eq!(line.actor, Actor::Staff("wangli".into()));
        assert_eq!(line.entity_id.as_deref(), Some(id.as_str()));

        // An administrator cannot deactivate themselves.
        let own = storage::read(&*server.storage, |tx| Ok(tx.staff_by_login("wangli")?))
            .unwrap()
            .unwrap()
            .id;
        assert_eq!(admin.post(&format!("/console/staff/{own}/deactivate"), &[]).status, 422);
    }
}

on_both_backends! {
    fn a_dispatcher_is_refused_the_staff_page_and_its_forms_and_nothing_is_written(backend: Backend) {
        let server = TestServer::start(backend);
        let d = district(&server);
        let password = console::staff(&server, "zhaomin", Role::Dispatcher, &[d]);
        let admin_password = console::staff(&server, "wangli", Role::Administrator, &[]);
        let admin_id = storage::read(&*server.storage, |tx| Ok(tx.staff_by_login("wangli")?))
            .unwrap()
            .unwrap()
            .id;
        let mut c = Console::sign_in(&server, "zhaomin", &password);
        let page = c.get("/console/staff");
        assert_eq!(page.status, 403);
        assert!(page.shows("此账号无权查看或办理此项"), "{}", page.body);
        let before = audit(&server).len();
        for path in [
            "/console/staff".to_owned(),
            format!("/console/staff/{admin_id}/deactivate"),
            format!("/console/staff/{admin_id}/password"),
        ] {
            let refused = c.post(&path, &[("login", "x2"), ("name", "x"), ("role", "administrator")]);
            assert_eq!(refused.status, 403, "{path}: {}", refused.body);
        }
        assert_eq!(audit(&server).len(), before, "nothing written");
        assert_eq!(staff_count(&server), 2);
        // The administrator's password is untouched.
        Console::sign_in(&server, "wangli", &admin_password);
        // The dispatcher's menu has no staff entry.
        let board = c.get("/console/board");
        assert!(!board.shows("href=\"/console/staff\""), "{}", board.body);
    }
}

on_both_backends! {
    fn next_goes_only_to_a_page_of_the_console_and_the_cookies_are_httponly_strict_and_secure(backend: Backend) {
        let server = TestServer::start(backend);
        let password = console::staff(&server, "wangli", Role::Administrator, &[]);
        for evil in [
            "https://evil.example/console",
            "//evil.example/console",
            "/console//evil.example",
            "/v1/pull",
        ] {
            let mut c = Console::new(&server);
            let signed = c.try_sign_in("wangli", &password, Some(evil));
            assert_eq!(signed.status, 303);
            assert_eq!(signed.location.as_deref(), Some("/console"), "{evil}");
        }
        let mut c = Console::new(&server);
        let form = c.get("/console/sign-in");
        let signed = c.try_sign_in("wangli", &password, None);
        for cookie in form.set_cookies.iter().chain(&signed.set_cookies) {
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console", "Secure"] {
                assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
            }
        }
        let session = signed
            .set_cookies
            .iter()
            .find(|c| c.starts_with("doorstep_session="))
            .expect("a session cookie");
        // The token in the cookie is not what the database keeps.
        let token = session.split(';').next().unwrap().trim_start_matches("doorstep_session=");
        assert_eq!(token.len(), 64);
        let stored = storage::read(&*server.storage, |tx| Ok(tx.staff_session(token)?)).unwrap();
        assert!(stored.is_none(), "the session is kept under the token's hash only");
    }
}

on_both_backends! {
    fn the_sign_in_form_needs_the_token_its_page_gave_this_browser(backend: Backend) {
        let server = TestServer::start(backend);
        let password = console::staff(&server, "wangli", Role::Administrator, &[]);
        let mut c = Console::new(&server);
        // Posted from elsewhere, without the page's cookie: refused, no session.
        let forged = c.post_without_csrf(
            "/console/sign-in",
            &[("login", "wangli"), ("password", &password), ("csrf", "00")],
        );
        assert_eq!(forged.status, 403);
        assert!(forged.shows("登录页已过期"), "{}", forged.body);
        assert!(refused_sign_in(&forged));
        // From another site, even with the token: refused.
        let page = c.get("/console/sign-in");
        let token = console::hidden(&page.body, "csrf").unwrap();
        let cross = c.post_raw(
            "/console/sign-in",
            &[("login", "wangli"), ("password", &password), ("csrf", &token)],
            Some(&[("origin", "http://evil.example")]),
        );
        assert_eq!(cross.status, 403);
        assert!(c.cookie().is_none());
    }
}

on_both_backends! {
    fn the_language_switch_works_before_and_after_signing_in_and_is_remembered(backend: Backend) {
        let server = TestServer::start(backend);
        let password = console::staff(&server, "wangli", Role::Administrator, &[]);
        let mut c = Console::new(&server);
        assert!(c.get("/console/sign-in").shows("登录名"));
        let switched = c.post_without_csrf(
            "/console/lang",
            &[("lang", "en"), ("back", "/console/sign-in?next=/console/staff")],
        );
        assert_eq!(switched.status, 303);
        assert_eq!(switched.location.as_deref(), Some("/console/sign-in?next=/console/staff"));
        let cookie = switched.set_cookies.join("\n");
        assert!(cookie.contains("doorstep_lang=en") && cookie.contains("Max-Age=31536000"), "{cookie}");
        let page = c.follow(&switched);
        assert!(page.shows("Password") && page.shows("lang=\"en\""), "{}", page.body);

        let signed = c.try_sign_in("wangli", &password, Some("/console/staff"));
        let staff = c.follow(&signed).ok();
        assert!(staff.shows("Staff accounts"), "{}", staff.body);
        // Back to Chinese, signed in: the switch carries the session's token.
        assert_eq!(
            c.post_without_csrf("/console/lang", &[("lang", "zh-CN"), ("back", "/console/staff")]).status,
            403
        );
        let back = c.post("/console/lang", &[("lang", "zh-CN"), ("back", "https://evil.example/")]);
        assert_eq!(back.location.as_deref(), Some("/console"));
        assert!(c.get("/console/staff").shows("员工账号"));
    }
}

on_both_backends! {
    fn an_administrator_adds_a_dispatcher_whose_password_is_shown_once_and_resets_it_which_ends_their_sessions(backend: Backend) {
        let server = TestServer::start(backend);
        let d = district(&server);
        let mut admin = console::admin(&server, "wangli");
        let list = admin.get("/console/staff").ok();
        assert!(list.shows("西湖片区"), "the districts to choose from: {}", list.body);

        // A refused value: the form again, the value kept, the reason beside the field.
        let refused = admin.post(
            "/console/staff",
            &[("login", "zhao min"), ("name", "赵敏"), ("role", "dispatcher"), ("district", &d.to_string())],
        );
        assert_eq!(refused.status, 422);
        assert!(refused.shows("value=\"zhao min\"") && refused.shows("登录名为 2 到 64"), "{}", refused.body);
        let no_district = admin.post(
            "/console/staff",
            &[("login", "zhaomin"), ("name", "赵敏"), ("role", "dispatcher")],
        );
        assert_eq!(no_district.status, 422);
        assert!(no_district.shows("调度员至少负责一个片区"));
        assert_eq!(staff_count(&server), 1);

        let name = "<script>alert(1)</script>赵敏";
        let created = admin.post(
            "/console/staff",
            &[("login", "zhaomin"), ("name", name), ("role", "dispatcher"), ("district", &d.to_string())],
        );
        assert_eq!(created.status, 200, "{}", created.body);
        assert!(created.shows("只显示这一次"));
        let password = password_on(&created);
        assert_eq!(password.len(), 16);
        let line = &audited(&server, "staff_created")[0];
        assert_eq!(line.actor, Actor::Staff("wangli".into()), "the audit log names who did it");

        // The list: the name escaped, the district by its name.
        let list = admin.get("/console/staff").ok();
        assert!(!list.shows(name) && list.shows("&lt;script&gt;"), "{}", list.body);
        assert!(!list.shows(&password), "the password is not shown again");

        let mut zhao = Console::sign_in(&server, "zhaomin", &password);
        assert_eq!(zhao.get("/console/board").status, 200);

        // A new password: the old one and the session end.
        let id = storage::read(&*server.storage, |tx| Ok(tx.staff_by_login("zhaomin")?))
            .unwrap()
            .unwrap()
            .id;
        let reset = admin.post(&format!("/console/staff/{id}/password"), &[]);
        assert_eq!(reset.status, 200, "{}", reset.body);
        let new_password = password_on(&reset);
        assert_ne!(new_password, password);
        assert!(zhao.get("/console/board").to_sign_in());
        assert_eq!(Console::new(&server).try_sign_in("zhaomin", &password, None).status, 401);
        Console::sign_in(&server, "zhaomin", &new_password);
        assert_eq!(audited(&server, "staff_password_set")[0].actor, Actor::Staff("wangli".into()));
    }
}

/// The password a result page shows once.
fn password_on(page: &Page) -> String {
    let at = page.body.find("<code").expect("the password on the page");
    let start = at + page.body[at..].find('>').unwrap() + 1;
    let end = start + page.body[start..].find('<').unwrap();
    page.body[start..end].to_owned()
}

on_both_backends! {
    fn the_admin_tool_adds_lists_deactivates_and_resets_staff_and_a_chosen_password_is_read_from_stdin(backend: Backend) {
        let office = Office::on(backend);
        let added = office.ok(&["staff", "add", "--login", "wangli", "--name", "王丽", "--role", "administrator"]);
        assert!(added.contains("staff member wangli added"), "{added}");
        let password = added
            .lines()
            .find_map(|l| l.split("(shown only now): ").nth(1))
            .expect(&added)
            .to_owned();
        assert_eq!(password.len(), 16);
        let storage = office.storage();
        let row = storage::read(&*storage, |tx| Ok(tx.staff_by_login("wangli")?)).unwrap().unwrap();
        assert!(account::verify_password(&row.password_hash, &password));

        // A chosen password, on standard input; too short is refused.
        let chosen = stdin_add(&office, "lihua", "short\n");
        assert!(!chosen.0, "a short password is refused");
        assert!(chosen.1.contains("12"), "{}", chosen.1);
        let chosen = stdin_add(&office, "lihua", "a long enough password\n");
        assert!(chosen.0, "{}", chosen.1);
        let row = storage::read(&*storage, |tx| Ok(tx.staff_by_login("lihua")?)).unwrap().unwrap();
        assert!(account::verify_password(&row.password_hash, "a long enough password"));

        assert!(office.refused(&["staff", "add", "--login", "wangli", "--name", "x", "--role", "supervisor"]).contains("已被使用"));
        assert!(office.refused(&["staff", "add", "--login", "zhao", "--name", "x", "--role", "dispatcher"]).contains("至少负责一个片区"));

        let list = office.ok(&["staff", "list"]);
        assert_eq!(list, "lihua\tsupervisor\tactive\t-\t李华\nwangli\tadministrator\tactive\t-\t王丽");
        assert!(office.ok(&["staff", "deactivate", "lihua"]).contains("deactivated"));
        assert!(office.ok(&["staff", "list"]).contains("lihua\tsupervisor\tinactive"));
        let reset = office.ok(&["staff", "password", "wangli"]);
        let new_password = reset.lines().find_map(|l| l.split("(shown only now): ").nth(1)).expect(&reset);
        let row = storage::read(&*storage, |tx| Ok(tx.staff_by_login("wangli")?)).unwrap().unwrap();
        assert!(account::verify_password(&row.password_hash, new_password));
        assert!(!account::verify_password(&row.password_hash, &password));
        assert!(office.refused(&["staff", "deactivate", "nobody"]).contains("找不到该员工"));

        let log = storage::read(&*storage, |tx| Ok(tx.audit_log(100)?)).unwrap();
        let actions: Vec<&str> = log.iter().rev().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            ["staff_created", "staff_created", "staff_deactivated", "staff_password_set"]
        );
        assert!(log.iter().all(|a| a.actor == Actor::Admin(Some("wangli".into()))));
    }
}

/// `doorstep admin staff add --password-stdin` for a supervisor: whether it succeeded, and
/// what it said.
fn stdin_add(office: &Office, login: &str, typed: &str) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_doorstep"));
    command
        .args([
            "admin",
            "staff",
            "add",
            "--login",
            login,
            "--name",
            "李华",
            "--role",
            "supervisor",
            "--password-stdin",
            "--data",
        ])
        .arg(office.data())
        .env_remove("DOORSTEP_DATABASE_URL")
        .env_remove("DOORSTEP_OPERATOR")
        .env("USER", "wangli")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(db) = &office.postgres {
        command.arg("--database-url").arg(&db.url);
    }
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
