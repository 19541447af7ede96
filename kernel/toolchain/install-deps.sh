#!/bin/sh
# install-deps.sh [run|test]: installs the Debian packages that building and running Hermit need
# (run: `make run`), or also testing it (test, the default: `make test`), when some are missing,
# without their recommended packages. Needs root (or sudo) only when something must be installed.
set -eu
packages="gcc make binutils qemu-system-x86 qemu-utils newlib-source python3 dpkg-dev xz-utils curl"
[ "${1:-test}" = run ] || packages="$packages libcmocka-dev gdb python3-pytest
 python3-pexpect cmake autoconf autotools-dev clang libfuzzer-14-dev procps babeltrace2 python3-bt2 tshark
 lldb python3-lldb lua5.4 sqlite3 tcl gzip iproute2 iputils-ping"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "hermit: installing missing packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	echo "hermit: run as root: apt-get install$missing" >&2
	exit 1
fi
# shellcheck disable=SC2086 # word splitting of the package list is intended
$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
