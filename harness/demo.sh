#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 'make demo': build the release kernel and the zcrx tools, boot the kernel
# under virtme-ng, create a netdevsim pair in two network namespaces, set up
# zero-copy receive on the receiver's last queue, and receive the same
# transfer with IORING_OP_RECV_ZC and with plain recv(), side by side; show
# zcrx-recv's diagnosis of the unconfigured device and zcrx-stat's view of
# the binding.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/out/results
mib=${DEMO_MIB:-2048}

echo "demo: step 1/3: release kernel (cold: ~10 min on 2 cores; warm: seconds)"
make -s -C "$top" kernel FLAVOUR=release
echo "demo: step 2/3: zcrx library and tools (tools/net/zcrx)"
make -s -C "$top/tools/net/zcrx" O="$top/out/zcrx"

mkdir -p "$res"
rm -f "$res"/demo*.txt
echo "demo: step 3/3: boot and receive $mib MiB twice (~2-4 min under TCG)"
"$top/harness/vm.sh" release "${DEMO_VM_TIMEOUT:-1200}" \
	"$top/harness/guest/demo.sh" "$res" "$mib" "$top/out/zcrx"

echo
echo "== zcrx-recv before the device was set up: the diagnosis (netlink) =="
cat "$res/demo-diagnosis.txt"
echo
echo "== zcrx-stat -i eth0 while zcrx-recv held the queue, then -w 2 -c 3 =="
cat "$res/demo-stat.txt" "$res/demo-stat-watch.txt"
echo
echo "== demo result (netdevsim pair, TCP, release kernel under QEMU TCG) =="
cat "$res/demo.txt"
grep -q '^data verified  *yes  *yes$' "$res/demo.txt"
