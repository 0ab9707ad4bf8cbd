# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by check.sh in the igb VM (harness/vm.sh with VM_IGB=1): the two
# igb ports, joined back to back by QEMU, become the test device (in the
# main namespace, 192.0.2.1 and 2001:db8::1) and its peer (in netns zpeer,
# 192.0.2.2 and 2001:db8::2), and the environment the drivers/net
# selftests read (NETIF, LOCAL_V4, REMOTE_TYPE=netns, ...) points at them.

# The ports the igb driver bound, in PCI order (nic1 first).
igb_ports() {
	local d drv

	for d in /sys/class/net/*; do
		drv=$(readlink -f "$d/device/driver" 2>/dev/null) || continue
		[ "${drv##*/}" = igb ] || continue
		echo "$(basename "$(readlink -f "$d/device")") ${d##*/}"
	done | sort | cut -d' ' -f2
}

# wait_carrier [NETNS] IFNAME: up to 20 s for the link to come up.
wait_carrier() {
	local ns=()

	[ $# -eq 2 ] && ns=(ip netns exec "$1") && shift
	for _ in $(seq 40); do
		[ "$("${ns[@]}" cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ] && return 0
		sleep 0.5
	done
	echo "guest: $1 has no carrier after 20 s" >&2
	return 1
}

igb_setup() {
	local ports local_if peer_if

	mapfile -t ports < <(igb_ports)
	if [ "${#ports[@]}" -ne 2 ]; then
		echo "guest: expected 2 igb ports, found ${#ports[@]}: ${ports[*]}" >&2
		return 1
	fi
	local_if=${ports[0]}
	peer_if=${ports[1]}
	echo "guest: igb pair: $local_if (test device, $(readlink -f "/sys/class/net/$local_if/device" | xargs basename))," \
	     "$peer_if (peer, in netns zpeer)"

	ip netns add zpeer
	ip link set "$peer_if" netns zpeer
	# The pair serves every test of the run, and some take a port down
	# (stats.py's check_down): IPv6 would drop the addresses with it.
	sysctl -qw "net.ipv6.conf.$local_if.keep_addr_on_down=1"
	ip netns exec zpeer sysctl -qw "net.ipv6.conf.$peer_if.keep_addr_on_down=1"
	ip addr add 192.0.2.1/24 dev "$local_if"
	ip addr add 2001:db8::1/64 dev "$local_if" nodad
	ip -n zpeer addr add 192.0.2.2/24 dev "$peer_if"
	ip -n zpeer addr add 2001:db8::2/64 dev "$peer_if" nodad
	ip link set lo up
	ip -n zpeer link set lo up
	ip link set "$local_if" up
	ip -n zpeer link set "$peer_if" up
	wait_carrier "$local_if" && wait_carrier zpeer "$peer_if" || return 1
	ping -c 1 -W 5 192.0.2.2 > /dev/null || {
		echo "guest: no ping across the igb pair" >&2
		return 1
	}
	echo "guest: ping across the igb pair: ok"

	export NETIF=$local_if LOCAL_V4=192.0.2.1 REMOTE_V4=192.0.2.2
	export LOCAL_V6=2001:db8::1 REMOTE_V6=2001:db8::2
	export REMOTE_TYPE=netns REMOTE_ARGS=zpeer
	# iou-zcrx.py's cases for igb: streams steered by the RSS table (igb
	# has no rules by port), short segments that land in host memory, the
	# teardown cases, hot-unplug (last: the device does not come back)
	export IOU_ZCRX_CASES="test_zcrx test_zcrx_oneshot test_zcrx_short_segments test_zcrx_hold_close test_zcrx_killed test_zcrx_unplug"
	# test_zcrx_unplug asks the host (harness/qmp-unplug.py, through the
	# shared results directory) to hot-unplug the test device: nic1
	ZCRX_UNPLUG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/out/results
	export ZCRX_UNPLUG_DIR ZCRX_UNPLUG_ID=nic1
}
