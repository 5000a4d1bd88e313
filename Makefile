# icmptrace top-level Makefile.
#   make            build the module (for KERNEL) and the reader (build/icmptrace)
#   make demo       README command 1: set up the host, boot a VM, trace a real ping
#   make check      README command 2: every test (unit, fuzz, VM); ends "N passed, N failed"
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

check: all
	scripts/run-tests --kernel $(KERNEL)

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace BUILD=$(BUILD) clean
