#!/usr/bin/env bash
# gradscope's one entry point.
#
#   ./build.sh serve   set up what is missing, build the wasm page, serve www/ on 127.0.0.1
#   ./build.sh test    set up, then every check: fmt, clippy, native tests, wasm tests in
#                      headless Chromium, page tests with Playwright
#   ./build.sh build   set up and build the wasm package into www/pkg
#   ./build.sh dist    build, then write dist/: the pages as a self-contained static folder
#   ./build.sh bench   benchmarks: criterion natively, and www/bench.html in headless Chromium
#   ./build.sh fuzz [SECONDS]  fuzz the program parser and interpreter, SECONDS (60) per target
#   ./build.sh setup   only install what is missing (idempotent; safe to run again)
set -euo pipefail
cd "$(dirname "$0")"

# Versions that must agree with each other: the wasm-bindgen CLI must equal the
# wasm-bindgen library version in Cargo.lock, byte for byte.
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
# The fuzzing front end (./build.sh fuzz); it needs a nightly toolchain.
CARGO_FUZZ_VERSION=0.13.2
# The independent framework that replays training runs (tests/replay).
JAX_VERSION=0.10.2
REPLAY_VENV=${GRADSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gradscope}/jax-$JAX_VERSION

export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
# WASM_BINDGEN_TEST_TIMEOUT and the runner's Chromium flags are in .cargo/config.toml [env],
# so a plain `wasm-pack test --headless --chrome` gets them too.

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
  # playwright-core drives the system Chromium (it downloads no browser of its own);
  # typescript checks the page's JavaScript against the generated bindings; binaryen's
  # wasm-opt shrinks the built wasm (it runs under Node, so it needs no download); esbuild
  # bundles and minifies the pages' scripts for dist/.
  local want have
  want=$(node -p 'const p = require("./tests/page/package-lock.json").packages;
    ["playwright-core", "typescript", "binaryen", "esbuild"].map((n) => p["node_modules/" + n].version).join(" ")')
  have=$(node -p '["playwright-core", "typescript", "binaryen", "esbuild"].map((n) => {
    try { return require("./tests/page/node_modules/" + n + "/package.json").version } catch { return "" }
  }).join(" ")')
  if [ "$want" != "$have" ]; then
    say "installing the page-test npm packages"
    (cd tests/page && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

setup_replay() {
  if [ ! -x "$REPLAY_VENV/bin/python" ] || ! "$REPLAY_VENV/bin/python" -c "import jax" 2>/dev/null; then
    say "installing JAX $JAX_VERSION (CPU) for the training replay, in $REPLAY_VENV"
    python3 -m venv "$REPLAY_VENV"
    "$REPLAY_VENV/bin/pip" install -q "jax==$JAX_VERSION" "jaxlib==$JAX_VERSION"
  fi
}

setup_fuzz() {
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "adding the nightly toolchain (cargo-fuzz builds with sanitizer flags only nightly has)"
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION (takes a minute or two)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force
  fi
}

setup() {
  for tool in python3 node npm; do
    command -v "$tool" >/dev/null || { echo "gradscope needs $tool on PATH" >&2; exit 1; }
  done
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 18 ] || { echo "gradscope's page tests need Node.js 18 or newer (found $(node --version))" >&2; exit 1; }
  setup_rust_target
  setup_wasm_tools
  setup_browser
  setup_node
}

# --- build ---------------------------------------------------------------------------

# Four packages from the one crate: www/pkg/ with everything (the training and benchmark
# pages); for the playground, www/pkg/playground/ with expressions only (no Cargo feature:
# 118 KB gzipped, against 403 KB for everything), its first load, and www/pkg/programs/
# with the tensor-program interpreter too (`programs`), which the playground fetches the
# first time its text is not one expression (www/js/programs.js). All lose their name
# section (function names, 131 KB: a panic's stack then shows indices) and go through
# wasm-opt -O3, from npm's binaryen (Debian's breaks wasm-bindgen output, see the
# toolchain notes).
#
# The fourth is the full package again, with relaxed SIMD (www/pkg/relaxed/: the matrix
# kernel's fused multiply-add), for the pages to import by what the browser validates
# (www/js/pkg-map.js writes their import map).
build_wasm() {
  say "building the wasm packages (release, simd128 from .cargo/config.toml) into www/pkg"
  cargo build --lib --release --target wasm32-unknown-unknown
  bindgen_and_optimise target/wasm32-unknown-unknown/release/gradscope.wasm www/pkg
  cargo build --lib --release --target wasm32-unknown-unknown --no-default-features --target-dir target/playground
  bindgen_and_optimise target/playground/wasm32-unknown-unknown/release/gradscope.wasm www/pkg/playground
  cargo build --lib --release --target wasm32-unknown-unknown --no-default-features --features programs --target-dir target/playground
  bindgen_and_optimise target/playground/wasm32-unknown-unknown/release/gradscope.wasm www/pkg/programs
  # `cargo rustc` adds the flag to this crate alone, on top of .cargo/config.toml's.
  cargo rustc --lib --release --target wasm32-unknown-unknown --crate-type cdylib --target-dir target/relaxed \
    -- -C target-feature=+relaxed-simd
  bindgen_and_optimise target/relaxed/wasm32-unknown-unknown/release/gradscope.wasm www/pkg/relaxed --enable-relaxed-simd
}

