# icmptrace top-level Makefile.
#   make            build the module (for KERNEL) and the reader (build/icmptrace)
#   make demo       README command 1: set up the host, boot a VM, trace a real ping
#   make check      README command 2: every test (unit, fuzz, VM on every kernel);
#                   ends "N passed, N failed"; KERNELS=bookworm for one kernel
#   make setup      install build/test dependencies and fetch the default kernel
#
# KERNEL names a kernel target of scripts/fetch-kernel (default: bookworm).
KERNEL ?= bookworm
BUILD  := $(CURDIR)/build

.PHONY: all module reader unit check check-unit check-vm demo setup clean
all: module reader

# The module is built in a copy under build/kmod/$(KERNEL) so that builds for
# several kernels never share object files.
module:
	scripts/build-kmod $(KERNEL)

reader:
	$(MAKE) -C userspace BUILD=$(BUILD)

unit: reader
	$(MAKE) -C tests/unit BUILD=$(BUILD)

setup:
	scripts/setup-host
	scripts/fetch-kernel $(KERNEL)

demo: setup all
	scripts/demo --kernel $(KERNEL)

# KERNELS: the kernel targets whose VM suite runs (default: all of them),
# e.g. make check KERNELS=bookworm for a quick local run.
KERNELS ?=
check: all
	scripts/run-tests $(addprefix --kernel ,$(KERNELS))

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace BUILD=$(BUILD) clean

# Installation (doc/INSTALL.md).  VERSION holds the one version number.
#   make install [PREFIX=/usr/local] [DESTDIR=]   reader, man page, udev rule, bash
#                                    completion, icmptrace.service (not enabled) with
#                                    /etc/default/icmptrace and a logrotate snippet,
#                                    and the module source for DKMS
#   make uninstall                   removes exactly what make install put there,
#                                    but keeps /etc files that differ from ours
#   make dkms-install [KVER=release] module source into /usr/src/icmptrace-VERSION,
#                                    then dkms add/build/install (default: running kernel)
#   make dkms-uninstall              dkms remove --all, delete the source tree
#   make deb                         build/deb/icmptrace_*.deb, icmptrace-dkms_*.deb for
#                                    bookworm (this host), build/deb/trixie/ the same
#                                    for trixie, built in its chroot with its g++
PREFIX       ?= /usr/local
DESTDIR      ?=
UDEVRULESDIR ?= /etc/udev/rules.d
KVER         ?=
INSTALL_ARGS  = --prefix '$(PREFIX)' --destdir '$(DESTDIR)' --udevrulesdir '$(UDEVRULESDIR)'

.PHONY: install uninstall dkms-install dkms-uninstall deb
install: reader
	scripts/install $(INSTALL_ARGS) install

uninstall:
	scripts/install $(INSTALL_ARGS) uninstall

dkms-install:
	scripts/install $(if $(KVER),--kver '$(KVER)') dkms-install

dkms-uninstall:
	scripts/install dkms-uninstall

deb:
	scripts/build-deb
	scripts/build-deb --suite trixie

# Measurements; not in make check or CI.
#   make bench         what icmptrace costs, as ratios side by side in one VM run on
#                      KERNEL, 5 runs each; reader formatting on the host with callgrind
#                      counts.  Writes bench/results.md (scripts/bench)
#   make bench-host    the host part alone (no VM): the reader's real loop on one
#                      pinned core; writes bench/results-host.md
.PHONY: bench bench-host
bench:
	scripts/bench --kernel $(KERNEL)

bench-host:
	scripts/bench --host-only

# Not in make check or CI: in-VM tests on a locally built 6.1 with KASAN, lockdep,
# kmemleak, DEBUG_ATOMIC_SLEEP and panic_on_warn, their timeouts scaled for that slow
# guest; by default the unload race, netlink fuzzing and a few more (--all: the whole
# suite, hours under TCG).  The first run builds that kernel (scripts/build-debug-kernel:
# 30-60 min on two cores).  scripts/check-debug --help
.PHONY: check-debug
check-debug:
	scripts/check-debug
