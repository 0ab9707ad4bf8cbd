#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Flow steering configuration of netdevsim: channels, RSS indirection table
# and hash key, RSS contexts and ntuple rules.

source ethtool-common.sh

NSIM_QUEUES=4

function fail_cmd {
    echo "FAIL: $*"
}

# The command must succeed
function expect_ok {
    local errs=$num_errors

    "$@" > /dev/null 2>&1
    check $? "" ""
    [ $errs -eq $num_errors ] || fail_cmd "$@"
}

# The command must fail
function expect_fail {
    local errs=$num_errors

    "$@" > /dev/null 2>&1
    check $? "" "" fail
    [ $errs -eq $num_errors ] || fail_cmd "(should fail)" "$@"
}

# expect_eq DESCRIPTION GOT EXPECTED
function expect_eq {
    local errs=$num_errors

    check 0 "$2" "$3"
    [ $errs -eq $num_errors ] || fail_cmd "$1"
}

# Queues an indirection table uses, sorted, e.g. "0 1 2 3"
function rss_queues {
    ethtool -x $NSIM_NETDEV "$@" | \
	awk '/indirection table/ { t = 1; next }
	     /^RSS/ { t = 0 }
	     t && NF > 1 { for (i = 2; i <= NF; i++) print $i }' | \
	sort -nu | xargs
}

# Create an RSS context, print its ID
function ctx_new {
    ethtool -X $NSIM_NETDEV context new "$@" | \
	awk '/New RSS context is/ { print $NF }'
}

# Add an ntuple rule, print its location
function rule_add {
    ethtool -N $NSIM_NETDEV "$@" | awk '/Added rule with ID/ { print $NF }'
}

function rule_cnt {
    ethtool -n $NSIM_NETDEV | awk '/^Total/ { print $2 }'
}

if ! ethtool -h | grep -q -- --set-rxfh-indir; then
    echo "SKIP: No --set-rxfh-indir support in ethtool"
    exit 4
fi

NSIM_NETDEV=$(make_netdev 1 $NSIM_QUEUES)

set -o pipefail

# Channels: the default indirection table follows the queue count
expect_eq "default table" "$(rss_queues)" "0 1 2 3"
expect_ok ethtool -L $NSIM_NETDEV combined 2
expect_eq "default table, 2 queues" "$(rss_queues)" "0 1"
expect_ok ethtool -L $NSIM_NETDEV combined $NSIM_QUEUES
expect_eq "default table, 4 queues" "$(rss_queues)" "0 1 2 3"
expect_eq "ring count" \
    "$(ethtool -n $NSIM_NETDEV | awk '/RX rings available/ { print $1 }')" \
    "$NSIM_QUEUES"

# Hash function and key
expect_eq "hash function" \
    "$(ethtool -x $NSIM_NETDEV | awk '/toeplitz:/ { print $2 }')" "on"
key=$(seq 1 40 | xargs printf '%02x:' | sed 's/:$//')
expect_ok ethtool -X $NSIM_NETDEV hkey $key
expect_eq "hash key" \
    "$(ethtool -x $NSIM_NETDEV | grep -A1 'RSS hash key' | tail -1)" "$key"
expect_fail ethtool -X $NSIM_NETDEV hfunc xor

# Indirection table
expect_ok ethtool -X $NSIM_NETDEV equal 2
expect_eq "equal 2" "$(rss_queues)" "0 1"
# a configured table stays as is and pins the queues it uses
expect_ok ethtool -L $NSIM_NETDEV combined 3
expect_eq "equal 2, 3 queues" "$(rss_queues)" "0 1"
expect_fail ethtool -L $NSIM_NETDEV combined 1
expect_ok ethtool -L $NSIM_NETDEV combined $NSIM_QUEUES
expect_ok ethtool -X $NSIM_NETDEV weight 0 0 1 1
expect_eq "weight 0 0 1 1" "$(rss_queues)" "2 3"
expect_fail ethtool -X $NSIM_NETDEV equal $((NSIM_QUEUES + 1))
expect_eq "table after failed update" "$(rss_queues)" "2 3"
expect_ok ethtool -X $NSIM_NETDEV default
expect_eq "default" "$(rss_queues)" "0 1 2 3"

# RSS contexts
ctx=$(ctx_new equal 2)
check $? "$([ -n "$ctx" ] && [ "$ctx" -gt 0 ] && echo ok)" "ok"
expect_eq "context equal 2" "$(rss_queues context $ctx)" "0 1"
expect_ok ethtool -X $NSIM_NETDEV context $ctx weight 0 0 1 1
expect_eq "context weight 0 0 1 1" "$(rss_queues context $ctx)" "2 3"
expect_eq "main table next to a context" "$(rss_queues)" "0 1 2 3"
# contexts pin their queues too
expect_fail ethtool -L $NSIM_NETDEV combined 2
expect_fail ethtool -X $NSIM_NETDEV context $ctx hfunc xor

ctxs=$ctx
for _ in $(seq 2 7); do
    id=$(ctx_new)
    [ -n "$id" ] && ctxs="$ctxs $id"
