#!/usr/bin/env bash
# Lighthouse (mobile profile, simulated throttling) on every page of the lab,
# served as `make run` serves it. Usage: tools/lighthouse.sh [outdir]
# Needs .tools/node_modules/.bin/lighthouse (make lighthouse installs it) and
# Chromium (CHROME_PATH, /usr/bin/chromium by default).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d /tmp/fgsmlab-lighthouse.XXXXXX)}
mkdir -p "$out"
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
lh=.tools/node_modules/.bin/lighthouse
pages=(/ /linear /sweeps /defence /train /rbf /rubbish '/?embed=1')

# The server picks a free port itself (:0) and prints it.
go build -o .tools/fgsmlab-server ./app
.tools/fgsmlab-server -addr 127.0.0.1:0 -version "${VERSION:-dev}" >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  url=$(sed -n 's/^fgsmlab: serving the lab at \(http:[^ ]*\)$/\1/p' "$out/server.log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out/server.log"; exit 1; }

# Simulated throttling scales the tasks this machine measured, so a busy
# machine lowers the performance scores: say how busy it was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
i=0
for p in "${pages[@]}"; do
  i=$((i+1))
  "$lh" "$url$p" --quiet --output=json --output-path="$out/page$i.json" \
    --only-categories=performance,accessibility,best-practices \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" ||
    echo "lighthouse failed on $p" >&2
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
node tools/lighthouse-table.js "$out" "${pages[@]}"
