"""Settings: one table, documented, read in one place with a clear precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tidings import settings


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for setting in settings.SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name
        assert f"`{setting.env_var}`" in readme, setting.env_var


def test_precedence_default_file_env_flag(tmp_path: Path) -> None:
    config = tmp_path / "tidings.toml"
    config.write_text('port = 9000\nhost = "0.0.0.0"\nfold_min_containment = 0.6\n', encoding="utf-8")
    env = {"TIDINGS_CONFIG": str(config), "TIDINGS_PORT": "9100"}
    conf = settings.load({"host": "127.0.0.2"}, environ=env)
    assert conf.port == 9100  # env beats file
    assert conf.host == "127.0.0.2"  # flag beats file
    assert conf.fold_min_containment == 0.6  # file beats default
    assert conf.story_window_days == 21  # default


def test_default_database_is_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    conf = settings.load(environ={"TIDINGS_DATA_DIR": str(tmp_path)})
    assert conf.db_url == f"sqlite:///{tmp_path / 'tidings.db'}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("port = 'many'", "not a valid int"),
        ("colour = 'blue'", "unknown setting"),
        ("port = [", "not valid TOML"),
    ],
)
def test_bad_config_file(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(settings.SettingsError, match=message):
        settings.load({"config": str(config)}, environ={})


def test_bad_environment_value() -> None:
    with pytest.raises(settings.SettingsError, match=r"setting port: 'eighty'"):
        settings.load(environ={"TIDINGS_PORT": "eighty"})
