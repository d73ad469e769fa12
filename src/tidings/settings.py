"""Every setting Tidings has, declared once: name, type, default, help, and whether it is secret.

Values come from, in rising order of precedence: the defaults below, a TOML config file, environment
variables (`TIDINGS_<NAME>` upper-cased), and command-line flags. `Settings` is built once by the CLI and
passed into constructors; nothing reads settings from a global.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "tidings"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    secret: bool = False

    @property
    def env_var(self) -> str:
        return f"TIDINGS_{self.name.upper()}"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


SETTINGS: tuple[Setting, ...] = (
    Setting("db", str, "", "Database URL (SQLAlchemy form). Empty: SQLite in the user's data folder."),
    Setting(
        "data_dir",
        str,
        "",
        "Folder for the embedded database and other state. Empty: the platform's "
        "user data folder (e.g. ~/.local/share/tidings).",
    ),
    Setting("config", str, "", "Path of a TOML config file with any of these settings as keys."),
    Setting("host", str, "127.0.0.1", "Address `tidings serve` listens on."),
    Setting("port", int, 8000, "Port `tidings serve` listens on."),
    Setting("max_document_bytes", int, 20_000_000, "Largest document `tidings ingest` accepts, in bytes."),
    Setting("fold_shingle_words", int, 5, "Words per shingle when fingerprinting article text."),
    Setting(
        "fold_anchor_rate",
        int,
        64,
        "After an article's opening (always indexed), one shingle in this many is an index key.",
    ),
    Setting(
        "fold_min_containment",
        float,
        0.45,
        "Share of the smaller text's shingles that must occur in the other for two copies to be one "
        "article (when they also start alike; see the README's fold section).",
    ),
    Setting(
        "ingest_batch",
        int,
        500,
        "Records `tidings ingest --format jsonl` stores per transaction (a record that fails is retried "
        "alone, so nothing else is lost).",
    ),
    Setting("story_window_days", int, 21, "How far back (days) a new article looks for a story to join."),
    Setting(
        "story_min_similarity",
        float,
        0.18,
        "Average similarity to a story's articles an article needs to join it (calibrated on ECB+).",
    ),
    Setting(
        "story_merge_similarity",
        float,
        0.18,
        "Average similarity between two stories' articles for the stories to merge (calibrated on ECB+).",
    ),
    # Enrich (issue 8) -------------------------------------------------------------------------------------
    Setting(
        "enrich_spacy_model",
        str,
        "",
        "Installed spaCy model that finds names and sentences (e.g. en_core_web_sm). Empty: the rule-based "
        "pipeline, which needs no download.",
    ),
    Setting("enrich_max_chars", int, 30_000, "Characters of an article's body that enrich reads at most."),
    # Fetching feeds and pages (issue 5) ------------------------------------------------------------------
    Setting(
        "fetch_allow_hosts",
        str,
        "",
        "Private destinations Tidings may fetch from anyway: host names, host:port pairs and networks, "
        "comma-separated (e.g. `feeds.lan, 127.0.0.1:8080, 10.1.0.0/16`). Empty: public addresses only.",
    ),
    Setting("fetch_user_agent", str, "", "User-Agent sent with every request. Empty: Tidings' own."),
    Setting("fetch_connect_timeout", float, 10.0, "Seconds to wait for a connection."),
    Setting("fetch_read_timeout", float, 20.0, "Seconds to wait for data once connected."),
    Setting("fetch_total_timeout", float, 60.0, "Seconds one fetch may take in all, redirects included."),
    Setting("fetch_max_bytes", int, 10_000_000, "Largest response body accepted, in bytes as sent."),
    Setting("fetch_max_redirects", int, 5, "Redirects followed per fetch."),
    Setting("fetch_concurrency", int, 16, "Feeds fetched at once during a refresh."),
    Setting("fetch_host_concurrency", int, 2, "Requests at once to any one host."),
    Setting("fetch_host_delay", float, 1.0, "Seconds between the starts of two requests to one host."),
    Setting("feed_max_entries", int, 200, "Entries read from one feed per fetch (the newest)."),
    Setting("refresh_min_interval", int, 900, "Shortest time between two fetches of a feed, in seconds."),
    Setting("refresh_max_interval", int, 86400, "Longest time between two fetches of a feed, in seconds."),
    Setting(
        "refresh_every",
        int,
        60,
        "Seconds between the background refresher's looks for due feeds in `tidings serve` (0: off).",
    ),
    Setting(
        "secret_key",
        str,
        "",
        "Key that signs the reader's CSRF tokens. Empty: a random key made once and kept in the database.",
        secret=True,
    ),
    Setting("signup_open", bool, True, "Whether anyone may create an account (the first one is the admin)."),
    Setting("session_days", int, 30, "Days a reader stays signed in."),
    Setting(
        "login_max_failures",
        int,
        5,
        "Failed log-ins allowed per user name in 15 minutes (four times as many per client address).",
    ),
    Setting(
        "trust_proxy_headers",
        bool,
        False,
        "Trust X-Forwarded-Proto/-Host/-For from a reverse proxy in front of `tidings serve`.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class SettingsError(ValueError):
    pass


def _coerce(setting: Setting, raw: Any) -> Any:
    if setting.type is bool:
        return _boolean(setting, raw)
    if isinstance(raw, setting.type) and not isinstance(raw, bool):
        return raw
    try:
        return setting.type(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(
            f"setting {setting.name}: {raw!r} is not a valid {setting.type.__name__}"
        ) from exc


def _boolean(setting: Setting, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = raw.strip().lower() if isinstance(raw, str) else None
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"setting {setting.name}: {raw!r} is not true or false")


@dataclass(frozen=True, slots=True)
class Settings:
    values: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data_path(self) -> Path:
        return Path(self.values["data_dir"]) if self.values["data_dir"] else default_data_dir()

    @property
    def db_url(self) -> str:
        if self.values["db"]:
            return str(self.values["db"])
        return f"sqlite:///{self.data_path / 'tidings.db'}"

    def replace(self, **changes: Any) -> Settings:
        merged = dict(self.values)
        for name, raw in changes.items():
            merged[name] = _coerce(_BY_NAME[name], raw)
        return Settings(merged)


def load(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults < config file < environment < overrides (CLI flags). `None` overrides are ignored."""
    environ = os.environ if environ is None else environ
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    config_path = overrides.get("config") or environ.get(_BY_NAME["config"].env_var)
    if config_path:
        values.update(_read_config(Path(config_path)))
    for setting in SETTINGS:
        if setting.env_var in environ:
            values[setting.name] = _coerce(setting, environ[setting.env_var])
    for name, raw in overrides.items():
        if name not in _BY_NAME:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = _coerce(_BY_NAME[name], raw)
    return Settings(values)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"config file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise SettingsError(f"config file {path}: unknown setting(s) {', '.join(unknown)}")
    return {name: _coerce(_BY_NAME[name], raw) for name, raw in data.items()}
