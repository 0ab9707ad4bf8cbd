#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build the kernel of one flavour out of tree:
#   build.sh debug|release
# The config is tinyconfig plus config/{vm,net}.config plus
# config/FLAVOUR.config. Every line of the fragments is checked after
# olddefconfig: a symbol that did not stick (a missing dependency, a typo)
# fails the build and is named.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:?usage: build.sh debug|release}
src=$top/out/linux
obj=$top/out/build-$flavour
frags=("$top/config/vm.config" "$top/config/net.config" "$top/config/$flavour.config")
jobs=${JOBS:-$(nproc)}

[ -f "$top/config/$flavour.config" ] || { echo "build: no flavour '$flavour'" >&2; exit 2; }

export CCACHE_DIR=${CCACHE_DIR:-/var/cache/zcrx/ccache}
# Paths under the clone are hashed relative to it, so another clone of the
# repo (CI's fresh one) hits the same cache.
export CCACHE_BASEDIR=$top
export KBUILD_BUILD_TIMESTAMP="1970-01-01"
export KBUILD_BUILD_USER=zcrx KBUILD_BUILD_HOST=zcrx
mkdir -p "$obj" "$CCACHE_DIR"
ccache -M 8G > /dev/null
kmake=(make -s -C "$src" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc" -j"$jobs")

# Print each "CONFIG_X=v" / "# CONFIG_X is not set" that .config does not have.
unstuck() {
	local f line sym want

	for f in "${frags[@]}"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*)
				sym=${line%%=*}
				want=$line
				[ "$want" = "${sym}=n" ] && want="# $sym is not set"
				;;
			"# CONFIG_"*" is not set")
				want=$line
				sym=${line#\# }
				sym=${sym%% *}
				;;
			*) continue ;;
			esac
			if [ "$want" = "# $sym is not set" ]; then
				grep -q "^$sym=" "$obj/.config" &&
					echo "$sym: wanted unset by ${f#"$top"/}, got $(grep "^$sym=" "$obj/.config")"
			elif ! grep -qxF "$want" "$obj/.config"; then
				echo "$sym: wanted ${want#*=} by ${f#"$top"/}, got" \
				     "$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || echo 'nothing (not visible)')"
			fi
		done < "$f"
	done
	return 0
}

configure() {
	local sum bad

	sum=$(cat "${frags[@]}" "$top/base.conf" | sha256sum | cut -c1-16)
	if [ -f "$obj/.config" ] && [ "$(cat "$obj/.zcrx-config" 2>/dev/null)" = "$sum" ]; then
		return 0
	fi
	echo "build[$flavour]: configuring (tinyconfig + ${#frags[@]} fragments)"
	"${kmake[@]}" tinyconfig > /dev/null
	KCONFIG_CONFIG="$obj/.config" "$src/scripts/kconfig/merge_config.sh" -m -Q \
		-O "$obj" "$obj/.config" "${frags[@]}" > /dev/null
	"${kmake[@]}" olddefconfig > /dev/null
	bad=$(unstuck)
	if [ -n "$bad" ]; then
		echo "build[$flavour]: config symbols that did not stick after olddefconfig:" >&2
		echo "${bad//$'\n'/$'\n'  }" | sed '1s/^/  /' >&2
		echo "build[$flavour]: fix the dependency or the fragment line (see 'make O=$obj menuconfig', '/' searches)" >&2
		rm -f "$obj/.zcrx-config"
		exit 1
	fi
	echo "$sum" > "$obj/.zcrx-config"
}

# Print a line a minute while make runs, so a cold build shows progress.
ticker() {
	local t0=$1 n

	while sleep 60; do
		n=$(find "$obj" -name '*.o' -newer "$obj/.zcrx-start" 2>/dev/null | wc -l)
		echo "build[$flavour]: $((SECONDS - t0)) s, $n objects compiled so far" \
		     "(a cold build compiles ~1700)"
	done
}

main() {
	local t0=$SECONDS tick rc=0

	configure
	echo "build[$flavour]: building bzImage in ${obj#"$top"/} with $jobs jobs" \
	     "(cold ~10-15 min, warm seconds)"
	touch "$obj/.zcrx-start"
	ticker "$t0" &
	tick=$!
	"${kmake[@]}" bzImage || rc=$?
	kill "$tick" 2>/dev/null
	wait "$tick" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		echo "build[$flavour]: kernel build FAILED (exit $rc)" >&2
		exit "$rc"
	fi
	echo "build[$flavour]: done in $((SECONDS - t0)) s"
}

main "$@"
