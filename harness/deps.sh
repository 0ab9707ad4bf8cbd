#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the harness needs on a Debian 12 host, idempotently.
#
# Most packages come from bookworm. virtme-ng and a recent ethtool (for
# hds-thresh) only exist in trixie: the trixie suite is added on the same
# mirror the machine already uses for bookworm, pinned low so that nothing
# else is ever taken from it.

set -euo pipefail

STAMP_DIR=${ZCRX_CACHE:-/var/cache/zcrx}
STAMP="$STAMP_DIR/deps.stamp"

BOOKWORM_PKGS=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod
	ccache sparse git rsync xz-utils python3 python3-yaml python3-jsonschema
	qemu-system-x86 udev iproute2 iputils-ping socat procps
	liburing-dev
)
TRIXIE_PKGS=(virtme-ng ethtool)
TRIXIE_SOURCES=/etc/apt/sources.list.d/zcrx-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/zcrx-trixie

log() { echo "deps: $*"; }

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: must run as root to install packages (try: sudo make deps)" >&2
		exit 1
	fi
}

# The mirror that serves bookworm on this machine, from apt's own view.
bookworm_mirror() {
	apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null |
		awk '$1 == "bookworm" { print $2; exit }'
}

add_trixie() {
	local mirror

	[ -f "$TRIXIE_SOURCES" ] && [ -f "$TRIXIE_PIN" ] && return 0
	mirror=$(bookworm_mirror)
	if [ -z "$mirror" ]; then
		echo "deps: cannot find the bookworm mirror in apt's configuration" >&2
		exit 1
	fi
	log "adding trixie on $mirror with pin priority 100"
	cat > "$TRIXIE_SOURCES" <<-EOF
	Types: deb
	URIs: $mirror
	Suites: trixie
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	cat > "$TRIXIE_PIN" <<-EOF
	Package: *
	Pin: release n=trixie
	Pin-Priority: 100
	EOF
	rm -f "$STAMP"
}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

ethtool_new_enough() {
	local v

	v=$(ethtool --version 2>/dev/null | awk '{ print $3 }')
	[ -n "$v" ] && dpkg --compare-versions "$v" ge 6.11
}

all_present() {
	local p

	for p in "${BOOKWORM_PKGS[@]}" "${TRIXIE_PKGS[@]}"; do
		installed "$p" || return 1
	done
	ethtool_new_enough
}

main() {
	if all_present && [ -f "$TRIXIE_SOURCES" ]; then
		log "all packages present"
		return 0
	fi
	need_root
	add_trixie
	log "apt-get update"
	apt-get update -qq
	log "installing bookworm packages (${#BOOKWORM_PKGS[@]})"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${BOOKWORM_PKGS[@]}" > /dev/null
	log "installing from trixie: ${TRIXIE_PKGS[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${TRIXIE_PKGS[@]/%//trixie}" > /dev/null
	if ! ethtool_new_enough; then
		echo "deps: ethtool $(ethtool --version) is too old for hds-thresh" >&2
		exit 1
	fi
	mkdir -p "$STAMP_DIR"
	date -u +%FT%TZ > "$STAMP"
	log "done"
}

main "$@"
