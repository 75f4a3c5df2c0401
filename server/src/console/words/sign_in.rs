//! The texts of the console's sign in page.

pub struct SignIn {
    pub title: &'static str,
}

pub const ZH: SignIn = SignIn { title: "登录" };

pub const EN: SignIn = SignIn { title: "Sign in" };
