#!/bin/sh
# Fetches lwIP's source from Debian's `lwip` source package and unpacks it (Debian's patches
# applied) into DEST. The deb-src entries are derived at run time from this machine's own apt
# sources (deb822 *.sources files and one-line sources.list entries), kept in a private apt state
# under DEST's parent, so the system's apt configuration is not touched.
# Usage: fetch-lwip.sh DEST     Result: DEST/src/{core,api,include,...}
set -eu
mkdir -p "$(dirname "$1")"
dest=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
version=${LWIP_VERSION:-2.1.3}
[ -f "$dest/src/core/tcp.c" ] && exit 0
work=$(mkdir -p "$dest.apt" && cd "$dest.apt" && pwd)
mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
: >"$work/parts/hermit-src.sources"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	# Every stanza again, as Types: deb-src (comments dropped).
	awk 'BEGIN { RS = ""; FS = "\n" }
	     { for (i = 1; i <= NF; i++) {
		       if ($i ~ /^#/) continue
		       if ($i ~ /^Types:/) print "Types: deb-src"; else print $i
	       }
	       print "" }' "$f" >>"$work/parts/hermit-src.sources"
done
: >"$work/parts/hermit-src.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$work/parts/hermit-src.list"
done
apt_opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$work/parts
 -o Dir::State::Lists=$work/lists -o Dir::Cache=$work/cache -o Debug::NoLocking=1
 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086 # apt_opts is a list of words
apt-get $apt_opts -qq update >"$work/update.log" 2>&1 || { cat "$work/update.log" >&2; exit 1; }
cd "$work/src"
# shellcheck disable=SC2086
apt-get $apt_opts -qq source --download-only "lwip=$version*" >"$work/source.log" 2>&1 ||
	apt-get $apt_opts -qq source --download-only lwip >"$work/source.log" 2>&1 ||
	{ cat "$work/source.log" >&2; echo "hermit: cannot fetch Debian's lwip source package" >&2; exit 1; }
dsc=$(ls "$work"/src/lwip_*.dsc | head -n 1)
rm -rf "$dest.tmp"
dpkg-source --no-check -x "$dsc" "$dest.tmp" >"$work/unpack.log" 2>&1 || { cat "$work/unpack.log" >&2; exit 1; }
rm -rf "$dest" && mv "$dest.tmp" "$dest"
grep -q "LWIP_VERSION_MAJOR *2" "$dest/src/include/lwip/init.h" ||
	{ echo "hermit: unexpected lwIP version in $dest" >&2; exit 1; }
