#!/usr/bin/env bash
# Install the Debian packages sanctrace's tests need, if they are missing. Idempotent; needs root.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
pkg-config --exists icu-uc 2>/dev/null || need+=(libicu-dev pkg-config)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
fc-list :lang=ja 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)  # Japanese text in PDF reports
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)  # renders report PDFs in tests
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing system packages: ${need[*]} (run as root)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
