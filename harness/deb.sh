#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make deb': Debian packages of the kernel in out/linux (the pinned base
# with the series and the overlay), built out of tree with 'make
# bindeb-pkg' and checked with dpkg-deb before they are called done.
#
#   DEB_VARIANT=debian (default)
#       Debian's own config for the base: linux-config-6.12's
#       config.ARCH_none_ARCH.xz, installed with apt at the base's version
#       when missing; DEB_CONFIG=FILE names another config instead, and
#       without the package a 6.12 /boot/config-$(uname -r) is taken.
#       Plus the zero-copy symbols and what they depend on (not the
#       KUnit ones), the trusted keys cleared for a rebuild and modules
#       signed with a throwaway key. Built in out/build-deb, packages in
#       out/deb. Several hours on 2 cores (DEB_DEBUG_INFO=0 leaves out
#       the debug info and the -dbg package, which shortens that).
#   DEB_VARIANT=ci
#       What CI builds: the release kernel's config (tinyconfig +
#       config/{vm,net,release}.config) with modules, igb and bnxt_en
#       among them. Built in out/build-deb-ci, packages in out/deb/ci;
#       ~20 min with a cold ccache on 2 cores, a few minutes warm.
#   DEB_CONFIGURE_ONLY=1 ('make deb-config')
#       stop once the config is resolved, merged and checked.
#
# Every symbol asked for is checked after olddefconfig, as build.sh does.
# The packages must hold what installing them needs: linux-image the
# kernel in /boot and every module the build made in /lib/modules/VERSION
# (netdevsim, igb and bnxt_en shown where they are modules), linux-headers
# the tree to build modules against, linux-libc-dev the zero-copy uapi.

set -euo pipefail
# a failure inside $(...) stops the script too, not only the substitution
shopt -s inherit_errexit

top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/out/linux
variant=${DEB_VARIANT:-debian}
localversion=${DEB_LOCALVERSION:--zcrx}
jobs=${JOBS:-$(nproc)}
arch=$(dpkg --print-architecture)
# The NICs the zero-copy tests run on, shown where the package carries
# them as modules (every module the build made must be in it).
nics=(netdevsim igb bnxt_en)

case "$variant" in
debian)
	obj=$top/out/build-deb
	dest=$top/out/deb
	;;
ci)
	obj=$top/out/build-deb-ci
	dest=$top/out/deb/ci
	;;
*)
	echo "deb: DEB_VARIANT=$variant: want 'debian' (the default) or 'ci'" >&2
	exit 2
	;;
esac
if [ "$variant" = ci ] && [ -n "${DEB_CONFIG:-}" ]; then
	echo "deb: DEB_CONFIG is for the default variant; DEB_VARIANT=ci builds its own config" >&2
	exit 2
fi

# A distribution config fills a cache of its own, so that it does not
# evict the debug kernel's objects 'make check' relies on.
if [ "$variant" = ci ]; then
	export CCACHE_DIR=${CCACHE_DIR:-/var/cache/zcrx/ccache}
else
	export CCACHE_DIR=${CCACHE_DIR:-/var/cache/zcrx/ccache-deb}
fi
export CCACHE_BASEDIR=$top
export KBUILD_BUILD_TIMESTAMP="1970-01-01"
export KBUILD_BUILD_USER=zcrx KBUILD_BUILD_HOST=zcrx
# mkdebian's maintainer and changelog entry
export DEBFULLNAME="zcrx team" DEBEMAIL="zcrx@localhost"
kmake=(make -s -C "$src" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc"
       LOCALVERSION="$localversion" -j"$jobs")

