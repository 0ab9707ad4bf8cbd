#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a built kernel under virtme-ng (QEMU TCG: no usable KVM here) and run
# one command in it, with the host's root filesystem shared read-only and
# out/results shared read-write:
#   vm.sh FLAVOUR TIMEOUT_SECONDS COMMAND...
# A guest that does not finish in time is killed and reported, exit 124.
# An oops panics the guest (oops=panic) and a panic ends the run
# (panic=-1); a hung task or a soft lockup does not panic it: the detectors
# print the task's stack and the guest goes on, and check.sh reports it.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:?usage: vm.sh FLAVOUR TIMEOUT COMMAND...}
limit=${2:?usage: vm.sh FLAVOUR TIMEOUT COMMAND...}
shift 2
kernel=$top/out/build-$flavour/arch/x86/boot/bzImage
results=$top/out/results
log=$results/vm-$flavour.log

[ -f "$kernel" ] || { echo "vm: no kernel at $kernel; run 'make kernel FLAVOUR=$flavour'" >&2; exit 1; }
mkdir -p "$results"

echo "vm[$flavour]: booting under QEMU TCG (no KVM), ${limit} s limit; console log: ${log#"$top"/}"
rc=0
# Run vng from / so that it resolves the --rwdir guest path (a vng quirk).
(cd / && timeout -k 15 "$limit" \
	vng --run "$kernel" --disable-kvm --cpus "${VM_CPUS:-2}" --memory "${VM_MEM:-4G}" \
	    --rwdir "$results=$results" --cwd "$top" \
	    --append "panic=-1 oops=panic ${VM_APPEND:-}" \
	    ${VM_VERBOSE:+--verbose} \
	    --exec "$*" < /dev/null) 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "vm[$flavour]: ERROR: the guest did not finish within $limit s and was killed" >&2
	echo "vm[$flavour]: the last lines it printed:" >&2
	tail -n 15 "$log" | sed 's/^/  | /' >&2
	exit 124
fi
if [ "$rc" -ne 0 ] && [ -z "${VM_VERBOSE:-}" ]; then
	echo "vm[$flavour]: ERROR: the guest exited with $rc (a kernel panic reboots it);" \
	     "re-run with VM_VERBOSE=1 to get the kernel console in $log" >&2
fi
exit "$rc"
