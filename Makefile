# SPDX-License-Identifier: GPL-2.0
#
# zcrx harness. The commands most people need:
#   make demo     build the release kernel, boot it, move data over netdevsim
#   make bench    the same comparison measured: recv() vs RECV_ZC x MTU x flows
#   make check    build the debug kernel, run KUnit, kselftests, static checks
#   make soak     30 min of zero-copy traffic and ring churn: memory must stay flat
# Everything is built under out/ (ignored by git).

FLAVOUR ?= debug
SELFTEST_TARGETS := net/lib net/forwarding drivers/net drivers/net/hw drivers/net/netdevsim

TOP := $(CURDIR)
H := $(TOP)/harness

.PHONY: help deps base tree export kernel selftests check soak demo bench vm series deb \
	deb-config clean distclean

help:
	@sed -n '3,8p' Makefile | sed 's/^# //'
	@echo "Other targets: deps base tree export kernel [FLAVOUR=debug|release]"
	@echo "               selftests vm [FLAVOUR=...] series deb [DEB_VARIANT=ci] deb-config"
	@echo "               clean distclean (see README.md)"

# Debian packages, including virtme-ng from trixie and ethtool from forky (pinned low).
deps:
	@$(H)/deps.sh

# The pinned base tarball, cached in /var/cache/zcrx.
base: deps
	@$(H)/base.sh > /dev/null

# out/linux: base + patches/series + overlay, incrementally.
tree: deps
	@$(H)/tree.py assemble $$($(H)/base.sh)

# Bring edits made in out/linux back into the overlay and the patches.
export:
	@$(H)/tree.py export

kernel: tree
	@$(H)/build.sh $(FLAVOUR)

selftests: tree
	@echo "selftests: installing $(SELFTEST_TARGETS) into out/kselftest"
	@$(MAKE) -s -C out/linux O=$(TOP)/out/kselftest-build headers \
		> $(TOP)/out/kselftest-install.log 2>&1 || \
		{ tail -20 $(TOP)/out/kselftest-install.log; exit 1; }
	@$(MAKE) -s -C out/linux/tools/testing/selftests O=$(TOP)/out/kselftest-build \
		TARGETS="$(SELFTEST_TARGETS)" INSTALL_PATH=$(TOP)/out/kselftest install \
		> $(TOP)/out/kselftest-install.log 2>&1 || \
		{ tail -20 $(TOP)/out/kselftest-install.log; exit 1; }
	@# the guest's root is read-only: without these each test's Python
	@# would compile every module it imports, at every start, under TCG
	@/usr/bin/python3 -m compileall -q $(TOP)/out/kselftest

check:
	@$(H)/check.sh

# SOAK_MINUTES (30) of iou-zcrx.py cases in rotation on the debug kernel,
# memory, memlock and page pools sampled every minute and judged flat at
# the end; not part of check. Writes out/results/soak.{csv,ktap}.
soak:
	@$(H)/soak.sh

demo:
	@$(H)/demo.sh

# One vCPU under QEMU -icount: BENCH_MIB (256) per transfer, BENCH_REPEAT (3)
# times per point, FULL=1 for the whole matrix; writes
# out/results/bench.{csv,md,png} and bench-split.png.
bench:
	@BENCH_FULL=$(FULL) $(H)/bench.sh

# out/series: the work as one mailable series (a cover letter from
# patches/cover-letter.txt, one patch per patches/series entry, each new
# file in the first patch that needs it), checked with git am on the base.
series: tree
	@$(H)/series.py

# Debian packages (make bindeb-pkg) of out/linux in out/deb: Debian's own
# 6.12 config plus the zero-copy symbols (hours on 2 cores), or
# DEB_VARIANT=ci, the modular release kernel CI builds (out/deb/ci).
# deb-config stops once the config is resolved and checked.
deb: tree
	@$(H)/deb.sh

deb-config: tree
	@DEB_CONFIGURE_ONLY=1 $(H)/deb.sh

# An interactive shell in the VM on the FLAVOUR kernel.
vm: kernel
	cd / && vng --run $(TOP)/out/build-$(FLAVOUR)/arch/x86/boot/bzImage --disable-kvm \
		--cpus 2 --memory 4G --cwd $(TOP)

clean:
	rm -rf out/build-* out/kselftest* out/results

distclean:
	rm -rf out