bindgen_and_optimise() { # bindgen_and_optimise CRATE.wasm OUT_DIR [MORE wasm-opt FEATURES]
  wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir "$2" "$1"
  # The features the crate is built with (simd128) and the ones rustc emits by default.
  # --low-memory-unused lets wasm-opt fold constant address offsets into loads and stores
  # (`p + 16` into `offset=16`), which V8 then folds into the x86 address: an instruction
  # fewer per such load, the matrix kernel's inner loop included. Its assumption holds for
  # Rust's layout: the stack comes first and grows down from 8 MB, and no Rust pointer plus
  # offset wraps around into the low 1 KB.
  tests/page/node_modules/.bin/wasm-opt -O3 --low-memory-unused --enable-simd --enable-bulk-memory --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-mutable-globals --enable-multivalue \
    --enable-reference-types "${@:3}" "$2/gradscope_bg.wasm" -o "$2/gradscope_bg.wasm"
}

# The pages as a static folder, dist/, for any static host at any path prefix: every page,
# its scripts bundled, the styles and the wasm, under relative paths only, and nothing the
# pages do not load. TF.js for the benchmark page is included only
# if `./build.sh bench` fetched it (without it, that page measures gradscope alone).
write_dist() {
  rm -rf dist
  mkdir -p dist/js
  cp www/*.html dist/
  # Each page's modules as one minified module (esbuild), with a source map for the
  # browser's developer tools, and the styles minified: the playground's scripts are 60 KB
  # gzipped so, 155 KB as separate files. The wasm packages stay outside the bundles
  # (`--external`), where their glue finds the .wasm beside it: "gradscope" is resolved by
  # the page's import map, and the playground's relative import keeps its path (main.js is
  # its page's entry).
  local esbuild=tests/page/node_modules/.bin/esbuild entries
  entries=$(sed -n 's/.*<script type="module" src="\([^"]*\)".*/www\/\1/p' www/*.html | sort -u)
  # shellcheck disable=SC2086 # one entry a word
  "$esbuild" $entries --bundle --minify --format=esm --target=es2022 --sourcemap \
    --external:gradscope '--external:../pkg/*' --outbase=www/js --outdir=dist/js --log-level=warning
  # Also files of their own: the two boot scripts, and the benchmark's product worker (a
  # module worker, started by URL from bench.js's bundle beside it).
  for boot in theme-boot pkg-map matmul-worker; do "$esbuild" "www/js/$boot.js" --minify --outfile="dist/js/$boot.js" --log-level=warning; done
  for css in www/*.css; do "$esbuild" "$css" --minify --outfile="dist/${css#www/}" --log-level=warning; done
  local pkg
  for pkg in . playground programs relaxed; do
    mkdir -p "dist/pkg/$pkg"
    cp "www/pkg/$pkg/gradscope.js" "www/pkg/$pkg/gradscope_bg.wasm" "dist/pkg/$pkg/"
    [ -d "www/pkg/$pkg/snippets" ] && cp -r "www/pkg/$pkg/snippets" "dist/pkg/$pkg/"
  done
  [ -d www/vendor ] && cp -r www/vendor dist/vendor
  # A reference from the site's root would break under a path prefix.
  if grep -rnE '(src|href)="/|from ?"/|import\("/' dist --include=*.html --include=*.js; then
    echo "dist/: the references above are absolute; they must be relative" >&2
    exit 1
  fi
  say "dist/ written: $(du -sh dist | cut -f1) in $(find dist -type f | wc -l) files (wasm $(du -ch dist/pkg/*/gradscope_bg.wasm dist/pkg/gradscope_bg.wasm | tail -1 | cut -f1))"
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
  for _ in $(seq 100); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1])" "$SERVER_URL/" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the web server on port $port did not start" >&2
  exit 1
}

