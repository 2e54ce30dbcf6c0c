# SPDX-License-Identifier: GPL-2.0
#
# HIDMA driver pair: the command contract (see README.md).
#   make            build hidma_mgmt.ko and hidma.ko against the bench kernel
#                   (or KDIR=/path/to/kernel/build)
#   make deps       install the Debian packages the project needs
#   make demo       boot the host and guest layouts and show the drivers at work
#   make test       every test; KTAP, last line "N passed, N failed"
#   make bench      benchmarks on the perf kernel (.build/bench/)
#   make vm         interactive shell: LAYOUT=host|guest|acpi|vfio|nested [CMD='...'] [QMP=sock]
#   make check      static gates only
#   make fuzz       QEMU's generic fuzzer on the model: FUZZ_MINUTES=10 per
#                   layout, FUZZ_LAYOUTS="host guest"

BENCH := tools/testing/hidma
QCOM := $(CURDIR)/drivers/dma/qcom
HIDMA_CONFIG := CONFIG_QCOM_HIDMA_MGMT=m CONFIG_QCOM_HIDMA=m CONFIG_QCOM_HIDMA_KUNIT_TEST=m
LAYOUT ?= host
FLAVOUR ?= debug

.PHONY: all modules deps demo test bench vm check fuzz series clean

all: modules

# Only a KDIR given on the command line counts: one exported for other
# work must not take over the bench's build.
modules:
ifeq ($(origin KDIR),command line)
	@test -f "$(KDIR)/Makefile" || { echo "error: KDIR '$(KDIR)' is not a kernel build tree" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M=$(QCOM) $(HIDMA_CONFIG) modules
else
	@$(BENCH)/deps.sh
	@kdir=$$($(BENCH)/build-kernel.sh $(FLAVOUR)) && \
	$(MAKE) -C "$$kdir" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		M=$(QCOM) $(HIDMA_CONFIG) modules
endif

deps:
	@$(BENCH)/deps.sh

demo: deps
	@$(BENCH)/demo.sh

test: deps
	@$(BENCH)/test.sh

bench: deps
	@$(BENCH)/bench.sh

vm: deps
	@$(BENCH)/run-guest --layout "$(LAYOUT)" --flavour "$(FLAVOUR)" \
		$(if $(CMD),--cmd "$(CMD)") $(if $(QMP),--qmp "$(QMP)")

check: deps
	@$(BENCH)/check.sh

fuzz: deps
	@$(BENCH)/fuzz.sh

series:
	@$(BENCH)/series.sh

clean:
	rm -rf .build
	rm -f $(QCOM)/*.o $(QCOM)/*.ko $(QCOM)/*.mod* $(QCOM)/.*.cmd \
		$(QCOM)/Module.symvers $(QCOM)/modules.order
