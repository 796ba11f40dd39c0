#!/usr/bin/env bash
# Screenshots for the README: builds this repository's own example site (records/) and captures
# two pages in Material's light (`default`) and dark (`slate`) schemes into .github/screenshots/:
#   initiative-{light,dark}.png  the page initiatives/self-serve-checkout/
#   blocked-{light,dark}.png     the page blocked/
#
# Needs: headless Chromium (`chromium` on PATH, e.g. Debian's package; override with CHROMIUM=...),
# python3, and the project installed so that `mkdocs` on PATH has Material and headway
# (e.g. `pip install -e .` in an activated virtualenv). Run from anywhere:
#   PATH=/path/to/venv/bin:$PATH .ci/screenshots.sh
#
# Pages are built with SOURCE_DATE_EPOCH fixed to 2026-11-25, so "today", ages and overdue marks
# do not change from run to run.
#
# Dark mode: this Chromium's headless mode ignores --force-dark-mode and
# --blink-settings=preferredColorScheme=0 (`prefers-color-scheme: dark` never matches), so the
# dark pictures come from a second build whose temporary config INHERITs mkdocs.yml and lists the
# `slate` palette first without a media query; Material then starts in slate (toggle still shown).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.github/screenshots"
CHROMIUM="${CHROMIUM:-chromium}"
WIDTH=1280
INITIATIVE_HEIGHT=1250   # header, goal card, timeline, awaiting decision; ends before "Decisions"
BLOCKED_HEIGHT=1632      # blocker bars and the whole first (largest) blocker group, nothing after

command -v mkdocs >/dev/null || { echo "mkdocs not on PATH (install the project first)" >&2; exit 1; }
command -v "$CHROMIUM" >/dev/null || { echo "$CHROMIUM not found (install chromium)" >&2; exit 1; }

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export SOURCE_DATE_EPOCH=1795564800   # 2026-11-25T00:00:00Z
export NO_MKDOCS_2_WARNING=1

# Light: the repository's config as is (its light palette matches prefers-color-scheme: light).
mkdir -p "$WORK/site"
(cd "$ROOT" && mkdocs build -q -f mkdocs.yml -d "$WORK/site/light")

# Dark: same config, slate palette first and without media queries, so it is the one shown.
cat > "$WORK/mkdocs-dark.yml" <<EOF
INHERIT: $ROOT/mkdocs.yml
docs_dir: $ROOT/records
theme:
  palette:
    - scheme: slate
      primary: indigo
      toggle:
        icon: material/weather-sunny
        name: Switch to light mode
    - scheme: default
      primary: indigo
      toggle:
        icon: material/weather-night
        name: Switch to dark mode
EOF
(cd "$ROOT" && mkdocs build -q -f "$WORK/mkdocs-dark.yml" -d "$WORK/site/dark")

# Serve both builds from one free localhost port.
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK/site" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/light/', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done

mkdir -p "$OUT"
shot() {  # shot <output file> <height> <url>
  local file="$1" height="$2" url="$3" profile
  profile="$(mktemp -d "$WORK/profile.XXXXXX")"
  rm -f "$file"
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size="$WIDTH,$height" \
    --screenshot="$file" "$url" >"$WORK/chromium.log" 2>&1 || true
  if [ ! -s "$file" ]; then
    echo "chromium wrote no screenshot for $url:" >&2
    cat "$WORK/chromium.log" >&2
    exit 1
  fi
  rm -rf "$profile"
  echo "wrote ${file#"$ROOT"/} (${WIDTH}x$height) from $url"
}

for scheme in light dark; do
  base="http://127.0.0.1:$PORT/$scheme"
  shot "$OUT/initiative-$scheme.png" "$INITIATIVE_HEIGHT" "$base/initiatives/self-serve-checkout/"
  shot "$OUT/blocked-$scheme.png" "$BLOCKED_HEIGHT" "$base/blocked/"
done
