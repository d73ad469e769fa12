"""Reader accounts (`tidings.web.accounts`, `web.auth`, `store.accounts`): sign-up, log-in, log-out,
sessions and their cookies, CSRF on every form, log-in rate limiting, and the admin role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web_support import (
    PASSWORD,
    Clock,
    client,
    csrf,
    csrf_of,
    log_in,
    sign_up,
)
from tidings import settings
from tidings.store import Store
from tidings.store import schema as t


@pytest.fixture
def store(sample_copy: Store) -> Store:
    return sample_copy


@pytest.fixture
def web(store: Store) -> TestClient:
    return client(store)


def _cookie_header(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    [found] = [h for h in headers if h.startswith(f"{name}=")]
    return str(found)


# Sign-up --------------------------------------------------------------------------------------------------


def test_sign_up_starts_a_session_with_a_safe_cookie(web: TestClient, store: Store) -> None:
    response = sign_up(web, "ada")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = _cookie_header(response, "tidings_session").lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http: a Secure cookie would never come back
    page = web.get("/").text
    assert "ada" in page
    assert "Log out" in page
    # The database keeps the password as argon2id and the session only as a hash of its token.
    with store.engine.connect() as c:
        stored = c.execute(select(t.users.c.password_hash)).scalar_one()
        token_hashes = list(c.execute(select(t.sessions.c.token_hash)).scalars())
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    token = web.cookies["tidings_session"]
    assert token not in token_hashes
    assert len(token_hashes) == 1


def test_cookie_is_secure_over_https(store: Store) -> None:
    c = client(store)
    c.base_url = c.base_url.copy_with(scheme="https")  # type: ignore[assignment]
    response = sign_up(c, "ada")
    assert "secure" in _cookie_header(response, "tidings_session").lower()


@pytest.mark.parametrize(("trusted", "secure"), [(True, True), (False, False)])
def test_forwarded_proto_counts_only_when_trusted(store: Store, trusted: bool, secure: bool) -> None:
    c = client(store, trust_proxy_headers=trusted)
    response = c.get("/signup", headers={"X-Forwarded-Proto": "https"})
    assert ("secure" in _cookie_header(response, "tidings_anon").lower()) is secure


def test_first_user_is_admin_and_no_one_else(store: Store) -> None:
    first, second = client(store), client(store)
    assert sign_up(first, "root").status_code == 303
    assert sign_up(second, "reader").status_code == 303
    assert "admin" in first.get("/").text
    assert "admin" not in second.get("/").text
    with store.engine.connect() as c:
        rows = dict(c.execute(select(t.users.c.username, t.users.c.is_admin)).all())
    assert rows == {"root": True, "reader": False}


def test_user_names_are_unique_whatever_the_case(store: Store) -> None:
    assert sign_up(client(store), "Ada").status_code == 303
    response = sign_up(client(store), "ada")
    assert response.status_code == 400
    assert "That user name is taken." in response.text


@pytest.mark.parametrize(
    ("username", "password", "confirm", "message"),
    [
        ("ab", PASSWORD, PASSWORD, "Choose a user name"),
        ("a" * 33, PASSWORD, PASSWORD, "Choose a user name"),
        ("<script>", PASSWORD, PASSWORD, "Choose a user name"),
        ("", PASSWORD, PASSWORD, "Choose a user name"),
        ("bob smith", PASSWORD, PASSWORD, "Choose a user name"),
        ("x" * 100_000, PASSWORD, PASSWORD, "Choose a user name"),
        ("ada", "short", "short", "Choose a password"),
        ("ada", "p" * 1025, "p" * 1025, "Choose a password"),
        ("ada", PASSWORD, PASSWORD + "x", "The two passwords differ."),
    ],
)
def test_bad_sign_ups_are_refused_with_a_reason(
    web: TestClient, store: Store, username: str, password: str, confirm: str, message: str
) -> None:
    token = csrf(web, "/signup")
    response = web.post(
        "/signup", data={"csrf": token, "username": username, "password": password, "confirm": confirm}
    )
    assert response.status_code == 400
    assert message in response.text
    assert "<script>" not in response.text.split("<main", 1)[1]
    with store.engine.connect() as c:
        assert c.execute(select(t.users.c.id)).first() is None


def test_sign_up_can_be_closed_after_the_first_account(store: Store) -> None:
    assert sign_up(client(store, signup_open=False), "root").status_code == 303  # someone must be admin
    late = client(store, signup_open=False)
    assert late.get("/signup").status_code == 403
    token = csrf(late, "/login")
    response = late.post(
        "/signup", data={"csrf": token, "username": "late", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 403
    assert "not taking new accounts" in response.text


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("0", False), ("No", False), ("on", True)])
def test_boolean_settings_read_words(raw: str, value: bool) -> None:
    assert settings.load(environ={"TIDINGS_SIGNUP_OPEN": raw}).signup_open is value


def test_boolean_setting_rejects_other_words() -> None:
    with pytest.raises(settings.SettingsError, match="signup_open: 'maybe' is not true or false"):
        settings.load(environ={"TIDINGS_SIGNUP_OPEN": "maybe"})


# Log-in and log-out ---------------------------------------------------------------------------------------


def test_log_in_and_out(store: Store) -> None:
    sign_up(client(store), "ada")
    c = client(store)
    response = log_in(c, "ADA")  # user names match whatever their case
    assert response.status_code == 303
    assert "Log out" in c.get("/").text
    token = c.cookies["tidings_session"]
    response = c.post("/logout", data={"csrf": csrf(c, "/")})
    assert response.status_code == 303
    assert "Log in" in c.get("/").text
    # The old token no longer opens a session, even if someone kept it.
    c.cookies.set("tidings_session", token)
    assert "Log out" not in c.get("/").text


def test_wrong_password_and_unknown_user_get_the_same_answer(store: Store) -> None:
    sign_up(client(store), "ada")
    wrong = log_in(client(store), "ada", "not the password")
    unknown = log_in(client(store), "nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong user name or password." in wrong.text
    assert "Wrong user name or password." in unknown.text
    assert "tidings_session" not in wrong.headers.get("set-cookie", "")


def test_log_in_is_rate_limited_per_user_name(store: Store) -> None:
    sign_up(client(store), "ada")
    c = client(store)
    for _ in range(5):
        assert log_in(c, "ada", "guess").status_code == 400
    blocked = log_in(c, "ada")  # even the right password, until the window passes
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "900"
    assert "Too many failed attempts" in blocked.text
    assert "tidings_session" not in blocked.headers.get("set-cookie", "")


def test_rate_limit_window_passes(store: Store) -> None:
    clock = Clock()
    sign_up(client(store, clock), "ada")
    c = client(store, clock)
    for _ in range(5):
        log_in(c, "ada", "guess")
    assert log_in(c, "ada").status_code == 429
    clock.now += timedelta(minutes=16)
    assert log_in(c, "ada").status_code == 303


def test_rate_limit_per_client_across_user_names(store: Store) -> None:
    c = client(store, login_max_failures=2)
    for n in range(8):  # 2 per name, 4 × 2 per client
        assert log_in(c, f"user{n // 2}", "guess").status_code == 400
    assert log_in(c, "someone-else", "guess").status_code == 429


def test_success_clears_failures(store: Store) -> None:
    sign_up(client(store), "ada")
    c = client(store)
    for _ in range(4):
        log_in(c, "ada", "guess")
    assert log_in(c, "ada").status_code == 303
    c.post("/logout", data={"csrf": csrf(c, "/")})
    for _ in range(4):
        assert log_in(c, "ada", "guess").status_code == 400


def test_sessions_expire(store: Store) -> None:
    clock = Clock()
    c = client(store, clock, session_days=1)
    sign_up(c, "ada")
    assert "Log out" in c.get("/").text
    clock.now += timedelta(days=1, seconds=1)
    assert "Log out" not in c.get("/").text


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/articles/1", "/articles/1"),
        ("/search?q=heat", "/search?q=heat"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/a\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_log_in_returns_only_to_local_pages(store: Store, target: str, landing: str) -> None:
    sign_up(client(store), "ada")
    c = client(store)
    token = csrf(c, "/login")
    response = c.post("/login", data={"csrf": token, "username": "ada", "password": PASSWORD, "next": target})
    assert response.status_code == 303
    assert response.headers["location"] == landing


def test_pages_for_readers_send_visitors_to_log_in(web: TestClient) -> None:
    response = web.get("/saved")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fsaved"


def test_signed_in_visitor_skips_the_forms(web: TestClient) -> None:
    sign_up(web, "ada")
    assert web.get("/login").status_code == 303
    assert web.get("/signup").status_code == 303


# CSRF ----------------------------------------------------------------------------------------------------


def test_forms_without_a_valid_token_are_refused(store: Store) -> None:
    c = client(store)
    token = csrf(c, "/signup")
    form = {"username": "ada", "password": PASSWORD, "confirm": PASSWORD}
    for data in (form, {**form, "csrf": "0" * 64}, {**form, "csrf": ""}, {**form, "csrf": token + "0"}):
        response = c.post("/signup", data=data)
        assert response.status_code == 403
        assert "Form expired" in response.text
    # Another visitor's token does not work either.
    other = csrf(client(store), "/signup")
    assert c.post("/signup", data={**form, "csrf": other}).status_code == 403
    assert c.post("/signup", data={**form, "csrf": token}).status_code == 303


def test_token_from_before_sign_in_does_not_work_after(store: Store) -> None:
    c = client(store)
    before = csrf(c, "/signup")
    sign_up(c, "ada")
    assert c.post("/logout", data={"csrf": before}).status_code == 403
    assert c.post("/logout", data={"csrf": csrf(c, "/")}).status_code == 303


def test_a_form_with_no_cookie_at_all_is_refused(store: Store) -> None:
    c = client(store)
    token = csrf(c, "/signup")
    c.cookies.clear()
    response = c.post(
        "/signup", data={"csrf": token, "username": "ada", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_site_posts_are_refused_even_with_a_token(store: Store, headers: dict[str, str]) -> None:
    c = client(store)
    token = csrf(c, "/signup")
    response = c.post(
        "/signup",
        data={"csrf": token, "username": "ada", "password": PASSWORD, "confirm": PASSWORD},
        headers=headers,
    )
    assert response.status_code == 403


def test_same_origin_header_is_accepted(web: TestClient) -> None:
    token = csrf(web, "/signup")
    response = web.post(
        "/signup",
        data={"csrf": token, "username": "ada", "password": PASSWORD, "confirm": PASSWORD},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 303


def test_every_form_on_every_page_carries_the_token(store: Store) -> None:
    c = client(store)
    sign_up(c, "ada")
    for path in ("/", "/articles/5", "/saved", "/search?q=heatwave"):
        html = c.get(path).text
        forms = html.count('method="post"')
        assert forms >= 1, path
        assert html.count('name="csrf"') == forms, path
    assert csrf_of(c.get("/").text) == csrf_of(c.get("/articles/5").text)  # one token per session


# Hostile input --------------------------------------------------------------------------------------------


def test_huge_body_is_refused_before_it_is_read(web: TestClient) -> None:
    token = csrf(web, "/signup")
    response = web.post("/signup", data={"csrf": token, "username": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Too large" in response.text


def test_streamed_body_without_length_is_capped(web: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 100_000

    response = web.post(
        "/login", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xff\xfe\x00garbage=%%%", "application/x-www-form-urlencoded"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"{}", "application/json"),
        (b"", "application/x-www-form-urlencoded"),
        ("&".join(f"f{n}=1" for n in range(5000)).encode(), "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_forms_get_a_clear_refusal(web: TestClient, content: bytes, content_type: str) -> None:
    response = web.post("/login", content=content, headers={"Content-Type": content_type})
    assert response.status_code in (400, 403)
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text


def test_garbage_cookies_are_ignored(web: TestClient) -> None:
    for value in ("x", "a" * 5000, "../../etc", "A" * 43):
        web.cookies.set("tidings_session", value)
        web.cookies.set("tidings_anon", value)
        response = web.get("/")
        assert response.status_code == 200
        assert "Log in" in response.text
        web.cookies.clear()