log() { echo "deb[$variant]: $*"; }
die() { echo "deb[$variant]: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------- config

# The base's version as tree.py assembled it (base.conf's, or the newest
# 6.12 base.sh fell back to).
base_version() {
	git -C "$src" config zcrx.baseversion
}

config_pkg=linux-config-6.12

# The installed version of linux-config-6.12, or nothing.
installed() {
	if dpkg-query -W -f='${Version}' "$config_pkg" 2>/dev/null; then
		return 0
	fi
}

available() {
	apt-cache madison "$config_pkg" 2>/dev/null |
		awk -F'|' '{ gsub(/ /, "", $2); print $2 }'
}

# Whether linux-config-6.12 is installed or apt can install it.
debian_config_known() {
	[ -n "$(installed)" ] && return 0
	[ -n "$(available)" ] || apt-get update -qq
	[ -n "$(available)" ]
}

# linux-config-6.12's config for this architecture, installed when missing
# at the base's version if the archive has it. Prints its path.
debian_config() {
	local want have file

	want=$(base_version)
	file=/usr/src/$config_pkg/config.${arch}_none_${arch}.xz
	have=$(installed)
	if [ -z "$have" ]; then
		if available | grep -xF "$want" > /dev/null; then
			log "installing $config_pkg=$want with apt (the base's version)" >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends "$config_pkg=$want" > /dev/null
		else
			log "warning: the archive has no $config_pkg $want; installing its" \
			    "newest, $(available | sort -V | tail -1)" >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends "$config_pkg" > /dev/null
		fi
		have=$(installed)
	fi
	if [ "$have" != "$want" ]; then
		log "warning: $config_pkg is $have, the base is $want: its config may" \
		    "miss or carry symbols the base does not have" >&2
	fi
	[ -f "$file" ] || die "$config_pkg $have has no $file (architecture $arch)"
	echo "$file"
}

# The config the default variant starts from, as "PATH DESCRIPTION".
start_config() {
	local running file

	running=/boot/config-$(uname -r)
	if [ -n "${DEB_CONFIG:-}" ]; then
		[ -f "$DEB_CONFIG" ] || die "DEB_CONFIG=$DEB_CONFIG: no such file"
		echo "$DEB_CONFIG DEB_CONFIG"
	elif debian_config_known; then
		file=$(debian_config)
		echo "$file Debian's $config_pkg $(installed)"
	elif [ -f "$running" ] && grep -q '^# Linux/.* 6\.12\.[0-9]* Kernel Configuration' "$running"; then
		log "warning: apt has no $config_pkg; starting from the running kernel's config" >&2
		echo "$running the running kernel's config"
	else
		die "no config to start from: apt has no $config_pkg, $running is not a" \
		    "6.12 config; name one with DEB_CONFIG=FILE"
	fi
}

# The "config SYM" blocks' "depends on" symbols, for a dependency
# that must hold (no "||" or "!" in the expression).
kconfig_depends() {
	local sym=$1 f

	{ grep -rlx --include='Kconfig*' "\(menu\)\?config $sym" "$src" || true; } |
	while read -r f; do
		awk -v sym="$sym" '
			$1 ~ /^(menu)?config$/ { inblock = ($2 == sym); next }
			/^(choice|endchoice|menu|endmenu|if|endif|source|comment)/ { inblock = 0 }
			inblock && $1 == "depends" && $2 == "on" && !/\|\||!/ {
				sub(/^[ \t]*depends on[ \t]*/, "")
				n = split($0, words, /[^A-Za-z0-9_]+/)
				for (i = 1; i <= n; i++)
					if (words[i] ~ /^[A-Z0-9_]+$/ && words[i] !~ /^[0-9]+$/)
						print words[i]
			}' "$f"
	done | sort -u
}

# The zero-copy symbols: those the overlay's Kconfig files define, less
# the KUnit ones.
zcrx_symbols() {
	local f

	git -C "$src" diff --name-only refs/zcrx/patched refs/zcrx/overlay -- '*Kconfig*' |
	while read -r f; do
		awk '
			$1 == "config" { if (sym != "" && !test) print sym; sym = $2; test = 0 }
			$1 == "depends" && /KUNIT/ { test = 1 }
			END { if (sym != "" && !test) print sym }' "$src/$f"
	done
}

# A fragment with the zero-copy symbols and what they depend on, at
# config/net.config's values (y where it has none).
zcrx_fragment() {
	local -A seen=()
	local todo sym dep line

	read -r -a todo <<< "$(zcrx_symbols | tr '\n' ' ')"
	[ "${#todo[@]}" -gt 0 ] || die "no zero-copy symbols in the overlay's Kconfig files"
	echo "# zero-copy receive and what it depends on (harness/deb.sh)"
	while [ "${#todo[@]}" -gt 0 ]; do
		sym=${todo[0]}
		todo=("${todo[@]:1}")
		[ -z "${seen[$sym]:-}" ] || continue
		seen[$sym]=1
		line=$(grep -E "^CONFIG_$sym=|^# CONFIG_$sym is not set" "$top/config/net.config" || true)
		echo "${line:-CONFIG_$sym=y}"
		for dep in $(kconfig_depends "$sym"); do
			[ -n "${seen[$dep]:-}" ] || todo+=("$dep")
		done
	done
}

# Whether every symbol "config $1" depends on is y in config $2.
depends_hold() {
	local dep

	for dep in $(kconfig_depends "$1"); do
		grep -qx "CONFIG_$dep=y" "$2" || return 1
	done
}

# What a rebuild of a distribution config must change (the Debian kernel
# handbook, "Building a custom kernel from Debian kernel source"): no
# Debian certificates to trust or revoke, modules signed at install with
# the throwaway key kbuild generates (certs/signing_key.pem), no "+" or
# git suffix in the release (LOCALVERSION names it). Settings whose
# dependencies config $1 does not have are left out: they would not stick
# and need no clearing.
rebuild_fragment() {
	local line sym

	echo "# a rebuild of a distribution config (harness/deb.sh)"
	for line in 'CONFIG_SYSTEM_TRUSTED_KEYS=""' 'CONFIG_SYSTEM_REVOCATION_KEYS=""' \
		    'CONFIG_MODULE_SIG_KEY="certs/signing_key.pem"' 'CONFIG_MODULE_SIG_ALL=y'; do
		sym=${line%%=*}
		if depends_hold "${sym#CONFIG_}" "$1"; then
			echo "$line"
		else
			echo "# $sym: not in this config (its dependencies are off)"
		fi
	done
	echo "# CONFIG_LOCALVERSION_AUTO is not set"
	if [ "${DEB_DEBUG_INFO:-1}" = 0 ]; then
		echo "CONFIG_DEBUG_INFO_NONE=y"
	fi
}

# The CI variant on top of the release kernel's fragments: modules, and
# the hardware NICs as modules. netdevsim stays built in: as a module it
# does not link, netdev_rx_queue_restart() (its debugfs queue/reset) is
# not exported in 6.12.
ci_fragment() {
	cat <<-'EOF'
	# the CI package: a modular release kernel (harness/deb.sh)
	CONFIG_MODULES=y
	CONFIG_MODULE_UNLOAD=y
	CONFIG_NET_VENDOR_INTEL=y
	CONFIG_IGB=m
	CONFIG_NET_VENDOR_BROADCOM=y
	CONFIG_BNXT=m
	# CONFIG_LOCALVERSION_AUTO is not set
	EOF
}

# One "CONFIG_X=v" or "# CONFIG_X is not set" per symbol of the fragments,
# the last one given winning, as merge_config.sh merges them.
wanted() {
	cat "$@" | awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { sym = $2 }
		sym != "" { if (!(sym in want)) order[n++] = sym; want[sym] = $0; sym = "" }
		END { for (i = 0; i < n; i++) print want[order[i]] }'
}

# Print each wanted line .config does not have (build.sh's unstuck()).
unstuck() {
	local line sym want

	while IFS= read -r line; do
		case "$line" in
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$obj/.config" &&
				echo "$sym: wanted unset, got $(grep "^$sym=" "$obj/.config")"
			;;
		*)
			sym=${line%%=*}
			want=$line
			[ "$want" = "${sym}=n" ] && want="# $sym is not set"
			grep -qxF "$want" "$obj/.config" ||
				echo "$sym: wanted ${want#*=}, got" \
				     "$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || echo 'nothing (not visible)')"
			;;
		esac
	done < "$1"
	return 0
}