# Trains a few configurations with `gradscope train --json` and replays each in JAX.
replay_training() {
  # The debug build from `cargo test`: IEEE arithmetic gives the same f32 results as release.
  local bin=target/debug/gradscope out=target/replay
  mkdir -p "$out"
  cargo build --bin gradscope
  local -a runs=(
    "--steps 200"
    "--steps 300 --points 100 --noise 0.1 --test-fraction 0 --hidden 16,16 --activations relu --loss hinge --regularization l2 --lambda 1e-4 --optimizer sgd --lr 0.1 --batch 100"
    "--steps 300 --dataset spiral --classes 3 --loss softmax_cross_entropy --hidden 16 --activations sigmoid --optimizer momentum --lr 0.05"
    "--steps 300 --dataset xor --loss mse --regularization l1 --lambda 0.001 --features x1,x2,x1_x2,sin_x1 --hidden 6 --activations tanh --lr 0.01"
    "--steps 300 --problem regression --dataset gaussians --noise 0.05 --hidden 8,8 --activations relu,tanh --regularization l2 --lambda 1e-4 --optimizer adam --lr 0.01 --batch 16"
  )
  local i=0
  for args in "${runs[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086 # each entry is a list of flags
    "$bin" train --json $args > "$out/run$i.json"
    "$REPLAY_VENV/bin/python" tests/replay/replay_jax.py "$out/run$i.json" 1e-3
  done
}

# --- commands ------------------------------------------------------------------------

cmd_test() {
  setup
  # Everything the test runners print also goes to a log, for the closing count.
  local log=target/test-output.log
  mkdir -p target
  : > "$log"
  say "cargo fmt --check"
  cargo fmt --all -- --check
  say "cargo clippy"
  cargo clippy --all-targets -- -D warnings
  say "cargo test (native)"
  cargo test 2>&1 | tee -a "$log"
  say "cargo build for wasm32"
  cargo build --target wasm32-unknown-unknown --lib
  cargo clippy --target wasm32-unknown-unknown --lib --tests -- -D warnings
  # The playground's packages are built without the default features, the second with
  # `programs` (build_wasm).
  cargo clippy --target wasm32-unknown-unknown --lib --no-default-features --target-dir target/playground -- -D warnings
  cargo clippy --target wasm32-unknown-unknown --lib --no-default-features --features programs --target-dir target/playground -- -D warnings
  # The wasm tests: first the plain command README gives, which runs every browser test in
  # Chromium with a WebGPU adapter (SwiftShader; the flags come from .cargo/config.toml),
  # then the fallback tests again in Chromium without an adapter, the real absence.
  say "wasm tests in headless Chromium with WebGPU (wasm-pack test --headless --chrome)"
  wasm-pack test --headless --chrome 2>&1 | tee -a "$log"
  say "wasm tests in headless Chromium without WebGPU"
  WASM_BINDGEN_TEST_WEBDRIVER_JSON=tests/webdriver/no-webgpu.json \
    wasm-pack test --mode no-install --headless --chrome --chromedriver "$CHROMEDRIVER" -- --test no_gpu 2>&1 |
    tee -a "$log"
  build_wasm
  write_dist # the page tests also load the static folder, under a path prefix
  say "type check: the generated .d.ts and the page's JavaScript (tsc --strict)"
  tests/page/node_modules/.bin/tsc -p www/tsconfig.json
  # No public type may be `any` (the declarations before wasm-bindgen's own init types).
  if sed '/^export type InitInput/,$d' www/pkg/gradscope.d.ts | grep -vE '^\s*(/\*\*|\*)' | grep -nwE 'any'; then
    echo "www/pkg/gradscope.d.ts: the public API above takes or returns 'any'" >&2
    exit 1
  fi
  say "page tests (Playwright driving headless Chromium)"
  trap 'kill ${SERVER_PID:-} 2>/dev/null || true' EXIT
  start_server 8390
  (cd tests/page && GRADSCOPE_URL="$SERVER_URL" node --test --test-concurrency=1) 2>&1 | tee -a "$log"
  say "training runs replayed in JAX (tests/replay)"
  setup_replay
  replay_training 2>&1 | tee -a "$log"
  # Any failure above has already stopped the script (set -e, pipefail).
  local rust node replays
  rust=$(grep -oE 'test result: ok\. [0-9]+ passed' "$log" | awk '{n += $4} END {print n + 0}')
  node=$(grep -E '^# pass [0-9]+' "$log" | awk '{n += $3} END {print n + 0}')
  replays=$(grep -c 'replayed in JAX' "$log" || true)
  say "all checks passed: $rust Rust tests (native and wasm), $node page tests, $replays JAX replays"
  echo "summary: $((rust + node + replays)) passed, 0 failed"
}

