"""What the site decides about the local search index, from the same settings files as the database:

```toml
[search]
wipe_on_sign_out = true   # default false: the index stays in the user's cache and is ready at the next start
```

A workstation shared by several people (a front desk, a hot desk) may not keep a copy of what one login could
read after that person signs out. The site-wide file decides; a user's own file can turn the wipe on but never
off again. No tantivy here: the desktop reads this at sign-in, before anything searches.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from app.services.errors import ConfigurationError
from app.services.platform import paths


def settings_files() -> list[Path]:
    return [paths.user_settings_path(), paths.site_settings_path()]


def wipe_on_sign_out(files: Sequence[Path] | None = None) -> bool:
    """True when any settings file says so (default false). A value that is not true or false is refused,
    so a typo cannot silently leave an index behind that the site meant to be wiped."""
    for path in settings_files() if files is None else files:
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigurationError(f"Cannot read the settings file {path}: {error}") from None
        table = document.get("search", {})
        value = table.get("wipe_on_sign_out", False) if isinstance(table, dict) else None
        if not isinstance(value, bool):
            raise ConfigurationError(f"In {path}, [search] wipe_on_sign_out must be true or false")
        if value:
            return True
    return False
