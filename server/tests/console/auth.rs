//! Staff sign-in, sessions and CSRF tokens of the console (issue 26), over real HTTP on both
//! backends.

use crate::common::console::{self, Console};
use crate::common::{self, Backend, TestServer};
use doorstep_server::console::Role;

on_both_backends! {
    fn an_administrator_signs_in_sees_the_staff_page_and_signs_out(backend: Backend) {
        let server = TestServer::start(backend);
        let password = console::staff(&server, "wangli", Role::Administrator, &[]);
        let mut c = Console::new(&server);
        let signed = c.try_sign_in("wangli", &password, Some("/console/staff"));
        assert_eq!(signed.status, 303, "{}", signed.body);
        assert_eq!(signed.location.as_deref(), Some("/console/staff"));
        let page = c.follow(&signed).ok();
        assert!(page.shows("员工账号"), "{}", page.body);

        let out = c.sign_out();
        assert!(out.to_sign_in(), "{out:?}");
        assert!(c.get("/console/staff").to_sign_in());
    }
}
