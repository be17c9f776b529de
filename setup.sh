#!/usr/bin/env bash
# conclab set-up on Debian 12: installs the Debian packages that are
# missing, configures and builds (release, warnings as errors), then does
# what you asked:
#   ./setup.sh run [scenario] [options]    a comparison in all four models (default: worker-pool)
#   ./setup.sh test                        the whole test suite (what CI runs)
#   ./setup.sh sanitize                    the test suite under AddressSanitizer + UBSan (build-sanitize/)
#   ./setup.sh tsan                        the model tests under ThreadSanitizer (build-tsan/; first run
#                                          fetches and builds Debian's oneTBB source with TSan, ~1 min)
#   ./setup.sh fuzz [seconds]              the server's request fuzzer (clang libFuzzer + ASan/UBSan), 30 s by default
#   ./setup.sh peers                       also the real Go and Rust programs (Debian's golang-go, cargo, rustc and
#                                          librust-*-dev, offline), then their tests; run, sweep and calibration can
#                                          then use --models go,tokio,rayon,rust-threads (docs/calibration.md)
#   ./setup.sh build                       install and build only
# The build directory is ./build (CONCLAB_BUILD_DIR overrides it). Every build compiles Boost.Fiber from
# Debian's source of the installed version, fetched once into build-deps/ (models/fibers/boost says why).
set -euo pipefail
cd "$(dirname "$0")"

action=${1:-run}
case "$action" in
  run|test|sanitize|tsan|build|fuzz|peers) ;;
  *) echo "setup.sh: unknown action '$action'; expected run, test, sanitize, tsan, fuzz, peers or build" >&2; exit 2 ;;
esac
shift || true

packages=(
  g++ meson ninja-build pkg-config python3 git
  libboost1.81-dev libboost-fiber1.81-dev libboost-context1.81-dev
  libtbb-dev libconcurrentqueue-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libtomlplusplus-dev
)
# Reports (conclab report) draw with Debian's matplotlib; the tests open
# them in Debian's Chromium.
packages+=(python3-matplotlib)
if [ "$action" = test ] || [ "$action" = sanitize ]; then packages+=(chromium); fi
# The cluster path (docs/sweeps.md): `meson test --suite slurm` starts a one-node
# Slurm cluster from Debian's daemons and client, with munge for its keys.
if [ "$action" = test ]; then packages+=(slurmctld slurmd slurm-client munge); fi
if [ "$action" = fuzz ]; then packages+=(clang libclang-rt-14-dev); fi
# Boost.Fiber's source (every build but fuzz) and oneTBB's (tsan) come from Debian.
if [ "$action" != fuzz ]; then packages+=(dpkg-dev xz-utils); fi
if [ "$action" = tsan ]; then packages+=(cmake); fi
# The peers: Debian's Go and Rust toolchains and the Rust crates they use
# (their sources land in /usr/share/cargo/registry, which peers/rust builds from).
if [ "$action" = peers ]; then
  packages+=(golang-go cargo rustc librust-tokio-dev librust-hyper-dev librust-rayon-dev librust-crossbeam-channel-dev
             librust-async-channel-dev librust-serde-json-dev librust-libc-dev librust-lru-dev)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup.sh: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup.sh: these packages are missing and installing them needs root: ${missing[*]}" >&2; exit 2; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  if [[ " ${missing[*]} " == *" python3-matplotlib "* ]] && ! dpkg-query -W libboost-dev >/dev/null 2>&1; then
    # Debian 12's python3-matplotlib pulls python3-fonttools -> python3-scipy ->
    # python3-pythran -> libboost-dev, which is Boost 1.74 and conflicts with
    # the libboost1.81-dev conclab builds with. An empty stand-in for
    # libboost-dev satisfies pythran (whose compiler conclab never uses).
    shim=$(mktemp -d)
    mkdir -p "$shim/DEBIAN"
    printf '%s\n' 'Package: libboost-dev' 'Version: 1.74.0.3+conclab1' 'Architecture: all' \
      'Maintainer: conclab <conclab@localhost>' \
      'Description: empty stand-in for libboost-dev (Boost 1.74), installed by conclab setup.sh' \
      ' Lets python3-matplotlib install beside libboost1.81-dev on Debian 12.' > "$shim/DEBIAN/control"
    dpkg-deb --build "$shim" "$shim/libboost-dev-shim.deb" >/dev/null
    "${sudo[@]}" dpkg -i "$shim/libboost-dev-shim.deb" >/dev/null
    rm -rf "$shim"
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$action" = fuzz ]; then
  # libFuzzer needs clang; one binary from three sources, no meson build.
  seconds=${1:-30}
  mkdir -p build-fuzz/corpus
  cp -n fuzz/corpus/request/* build-fuzz/corpus/ 2>/dev/null || true
  sources=(fuzz/request_fuzzer.cpp scenarios/url_fetch/target.cpp models/asio_impl.cpp)
  if [ ! -x build-fuzz/request_fuzzer ] || [ -n "$(find "${sources[@]}" scenarios/url_fetch/*.hpp -newer build-fuzz/request_fuzzer)" ]; then
    echo "setup.sh: building build-fuzz/request_fuzzer (clang, about 30 s)"
    clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-sanitize=function \
      -DBOOST_ASIO_NO_DEPRECATED -DBOOST_ASIO_SEPARATE_COMPILATION -DBOOST_BEAST_SEPARATE_COMPILATION -I. \
      "${sources[@]}" -o build-fuzz/request_fuzzer -pthread
  fi
  # new inputs it finds stay in build-fuzz/corpus; a crash leaves crash-* there and fails.
  # Its running commentary goes to build-fuzz/fuzz.log: the summary, or the end of the log on a failure.
  echo "setup.sh: fuzzing for ${seconds} s (log: build-fuzz/fuzz.log)"
  if build-fuzz/request_fuzzer -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix=build-fuzz/ build-fuzz/corpus > build-fuzz/fuzz.log 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)' build-fuzz/fuzz.log
    exit 0
  fi
  tail -n 60 build-fuzz/fuzz.log
  echo "setup.sh: the fuzzer found a problem (input saved as build-fuzz/crash-* or leak-*/timeout-*)" >&2
  exit 1
