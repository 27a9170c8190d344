#!/usr/bin/env bash
# Installs what is missing, and nothing else: Python 3.10 venv + the locked dependencies.
# Re-running is cheap: the lock's hash is remembered and pip is skipped when it has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

want_python="$(cat .python-version)"
venv=".venv"
lock="requirements.lock"

say() { printf '[bootstrap] %s\n' "$*"; }

find_python() {
  if command -v pyenv >/dev/null 2>&1 && [ -x "$(pyenv root)/versions/$want_python/bin/python" ]; then
    echo "$(pyenv root)/versions/$want_python/bin/python"; return
  fi
  for candidate in "python${want_python%.*}" python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "${want_python%.*}" ]; then
      command -v "$candidate"; return
    fi
  done
  return 1
}

if [ ! -x "$venv/bin/python" ] ||
   [ "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "${want_python%.*}" ]; then
  python_bin="$(find_python)" || {
    echo "需要 Python ${want_python}（Rasa 3.6 不支持更新的版本）。请先安装：pyenv install ${want_python}" >&2
    exit 1
  }
  say "creating $venv with $python_bin"
  rm -rf "$venv"
  "$python_bin" -m venv "$venv"
fi

lock_hash="$(sha256sum "$lock" | cut -d' ' -f1)"
if [ "$(cat "$venv/.lock-hash" 2>/dev/null)" != "$lock_hash" ]; then
  say "installing locked dependencies from $lock (first time: about 2 minutes) ..."
  start=$(date +%s)
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.3.1"
  # --no-deps: the lock is complete, so pip's resolver has nothing to do (no backtracking).
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-deps --progress-bar on -r "$lock"
  "$venv/bin/python" -m pip check
  echo "$lock_hash" > "$venv/.lock-hash"
  say "dependencies installed in $(( $(date +%s) - start ))s"
else
  say "dependencies up to date"
fi
