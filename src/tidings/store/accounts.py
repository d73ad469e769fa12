"""Readers' accounts: users, their sessions, failed log-ins (for rate limiting) and the app's own keys.

Only storage lives here; password hashing, cookies and the rate-limit policy belong to `tidings.web.auth`.
Session tokens are never stored, only their SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from tidings.store import schema as t
from tidings.store.db import Store


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    is_admin: bool


def create_user(store: Store, username: str, key: str, password_hash: str, now: datetime) -> User | None:
    """A new user, or None when the name is taken. The first user ever made is the admin."""
    u = t.users
    first = ~exists(select(u.c.id))
    try:
        with store.engine.begin() as c:
            # One statement, so two sign-ups at once cannot both find the table empty.
            c.execute(
                insert(u).from_select(
                    ["username", "username_key", "password_hash", "is_admin", "created_at"],
                    select(
                        literal(username),
                        literal(key),
                        literal(password_hash),
                        first,
                        literal(now, t.UTCDateTime()),
                    ),
                )
            )
            row = c.execute(select(u.c.id, u.c.username, u.c.is_admin).where(u.c.username_key == key)).one()
    except IntegrityError:
        return None
    return User(id=row.id, username=row.username, is_admin=bool(row.is_admin))


def login_record(store: Store, key: str) -> tuple[User, str] | None:
    """The user with this (case-folded) name and their password hash."""
    u = t.users
    with store.engine.connect() as c:
        row = c.execute(
            select(u.c.id, u.c.username, u.c.is_admin, u.c.password_hash).where(u.c.username_key == key)
        ).first()
    if row is None:
        return None
    return User(id=row.id, username=row.username, is_admin=bool(row.is_admin)), row.password_hash


def set_password_hash(store: Store, user_id: int, password_hash: str) -> None:
    with store.engine.begin() as c:
        c.execute(update(t.users).where(t.users.c.id == user_id).values(password_hash=password_hash))


def user_count(store: Store) -> int:
    with store.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(t.users)).scalar_one())


# sessions -----------------------------------------------------------------------------
def create_session(store: Store, user_id: int, token_hash: str, now: datetime, expires_at: datetime) -> None:
    s = t.sessions
    with store.engine.begin() as c:
        c.execute(delete(s).where(s.c.expires_at <= now))  # expired sessions go when new ones come
        c.execute(
            insert(s).values(token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at)
        )


def session_user(store: Store, token_hash: str, now: datetime) -> User | None:
    s, u = t.sessions, t.users
    with store.engine.connect() as c:
        row = c.execute(
            select(u.c.id, u.c.username, u.c.is_admin)
            .join(s, s.c.user_id == u.c.id)
            .where(s.c.token_hash == token_hash, s.c.expires_at > now)
        ).first()
    return None if row is None else User(id=row.id, username=row.username, is_admin=bool(row.is_admin))


def delete_session(store: Store, token_hash: str) -> None:
    with store.engine.begin() as c:
        c.execute(delete(t.sessions).where(t.sessions.c.token_hash == token_hash))


# failed log-ins -----------------------------------------------------------------------------
def record_login_failure(store: Store, key: str, client: str, now: datetime) -> None:
    with store.engine.begin() as c:
        c.execute(insert(t.login_failures).values(username_key=key[:40], client=client[:64], at=now))


def login_failures(store: Store, key: str, client: str, since: datetime) -> tuple[int, int]:
    """Failed log-ins since `since`: (for this user name, from this client)."""
    f = t.login_failures
    with store.engine.begin() as c:
        c.execute(delete(f).where(f.c.at < since))  # old failures no longer count: forget them
        by_name = c.execute(
            select(func.count()).where(f.c.username_key == key[:40], f.c.at >= since)
        ).scalar_one()
        by_client = c.execute(
            select(func.count()).where(f.c.client == client[:64], f.c.at >= since)
        ).scalar_one()
    return int(by_name), int(by_client)


def clear_login_failures(store: Store, key: str) -> None:
    with store.engine.begin() as c:
        c.execute(delete(t.login_failures).where(t.login_failures.c.username_key == key[:40]))


# keys -----------------------------------------------------------------------------
def app_key(store: Store, name: str) -> str:
    """A random key the app keeps in its database (made on first use), e.g. to sign CSRF tokens."""
    k = t.reader_keys
    with store.engine.begin() as c:
        found = c.execute(select(k.c.value).where(k.c.name == name)).scalar_one_or_none()
        if found is not None:
            return str(found)
    try:
        with store.engine.begin() as c:
            c.execute(insert(k).values(name=name, value=secrets.token_hex(32)))
    except IntegrityError:  # another process made it first: theirs is the key
        pass
    with store.engine.connect() as c:
        return str(c.execute(select(k.c.value).where(k.c.name == name)).scalar_one())
