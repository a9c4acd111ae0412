"""Where this workstation keeps Switchboard's files: settings, the data directory (embedded database,
drafts, logs, later the search index). Plain paths, so the desktop views may ask without loading the
database layer."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "switchboard"
DATA_DIR_VARIABLE = "SWITCHBOARD_DATA_DIR"
ROOT_DATA_DIR = Path("/var/lib/switchboard")


def user_settings_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "settings.toml"


def site_settings_path() -> Path:
    return platformdirs.site_config_path(APP_NAME) / "settings.toml"


def data_dir() -> Path:
    """The local data directory. As root we stay out of /root: the embedded server would open it up."""
    if explicit := os.environ.get(DATA_DIR_VARIABLE):
        return Path(explicit)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return ROOT_DATA_DIR
    return platformdirs.user_data_path(APP_NAME)


def log_file() -> Path:
    """Where `configure_logging` writes."""
    return data_dir() / "logs" / "switchboard.log"
