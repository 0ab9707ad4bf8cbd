#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make check': build the debug kernel, boot it once under virtme-ng to run
# the built-in KUnit suites and the kselftests, check the kernel log, run the
# static checks on our code, and print one summary ending in
# "N passed, N failed, N skipped". Exit non-zero on any failure.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/out/results
rec=$res/records
vm_limit=${CHECK_VM_TIMEOUT:-2700}
per_test=${CHECK_TEST_TIMEOUT:-900}

phase() { echo; echo "== $* =="; }

kernel_log() {
	local log=$1 bad

	bad=$(grep -E "BUG:|WARNING:|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|general protection fault|Kernel panic|INFO: task .* blocked|soft lockup|refcount_t:" "$log" | head -5 || true)
	if [ -n "$bad" ]; then
		printf 'FAIL\tkernel log\tno splats\t%s\n' "$(echo "$bad" | tr '\n\t' '  ')"
	else
		printf 'PASS\tkernel log\tno splats\t\n'
	fi
	if [ -s "$res/kmemleak.txt" ]; then
		printf 'FAIL\tkernel log\tno kmemleak reports\t%s\n' \
			"$(grep -c unreferenced "$res/kmemleak.txt") unreferenced object(s), see out/results/kmemleak.txt"
	elif [ -f "$res/kmemleak.txt" ]; then
		printf 'PASS\tkernel log\tno kmemleak reports\t\n'
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

# Print a record file's verdicts, indented, without its PLAN lines.
show() {
	grep -v '^PLAN' "$1" | cut -f1-3 | sed 's/^/  /' || true
}

main() {
	local rc=0

	phase "build (debug flavour)"
	make -s -C "$top" kernel FLAVOUR=debug
	make -s -C "$top" selftests

	rm -rf "$res"
	mkdir -p "$res" "$rec"

	phase "VM: KUnit (built in) and kselftests"
	# hugetlb pages for the io_uring cases with an area in huge pages
	VM_APPEND="hugepages=16" "$top/harness/vm.sh" debug "$vm_limit" \
		"$top/harness/guest/check.sh" "$res" "$top/out/kselftest" \
		"$top/harness/kselftests.list" "$per_test" || rc=$?
	if [ "$rc" -ne 0 ]; then
		printf 'FAIL\tvm\tguest ran to the end\texit %s, see out/results/vm-debug.log\n' "$rc" > "$rec/vm"
	fi

	"$top/harness/results.py" kunit "$res/dmesg-boot.txt" \
		"$top/harness/kunit.expected" > "$rec/kunit"
	"$top/harness/results.py" kselftest "$res/kselftest.ktap" "$top/harness/kselftests.list" \
		"$top/harness/skips-netdevsim.list" > "$rec/kselftest"
	if [ -f "$res/dmesg.txt" ]; then
		kernel_log "$res/dmesg.txt" > "$rec/kernel-log"
	elif [ -f "$res/vm-debug.log" ]; then
		kernel_log "$res/vm-debug.log" > "$rec/kernel-log"
	fi

	phase "userspace: the zcrx library's tests (on the host)"
	library_tests > "$rec/zcrx-lib"
	show "$rec/zcrx-lib"

	phase "static checks on our code (checkpatch --strict, sparse, W=1)"
	"$top/harness/static.py" > "$rec/static"
	if [ -s "$rec/static" ]; then
		show "$rec/static"
	else
		echo "  (no overlay files or patches yet)"
	fi

	phase "summary"
	"$top/harness/results.py" summary "$rec"/*
}

main "$@"
