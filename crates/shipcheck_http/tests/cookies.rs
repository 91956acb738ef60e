//! A cookie jar carried between requests: a login sets a session, later calls send it, other
//! hosts never see it (issue 9.12).
#![allow(clippy::expect_used)] // helpers outside #[test] functions panic on set-up failure

mod support;

use std::time::Duration;

use shipcheck_http::{Client, CookieJar, Exchange, Request, RequestOptions};
use support::http_server_on;

async fn get(client: &Client, url: url::Url, jar: &CookieJar) -> Exchange {
    let opts = RequestOptions {
        timeout: Duration::from_secs(10),
        follow_redirects: 3,
        cookie_jar: Some(jar.clone()),
        ..RequestOptions::default()
    };
    client
        .send(&Request::get(url), &opts)
        .await
        .expect("exchange")
}

#[tokio::test]
async fn login_session_reaches_the_redirect_and_later_requests_but_not_other_hosts() {
    let app = http_server_on("127.0.0.1").await;
    let other = http_server_on("127.0.0.2").await;
    let client = Client::builder().keep_alive(2).build().expect("client");
    let jar = CookieJar::new();

    let login = get(&client, app.url("http", "/login"), &jar).await;
    let statuses: Vec<u16> = login.hops.iter().map(|h| h.response.status).collect();
    assert_eq!(
        statuses,
        [302, 200],
        "the redirect after login carries the session"
    );
    assert_eq!(
        String::from_utf8_lossy(&login.hops[1].response.body),
        "cookie: session=FAKE-sess-1"
    );

    let later = get(&client, app.url("http", "/me"), &jar).await;
    assert_eq!(later.hops[0].response.status, 200);
    // Path-scoped cookies go only below their path.
    let prefs = get(&client, app.url("http", "/prefs/echo"), &jar).await;
    assert!(
        prefs.hops[0].request.headers.contains(&(
            "cookie".to_owned(),
            "theme=dark; session=FAKE-sess-1".to_owned()
        )),
        "{:?}",
        prefs.hops[0].request.headers
    );

    let elsewhere = get(&client, other.url("http", "/me"), &jar).await;
    assert_eq!(elsewhere.hops[0].response.status, 401);
    assert!(
        !elsewhere.hops[0]
            .request
            .headers
            .iter()
            .any(|(n, _)| n == "cookie")
    );
    assert!(jar.values().contains(&"FAKE-sess-1".to_owned()));

    let _ = get(&client, app.url("http", "/logout"), &jar).await;
    let after = get(&client, app.url("http", "/me"), &jar).await;
    assert_eq!(after.hops[0].response.status, 401);
}

#[tokio::test]
async fn without_a_jar_no_cookie_is_kept() {
    let app = http_server_on("127.0.0.1").await;
    let client = Client::builder().build().expect("client");
    let opts = RequestOptions {
        follow_redirects: 3,
        ..RequestOptions::default()
    };
    let login = client
        .send(&Request::get(app.url("http", "/login")), &opts)
        .await
        .expect("exchange");
    assert_eq!(login.last().map(|h| h.response.status), Some(401));
}
