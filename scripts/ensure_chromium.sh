#!/usr/bin/env bash
# The browser tests (dashboard, offline quality report) drive Debian's headless Chromium with
# Playwright for Python; Playwright's own browser download is never used (no network for it here).
# Install Debian's chromium when it is missing and we are root.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "installing Debian's chromium for the browser tests (apt-get install chromium)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq < /dev/null
    # fonts-wqy-microhei: a small CJK font, so the Chinese segment labels render in screenshots
    apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei < /dev/null > /dev/null
else
    echo "warning: /usr/bin/chromium not found; the browser tests will fail." >&2
    echo "         install it with: sudo apt-get install -y chromium" >&2
fi
