#!/usr/bin/env bash
# gradscope's one entry point.
#
#   ./build.sh serve   set up what is missing, build the wasm page, serve www/ on 127.0.0.1
#   ./build.sh test    set up, then every check: fmt, clippy, native tests, wasm tests in
#                      headless Chromium, page tests with Playwright
#   ./build.sh build   set up and build the wasm package into www/pkg
#   ./build.sh bench   criterion benchmarks (native)
#   ./build.sh setup   only install what is missing (idempotent; safe to run again)
set -euo pipefail
cd "$(dirname "$0")"

# Versions that must agree with each other: the wasm-bindgen CLI must equal the
# wasm-bindgen library version in Cargo.lock, byte for byte.
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1

export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- setup: each step checks first and only installs what is missing ---------------

setup_rust_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

have_version() { # have_version CMD VERSION: CMD --version mentions VERSION
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

setup_wasm_tools() {
  if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a few minutes)"
    # Not --locked: its lockfile pins a crate version the registry here lacks.
    # No default features: drops TLS, which the local test runner does not need.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --no-default-features --force
  fi
  if ! have_version wasm-pack "$WASM_PACK_VERSION"; then
    say "installing wasm-pack $WASM_PACK_VERSION (takes a few minutes)"
    cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked --force
  fi
}

setup_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Chromium and ChromeDriver from Debian"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver
  fi
}

setup_node() {
  # playwright-core drives the system Chromium; it downloads no browser of its own.
  if [ ! -d tests/page/node_modules/playwright-core ]; then
    say "installing the page-test npm packages"
    (cd tests/page && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

setup() {
  setup_rust_target
  setup_wasm_tools
  setup_browser
  setup_node
}

# --- build ---------------------------------------------------------------------------

build_wasm() {
  say "building the wasm package (release, simd128) into www/pkg"
  RUSTFLAGS="-C target-feature=+simd128" \
    cargo build --lib --release --target wasm32-unknown-unknown
  wasm-bindgen --target web --out-dir www/pkg \
    target/wasm32-unknown-unknown/release/gradscope.wasm
}

# Serve www/ from 127.0.0.1 (a secure context, so WebGPU is allowed) on the first free
# port from $1 upwards. Prints the address; sets SERVER_PID and SERVER_URL.
start_server() {
  local port=${1:-8080}
  while ! python3 - "$port" <<'EOF'; do
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
    port=$((port + 1))
  done
  python3 -m http.server "$port" --bind 127.0.0.1 --directory www >/dev/null 2>&1 &
  SERVER_PID=$!
  SERVER_URL="http://127.0.0.1:$port"
  for _ in $(seq 50); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1])" "$SERVER_URL/" 2>/dev/null && break
    sleep 0.1
  done
}

# --- commands ------------------------------------------------------------------------

cmd_test() {
  setup
  say "cargo fmt --check"
  cargo fmt --all -- --check
  say "cargo clippy"
  cargo clippy --all-targets -- -D warnings
  say "cargo test (native)"
  cargo test
  say "cargo build for wasm32"
  cargo build --target wasm32-unknown-unknown --lib
  cargo clippy --target wasm32-unknown-unknown --lib --tests -- -D warnings
  say "wasm tests in headless Chromium (wasm-pack test --headless --chrome)"
  wasm-pack test --mode no-install --headless --chrome --chromedriver "$CHROMEDRIVER"
  build_wasm
  say "page tests (Playwright driving headless Chromium)"
  start_server 8390
  trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
  (cd tests/page && GRADSCOPE_URL="$SERVER_URL" node --test --test-concurrency=1)
  say "all checks passed"
}

cmd_serve() {
  setup
  build_wasm
  start_server "${PORT:-8080}"
  trap 'kill $SERVER_PID 2>/dev/null || true' EXIT INT TERM
  say "gradscope is at $SERVER_URL/  (Ctrl-C to stop)"
  wait "$SERVER_PID"
}

case "${1:-}" in
  setup) setup ;;
  build) setup; build_wasm ;;
  serve) cmd_serve ;;
  test) cmd_test ;;
  bench) cargo bench --bench engine ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