cmd_serve() {
  setup
  build_wasm
  trap 'kill ${SERVER_PID:-} 2>/dev/null || true' EXIT INT TERM
  start_server "${PORT:-8080}"
  say "gradscope is at $SERVER_URL/  (Ctrl-C to stop)"
  wait "$SERVER_PID"
}

# lavapipe, Mesa's Vulkan on the CPU: a WebGPU adapter about 5x faster than SwiftShader.
setup_lavapipe() {
  if ! dpkg -s mesa-vulkan-drivers >/dev/null 2>&1; then
    say "installing mesa-vulkan-drivers (lavapipe) for the WebGPU benchmark"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq mesa-vulkan-drivers
  fi
}

cmd_bench() {
  setup
  setup_lavapipe
  say "criterion benchmarks (native)"
  cargo bench --bench engine --bench train --bench matmul --bench dgemm --bench programs
  build_wasm
  say "TF.js 4.22 from npm, to compare with in the same page"
  (cd benches/browser && npm ci --no-audit --no-fund --loglevel=error)
  # The union bundle (core with its gradients, and the cpu backend), then the wasm backend
  # with its three binaries (plain, SIMD, threaded SIMD) and the WebGPU backend.
  mkdir -p www/vendor/tfjs
  cp benches/browser/node_modules/@tensorflow/tfjs/dist/tf.min.js \
    benches/browser/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js \
    benches/browser/node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm \
    benches/browser/node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js \
    www/vendor/tfjs/
  say "browser benchmark page (www/bench.html?auto=1), plainly and cross-origin isolated, in headless Chromium"
  trap 'kill ${SERVER_PID:-} ${ISOLATED_PID:-} 2>/dev/null || true' EXIT
  start_server 8390
  # COOP/COEP headers: SharedArrayBuffer, so TF.js's wasm backend can run two threads.
  local isolated=$((${SERVER_URL##*:} + 1))
  python3 tests/page/serve-isolated.py "$isolated" www >/dev/null 2>&1 &
  ISOLATED_PID=$!
  for _ in $(seq 100); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1])" "http://127.0.0.1:$isolated/" 2>/dev/null && break
    sleep 0.1
  done
  (cd tests/page && WEBGPU=lavapipe GRADSCOPE_URL="$SERVER_URL" GRADSCOPE_ISOLATED_URL="http://127.0.0.1:$isolated" \
    node run-bench.mjs)
  say "tables in target/bench/browser.md (every run in browser.json)"
}

# libFuzzer on each target of fuzz/ (cargo-fuzz) for $1 seconds (default 60): the corpus
# grows in fuzz/corpus/TARGET from the seeds in fuzz/seeds, guided by fuzz/program.dict. A
# panic, a stack overflow, an input that runs 10 s, or 2 GiB of memory stops the run with
# the input saved in fuzz/artifacts/TARGET (replay it with `cargo +nightly fuzz run TARGET
# FILE`). Not part of `test`: it needs nightly, and finds new inputs rather than checking.
cmd_fuzz() {
  local seconds=${1:-60} target
  if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: ./build.sh fuzz [SECONDS]   (seconds per target, default 60)" >&2
    exit 2
  fi
  setup_fuzz
  say "building the fuzz targets (cargo +nightly fuzz build)"
  cargo +nightly fuzz build
  for target in parse run; do
    mkdir -p "fuzz/corpus/$target"
    say "fuzzing '$target' for $seconds s"
    cargo +nightly fuzz run "$target" "$PWD/fuzz/corpus/$target" "$PWD/fuzz/seeds" -- \
      -max_total_time="$seconds" -timeout=10 -dict="$PWD/fuzz/program.dict" -print_final_stats=1
  done
  say "fuzzing found nothing: ${seconds} s per target, corpora in fuzz/corpus/"
}

case "${1:-}" in
  setup) setup ;;
  build) setup; build_wasm ;;
  dist) setup; build_wasm; write_dist ;;
  serve) cmd_serve ;;
  test) cmd_test ;;
  bench) cmd_bench ;;
  fuzz) cmd_fuzz "${2:-}" ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
