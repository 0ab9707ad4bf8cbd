#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the soak VM: saves the boot log, asks kmemleak what the boot
# (the built-in KUnit suites) leaked and clears it, runs soak.py for
# MINUTES, then asks kmemleak again and saves the kernel log. Ends with
# "guest: done": a console log without it means the guest died.
#   soak.sh RESULTS_DIR KSELFTEST_DIR MINUTES CASES
# soak.py writes RESULTS_DIR/soak.csv and soak.ktap; the kernel logs,
# kmemleak's reports and soak.py's exit status go to RESULTS_DIR/soak/,
# under the names make check uses, for 'results.py kernel-log'. CASES:
# iou-zcrx.py cases, comma-separated, or "-" for soak.py's rotation.

set -uo pipefail

results=$1
ksft=$2
minutes=$3
cases=$4
logs=$results/soak

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# each line on the console when it is printed: the console log is the
# soak's timeline
export PYTHONUNBUFFERED=1

# kmemleak_report DIR NAME WHAT
# shellcheck source=kmemleak.sh
. "$(dirname "$0")/kmemleak.sh"

mkdir -p "$logs"
dmesg > "$logs/dmesg-boot.txt"
# What boot-time code leaked, before it is cleared so that the last scan
# reports only what the soak leaks.
kmemleak_report "$logs" kmemleak-boot "after boot (what the KUnit suites leaked)"
[ -w "$kmemleak" ] && echo clear > "$kmemleak"

echo "guest: soak of $minutes min (a sample a minute, a settle after each round)"
rc=0
python3 "$(dirname "$0")/soak.py" "$results" "$ksft" "$minutes" "$cases" || rc=$?
echo "$rc" > "$logs/soak.rc"

kmemleak_report "$logs" kmemleak "after the soak"
dmesg > "$logs/dmesg.txt"
echo "guest: done"
