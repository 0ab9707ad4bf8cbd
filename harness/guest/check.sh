#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the check VM: saves the boot log (KUnit KTAP), runs the listed
# kselftests with the kselftest runner, then asks kmemleak for leaks.
#   check.sh RESULTS_DIR KSELFTEST_DIR TEST_LIST TIMEOUT_PER_TEST

set -uo pipefail

results=$1
ksft=$2
list=$3
per_test=$4
kmemleak=/sys/kernel/debug/kmemleak

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The kselftest runner appends each test's output to /dev/stdout, which
# virtme-ng links to its own console port: point it back at fd 1 so the
# output follows our redirection into the results file.
for n in 0:stdin 1:stdout 2:stderr; do
	ln -sfn "/proc/self/fd/${n%%:*}" "/dev/${n#*:}"
done

dmesg > "$results/dmesg-boot.txt"
[ -w "$kmemleak" ] && echo clear > "$kmemleak"

args=()
while read -r t; do
	case "$t" in ''|'#'*) continue ;; esac
	args+=(-t "$t")
done < "$list"

echo "guest: running $((${#args[@]} / 2)) kselftest(s) from ${list##*/}, ${per_test} s each at most"
# Into a file, mirrored to the console as it grows.
out=$results/kselftest.ktap
: > "$out"
tail -n +1 -f "$out" &
mirror=$!
(cd "$ksft" && ./run_kselftest.sh -o "$per_test" "${args[@]}") >> "$out" 2>&1
sleep 1
kill "$mirror"

if [ -w "$kmemleak" ]; then
	echo "guest: kmemleak scan"
	echo scan > "$kmemleak"
	echo scan > "$kmemleak"
	cat "$kmemleak" > "$results/kmemleak.txt"
fi
dmesg > "$results/dmesg.txt"
echo "guest: done"