configure() {
	local start from desc frags=() bad

	mkdir -p "$obj"
	if [ "$variant" = ci ]; then
		ci_fragment > "$obj/zcrx-ci.config"
		frags=("$top/config/vm.config" "$top/config/net.config"
		       "$top/config/release.config" "$obj/zcrx-ci.config")
		log "configuring: tinyconfig + config/{vm,net,release}.config + modules"
		"${kmake[@]}" tinyconfig > /dev/null
	else
		start=$(start_config)
		read -r from desc <<< "$start"
		log "configuring: $desc ($from) + the zero-copy symbols + rebuild settings"
		case "$from" in
		*.xz) xz -dc "$from" > "$obj/.config" ;;
		*) cp "$from" "$obj/.config" ;;
		esac
		zcrx_fragment > "$obj/zcrx-symbols.config"
		rebuild_fragment "$obj/.config" > "$obj/zcrx-rebuild.config"
		frags=("$obj/zcrx-symbols.config" "$obj/zcrx-rebuild.config")
	fi
	KCONFIG_CONFIG="$obj/.config" "$src/scripts/kconfig/merge_config.sh" -m -Q \
		-O "$obj" "$obj/.config" "${frags[@]}" > /dev/null
	"${kmake[@]}" olddefconfig > /dev/null
	wanted "${frags[@]}" > "$obj/zcrx-wanted.config"
	bad=$(unstuck "$obj/zcrx-wanted.config")
	if [ -n "$bad" ]; then
		echo "deb[$variant]: config symbols that did not stick after olddefconfig:" >&2
		echo "${bad//$'\n'/$'\n'  }" | sed '1s/^/  /' >&2
		die "fix the dependency or the fragment (see 'make O=${obj#"$top"/} menuconfig')"
	fi
	if [ "$variant" = ci ]; then
		log "$(grep -c . "$obj/zcrx-wanted.config") symbols asked for, all set;" \
		    "the zero-copy ones:"
		grep -E "^CONFIG_($(zcrx_symbols | paste -sd'|'))=" "$obj/.config" | sed 's/^/  /'
	else
		log "$(grep -c . "$obj/zcrx-wanted.config") symbols asked for, all set:"
		sed 's/^/  /' "$obj/zcrx-wanted.config"
	fi
	log "release $(kernelrelease), config in ${obj#"$top"/}/.config"
}

