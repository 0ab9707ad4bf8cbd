#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make bench': the comparison of 'make demo' as a measured matrix. Builds
# the release kernel and the zcrx tools, boots the kernel once, and in that
# boot receives BENCH_MIB (512) MiB per transfer over the netdevsim pair
# with recv() and with IORING_OP_RECV_ZC, for each MTU in BENCH_MTUS
# (1500,4096,9000) and each flow count in BENCH_FLOWS (1,4), BENCH_REPEAT
# (3) times; the receivers check every byte unless BENCH_VERIFY=0.
# harness/bench.py then writes out/results/bench.csv (one row per
# transfer), bench.md (one row per point: medians and spread) and
# bench.png. Exits non-zero if any transfer failed (data not verified, a
# tool's exit status, bytes missing) or was not recorded.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/out/results
mib=${BENCH_MIB:-512}
repeat=${BENCH_REPEAT:-3}
mtus=${BENCH_MTUS:-1500,4096,9000}
flows=${BENCH_FLOWS:-1,4}
verify=${BENCH_VERIFY:-1}
vm_rc=0

IFS=, read -r -a n_mtus <<< "$mtus"
IFS=, read -r -a n_flows <<< "$flows"
runs=$(( ${#n_mtus[@]} * ${#n_flows[@]} * repeat * 2 ))

echo "bench: step 1/4: release kernel (cold: ~10 min on 2 cores; warm: seconds)"
make -s -C "$top" kernel FLAVOUR=release
echo "bench: step 2/4: zcrx library and tools (tools/net/zcrx)"
make -s -C "$top/tools/net/zcrx" O="$top/out/zcrx"

mkdir -p "$res"
rm -rf "$res/bench-runs.txt" "$res/bench-logs" "$res/bench-dmesg.txt" \
	"$res/bench.csv" "$res/bench.md" "$res/bench.png"
echo "bench: step 3/4: boot and run $runs transfers of $mib MiB" \
     "(~30 s to boot, then ~1-3 s per transfer of 512 MiB under TCG)"
t0=$SECONDS
"$top/harness/vm.sh" release "${BENCH_VM_TIMEOUT:-$((600 + runs * (60 + mib / 4)))}" \
	"$top/harness/guest/bench.sh" "$res" "$top/out/zcrx" "$mib" "$repeat" \
	"$mtus" "$flows" "$verify" || vm_rc=$?

echo "bench: the guest ran for $((SECONDS - t0)) s"
echo "bench: step 4/4: tables and plot (out/results/bench.{csv,md,png})"
if [ ! -s "$res/bench-runs.txt" ]; then
	echo "bench: ERROR: the guest recorded no transfer (vm exit $vm_rc)" >&2
	exit 1
fi
# what the tables say about the CPU accounting depends on this option
irq_time=$(grep -c '^CONFIG_IRQ_TIME_ACCOUNTING=y' "$top/out/build-release/.config" || true)
# matplotlib is Debian's python3-matplotlib: run Debian's python.
/usr/bin/python3 "$top/harness/bench.py" --runs "$res/bench-runs.txt" \
	--out "$res/bench" --mib "$mib" --repeat "$repeat" \
	--mtus "$mtus" --flows "$flows" --verify "$verify" --irq-time "$irq_time" \
	--kernel "$(cat "$top/out/build-release/include/config/kernel.release")" \
	--rev "$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
if [ "$vm_rc" -ne 0 ]; then
	echo "bench: ERROR: the guest exited with $vm_rc: the matrix is incomplete" >&2
	exit "$vm_rc"
fi
