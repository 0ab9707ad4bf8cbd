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
#
# VM_IGB=1 boots a q35 machine (not vng's microvm, which has no PCI) with
# two igb NICs (QEMU's 82576) joined back to back through a QEMU hub, each
# on a PCIe root port of its own, behind intel-iommu in strict mode, with
# native PCIe hotplug (the ACPI hotplug q35 uses by default needs guest
# support we do not build). The NICs are nic1 and nic2 for QEMU's monitor,
# whose QMP socket is out/results/qmp-FLAVOUR.sock; harness/qmp-unplug.py
# listens there and unplugs a NIC when the guest asks. VM_LOG names the
# console log (default out/results/vm-FLAVOUR.log).
#
# VM_ICOUNT=1 runs the guest under QEMU -icount (shift=0, sleep=off): guest
# time advances by 1 ns per instruction executed, whatever the host does,
# so CPU times measured in the guest count instructions and repeat from run
# to run ('make bench'). QEMU then runs one vCPU at a time on one host
# thread, and guest time advances with the instructions of whichever vCPU
# runs: a task's runtime on a guest with several busy vCPUs includes the
# others' instructions.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:?usage: vm.sh FLAVOUR TIMEOUT COMMAND...}
limit=${2:?usage: vm.sh FLAVOUR TIMEOUT COMMAND...}
shift 2
kernel=$top/out/build-$flavour/arch/x86/boot/bzImage
results=$top/out/results
log=${VM_LOG:-$results/vm-$flavour.log}
machine=()
qemu_opts=()
# The root is the host's, over 9p (forced: virtme-ng would take virtiofs
# where virtiofsd is installed, and the flags below are 9p's). vng mounts
# it with cache=none, so that every lookup, stat and read of the guest is a
# round trip to QEMU's 9p server: under TCG a Python start took 11 s and a
# test case mostly waited on it. The root is read-only and does not change
# while the guest runs (out/results, which does, is a mount of its own),
# so the guest may cache it: a later rootflags= overrides vng's.
append="rootflags=version=9p2000.L,trans=virtio,access=any,cache=loose"
[ -z "${VM_ICOUNT:-}" ] || qemu_opts+=(-icount shift=0,sleep=off)
if [ -n "${VM_IGB:-}" ]; then
	qmp=$results/qmp-$flavour.sock
	rm -f "$qmp"
	machine=(--disable-microvm)
	qemu_opts+=(-device intel-iommu,intremap=off
		-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
		-netdev hubport,id=h1,hubid=0 -netdev hubport,id=h2,hubid=0
		-device pcie-root-port,id=rp1,chassis=1,slot=1
		-device igb,id=nic1,netdev=h1,bus=rp1,romfile=
		-device pcie-root-port,id=rp2,chassis=2,slot=2
		-device igb,id=nic2,netdev=h2,bus=rp2,romfile=
		-qmp "unix:$qmp,server=on,wait=off")
	append+=" intel_iommu=on iommu.strict=1"
fi
# "--qemu-opts=...": the options start with a dash, which vng's argument
# parser would take for one of its own options
[ ${#qemu_opts[@]} -eq 0 ] || machine+=("--qemu-opts=${qemu_opts[*]}")

[ -f "$kernel" ] || { echo "vm: no kernel at $kernel; run 'make kernel FLAVOUR=$flavour'" >&2; exit 1; }
mkdir -p "$results"

echo "vm[$flavour]: booting under QEMU TCG (no KVM)${VM_IGB:+ with the igb pair}${VM_ICOUNT:+, -icount}, ${limit} s limit; console log: ${log#"$top"/}"
rc=0
if [ -n "${VM_IGB:-}" ]; then
	# hot-unplugs a NIC when the guest asks (iou-zcrx.py's unplug case)
	"$top/harness/qmp-unplug.py" "$qmp" "$results" &
	agent=$!
	trap 'kill "$agent" 2> /dev/null || true' EXIT
fi
# Run vng from / so that it resolves the --rwdir guest path (a vng quirk).
(cd / && timeout -k 15 "$limit" \
	vng --run "$kernel" --disable-kvm --force-9p --cpus "${VM_CPUS:-2}" --memory "${VM_MEM:-4G}" \
	    --rwdir "$results=$results" --cwd "$top" \
	    --append "panic=-1 oops=panic $append ${VM_APPEND:-}" \
	    "${machine[@]}" ${VM_VERBOSE:+--verbose} \
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
