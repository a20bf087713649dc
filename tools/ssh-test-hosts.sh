#!/usr/bin/env bash
# Installs what the SSH provider's tests need to run real OpenSSH servers in network namespaces
# (src/test/java/dev/aether/providers/ssh/SshTestHosts.java), from Debian packages:
#   openssh-server  /usr/sbin/sshd, one per test host, each with its own config and host key
#   openssh-client  ssh, ssh-keygen, ssh-keyscan, ssh-agent (the launcher side)
#   iproute2        ip netns, ip link (veth pairs)
#   nftables        nft: each test host's namespace refuses new connections out of it
#
#   tools/ssh-test-hosts.sh            install what is missing (root, or sudo)
#   tools/ssh-test-hosts.sh --check    exit 0 if all is installed, 1 (naming what is not) otherwise
#
# Idempotent: when everything is installed it says so and changes nothing (no apt-get update).
# The package's own sshd is never started: if the machine has no /usr/sbin/policy-rc.d, one that
# denies service starts is put in place for the install and removed afterwards.
set -euo pipefail

PACKAGES=(openssh-server openssh-client iproute2 nftables)
check_only=false
case ${1:-} in
  "") ;;
  --check) check_only=true ;;
  -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) printf 'ssh-test-hosts.sh: unknown option %s (try --help)\n' "$1" >&2; exit 2 ;;
esac

command -v dpkg-query >/dev/null && command -v apt-get >/dev/null || {
  printf 'ssh-test-hosts.sh: apt-get not found; this script installs Debian/Ubuntu packages.\n' >&2
  exit 1
}

installed_version() {
  dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | awk '$3 == "installed" {print $4}'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  [[ -n $(installed_version "$pkg") ]] || missing+=("$pkg")
done
if (( ${#missing[@]} == 0 )); then
  echo "ssh-test-hosts.sh: nothing to do, installed: $(for p in "${PACKAGES[@]}"; do printf '%s %s  ' "$p" "$(installed_version "$p")"; done)"
  exit 0
fi
if $check_only; then
  printf 'ssh-test-hosts.sh: not installed: %s (run tools/ssh-test-hosts.sh as root)\n' "${missing[*]}" >&2
  exit 1
fi

sudo=()
if (( EUID != 0 )); then
  command -v sudo >/dev/null || {
    printf 'ssh-test-hosts.sh: must run as root (or with sudo) to install %s\n' "${missing[*]}" >&2
    exit 1
  }
  sudo=(sudo)
fi

policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  # Keeps openssh-server's postinst from starting an sshd on this machine's port 22.
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
fi

echo "ssh-test-hosts.sh: installing ${missing[*]} (Debian packages, no recommends)"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "ssh-test-hosts.sh: installed: $(for p in "${PACKAGES[@]}"; do printf '%s %s  ' "$p" "$(installed_version "$p")"; done)"
