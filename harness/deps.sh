#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the harness needs on a Debian 12 host, idempotently.
#
# Most packages come from bookworm. virtme-ng only exists in trixie, an
# ethtool that knows hds-thresh (ethtool -g prints "HDS thresh", -G sets it)
# only in forky, and a QEMU that emulates the igb NIC (82576, QEMU 8.1 and
# later; bookworm has 7.2) in bookworm-backports, built for Debian 12. The
# three suites are added on the same mirror the machine already uses for
# bookworm, pinned low so that nothing else is ever taken from them: only
# the packages named below, each from its suite. ethtool from forky needs
# only libc6 >= 2.34 and libmnl0, both in bookworm; liburing 2.15 from
# forky (zero-copy receive helpers; bookworm's 2.3 predates them) replaces
# bookworm's liburing-dev and liburing2 and nothing else; QEMU from backports
# replaces bookworm's QEMU and its firmware and data siblings, nothing else
# (apt-get install -s shows qemu-system-x86, -common, -data and seabios).

set -euo pipefail

STAMP_DIR=${ZCRX_CACHE:-/var/cache/zcrx}
STAMP="$STAMP_DIR/deps.stamp"

BOOKWORM_PKGS=(
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod
	ccache sparse git rsync xz-utils python3 python3-yaml python3-jsonschema
	udev iproute2 iputils-ping socat procps python3-matplotlib
	libnl-3-dev libnl-genl-3-dev pkg-config dpkg-dev debhelper
)
TRIXIE_PKGS=(virtme-ng)
FORKY_PKGS=(ethtool liburing-dev liburing2)
LIBURING_MIN=2.15
BACKPORTS_PKGS=(qemu-system-x86 qemu-system-common qemu-system-data seabios)
TRIXIE_SOURCES=/etc/apt/sources.list.d/zcrx-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/zcrx-trixie
FORKY_SOURCES=/etc/apt/sources.list.d/zcrx-forky.sources
FORKY_PIN=/etc/apt/preferences.d/zcrx-forky
BACKPORTS_SOURCES=/etc/apt/sources.list.d/zcrx-bookworm-backports.sources
BACKPORTS_PIN=/etc/apt/preferences.d/zcrx-bookworm-backports

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

# add_suite NAME SOURCES PIN: NAME on the bookworm mirror, pinned at 100.
add_suite() {
	local suite=$1 sources=$2 pin=$3 mirror

	[ -f "$sources" ] && [ -f "$pin" ] && return 0
	mirror=$(bookworm_mirror)
	if [ -z "$mirror" ]; then
		echo "deps: cannot find the bookworm mirror in apt's configuration" >&2
		exit 1
	fi
	log "adding $suite on $mirror with pin priority 100"
	cat > "$sources" <<-EOF
	Types: deb
	URIs: $mirror
	Suites: $suite
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	cat > "$pin" <<-EOF
	Package: *
	Pin: release n=$suite
	Pin-Priority: 100
	EOF
	rm -f "$STAMP"
}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

# hds-thresh in ethtool's own help is the feature we need, whatever the
# version. The output is taken whole before it is searched: with pipefail,
# grep -q leaving at the first match kills the writer with SIGPIPE and the
# pipeline fails (seen under load: "ethtool version 7.2 does not know
# hds-thresh").
ethtool_new_enough() {
	local help

	help=$(ethtool -h 2>&1) || return 1
	grep -q 'hds-thresh' <<< "$help"
}

# The version this time: the tools build against liburing's own headers.
liburing_new_enough() {
	local v

	v=$(dpkg-query -W -f='${Version}' liburing-dev 2>/dev/null) || return 1
	dpkg --compare-versions "$v" ge "$LIBURING_MIN"
}

# The capability, not the version: QEMU lists the igb device model.
qemu_has_igb() {
	local devices

	devices=$(qemu-system-x86_64 -device help 2>/dev/null) || return 1
	grep -q '^name "igb"' <<< "$devices"
}

all_present() {
	local p

	for p in "${BOOKWORM_PKGS[@]}" "${TRIXIE_PKGS[@]}" "${FORKY_PKGS[@]}" \
		 "${BACKPORTS_PKGS[@]}"; do
		installed "$p" || return 1
	done
	ethtool_new_enough && qemu_has_igb && liburing_new_enough
}

main() {
	if all_present && [ -f "$TRIXIE_SOURCES" ] && [ -f "$FORKY_SOURCES" ] &&
	   [ -f "$BACKPORTS_SOURCES" ]; then
		log "all packages present"
		return 0
	fi
	need_root
	add_suite trixie "$TRIXIE_SOURCES" "$TRIXIE_PIN"
	add_suite forky "$FORKY_SOURCES" "$FORKY_PIN"
	add_suite bookworm-backports "$BACKPORTS_SOURCES" "$BACKPORTS_PIN"
	log "apt-get update"
	apt-get update -qq
	log "installing bookworm packages (${#BOOKWORM_PKGS[@]})"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${BOOKWORM_PKGS[@]}" > /dev/null
	log "installing from trixie: ${TRIXIE_PKGS[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${TRIXIE_PKGS[@]/%//trixie}" > /dev/null
	log "installing from forky: ${FORKY_PKGS[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${FORKY_PKGS[@]/%//forky}" > /dev/null
	log "installing from bookworm-backports: ${BACKPORTS_PKGS[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${BACKPORTS_PKGS[@]/%//bookworm-backports}" > /dev/null
	if ! ethtool_new_enough; then
		echo "deps: $(ethtool --version) does not know hds-thresh" >&2
		exit 1
	fi
	if ! liburing_new_enough; then
		echo "deps: liburing-dev $(dpkg-query -W -f='${Version}' liburing-dev) is older than $LIBURING_MIN" >&2
		exit 1
	fi
	if ! qemu_has_igb; then
		echo "deps: $(qemu-system-x86_64 --version | head -n 1) has no igb device" >&2
		exit 1
	fi
	mkdir -p "$STAMP_DIR"
	date -u +%FT%TZ > "$STAMP"
	log "done"
}

main "$@"