kernelrelease() {
	"${kmake[@]}" kernelrelease 2>/dev/null | tail -1
}

# ---------------------------------------------------------------- build

# A line a minute while make runs, so a long build shows progress.
ticker() {
	local t0=$1 n

	while sleep 60; do
		n=$(find "$obj" -name '*.o' -newer "$obj/.zcrx-start" 2>/dev/null | wc -l)
		echo "deb[$variant]: $((SECONDS - t0)) s, $n objects compiled so far"
	done
}

build() {
	local t0=$SECONDS tick rc=0 version

	version="$(base_version)+zcrx$(git -C "$top" rev-list --count HEAD 2>/dev/null || echo 0)"
	if [ "$variant" = ci ]; then
		log "building the packages in ${obj#"$top"/} with $jobs jobs (~20 min with a" \
		    "cold ccache, a few minutes warm)"
	else
		log "building the packages in ${obj#"$top"/} with $jobs jobs: a distribution config" \
		    "builds thousands of modules, SEVERAL HOURS on 2 cores"
	fi
	rm -f "$obj/debian/files"
	touch "$obj/.zcrx-start"
	ticker "$t0" &
	tick=$!
	"${kmake[@]}" KDEB_PKGVERSION="$version" bindeb-pkg > "$obj/bindeb-pkg.log" 2>&1 || rc=$?
	kill "$tick" 2>/dev/null
	wait "$tick" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		tail -30 "$obj/bindeb-pkg.log" | sed 's/^/  | /' >&2
		die "make bindeb-pkg failed (exit $rc); the whole log: ${obj#"$top"/}/bindeb-pkg.log"
	fi
	log "built in $((SECONDS - t0)) s"
}