fi

# Debian's own sources of installed packages go to build-deps/, once per version.
deps=$PWD/build-deps
sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo)
fetch_debian_sources() {  # fetch_debian_sources WHAT SOURCE=VERSION... : downloads them into $deps/src
  local what=$1; shift
  if ! apt-get source --print-uris -qq "$1" >/dev/null 2>&1; then
    echo "setup.sh: adding Debian's deb-src entries (for the sources of $what)"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
        "${sudo[@]}" tee /etc/apt/sources.list.d/conclab-deb-src.sources >/dev/null
    else
      grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
        "${sudo[@]}" tee /etc/apt/sources.list.d/conclab-deb-src.list >/dev/null
    fi
    "${sudo[@]}" apt-get update -qq
  fi
  mkdir -p "$deps/src"
  echo "setup.sh: fetching Debian's sources of $what ($*)"
  (cd "$deps/src" && apt-get source --download-only -qq "$@" 2>&1 | grep -v 'Download is performed unsandboxed' || true)
}

# Boost.Fiber is built from the Boost source of the installed version, with
# one header line changed (models/fibers/boost/patch_spinlock.py says why):
# Debian's boost1.81 source, only the Boost.Fiber and Boost.Context parts
# and their headers (about 5 s to fetch 74 MB, once).
boost_src=""
if [ "$action" != fuzz ]; then
  boost_version=$(dpkg-query -W -f='${source:Version}' libboost-fiber1.81-dev)
  boost_src=$deps/boost-$boost_version
  if [ ! -f "$boost_src/.ready" ]; then
    rm -rf "$boost_src" "$deps"/src/boost1.81_*
    fetch_debian_sources "Boost.Fiber" "boost1.81=$boost_version"
    for source in boost1.81_*.debian.tar.xz boost1.81_*.orig.tar.xz; do
      if ! compgen -G "$deps/src/$source" > /dev/null; then
        echo "setup.sh: Debian's source $source did not download (apt-get source above says why); the build needs it" >&2
        exit 1
      fi
    done
    # Debian's patches of boost1.81 must not touch these parts, or this would
    # not be Debian's build: checked, not assumed.
    rm -rf "$deps/src/debian"
    tar -xJf "$deps"/src/boost1.81_*.debian.tar.xz -C "$deps/src"
    if grep -lE '^\+\+\+ [^ ]*(libs/(fiber|context)/|boost/(fiber|context)/)' "$deps"/src/debian/patches/* 2>/dev/null; then
      echo "setup.sh: a Debian patch of boost1.81 changes Boost.Fiber or Boost.Context; apply it here first" >&2
      exit 1
    fi
    mkdir -p "$boost_src.partial"
    tar -xJf "$deps"/src/boost1.81_*.orig.tar.xz -C "$boost_src.partial" --strip-components=1 --wildcards \
      'boost/libs/fiber/src/*' 'boost/libs/context/src/*' 'boost/libs/fiber/include/*' 'boost/libs/context/include/*'
    # The library is compiled against the installed headers: they must be these.
    for part in fiber context; do
      if ! diff -rq "$boost_src.partial/libs/$part/include/boost/$part" "/usr/include/boost/$part" > /dev/null; then
        echo "setup.sh: the installed /usr/include/boost/$part differs from Debian's source of boost1.81 $boost_version:" >&2
        diff -rq "$boost_src.partial/libs/$part/include/boost/$part" "/usr/include/boost/$part" | head -n 5 >&2
        exit 1
      fi
    done
    rm -f "$deps"/src/boost1.81_*.orig.tar.xz
    mv "$boost_src.partial" "$boost_src" && touch "$boost_src/.ready"
  fi
fi

if [ "$action" = tsan ]; then
  # ThreadSanitizer needs every library that synchronises to be instrumented
  # (meson.build says why): Debian's own source of the installed oneTBB,
  # built with TSan into build-deps/onetbb-*, once (Boost.Fiber and
  # Boost.Context's fiber: models/fibers/boost/meson.build).
  tbb_version=$(dpkg-query -W -f='${source:Version}' libtbb-dev)
  tbb_prefix=$deps/onetbb-$tbb_version/prefix
  if [ ! -f "$tbb_prefix/.ready" ]; then
    rm -rf "$deps/onetbb-$tbb_version" "$deps"/src/onetbb_*
    fetch_debian_sources "oneTBB" "onetbb=$tbb_version"
    if ! compgen -G "$deps/src/onetbb_*.dsc" > /dev/null; then
      echo "setup.sh: Debian's source of onetbb $tbb_version did not download (apt-get source above says why); ./setup.sh tsan needs it" >&2
      exit 1
    fi
    # oneTBB with Debian's patches, built with TSan (about 25 s). apt-get has
    # checked the files against the signed Sources index; dpkg-source's own
    # check of the .dsc signature needs debian-keyring (70 MB) and only warns
    # without it, so its output goes to a log.
    tbb=$deps/onetbb-$tbb_version
    mkdir -p "$tbb"  # dpkg-source copies the orig tarball beside the directory it unpacks into
    dpkg-source -x "$deps"/src/onetbb_*.dsc "$tbb/source" > "$deps/dpkg-source.log" 2>&1 ||
      { cat "$deps/dpkg-source.log"; exit 1; }
    echo "setup.sh: building oneTBB with -fsanitize=thread"
    cmake -S "$tbb/source" -B "$tbb/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTBB_SANITIZE=thread -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF -DTBBMALLOC_BUILD=OFF \
      -DCMAKE_INSTALL_PREFIX="$tbb_prefix" -DCMAKE_INSTALL_LIBDIR=lib > "$tbb/cmake.log"
    ninja -C "$tbb/build" install > "$tbb/build.log"
    touch "$tbb_prefix/.ready"
  fi
  build=build-tsan
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Doptimization=1 -Ddebug=true -Dwerror=true -Db_sanitize=thread -Db_lundef=false \
      -Dbenchmarks=false -Dboost_src="$boost_src" -Dpkg_config_path="$tbb_prefix/lib/pkgconfig"
  fi
  # its test setup (meson.build's add_test_setup('tsan')): the options, the suppressions, the suites
elif [ "$action" = sanitize ]; then
  # -O1 keeps the sanitizer build near 5 minutes on 2 cores (Beast under
  # UBSan at -O2 takes half again as long); benchmarks are left out (timing
  # under ASan means nothing). Any UBSan report fails its test.
  build=build-sanitize
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Doptimization=1 -Ddebug=true -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbenchmarks=false -Dboost_src="$boost_src"
  fi
  # its test setup (meson.build's add_test_setup('asan')) says how any report fails its test
else
  build=${CONCLAB_BUILD_DIR:-build}
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" --buildtype=release -Dwerror=true -Dboost_src="$boost_src"
  fi
  # once turned on, the peers stay on in this build directory (its tests include theirs)
  if [ "$action" = peers ]; then meson configure "$build" -Dpeers=enabled > /dev/null; fi
fi
# Boost.Fiber from the fetched source, in build directories made before it was too.
if [ -n "$boost_src" ] && ! grep -q "\"name\": \"boost_src\", \"value\": \"$boost_src\"" "$build/meson-info/intro-buildoptions.json"; then
  meson setup --reconfigure "$build" -Dboost_src="$boost_src"
fi
meson compile -C "$build"

case "$action" in
  run)
    scenario=worker-pool
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then scenario=$1; shift; fi
    exec "$build/app/conclab" run "$scenario" "$@" ;;
  test) exec meson test -C "$build" --print-errorlogs "$@" ;;
  sanitize) exec meson test -C "$build" --setup asan --print-errorlogs "$@" ;;
  # the peers against the contract, and the runner's side of their protocol
  peers) exec meson test -C "$build" --print-errorlogs --suite peers --suite peers_protocol "$@" ;;
  # the models' tests under TSan, with 3 x their timeouts (meson.build's add_test_setup('tsan') says why)
  tsan) exec meson test -C "$build" --setup tsan --print-errorlogs "$@" ;;
  build) ;;
esac
