#!/usr/bin/env bash
# Installs the tools of the metagenome assembly example: MEGAHIT and Prokka, from Debian packages.
#
#   tools/install-bio-tools.sh            install what is missing (root, or sudo)
#   tools/install-bio-tools.sh --dry-run  show what apt-get would do, change nothing
#
# Idempotent: when both packages are installed it says so and changes nothing.
# --no-install-recommends keeps it to 29 packages, ~45 MB download, ~270 MB on disk (Debian 12),
# instead of 319 packages and ~1.1 GB with recommends; Prokka works without them (see
# docs/metagenome.md for how that was checked). Debian's prokka ships no Swiss-Prot/HMM data;
# examples/metagenome_assembly/assemble.sh builds a small database from the proteins it does ship.
set -euo pipefail

PACKAGES=(megahit prokka)
dry_run=false
case ${1:-} in
  "") ;;
  --dry-run) dry_run=true ;;
  -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) printf 'install-bio-tools.sh: unknown option %s (try --help)\n' "$1" >&2; exit 2 ;;
esac

installed_version() {
  dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | awk '$3 == "installed" {print $4}'
}

report() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    printf '  %-8s %s\n' "$pkg" "$(installed_version "$pkg")"
  done
  printf '  %s; %s\n' "$(megahit --version 2>&1 | head -n 1)" "$(prokka --version 2>&1 | head -n 1)"
}

command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || {
  printf 'install-bio-tools.sh: apt-get not found; this script installs Debian/Ubuntu packages.\n' >&2
  printf 'Elsewhere use e.g. conda: conda install -c conda-forge -c bioconda megahit prokka\n' >&2
  exit 1
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  [[ -n $(installed_version "$pkg") ]] || missing+=("$pkg")
done
if (( ${#missing[@]} == 0 )); then
  echo "install-bio-tools.sh: nothing to do, already installed:"
  report
  exit 0
fi

sudo=()
if (( EUID != 0 )); then
  command -v sudo >/dev/null || {
    printf 'install-bio-tools.sh: must run as root (or with sudo available) to install %s\n' \
      "${missing[*]}" >&2
    exit 1
  }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
install=(apt-get install -y --no-install-recommends "${missing[@]}")

if $dry_run; then
  prefix=${sudo[*]:+${sudo[*]} }
  echo "install-bio-tools.sh: would run: ${prefix}apt-get update; ${prefix}${install[*]}"
  apt-get -s "${install[@]:1}" | grep -E '^(Inst|[0-9]+ upgraded)' || true
  exit 0
fi

echo "install-bio-tools.sh: installing ${missing[*]} (Debian packages, no recommends)"
SECONDS=0
used_before=$(df -Pk / | awk 'NR == 2 {print $3}')
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" "${install[@]}"
used_after=$(df -Pk / | awk 'NR == 2 {print $3}')
echo "install-bio-tools.sh: installed in ${SECONDS}s, about $(( (used_after - used_before) / 1024 )) MB more used on /:"
report
