#!/bin/sh
# Builds one peer program offline, from Debian's toolchains and crates only:
#   peers/build.sh go|rust OUTPUT WORKDIR
# WORKDIR keeps the caches and Cargo's target directory (meson passes its
# build directory's peers/). Debian's cargo and rustc are named by path: a
# rustup toolchain earlier on PATH is not Debian's.
set -eu
kind=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$3" "$(dirname "$2")"
work=$(cd "$3" && pwd)
output=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
case "$kind" in
  go)
    cd "$here/go"
    # no module proxy, no toolchain download: the standard library is all it uses
    GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GOCACHE="$work/go-cache" GOPATH="$work/go-path" \
      /usr/bin/go build -trimpath -o "$output.tmp" .
    ;;
  rust)
    cd "$here/rust"
    # .cargo/config.toml replaces crates.io with /usr/share/cargo/registry (librust-*-dev)
    CARGO_HOME="$work/cargo-home" RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --quiet \
      --target-dir "$work/rust-target"
    cp "$work/rust-target/release/conclab-peer-rust" "$output.tmp"
    ;;
  *)
    echo "peers/build.sh: expected go or rust, got '$kind'" >&2
    exit 2
    ;;
esac
mv "$output.tmp" "$output"