done
expect_eq "7 contexts" "$(echo $ctxs | wc -w)" 7
expect_eq "context with the default table" "$(rss_queues context $id)" \
    "0 1 2 3"
for id in $ctxs; do
    expect_ok ethtool -X $NSIM_NETDEV context $id delete
done
expect_fail ethtool -x $NSIM_NETDEV context $ctx
expect_fail ethtool -X $NSIM_NETDEV context $ctx delete
expect_ok ethtool -L $NSIM_NETDEV combined 2
expect_ok ethtool -L $NSIM_NETDEV combined $NSIM_QUEUES

# ntuple rules
expect_eq "ntuple on by default" \
    "$(ethtool -k $NSIM_NETDEV | awk '/ntuple-filters:/ { print $2 }')" "on"
expect_ok ethtool -K $NSIM_NETDEV ntuple on
expect_eq "no rules" "$(rule_cnt)" 0

rule6=$(rule_add flow-type tcp6 dst-port 9999 action 3)
check $? "$([ -n "$rule6" ] && echo ok)" "ok"
out=$(ethtool -n $NSIM_NETDEV rule $rule6)
check $? "$(echo "$out" | grep -c -e 'TCP over IPv6' -e 'Dest port: 9999' \
    -e 'Action: Direct to queue 3')" 3

# uses queues 0 and 1 only, rule $rule6 is what pins queue 3
ctx=$(ctx_new equal 2)
rule4=$(rule_add flow-type tcp4 dst-ip 192.0.2.1 dst-port 80 context $ctx)
check $? "$([ -n "$rule4" ] && echo ok)" "ok"
out=$(ethtool -n $NSIM_NETDEV rule $rule4)
check $? "$(echo "$out" | grep -c -e 'Dest IP addr: 192.0.2.1' \
    -e 'Dest port: 80 ' -E -e "RSS Context( ID:)? $ctx\$")" 3

# no "Added rule" message for an explicit location
expect_ok ethtool -N $NSIM_NETDEV flow-type udp4 src-ip 198.51.100.1 \
    src-port 53 action 1 loc 10
out=$(ethtool -n $NSIM_NETDEV rule 10)
check $? "$(echo "$out" | grep -c -e 'UDP over IPv4' -e 'Src port: 53 ' \
    -e 'Action: Direct to queue 1')" 3
expect_eq "3 rules" "$(rule_cnt)" 3

# a context used by a rule stays, and so does a queue a rule uses
expect_fail ethtool -X $NSIM_NETDEV context $ctx delete
expect_fail ethtool -L $NSIM_NETDEV combined 3

expect_fail ethtool -N $NSIM_NETDEV flow-type tcp4 dst-port 80 \
    action $NSIM_QUEUES
expect_fail ethtool -N $NSIM_NETDEV flow-type tcp4 dst-port 80 context 31
expect_fail ethtool -N $NSIM_NETDEV flow-type tcp4 dst-ip 192.0.2.0 \
    m 0.0.0.255 action 1
expect_fail ethtool -N $NSIM_NETDEV flow-type tcp6 dst-port 80 m 0xff action 1
expect_fail ethtool -N $NSIM_NETDEV flow-type tcp4 tos 4 action 1
expect_fail ethtool -N $NSIM_NETDEV flow-type ether proto 0x88b5 action 1
expect_fail ethtool -N $NSIM_NETDEV flow-type tcp4 dst-port 80 action -1
expect_eq "rules after failed inserts" "$(rule_cnt)" 3

expect_ok ethtool -N $NSIM_NETDEV delete $rule6
expect_fail ethtool -N $NSIM_NETDEV delete $rule6
expect_fail ethtool -n $NSIM_NETDEV rule $rule6
expect_eq "2 rules" "$(rule_cnt)" 2
expect_ok ethtool -L $NSIM_NETDEV combined 3
expect_ok ethtool -L $NSIM_NETDEV combined $NSIM_QUEUES

# Flow hashing: addresses and ports
out=$(ethtool -n $NSIM_NETDEV rx-flow-hash tcp4)
check $? "$(echo "$out" | grep -c -e 'IP SA' -e 'IP DA' -e 'L4 bytes')" 4
out=$(ethtool -n $NSIM_NETDEV rx-flow-hash tcp6)
check $? "$(echo "$out" | grep -c -e 'IP SA' -e 'IP DA' -e 'L4 bytes')" 4

# Turning ntuple off drops the rules and refuses new ones
expect_ok ethtool -K $NSIM_NETDEV ntuple off
expect_eq "rules after ntuple off" "$(rule_cnt)" 0
expect_fail ethtool -N $NSIM_NETDEV flow-type tcp4 dst-port 80 action 1
expect_ok ethtool -K $NSIM_NETDEV ntuple on
expect_ok ethtool -X $NSIM_NETDEV context $ctx delete

if [ $num_errors -eq 0 ]; then
    echo "PASSED all $((num_passes)) checks"
    exit 0
else
    echo "FAILED $num_errors/$((num_errors+num_passes)) checks"
    exit 1
fi
