# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the guest scripts (check.sh, soak.sh):
#   kmemleak_report DIR NAME WHAT
# scans for leaks and saves kmemleak's report as DIR/NAME.txt; a scan that
# cannot run (no debugfs file, kmemleak disabled itself) leaves DIR/NAME.err
# with the reason instead, which the host (results.py kernel-log) reports
# as a failure. WHAT says on the console which scan this is.

kmemleak=/sys/kernel/debug/kmemleak

kmemleak_report() {
	local dir=$1 name=$2 what=$3
	local err=$dir/$name.err

	rm -f "$err"
	if [ ! -w "$kmemleak" ]; then
		echo "no $kmemleak in the guest (CONFIG_DEBUG_KMEMLEAK off?)" > "$err"
		return 0
	fi
	echo "guest: kmemleak scan $what (two passes, a minute or two under TCG)"
	if ! { echo scan > "$kmemleak" && echo scan > "$kmemleak" &&
	       cat "$kmemleak" > "$dir/$name.txt"; } 2> "$err"; then
		echo "guest: the kmemleak scan failed: $(cat "$err")"
		rm -f "$dir/$name.txt"
		[ -s "$err" ] || echo "scan of $kmemleak failed" > "$err"
		return 0
	fi
	rm -f "$err"
}
