#!/usr/bin/env bash
# Installs the system packages the local run and the tests need, when they are missing:
# PostgreSQL server binaries, Java 17+ (Kafka 4.x broker), Maven (fetches the Kafka jars) and Chromium (the
# dashboard's browser test drives Debian's build with Playwright; no browser is ever downloaded).
# Skips everything that is already there; needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then missing+=(openjdk-17-jre-headless); fi
command -v mvn >/dev/null || missing+=(maven)
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null || missing+=(chromium)

[ ${#missing[@]} -eq 0 ] && exit 0

echo "[setup] installing system packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "[setup] please install as root: apt-get install -y ${missing[*]}" >&2; exit 1
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "[setup] no apt-get here: install ${missing[*]} with your package manager" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a cluster on 5432 on install; the back office uses its own throw-away clusters instead.
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
