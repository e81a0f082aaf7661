#!/bin/sh
# Installs Debian packages that R offers no route to, only when missing.
# Usage: sh tools/system_deps.sh CHECK_PATH:PACKAGE ...
#   e.g. /usr/bin/qpdf:qpdf  (installs qpdf unless /usr/bin/qpdf exists)
set -eu
missing=""
for spec in "$@"; do
  path=${spec%%:*}
  pkg=${spec#*:}
  [ -e "$path" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages:$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "Please install these system packages:$missing" >&2
  exit 1
fi
