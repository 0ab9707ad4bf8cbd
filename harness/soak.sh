#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make soak': SOAK_MINUTES (30) of mixed io_uring zero-copy traffic, queue
# restarts and ring churn on the debug kernel, in one boot, with memory,
# memlock and page-pool figures sampled every minute that must be flat at
# the end (harness/guest/soak.py runs the cases and says what flat means).
# Builds the debug kernel and the selftests as make check does, boots with
# vm.sh, then judges the soak's KTAP, the kernel logs and kmemleak's
# reports with results.py as make check does, and ends with "N passed, N
# failed, N skipped"; exits non-zero on any failure. Not part of make check.
#
# SOAK_CASES="a,b,..." soaks those iou-zcrx.py cases instead of soak.py's
# rotation ("test_zcrx_" may be left out of each name); SOAK_VM_TIMEOUT
# (the minutes plus 30 min) kills a guest that hangs.
#
# Writes out/results/soak.csv (a row per sample), out/results/soak.ktap,
# and in out/results/soak/ the kernel logs, kmemleak's reports, a copy of
# the console log and the records.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/out/results
dir=$res/soak
rec=$dir/records
minutes=${SOAK_MINUTES:-30}
cases=${SOAK_CASES:-}
cases=${cases// /,}

case "$minutes" in
''|*[!0-9]*|0)
	echo "soak: SOAK_MINUTES must be a whole number of minutes, 1 or more, not '$minutes'" >&2
	exit 2 ;;
esac
if [[ ! "$cases" =~ ^[A-Za-z0-9_,]*$ ]]; then
	echo "soak: SOAK_CASES takes case names of iou-zcrx.py, not '$cases'" >&2
	exit 2
fi
# Beyond the soak itself: the boot (~1 min), two kmemleak scans (a few
# minutes each after a long run), the case that runs when the time is up,
# the final settle.
vm_limit=${SOAK_VM_TIMEOUT:-$((minutes * 60 + 1800))}

phase() { echo; echo "== $* =="; }

main() {
	local rc=0 soak_rc t0

	phase "build (debug flavour and selftests, as make check builds them)"
	make -s -C "$top" kernel FLAVOUR=debug
	make -s -C "$top" selftests

	phase "VM: a soak of $minutes min${cases:+ (SOAK_CASES=$cases)}"
	echo "soak: ~1 min to boot, a kmemleak scan before and after (a few minutes" \
	     "each), a sample a minute; the guest is killed after $vm_limit s"
	rm -rf "$dir" "$res/soak.csv" "$res/soak.ktap"
	mkdir -p "$rec"
	t0=$SECONDS
	# as make check: hugetlb pages for the cases with an area in huge
	# pages; the soft-lockup and RCU-stall detectors raised for TCG
	VM_APPEND="hugepages=16 watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60" \
	"$top/harness/vm.sh" debug "$vm_limit" \
		"$top/harness/guest/soak.sh" "$res" "$top/out/kselftest" \
		"$minutes" "${cases:--}" || rc=$?
	echo "soak: the guest ran for $(( (SECONDS - t0) / 60 )) min $(( (SECONDS - t0) % 60 )) s"
	if [ "$rc" -ne 0 ]; then
		printf 'FAIL\tvm\tguest ran to the end\texit %s, see out/results/vm-debug.log\n' \
			"$rc" > "$rec/vm"
	fi
	# results.py kernel-log reads the console log next to the kernel logs
	if [ -f "$res/vm-debug.log" ]; then
		cp "$res/vm-debug.log" "$dir/vm-debug.log"
	fi

	soak_rc=$(cat "$dir/soak.rc" 2> /dev/null || echo "unknown (no soak.rc: the guest stopped first)")
	"$top/harness/results.py" ktap soak "$res/soak.ktap" "$soak_rc" > "$rec/soak"
	"$top/harness/results.py" kernel-log "$dir" "the soak" > "$rec/kernel-log"

	phase "summary (samples: out/results/soak.csv)"
	grep -h '^# soak: ' "$res/soak.ktap" 2> /dev/null | sed 's/^# //' ||
		echo "soak: no summary: the guest did not finish the soak"
	"$top/harness/results.py" summary "$rec"/*
}

main "$@"
