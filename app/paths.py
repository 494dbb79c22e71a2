"""Where Arobase keeps its files: resolved from the environment given, never from hidden globals."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

APP_NAME = "Arobase"
DEFAULT_STORE_NAME = "arobase.sqlite"
STORE_ENV = "AROBASE_DB"


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False, roaming=True)


def user_log_dir() -> Path:
    from platformdirs import user_log_path

    return user_log_path(APP_NAME, appauthor=False)


def user_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def checked_editions_list() -> Path:
    """Digests of the edition files already checked against the schema (``app.edition``): a cache only."""
    return user_cache_dir() / "editions-verifiees.txt"


def default_store_path() -> Path:
    return user_data_dir() / DEFAULT_STORE_NAME


def resolve_store_path(cli_value: str | None, environ: Mapping[str, str]) -> Path:
    """``--db`` wins, then ``AROBASE_DB``, then the default store in the user data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    if environ.get(STORE_ENV):
        return Path(environ[STORE_ENV]).expanduser()
    return default_store_path()


def downloaded_editions_dir() -> Path:
    """Editions fetched from the association's server later land here, ahead of the built-in ones."""
    return user_data_dir() / "editions"


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False, roaming=True)


def account_file() -> Path:
    """The signed-in account (server, device, collectivity, pinned receipt keys): no secret in it."""
    return user_config_dir() / "compte.json"
