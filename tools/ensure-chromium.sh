#!/bin/sh
# Make sure Debian's chromium is at /usr/bin/chromium (the dashboard's browser tests drive it with Playwright;
# `playwright install` would download a browser, which orgsim never does). Installs it with apt-get when missing.
set -u
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "chromium not found at $CHROMIUM: installing Debian's chromium with apt-get" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "error: chromium is missing and installing it needs root: run 'sudo apt-get install chromium'" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: chromium is missing and this system has no apt-get; install chromium so that $CHROMIUM exists" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; then
  $SUDO apt-get update -q >/dev/null 2>&1 || true
  if ! $SUDO apt-get install -y -q --no-install-recommends chromium; then
    echo "error: 'apt-get install chromium' failed (no network or no package source?); the dashboard's browser" >&2
    echo "       tests need $CHROMIUM" >&2
    exit 1
  fi
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "error: chromium was installed but $CHROMIUM does not exist" >&2
  exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")" >&2