# Move what dpkg-buildpackage wrote next to the build directory (the
# packages debian/files lists, the .buildinfo and .changes) into $dest.
collect() {
	local f source

	[ -s "$obj/debian/files" ] || die "no $obj/debian/files: dpkg-buildpackage made no package"
	rm -rf "$dest"/*.deb "$dest"/*.buildinfo "$dest"/*.changes
	mkdir -p "$dest"
	while read -r f _; do
		[ -f "$obj/../$f" ] || die "debian/files lists $f, which is not in ${obj%/*}"
		mv "$obj/../$f" "$dest/"
	done < "$obj/debian/files"
	source=$(dpkg-parsechangelog -l "$obj/debian/changelog" -S Source)
	mv "$obj/../${source}_"*.changes "$dest/"
}

# ---------------------------------------------------------------- checks

# The path of the one package named $1 in $dest.
package() {
	local found

	found=$(find "$dest" -maxdepth 1 -name "${1}_*.deb")
	[ "$(echo "$found" | grep -c .)" -eq 1 ] ||
		die "want one $1 package in ${dest#"$top"/}, found: ${found:-none}"
	echo "$found"
}

# Fail unless the listing of package $1 ($2) has a path matching $3.
holds() {
	grep -qE "$3" "$2" || die "$1 has no path matching '$3'"
}

# dpkg -c's paths, one a line (a symlink's own path, not its target).
contents() {
	dpkg -c "$1" | awk '{ print $(NF - (/ -> / ? 2 : 0)) }'
}

check_packages() {
	local rel deb list name n missing

	rel=$(cat "$obj/include/config/kernel.release")
	for deb in "$dest"/*.deb; do
		dpkg-deb -I "$deb" > "$obj/package.info" ||
			die "dpkg-deb -I $(basename "$deb"): not a valid package"
		log "$(basename "$deb"): $(awk '/^ (Package|Version|Architecture|Installed-Size):/ \
			{ printf "%s %s  ", $1, $2 }' "$obj/package.info")"
	done
	rm -f "$obj/package.info"

	deb=$(package "linux-image-$rel")
	list=$obj/linux-image.list
	contents "$deb" > "$list"
	holds linux-image "$list" "^\./boot/vmlinuz-$rel$"
	holds linux-image "$list" "^\./boot/config-$rel$"
	holds linux-image "$list" "^\./boot/System.map-$rel$"
	# every module the build made (modules.order), compressed or not
	missing=$(sed 's/\.k\?o$//' "$obj/modules.order" | awk -v rel="$rel" '
		NR == FNR { have[$0] = 1; next }
		{
			p = "./lib/modules/" rel "/kernel/" $0 ".ko"
			if (!(p in have || p ".xz" in have || p ".zst" in have || p ".gz" in have))
				print $0 ".ko"
		}' "$list" -)
	[ -z "$missing" ] ||
		die "linux-image lacks modules the build made: $(echo "$missing" | head -5 | paste -sd' ')"
	n=$(grep -c . "$obj/modules.order")
	[ "$n" -gt 0 ] || die "the build made no modules: the package would hold none"
	for name in "${nics[@]}"; do
		if grep -qE "(^|/)$name\.k?o$" "$obj/modules.order"; then
			log "linux-image: $(grep -E "/$name\.ko(\.[a-z]+)?$" "$list" | sed 's,^\./,/,')"
		else
			log "linux-image: no $name.ko: the config builds it in or not at all"
		fi
	done
	log "linux-image: /boot/vmlinuz-$rel, /boot/config-$rel, all $n modules in /lib/modules/$rel"
	# the kernel it holds has zero-copy receive (grep reads to the end:
	# with -q, tar would die of SIGPIPE and fail the pipeline)
	dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./boot/config-$rel" |
		grep -x 'CONFIG_IO_URING_ZCRX=y' > /dev/null ||
		die "linux-image's /boot/config-$rel has no CONFIG_IO_URING_ZCRX=y"

	deb=$(package "linux-headers-$rel")
	list=$obj/linux-headers.list
	contents "$deb" > "$list"
	for f in Makefile Module.symvers include/config/kernel.release \
		 include/generated/autoconf.h include/net/zcrx.h scripts/Makefile.build; do
		holds linux-headers "$list" "^\./usr/src/linux-headers-$rel/$f$"
	done
	holds linux-headers "$list" "^\./lib/modules/$rel/build$"
	log "linux-headers: /usr/src/linux-headers-$rel" \
	    "($(grep -c "^\./usr/src/linux-headers-$rel/" "$list") paths, include/net/zcrx.h" \
	    "among them), /lib/modules/$rel/build"

	deb=$(package linux-libc-dev)
	dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/include/linux/io_uring.h |
		grep IORING_REGISTER_ZCRX_IFQ > /dev/null ||
		die "linux-libc-dev's linux/io_uring.h has no IORING_REGISTER_ZCRX_IFQ"
	log "linux-libc-dev: /usr/include/linux/io_uring.h has the zero-copy uapi"
	rm -f "$obj/linux-image.list" "$obj/linux-headers.list"
}

main() {
	[ -d "$src/.git" ] || die "no $src: run 'make tree' first"
	configure
	if [ "${DEB_CONFIGURE_ONLY:-0}" = 1 ]; then
		log "DEB_CONFIGURE_ONLY=1: stopping before the build"
		return 0
	fi
	mkdir -p "$CCACHE_DIR"
	ccache -M 8G > /dev/null
	build
	collect
	check_packages
	log "packages in ${dest#"$top"/}:"
	find "$dest" -maxdepth 1 -name '*.deb' -printf '  %10s  %P\n' | sort -k2
}

main "$@"
