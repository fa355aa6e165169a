#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SynchMess as an external module, the way it is installed on a kernel
# someone already runs (top-level Makefile, compat/, DKMS), tested in QEMU
# (TCG, two vCPUs) on two kernels:
#
#  - 6.12: "make module KDIR=<the test kernel of scripts/lib/build.sh>" (its
#    CONFIG_SYNCHMESS=m build), the resulting synchmess.ko loaded in place
#    of the in-tree one;
#  - Debian 12's own 6.1: linux-headers-6.1.0-N-amd64 and dkms installed
#    from Debian, synchmess.ko built by "dkms build -k 6.1.0-N-amd64"
#    (scripts/install-dkms.sh, with DKMS trees of its own in the cache and
#    the header, tool and udev rules installed under a DESTDIR), and
#    Debian's unmodified /boot/vmlinuz-6.1.0-N-amd64 booted. Its package,
#    linux-image-6.1.0-N-amd64, is fetched with apt-get download and
#    unpacked into the cache with dpkg-deb -x: installing it would run the
#    host's initramfs and boot loader hooks, and nothing on the host boots
#    it. The guest needs none of Debian's modules: serial console,
#    initramfs, devtmpfs, ACPI and debugfs are built in.
#
# Each guest (scripts/guest-external.sh) loads the module with insmod, runs
# the whole kselftest suite (tools/testing/selftests/synchmess, static,
# against this repository's uapi header), the tool test with the tool built
# against the installed header, and unloads and reloads the module. Both
# external builds, and compat/probe/ (one use of each kernel API the driver
# relies on that 6.1 already has, and of the compat shims, compile only),
# must build without a warning under W=1. The serial logs are judged as
# test.sh judges its own (boot_and_count's TAP counts, check_guest_log:
# scripts/lib/qemu.sh, scripts/lib/judge.sh).
#
#   scripts/test-distro.sh         both kernels; ends with "N passed, N failed"
#
# scripts/test.sh sources this file and calls external_612 and
# external_debian itself.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/vm.sh"

# The release of Debian 12's newest 6.1 kernel with both packages.
debian_kernel_release() {
	local rel n
	for n in $(apt-cache search --names-only \
			'^linux-headers-6\.1\.0-[0-9]+-amd64$' |
		   sed -n 's/^linux-headers-6\.1\.0-\([0-9]*\)-amd64 .*/\1/p' |
		   sort -rn); do
		rel=6.1.0-$n-amd64
		if apt-cache show "linux-image-$rel" >/dev/null 2>&1; then
			echo "$rel"
			return 0
		fi
	done
	return 1
}

# external_ok NAME: what a guest of guest-external.sh must have said.
external_ok() {
	local logf=$RESULTS/serial-$1.log
	if ! grep -q '^SYNCHMESS-EXTERNAL .* taint=.*O' "$logf"; then
		echo "FAIL: $1: the module loaded is not the out-of-tree one" >&2
		FAILED_RUNS=$((FAILED_RUNS + 1))
	fi
	if ! grep -q '^SYNCHMESS-RELOAD ok' "$logf"; then
		echo "FAIL: $1: the module did not unload and load again" >&2
		FAILED_RUNS=$((FAILED_RUNS + 1))
	fi
}

# warnings LOG WHAT: a compiler warning or error in LOG fails the run.
warnings() {
	if grep -E 'warning:|error:' "$1" >&2; then
		echo "FAIL: $2 builds with warnings, see $1" >&2
		FAILED_RUNS=$((FAILED_RUNS + 1))
	fi
}

# probe_build KDIR LOG: compile compat/probe against KDIR, W=1.
probe_build() {
	local m=$TOP/compat/probe
	local ok=1
	make -s -C "$1" M="$m" clean >/dev/null 2>&1 || true
	make -C "$1" M="$m" W=1 \
		KCFLAGS="-include $TOP/compat/synchmess-compat.h" modules \
		>"$2" 2>&1 || ok=0
	make -s -C "$1" M="$m" clean >/dev/null 2>&1 || true
	warnings "$2" "compat/probe"
	if [ "$ok" = 0 ]; then
		echo "FAIL: compat/probe does not build against $1 (log: $2)" >&2
		FAILED_RUNS=$((FAILED_RUNS + 1))
	fi
}

