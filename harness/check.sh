#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make check': test the harness's own verdicts, build the debug kernel,
# boot it once under virtme-ng to run the built-in KUnit suites and the
# kselftests, check the kernel logs, run the static checks on our code, and
# print one summary ending in "N passed, N failed, N skipped". Exit non-zero
# on any failure.
#
# SUITES="WORD..." makes a targeted run for the edit-test loop: only the
# kselftests of harness/kselftests.list whose name contains one of the
# words, the static checks only with the word "static" and the library's
# tests only with "lib", the igb VM only with "igb", the mailable series
# (make series) only with "series". The kernel is still
# built, the KUnit suites still run at boot and the kernel logs are still
# checked. Its verdict is not the full one: the summary says so.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/out/results
rec=$res/records
vm_limit=${CHECK_VM_TIMEOUT:-3600}
per_test=${CHECK_TEST_TIMEOUT:-1800}
suites=${SUITES:-}
list=$top/harness/kselftests.list

phase() { echo; echo "== $* =="; }

# The guest's console and kernel logs: a crash (no "guest: done", or an oops
# on the console), splats, and kmemleak's reports after boot and at the end.
kernel_log() {
	"$top/harness/results.py" kernel-log "$res"
}

# Records of the harness's own self-test: its verdicts on crafted logs.
harness_selftest() {
	local rc=0

	"$top/harness/tests/results_test.py" > "$res/harness-selftest.ktap" 2>&1 || rc=$?
	"$top/harness/results.py" ktap "harness self-test" "$res/harness-selftest.ktap" "$rc"
}

# Records of make bench's self-test: its figures, failed transfers, the
# issue's targets and the comparison with the previous run, on made-up runs.
bench_selftest() {
	local rc=0

	"$top/harness/tests/bench_test.py" > "$res/make-bench-selftest.ktap" 2>&1 || rc=$?
	"$top/harness/results.py" ktap "bench self-test" "$res/make-bench-selftest.ktap" "$rc"
}

# Records of make series' self-test: where new files go, and a tiny tree
# formatted, applied with git am and caught when a patch is missing.
series_selftest() {
	local rc=0

	"$top/harness/tests/series_test.py" > "$res/series-selftest.ktap" 2>&1 || rc=$?
	"$top/harness/results.py" ktap "series self-test" "$res/series-selftest.ktap" "$rc"
}

# Records of make series: out/series formatted from out/linux, applied
# with git am on the base in a fresh clone and compared with out/linux.
# series.py writes its records as it goes; a crash before the first one
# is a failure too.
mail_series() {
	local rc=0

	"$top/harness/series.py" --records "$rec/series" > "$res/series.log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL' "$rec/series" 2>/dev/null; then
		printf 'FAIL\tseries\tmake series\texit %s, see out/results/series.log\n' \
			"$rc" >> "$rec/series"
	fi
}

# Records of the zcrx library's KTAP tests, built and run on the host; a
# non-zero exit fails even if the KTAP it printed looked complete.
library_tests() {
	local rc=0

	make -s -C "$top/tools/net/zcrx" O="$top/out/zcrx" check \
		> "$res/zcrx-lib.ktap" 2>&1 || rc=$?
	"$top/harness/results.py" ktap "zcrx library" "$res/zcrx-lib.ktap" "$rc"
}

# Records of the igb VM go under suites named "igb: ...".
igb_suite() {
	awk -F'\t' -v OFS='\t' '{ $2 = "igb: " $2; print }'
}

# The igb VM: a second boot of the debug kernel, on a q35 machine with the
# igb pair behind intel-iommu (harness/vm.sh VM_IGB=1), running
# kselftests-igb.list there; its results go to out/results/igb.
igb_vm() {
	local ires=$res/igb ilist=$top/harness/kselftests-igb.list rc=0

	mkdir -p "$ires"
	VM_IGB=1 VM_LOG=$ires/vm-debug.log \
	VM_APPEND="watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60" \
	"$top/harness/vm.sh" debug "$vm_limit" \
		"$top/harness/guest/check.sh" "$ires" "$top/out/kselftest" \
		"$ilist" "$per_test" igb || rc=$?
	if [ "$rc" -ne 0 ]; then
		printf 'FAIL\tvm\tguest ran to the end\texit %s, see out/results/igb/vm-debug.log\n' \
			"$rc" | igb_suite > "$rec/igb-vm"
	fi
	"$top/harness/results.py" kselftest "$ires/kselftest.ktap" "$ilist" \
		"$top/harness/skips-igb.list" | igb_suite > "$rec/igb-kselftest"
	"$top/harness/results.py" kernel-log "$ires" "the igb kselftests" |
		igb_suite > "$rec/igb-kernel-log"
}

# Print a record file's verdicts, indented, without its PLAN lines.
show() {
	grep -v '^PLAN' "$1" | cut -f1-3 | sed 's/^/  /' || true
}

# Whether SUITES (if set) selects a part of the run named by a word of it.
wanted() {
	local w

	[ -z "$suites" ] && return 0
	for w in $suites; do
		[ "$w" = "$1" ] && return 0
	done
	return 1
}

