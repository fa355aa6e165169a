# SPDX-License-Identifier: GPL-2.0
#
# SynchMess as an external module, for a kernel you already run: Kbuild
# builds drivers/char/synchmess/ where it is, with its own Makefile. This
# file only passes what a kernel without the series lacks: the module
# enabled (CONFIG_SYNCHMESS=m), <linux/synchmess.h> from include/uapi/, and
# compat/synchmess-compat.h, force-included, for kernels older than 6.12.
#
#   make module                  # for the running kernel
#   make module KDIR=/lib/modules/6.1.0-N-amd64/build
#   make clean [KDIR=...]
#
# The result is drivers/char/synchmess/synchmess.ko. DKMS builds through
# this file too (dkms/dkms.conf, scripts/install-dkms.sh).

KDIR ?= /lib/modules/$(shell uname -r)/build
SYNCHMESS_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SYNCHMESS_KBUILD := M=$(SYNCHMESS_TOP)/drivers/char/synchmess \
	CONFIG_SYNCHMESS=m \
	KCFLAGS="-I$(SYNCHMESS_TOP)/include/uapi -include $(SYNCHMESS_TOP)/compat/synchmess-compat.h $(KCFLAGS)"

# Before 6.2 a few lines of the driver need changing, not only shimming
# (its const struct class and the const device of its devnode callbacks):
# the module is built from a copy that compat/pre-6.2.sed adapts, and
# lands where it would have. A line the sed should have changed and did
# not fails the build here rather than warn, or write to .rodata, later.
KVERSION := $(shell $(MAKE) -s -C $(KDIR) kernelversion 2>/dev/null)
PRE_6_2 := $(shell echo '$(KVERSION)' | \
	awk -F. '$$1 < 6 || ($$1 == 6 && $$2 < 2) { print "y" }')

ifeq ($(PRE_6_2),y)
SYNCHMESS_COPY := $(SYNCHMESS_TOP)/compat/build
SYNCHMESS_KBUILD := $(subst M=$(SYNCHMESS_TOP)/drivers/char/synchmess,M=$(SYNCHMESS_COPY),$(SYNCHMESS_KBUILD))

module:
	rm -rf $(SYNCHMESS_COPY)
	cp -r $(SYNCHMESS_TOP)/drivers/char/synchmess $(SYNCHMESS_COPY)
	sed -i -f $(SYNCHMESS_TOP)/compat/pre-6.2.sed $(SYNCHMESS_COPY)/*.[ch]
	@if grep -n 'const struct class\b\|devnode(const struct device' \
		$(SYNCHMESS_COPY)/*.[ch]; then \
		echo 'compat/pre-6.2.sed did not adapt the lines above' >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) $(SYNCHMESS_KBUILD) modules
	cp $(SYNCHMESS_COPY)/synchmess.ko $(SYNCHMESS_TOP)/drivers/char/synchmess/

clean:
	rm -rf $(SYNCHMESS_COPY) $(SYNCHMESS_TOP)/drivers/char/synchmess/synchmess.ko
else
module:
	$(MAKE) -C $(KDIR) $(SYNCHMESS_KBUILD) modules

clean:
	$(MAKE) -C $(KDIR) $(SYNCHMESS_KBUILD) clean
endif

.PHONY: module clean
