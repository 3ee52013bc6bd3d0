#!/usr/bin/env bash
# System packages the test suite needs beyond pip, for tests/e2e/test_views_browser.py: Chromium,
# which renders the results' table and maps, and Debian's Leaflet, which the interactive map
# loads instead of its CDN. Installs what is missing with apt-get (through sudo when not root);
# when it cannot, says what to install and fails.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -f /usr/share/javascript/leaflet/leaflet.js ] || missing+=(libjs-leaflet)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "system_deps: please install ${missing[*]} (Debian package names: a headless" \
        "Chromium on PATH as 'chromium', Leaflet in /usr/share/javascript/leaflet)" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "system_deps: run as root or with sudo: apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "system_deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
