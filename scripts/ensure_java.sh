#!/usr/bin/env bash
# The Spark lane of the tests starts a local Spark cluster (master, workers, Thrift server) from
# pyspark's Spark distribution, which needs a Java 17 runtime. Install Debian's when missing and running as root.
set -euo pipefail
if command -v java > /dev/null || [ -n "${JAVA_HOME:-}" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "installing a Java runtime for the Spark lane (apt-get install openjdk-17-jre-headless)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq < /dev/null
    apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless < /dev/null > /dev/null
else
    echo "warning: java not found; the Spark lane tests will fail." >&2
    echo "         install it with: sudo apt-get install -y openjdk-17-jre-headless" >&2
fi