# external_612 BUILD: the external build against build directory BUILD of
# the test kernel (CONFIG_SYNCHMESS=m), booted with the resulting module.
external_612() {
	local b=$1 d=$CACHE/external-6.12 t0=$SECONDS
	grep -qx 'CONFIG_SYNCHMESS=m' "$b/.config" ||
		die "$b is not a CONFIG_SYNCHMESS=m build"
	mkdir -p "$d"
	log "building synchmess.ko out of tree against $b (6.12)"
	# The build happens in drivers/char/synchmess/: clean it either way,
	# as the static gate reads every .c file there.
	make -s -C "$TOP" clean KDIR="$b" >/dev/null 2>&1 || true
	if make -C "$TOP" module KDIR="$b" W=1 CC="ccache gcc" \
		>"$d/build.log" 2>&1; then
		cp "$TOP/drivers/char/synchmess/synchmess.ko" "$d/synchmess.ko"
	else
		rm -f "$d/synchmess.ko"
	fi
	make -s -C "$TOP" clean KDIR="$b" >/dev/null 2>&1 || true
	[ -f "$d/synchmess.ko" ] || {
		tail -n 40 "$d/build.log" >&2
		die "the external build against $b failed (log: $d/build.log)"
	}
	log "synchmess.ko for 6.12 built in $((SECONDS - t0)) s"
	warnings "$d/build.log" "the external module (6.12)"
	probe_build "$b" "$d/probe.log"
	EXTERNAL_KO=$d/synchmess.ko boot_and_count external-6.12 "$b" \
		"$TOP/scripts/guest-external.sh" 1500
	external_ok external-6.12
}

# external_debian: Debian 12's own kernel and headers, the module by DKMS.
external_debian() {
	local d=$CACHE/debian rel g ko t0 mk
	mkdir -p "$d"
	# Stale package lists may not know the current N.
	rel=$(debian_kernel_release) || {
		apt-get update -q >"$CACHE/apt.log" 2>&1 || true
		rel=$(debian_kernel_release)
	} || die "no linux-headers-6.1.0-N-amd64 in Debian's archive"
	log "Debian 12's kernel: $rel"
	need_packages dkms "linux-headers-$rel"
	if [ ! -f "$d/image-$rel/boot/vmlinuz-$rel" ]; then
		log "fetching linux-image-$rel (apt-get download, unpacked in $d)"
		rm -rf "$d"/image-* "$d"/*.deb
		(cd "$d" && apt-get download -q "linux-image-$rel") \
			>"$d/download.log" 2>&1 ||
			die "apt-get download failed, see $d/download.log"
		dpkg-deb -x "$d"/linux-image-"$rel"_*.deb "$d/image-$rel"
		rm -f "$d"/*.deb
	fi

	g=$d/guest
	rm -rf "$d/dkms" "$g"
	mkdir -p "$d/dkms/tree" "$d/dkms/src" "$g/usr" "$g/kselftest"
	t0=$SECONDS
	log "dkms build synchmess -k $rel (scripts/install-dkms.sh)"
	DKMS_TREE=$d/dkms/tree DKMS_SOURCE_TREE=$d/dkms/src \
		DKMS_BUILD_ONLY=1 DESTDIR=$g/tool-root LDFLAGS=-static \
		"$TOP/scripts/install-dkms.sh" -k "$rel" >"$d/install.log" 2>&1 || {
		cat "$d/install.log" >&2
		die "scripts/install-dkms.sh failed"
	}
	log "synchmess.ko for $rel built by DKMS in $((SECONDS - t0)) s (with the tool)"
	ko=$(echo "$d"/dkms/tree/synchmess/*/"$rel"/x86_64/module/synchmess.ko)
	mk=$(echo "$d"/dkms/tree/synchmess/*/"$rel"/x86_64/log/make.log)
	[ -f "$ko" ] || die "DKMS left no synchmess.ko for $rel"
	[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$rel" ] ||
		die "$ko is not built for $rel"
	warnings "$mk" "the external module ($rel, DKMS)"
	[ -f "$g/tool-root/usr/include/linux/synchmess.h" ] &&
	[ -x "$g/tool-root/usr/bin/synchmess" ] &&
	[ -f "$g/tool-root/etc/udev/rules.d/60-synchmess.rules" ] ||
		die "install-dkms.sh did not install the header, tool and rules"
	probe_build "/lib/modules/$rel/build" "$d/probe.log"

	# The selftests as test.sh builds them; the initramfs tool.
	[ -d "$CACHE/build/kselftest/kselftest_install" ] ||
		die "no selftests in $CACHE/build: run external_612 first"
	cp -a "$CACHE/build/kselftest/kselftest_install" "$g/kselftest/"
	mkdir -p "$g/usr"
	gcc -O2 -o "$g/usr/gen_init_cpio" "$KSRC/usr/gen_init_cpio.c"

	GUEST_KERNEL=$d/image-$rel/boot/vmlinuz-$rel GUEST_KREL=$rel \
		EXTERNAL_KO=$ko boot_and_count "debian-$rel" "$g" \
		"$TOP/scripts/guest-external.sh" 1500
	external_ok "debian-$rel"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	T0=$SECONDS
	mkdir -p "$CACHE"
	need_packages "${KBUILD_PACKAGES[@]}" "${VM_PACKAGES[@]}"
	RESULTS=$CACHE/results-distro
	rm -rf "$RESULTS"
	mkdir -p "$RESULTS"
	FAILED_RUNS=0
	PASS=0
	FAIL=0
	prepare_tree
	B=$CACHE/build
	build_guest "$B" m
	external_612 "$B"
	external_debian
	log "total time $((SECONDS - T0)) s; serial logs in $RESULTS"
	FAIL=$((FAIL + FAILED_RUNS))
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
fi
