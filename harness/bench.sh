#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make bench': recv() against IORING_OP_RECV_ZC, measured. Builds the
# release kernel and the zcrx tools, boots the kernel once with one vCPU
# under QEMU -icount (guest time = instructions executed, so the CPU
# figures repeat; BENCH_ICOUNT=0 for plain TCG and host-timed figures), and
# in that boot receives BENCH_MIB (256) MiB per transfer over the netdevsim
# pair for each point of harness/bench.py's plan (path x MTU x flows with
# --consume read, the consume modes and the buffer sizes at MTU 4096;
# BENCH_FULL=1 or 'make bench FULL=1' for all of them at every MTU),
# BENCH_REPEAT (3) times. harness/bench.py then writes
# out/results/bench.{csv,md,png} and bench-split.png, and compares each
# point with the previous run's bench.csv (kept as bench-prev.csv). Exits
# non-zero if any transfer failed (a tool's exit status, bytes missing,
# data not verified, a counter missing) or was not recorded.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/out/results
mib=${BENCH_MIB:-256}
repeat=${BENCH_REPEAT:-3}
icount=${BENCH_ICOUNT:-1}
full=${BENCH_FULL:-}
vm_rc=0

echo "bench: step 1/4: release kernel (cold: ~12 min on 2 cores; warm: seconds)"
make -s -C "$top" kernel FLAVOUR=release
echo "bench: step 2/4: zcrx library and tools (tools/net/zcrx)"
make -s -C "$top/tools/net/zcrx" O="$top/out/zcrx"

mkdir -p "$res"
prev_rev=unknown
if [ -s "$res/bench.csv" ]; then
	mv "$res/bench.csv" "$res/bench-prev.csv"
	prev_rev=$(sed -n 's/^Kernel .*, repo \([^;]*\);.*/\1/p' "$res/bench.md" 2>/dev/null | head -1)
fi
rm -rf "$res/bench-runs.txt" "$res/bench-logs" "$res/bench-dmesg.txt" \
	"$res/bench.md" "$res/bench.png" "$res/bench-split.png"
/usr/bin/python3 "$top/harness/bench.py" plan --repeat "$repeat" \
	${full:+--full} > "$res/bench-plan.txt"
runs=$(grep -c '^xfer ' "$res/bench-plan.txt")
echo "bench: step 3/4: boot and run $runs transfers of $mib MiB" \
     "(~1 min to boot, then ~15-30 s per transfer under -icount)"
t0=$SECONDS
cpus=1
[ "$icount" = 1 ] || cpus=2
VM_ICOUNT=${icount/0/} VM_CPUS=$cpus VM_APPEND="hugepages=80" \
	"$top/harness/vm.sh" release \
	"${BENCH_VM_TIMEOUT:-$((600 + runs * (60 + mib / 2)))}" \
	"$top/harness/guest/bench.sh" "$res" "$top/out/zcrx" "$mib" \
	"$res/bench-plan.txt" || vm_rc=$?

echo "bench: the guest ran for $((SECONDS - t0)) s"
echo "bench: step 4/4: tables and plots (out/results/bench.{csv,md,png})"
if [ ! -s "$res/bench-runs.txt" ]; then
	echo "bench: ERROR: the guest recorded no transfer (vm exit $vm_rc)" >&2
	exit 1
fi
# matplotlib is Debian's python3-matplotlib: run Debian's python.
/usr/bin/python3 "$top/harness/bench.py" report --plan "$res/bench-plan.txt" \
	--runs "$res/bench-runs.txt" --out "$res/bench" --mib "$mib" \
	--icount "$icount" --prev "$res/bench-prev.csv" --prev-rev "$prev_rev" \
	--kernel "$(cat "$top/out/build-release/include/config/kernel.release")" \
	--rev "$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
if [ "$vm_rc" -ne 0 ]; then
	echo "bench: ERROR: the guest exited with $vm_rc: the matrix is incomplete" >&2
	exit "$vm_rc"
fi
