#!/usr/bin/env bash
# System packages Willow needs beyond npm: the DejaVu fonts that chart text is drawn with,
# and Chromium, which the test suite drives headless (playwright-core, /usr/bin/chromium) to
# run the original front end's Socket.IO client. Run by `npm install` (postinstall);
# installs with apt-get when missing and possible.
set -u
need=()
ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1 || need+=(fonts-dejavu-core)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
echo "willow: installing system packages: ${need[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 && exit 0
fi
echo "willow: could not install ${need[*]}; install them with your package manager (charts need DejaVu fonts; npm test needs chromium at /usr/bin/chromium)" >&2
exit 0
