//! The texts of the console's sign in page.

pub struct SignIn {
    pub title: &'static str,
    pub login: &'static str,
    pub password: &'static str,
    pub submit: &'static str,
    /// A wrong login or a wrong password: one message for both.
    pub wrong: &'static str,
    /// The login is locked after repeated failures, until (Beijing time).
    pub locked: fn(&str) -> String,
    /// The sign-in form was not the one this browser was given (expired, or another tab's).
    pub expired: &'static str,
    /// Signed out, or the session ended.
    pub signed_out: &'static str,
}

pub const ZH: SignIn = SignIn {
    title: "登录",
    login: "登录名",
    password: "密码",
    submit: "登录",
    wrong: "登录名或密码不正确",
    locked: |until| format!("多次登录失败，此账号已锁定至 {until}（北京时间），届时再试。"),
    expired: "登录页已过期，请重新输入后登录。",
    signed_out: "已退出登录。",
};

pub const EN: SignIn = SignIn {
    title: "Sign in",
    login: "Login",
    password: "Password",
    submit: "Sign in",
    wrong: "The login or the password is not right",
    locked: |until| {
        format!(
            "Too many failed sign-ins: this login is locked until {until} (Beijing time). Try again then."
        )
    },
    expired: "The sign-in page had expired: type your login and password again.",
    signed_out: "Signed out.",
};
