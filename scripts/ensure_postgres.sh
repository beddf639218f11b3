#!/usr/bin/env bash
# The PostgreSQL lane of the tests needs Debian's PostgreSQL server binaries (the tests
# start and stop their own server on 127.0.0.1). Install them when missing and running as root.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" > /dev/null; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "installing Debian's PostgreSQL server for the PostgreSQL lane (apt-get install postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq < /dev/null
    apt-get install -y -qq --no-install-recommends postgresql < /dev/null > /dev/null
else
    echo "warning: PostgreSQL server binaries not found; the PostgreSQL lane tests will fail." >&2
    echo "         install them with: sudo apt-get install -y postgresql" >&2
fi
