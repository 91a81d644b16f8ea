#!/usr/bin/env bash
# Installs the Debian packages Relais' tests need, when missing: Chromium (a real WebRTC peer).
# Uses apt-get only; nothing is downloaded from elsewhere.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "[relais] installing system packages: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
[ -x /usr/bin/chromium ] || { echo "[relais] /usr/bin/chromium is still missing: the browser tests cannot run" >&2; exit 1; }
