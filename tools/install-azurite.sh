#!/usr/bin/env bash
# Installs Azurite, Microsoft's Azure Storage emulator (npm package azurite), for the Blob storage
# tests: into .tools/azurite/ of this repository (git ignores .tools/), not globally.
#
#   tools/install-azurite.sh          install it unless that version is there already
#   tools/install-azurite.sh --print  print the path of azurite-blob (after installing)
#
# Idempotent and quick when installed: it only reads the installed package.json. Needs Node.js 18
# or later and npm (Debian: apt-get install nodejs npm). The tests find it at
# .tools/azurite/node_modules/.bin/azurite-blob, or at $AZURITE_BLOB, or azurite-blob on PATH.
set -euo pipefail

VERSION=3.37.0
cd "$(dirname "$0")/.."
PREFIX=.tools/azurite
BIN=$PREFIX/node_modules/.bin/azurite-blob
print=false
case ${1:-} in
  "") ;;
  --print) print=true ;;
  -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) printf 'install-azurite.sh: unknown option %s (try --help)\n' "$1" >&2; exit 2 ;;
esac

installed_version() {
  local manifest=$PREFIX/node_modules/azurite/package.json
  [ -x "$BIN" ] && [ -f "$manifest" ] || return 0
  node -e 'process.stdout.write(require(process.argv[1]).version)' "$PWD/$manifest" 2>/dev/null || true
}

if [ "$(installed_version)" != "$VERSION" ]; then
  command -v npm >/dev/null && command -v node >/dev/null || {
    printf 'install-azurite.sh: needs Node.js and npm (Debian: apt-get install nodejs npm)\n' >&2
    exit 1
  }
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "azurite@$VERSION" >&2
  [ "$(installed_version)" = "$VERSION" ] || {
    printf 'install-azurite.sh: azurite %s did not install into %s\n' "$VERSION" "$PREFIX" >&2
    exit 1
  }
  printf 'install-azurite.sh: installed azurite %s into %s\n' "$VERSION" "$PREFIX" >&2
elif ! $print; then
  printf 'install-azurite.sh: azurite %s already in %s\n' "$VERSION" "$PREFIX" >&2
fi
if $print; then
  printf '%s\n' "$PWD/$BIN"
fi
