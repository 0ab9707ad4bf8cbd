#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the pinned base tarball available in the cache outside the repo and
# print its path and the version it really is: "PATH VERSION".
#
# The package is installed with apt at the version pinned in base.conf and
# its tarball copied into $ZCRX_CACHE (default /var/cache/zcrx), so a fresh
# clone on the same machine finds it there. When the archive no longer has
# that version, the newest 6.12 one is used and a warning says so loudly;
# the series must then still apply (tree.py checks that).

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../base.conf
. "$top/base.conf"
CACHE=${ZCRX_CACHE:-/var/cache/zcrx}
TARBALL_IN_PKG=/usr/src/$BASE_PKG.tar.xz

cached() { echo "$CACHE/${BASE_PKG}_$1.tar.xz"; }

loud() {
	{
		echo "################################################################"
		for l in "$@"; do echo "## $l"; done
		echo "################################################################"
	} >&2
}

verify() {
	local f=$1 want=$2 got

	got=$(sha256sum "$f" | awk '{ print $1 }')
	if [ "$got" != "$want" ]; then
		echo "base: sha256 mismatch for $f" >&2
		echo "base:   expected $want (base.conf)" >&2
		echo "base:   got      $got" >&2
		return 1
	fi
}

# Install the package at exactly VERSION and copy its tarball to the cache.
fetch() {
	local version=$1 dest

	dest=$(cached "$version")
	echo "base: installing $BASE_PKG=$version with apt (~150 MB)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		--allow-downgrades "$BASE_PKG=$version" > /dev/null
	mkdir -p "$CACHE"
	cp "$TARBALL_IN_PKG" "$dest.tmp"
	mv "$dest.tmp" "$dest"
}

available() {
	apt-cache madison "$BASE_PKG" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }'
}

newest() {
	available | sort -V -r | awk '/^6\.12\./ { print; exit }'
}

main() {
	local f version

	f=$(cached "$BASE_VERSION")
	if [ -f "$f" ]; then
		verify "$f" "$BASE_SHA256"
		echo "$f $BASE_VERSION"
		return 0
	fi

	if ! available | grep -qxF "$BASE_VERSION"; then
		apt-get update -qq
	fi
	if available | grep -qxF "$BASE_VERSION"; then
		fetch "$BASE_VERSION"
		verify "$f" "$BASE_SHA256"
		echo "$f $BASE_VERSION"
		return 0
	fi

	version=$(newest)
	if [ -z "$version" ]; then
		echo "base: the archive has no $BASE_PKG 6.12 version at all" >&2
		exit 1
	fi
	loud "PINNED BASE $BASE_PKG $BASE_VERSION IS NO LONGER IN THE ARCHIVE" \
	     "USING THE NEWEST 6.12 INSTEAD: $version (sha256 not pinned)" \
	     "Update base.conf once the series is known to apply and pass."
	f=$(cached "$version")
	[ -f "$f" ] || fetch "$version"
	echo "$f $version"
}

main "$@"
