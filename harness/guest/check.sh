#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the check VM: saves the boot log (KUnit KTAP), asks kmemleak
# what the boot (the built-in KUnit suites) leaked, runs the listed
# kselftests with the kselftest runner, then asks kmemleak again. Ends with
# "guest: done": a console log without it means the guest died. With
# "igb" the tests run on the igb pair (igb-pair.sh) instead of netdevsim.
#   check.sh RESULTS_DIR KSELFTEST_DIR TEST_LIST TIMEOUT_PER_TEST [igb]

set -uo pipefail

results=$1
ksft=$2
list=$3
per_test=$4
backend=${5:-netdevsim}

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Python tests print each case's result when it ends, not at exit: the
# console's timestamps then show what each case took.
export PYTHONUNBUFFERED=1
# zcrx_tools.py runs the tools of tools/net/zcrx, built on the host
ZCRX_TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/out/zcrx
export ZCRX_TOOLS

# The kselftest runner appends each test's output to /dev/stdout, which
# virtme-ng links to its own console port: point it back at fd 1 so the
# output follows our redirection into the results file.
for n in 0:stdin 1:stdout 2:stderr; do
	ln -sfn "/proc/self/fd/${n%%:*}" "/dev/${n#*:}"
done

# kmemleak_report DIR NAME WHAT
# shellcheck source=kmemleak.sh
. "$(dirname "$0")/kmemleak.sh"

dmesg > "$results/dmesg-boot.txt"
# What boot-time code (the KUnit suites) leaked, before it is cleared so
# that the last scan reports only what the kselftests leak.
kmemleak_report "$results" kmemleak-boot "after boot (what the KUnit suites leaked)"
# No scans in the background: a scan of the guest's memory takes a vCPU
# for a minute under TCG, every 10 minutes. The scans at the end find
# every leak the background ones would have found.
[ -w "$kmemleak" ] && echo clear > "$kmemleak" && echo scan=off > "$kmemleak"

if [ "$backend" = igb ]; then
	# shellcheck source=igb-pair.sh
	. "$(dirname "$0")/igb-pair.sh"
	if ! igb_setup; then
		dmesg > "$results/dmesg.txt"
		echo "guest: done"
		exit 1
	fi
fi

args=()
while read -r t; do
	case "$t" in ''|'#'*) continue ;; esac
	args+=(-t "$t")
done < "$list"

echo "guest: running $((${#args[@]} / 2)) kselftest(s) from ${list##*/}, ${per_test} s each at most"
# none listed (a targeted run that selects none): the runner would run all
if [ "${#args[@]}" -eq 0 ]; then
	kmemleak_report "$results" kmemleak "after the kselftests (none ran)"
	dmesg > "$results/dmesg.txt"
	echo "guest: done"
	exit 0
fi
# Into a file, mirrored to the console as it grows, each line there with
# the seconds since the kselftests started: what each case took.
out=$results/kselftest.ktap
: > "$out"
SECONDS=0
tail -n +1 -f "$out" | while IFS= read -r line; do
	printf 'guest: %5ss %s\n' "$SECONDS" "$line"
done &
(cd "$ksft" && ./run_kselftest.sh -o "$per_test" "${args[@]}") >> "$out" 2>&1
sleep 1
# the mirror ends when tail does
pkill -x -f "tail -n [+]1 -f $out"
wait

kmemleak_report "$results" kmemleak "after the kselftests"
dmesg > "$results/dmesg.txt"
echo "guest: done"
