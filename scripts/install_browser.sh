#!/usr/bin/env bash
# Installs what the browser tests need, and nothing else: Debian's Chromium (Playwright's bundled
# browsers are not used) and CJK fonts so Chinese text renders in screenshots. Idempotent.
set -euo pipefail

say() { printf '[install_browser] %s\n' "$*"; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Without a CJK font every Chinese character in a screenshot is a box.
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  missing+=(fonts-noto-cjk)
fi

if [ ${#missing[@]} -eq 0 ]; then
  say "chromium and CJK fonts already installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "需要 root 权限安装 ${missing[*]}：请以 root 运行，或手动执行 apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

say "installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
say "done: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