# The kselftests of the list whose name contains a word of SUITES.
targeted_list() {
	local t w

	grep -v '^#' "$top/harness/kselftests.list" | while read -r t; do
		[ -n "$t" ] || continue
		for w in $suites; do
			case "${t#*:}" in *"$w"*) echo "$t"; break ;; esac
		done
	done
}

# The static checks build on the host only, in build directories of their
# own: started before the VMs at the lowest priority, in a process group of
# their own (killed with it if make check ends early), they take the host
# cycles the TCG guests leave idle (the guests keep about 75% of the two
# cores busy) instead of 11 minutes after them.
static_pid=
static_start() {
	setsid nice -n 19 ionice -c 2 -n 7 "$top/harness/static.py" \
		> "$rec/static" 2> "$res/static.log" &
	static_pid=$!
	trap 'kill -- -"$static_pid" 2> /dev/null || :' EXIT
}

# Waits for the static checks; a crash of static.py is a failure record.
static_wait() {
	local rc=0

	wait "$static_pid" || rc=$?
	trap - EXIT
	if [ "$rc" -ne 0 ]; then
		printf 'FAIL\tstatic\tstatic.py ran to the end\texit %s: %s\n' "$rc" \
			"$(tail -n 3 "$res/static.log" | tr '\n' ' ')" >> "$rec/static"
	fi
}

main() {
	local rc=0

	# make bench's last run stays (bench*): the next one compares with it
	mkdir -p "$res"
	find "$res" -mindepth 1 -maxdepth 1 ! -name 'bench*' -exec rm -rf {} +
	mkdir -p "$rec"
	if [ -n "$suites" ]; then
		list=$res/kselftests.list
		targeted_list > "$list"
		echo "targeted run, SUITES=\"$suites\": $(wc -l < "$list") kselftest(s)$(wanted static && echo ", static checks")$(wanted lib && echo ", library tests")$(wanted series && echo ", the series")"
	fi

	phase "harness self-test: verdicts on crafted logs, make series' placement, make bench's report (host, seconds)"
	harness_selftest > "$rec/harness-selftest"
	series_selftest > "$rec/series-selftest"
	bench_selftest > "$rec/bench-selftest"
	{ show "$rec/harness-selftest"; show "$rec/series-selftest"
	  show "$rec/bench-selftest"; } |
		grep -v '^  PASS' || echo "  all passed"

	phase "build (debug flavour)"
	make -s -C "$top" kernel FLAVOUR=debug
	make -s -C "$top" selftests
	# the tools, which the VM's zcrx_tools.py runs against live bindings
	make -s -C "$top/tools/net/zcrx" O="$top/out/zcrx" all

	if wanted series; then
		phase "series: out/series applied with git am on the base (host, ~1 min)"
		mail_series
		show "$rec/series"
	fi

	if wanted static; then
		static_start
	fi

	phase "VM: KUnit (built in) and kselftests"
	# hugetlb pages for the io_uring cases with an area in huge pages; a
	# soft lockup is reported after 2 x watchdog_thresh s and an RCU stall
	# after rcu_cpu_stall_timeout s: both raised for a slow TCG guest
	VM_APPEND="hugepages=16 watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60" \
	"$top/harness/vm.sh" debug "$vm_limit" \
		"$top/harness/guest/check.sh" "$res" "$top/out/kselftest" \
		"$list" "$per_test" || rc=$?
	if [ "$rc" -ne 0 ]; then
		printf 'FAIL\tvm\tguest ran to the end\texit %s, see out/results/vm-debug.log\n' "$rc" > "$rec/vm"
	fi

	"$top/harness/results.py" kunit "$res/dmesg-boot.txt" \
		"$top/harness/kunit.expected" > "$rec/kunit"
	# a targeted run may select no kselftest at all: then there is no KTAP
	if grep -qv '^[[:space:]]*\(#\|$\)' "$list"; then
		"$top/harness/results.py" kselftest "$res/kselftest.ktap" "$list" \
			"$top/harness/skips-netdevsim.list" > "$rec/kselftest"
	fi
	kernel_log > "$rec/kernel-log"

	if wanted igb; then
		phase "VM: the igb pair (QEMU 82576 behind intel-iommu)"
		igb_vm
	fi

	if wanted lib; then
		phase "userspace: the zcrx library's tests (on the host)"
		library_tests > "$rec/zcrx-lib"
		show "$rec/zcrx-lib"
	fi

	if wanted static; then
		phase "static checks on our code (checkpatch --strict, sparse, W=1; run beside the VMs)"
		static_wait
		if [ -s "$rec/static" ]; then
			show "$rec/static"
		else
			echo "  (no overlay files or patches yet)"
		fi
	fi

	phase "summary"
	[ -z "$suites" ] || echo "targeted run (SUITES=\"$suites\"): not the full verdict of make check"
	"$top/harness/results.py" summary "$rec"/*
}

main "$@"
