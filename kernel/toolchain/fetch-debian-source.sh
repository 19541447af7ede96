#!/bin/sh
# Fetches a Debian source package and unpacks it (Debian's patches applied) into DEST.
# The deb-src entries are derived at run time from this machine's own apt sources (deb822
# *.sources files and one-line sources.list entries), kept in a private apt state (STATE, shared
# by every fetch of one build), so the system's apt configuration is not touched. VERSION is the
# upstream version wanted: the newest Debian revision of it is taken (1.2.13 picks
# 1:1.2.13.dfsg-1+deb12u1, never 1.2.130); another version is an error, not a silent substitute.
# --upstream unpacks the upstream release as its authors published it (Debian's patches not
# applied): for programs built with their own build system, which Debian's patches may rework.
# Usage: fetch-debian-source.sh [--upstream] PACKAGE VERSION DEST [STATE]    (STATE defaults to
# DEST's parent/debian-apt). DEST/.debian-version records what was unpacked; a rerun is a no-op.
set -eu
patches=
if [ "${1:-}" = --upstream ]; then
	patches=--skip-patches
	shift
fi
[ $# -ge 3 ] || { echo "usage: fetch-debian-source.sh [--upstream] PACKAGE VERSION DEST [STATE]" >&2; exit 2; }
package=$1 version=$2
mkdir -p "$(dirname "$3")"
dest=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
state=${4:-$(dirname "$dest")/debian-apt}
mkdir -p "$state"
state=$(cd "$state" && pwd)

# The upstream part of a Debian version (no epoch, no revision) starts with $version and goes on
# with no further digit.
matches() {
	upstream=${1#*:}
	case $upstream in "$version" | "$version"[!0-9]*) return 0 ;; esac
	return 1
}

if [ -f "$dest/.debian-version" ] && matches "$(cat "$dest/.debian-version")"; then
	exit 0
fi

derive_sources() {
	mkdir -p "$state/parts" "$state/lists/partial" "$state/cache/archives/partial"
	: >"$state/parts/hermit-src.sources"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# Every stanza again, as Types: deb-src (comments dropped).
		awk 'BEGIN { RS = ""; FS = "\n" }
		     { for (i = 1; i <= NF; i++) {
			       if ($i ~ /^#/) continue
			       if ($i ~ /^Types:/) print "Types: deb-src"; else print $i
		       }
		       print "" }' "$f" >>"$state/parts/hermit-src.sources"
	done
	: >"$state/parts/hermit-src.list"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$state/parts/hermit-src.list"
	done
}

apt_opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$state/parts
 -o Dir::State::Lists=$state/lists -o Dir::Cache=$state/cache -o Debug::NoLocking=1
 -o APT::Sandbox::User=root"

update() {
	derive_sources
	# shellcheck disable=SC2086 # apt_opts is a list of words
	apt-get $apt_opts -qq update >"$state/update.log" 2>&1 || { cat "$state/update.log" >&2; exit 1; }
}

# The Debian versions of $package whose upstream version matches, newest first.
matching_versions() {
	# shellcheck disable=SC2086
	apt-cache $apt_opts showsrc "$package" 2>/dev/null | sed -n 's/^Version: //p' | sort -u |
		while read -r v; do
			if matches "$v"; then echo "$v"; fi
		done | newest_first
}

# Sorts Debian versions with dpkg's ordering (insertion sort: a handful of versions).
newest_first() {
	sorted=
	while read -r v; do
		out='' placed=''
		for s in $sorted; do
			if [ -z "$placed" ] && dpkg --compare-versions "$v" gt "$s"; then out="$out $v"; placed=1; fi
			out="$out $s"
		done
		[ -n "$placed" ] || out="$out $v"
		sorted=$out
	done
	for s in $sorted; do echo "$s"; done
}

# Downloads the newest matching version a mirror can serve (a security pool may lag) into $work.
download() {
	for v in $candidates; do
		rm -rf "$work" && mkdir -p "$work"
		# shellcheck disable=SC2086
		if (cd "$work" && apt-get $apt_opts -qq source --download-only "$package=$v") >"$state/$package.log" 2>&1; then
			found=$v
			return 0
		fi
	done
	cat "$state/$package.log" >&2
	echo "hermit: cannot fetch Debian's $package $version (tried: $candidates)" >&2
	exit 1
}

# One fetch at a time per apt state (make -j runs several).
exec 9>"$state/lock"
flock 9
if ! find "$state/lists" -name '*Sources' 2>/dev/null | grep -q .; then update; fi
candidates=$(matching_versions)
[ -n "$candidates" ] || { update; candidates=$(matching_versions); }
if [ -z "$candidates" ]; then
	# shellcheck disable=SC2086
	have=$(apt-cache $apt_opts showsrc "$package" 2>/dev/null | sed -n 's/^Version: //p' | sort -u | tr '\n' ' ')
	echo "hermit: Debian has no source package $package $version (it has: ${have:-none})" >&2
	exit 1
fi
work=$state/src/$package
download
# Unpacked beside the download, so dpkg-source's links to the upstream tarballs stay there.
rm -rf "$work/tree"
# shellcheck disable=SC2086 # $patches is empty or one word
dpkg-source --no-check $patches -x "$work"/*.dsc "$work/tree" >"$state/$package.log" 2>&1 ||
	{ cat "$state/$package.log" >&2; exit 1; }
echo "$found" >"$work/tree/.debian-version"
rm -rf "$dest" && mv "$work/tree" "$dest"
