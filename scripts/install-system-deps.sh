#!/bin/sh
# Install the system packages the report needs, when they are missing:
#   chromium                      browser tests (Playwright drives Debian's chromium)
#   libpango-1.0-0, libpangoft2   WeasyPrint (the PDF report)
#   libharfbuzz-subset0, fonts    WeasyPrint's font embedding; a font for text
#   postgresql                    the web platform's database tests (a throw-away server)
# Runs without stdin (CI). Installs with apt-get when root (or with passwordless
# sudo); otherwise names what is missing and fails, so nothing is hidden.
set -eu

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0' || missing="$missing libpango-1.0-0"
have_lib 'libpangoft2-1.0.so.0' || missing="$missing libpangoft2-1.0-0"
have_lib 'libharfbuzz-subset.so.0' || missing="$missing libharfbuzz-subset0"
[ -d /usr/share/fonts/truetype/dejavu ] || missing="$missing fonts-dejavu-core"
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing="$missing postgresql"

if [ -z "$missing" ]; then
    exit 0
fi

echo "install-system-deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install-system-deps: missing system packages:$missing" >&2
    echo "install-system-deps: run as root:  apt-get install -y$missing" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: no apt-get here; install by hand:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq </dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null
