# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the demo and bench guest scripts: a linked netdevsim pair with
# $queues queues, receiver eth0 in netns zsrv (192.0.2.1), sender eth0 in
# netns zcli (192.0.2.2), and the receiver set up for zero-copy receive on
# its last queue $zq. The caller defines say() and sets queues, zq and nsim.

ifname_of() {
	local d i

	# the port's netdev appears after new_device returns; a debug kernel
	# under TCG takes seconds, and udevadm settle has no udev to wait for
	for ((i = 0; i < 100; i++)); do
		for d in "$nsim/devices/netdevsim$1/net/"*; do
			[ -e "$d" ] && { basename "$d"; return 0; }
		done
		sleep 0.1
	done
	echo "netdevsim$1 has no netdev after 10 s" >&2
	return 1
}

nsim_setup() {
	local srv cli fd_s fd_c

	say "creating netdevsim devices 1 and 2 (one port, $queues queues each)"
	echo "1 1 $queues" > "$nsim/new_device"
	echo "2 1 $queues" > "$nsim/new_device"
	udevadm settle 2>/dev/null || sleep 1
	srv=$(ifname_of 1)
	cli=$(ifname_of 2)

	ip netns add zsrv
	ip netns add zcli
	ip link set "$srv" netns zsrv name eth0
	ip link set "$cli" netns zcli name eth0

	exec {fd_s}< /var/run/netns/zsrv
	exec {fd_c}< /var/run/netns/zcli
	say "linking them: receiver in netns zsrv, sender in netns zcli"
	echo "$fd_s:$(ip netns exec zsrv cat /sys/class/net/eth0/ifindex)" \
	     "$fd_c:$(ip netns exec zcli cat /sys/class/net/eth0/ifindex)" \
	     > "$nsim/link_device"

	ip -n zsrv addr add 192.0.2.1/24 dev eth0
	ip -n zcli addr add 192.0.2.2/24 dev eth0
	ip -n zsrv link set eth0 up
	ip -n zcli link set eth0 up
	ip -n zsrv link set lo up
	ip -n zcli link set lo up
	ip netns exec zcli ping -c 1 -W 5 192.0.2.1 > /dev/null
	say "ping across the pair: ok"
}

# nsim_wire: the link delivers what a wire carries, MTU-sized frames that
# the receiver's GRO merges (frag_list included), as behind a real NIC,
# rather than whole TSO packets as from a NIC doing hardware GRO.
nsim_wire() {
	say "link: wire delivery (frames segmented, GRO on the receiver)"
	echo wire > /sys/kernel/debug/netdevsim/netdevsim1/ports/0/rx_delivery
}

# nsim_configure PORT...: what an administrator does before an application
# binds queue $zq: header split on every packet, the queue out of the RSS
# table, and an ntuple rule per port steering it there.
nsim_configure() {
	local e="ip netns exec zsrv ethtool" port

	say "receiver: ethtool -G eth0 tcp-data-split on hds-thresh 0"
	$e -G eth0 tcp-data-split on hds-thresh 0
	say "receiver: ethtool -X eth0 equal $zq (queue $zq out of RSS)"
	$e -X eth0 equal "$zq"
	for port in "$@"; do
		say "receiver: ethtool -N eth0 flow-type tcp4 dst-port $port action $zq"
		$e -N eth0 flow-type tcp4 dst-port "$port" action "$zq" > /dev/null
	done
}
