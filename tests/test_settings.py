"""Settings: environment beats the config file, secrets never shown, bad input named."""

from __future__ import annotations

from pathlib import Path

import pytest

from complydesk.errors import ConfigError
from complydesk.settings import load_settings


def test_when_env_sets_url_then_it_wins_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "complydesk.toml"
    config.write_text('database_url = "sqlite:///file.db"\nport = 9000\n')
    monkeypatch.setenv("COMPLYDESK_DATABASE_URL", "sqlite:///env.db")
    settings = load_settings(config)
    assert settings.sqlalchemy_url == "sqlite:///env.db"
    assert settings.port == 9000


def test_when_config_file_is_named_by_env_then_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('default_pack = "cn"\n')
    monkeypatch.setenv("COMPLYDESK_CONFIG", str(config))
    assert load_settings().default_pack == "cn"


def test_password_in_database_url_is_hidden() -> None:
    settings = load_settings(
        database_url="postgresql+psycopg://app:s3cret-pw@db.internal:5432/cd"
    )
    shown = settings.redacted()
    assert "s3cret-pw" not in str(shown)
    assert shown["database_url"] == "postgresql+psycopg://app:***@db.internal:5432/cd"
    assert "s3cret-pw" not in repr(settings)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("port = 0\n", "port"),
        ('unknown_key = "x"\n', "unknown_key"),
        ("port = [\n", "not valid TOML"),
        ('default_pack = "../etc"\n', "default_pack"),
    ],
)
def test_when_config_is_invalid_then_error_names_file_and_key(
    tmp_path: Path, content: str, needle: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    assert needle in info.value.detail
    assert str(config) in info.value.detail


def test_when_config_file_is_missing_then_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_data_dir_is_created_owner_only(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "d")
    path = settings.ensure_data_dir()
    assert path.stat().st_mode & 0o777 == 0o700
