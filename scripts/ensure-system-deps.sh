#!/usr/bin/env bash
# Installs the Debian packages Relais' tests need, when missing: Chromium (a real WebRTC peer),
# PostgreSQL (the store's contract tests start a throwaway server of their own), and iproute2 and
# nftables (the network-impairment tests shape and drop a subscriber's packets in a namespace).
# Uses apt-get only; nothing is downloaded from elsewhere.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/ffmpeg ] || need+=(ffmpeg) # relais load-test encodes its test clip once with ffmpeg
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
{ [ -x /usr/sbin/ip ] || [ -x /sbin/ip ]; } && { [ -x /usr/sbin/tc ] || [ -x /sbin/tc ]; } || need+=(iproute2)
[ -x /usr/sbin/nft ] || [ -x /sbin/nft ] || need+=(nftables)
if [ ${#need[@]} -gt 0 ]; then
  echo "[relais] installing system packages: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
[ -x /usr/bin/chromium ] || { echo "[relais] /usr/bin/chromium is still missing: the browser tests cannot run" >&2; exit 1; }
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || { echo "[relais] /usr/lib/postgresql/*/bin/initdb is still missing: the PostgreSQL store tests cannot run" >&2; exit 1; }
{ [ -x /usr/sbin/nft ] || [ -x /sbin/nft ]; } || { echo "[relais] nft is still missing: the network-loss test cannot run" >&2; exit 1; }
