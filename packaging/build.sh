#!/usr/bin/env bash
# Build the one-folder bundle into dist/switchboard/ (Linux here; the same spec builds natively on
# Windows and macOS, see docs/it-guide.md). Uses the project's .venv (make creates it).
set -euo pipefail
cd "$(dirname "$0")/.."
make --quiet .venv/.installed
.venv/bin/pyinstaller --version >/dev/null  # installed with the dev extra
rm -rf build/pyinstaller dist/switchboard
.venv/bin/pyinstaller --noconfirm --log-level WARN --workpath build/pyinstaller --distpath dist \
    packaging/switchboard.spec
du -sh dist/switchboard
dist/switchboard/switchboard --version
