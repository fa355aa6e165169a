# SPDX-License-Identifier: GPL-2.0
# The guest's initramfs: busybox, GNU timeout, the modules, the selftests
# and the tool of a build, around the guest's script. Sourced by vm.sh.
# shellcheck shell=bash

# Append gen_init_cpio lines for host tree $1 placed at $2 in the guest.
cpio_tree() {
	local src=$1 dst=$2 p rel
	find "$src" -mindepth 1 | sort | while read -r p; do
		rel=$dst/${p#"$src"/}
		if [ -L "$p" ]; then
			echo "slink $rel $(readlink "$p") 0777 0 0"
		elif [ -d "$p" ]; then
			echo "dir $rel 0755 0 0"
		else
			echo "file $rel $p $(stat -c %a "$p") 0 0"
		fi
	done
}

# The arm64 guest's userland: busybox-static and coreutils (for GNU
# timeout) from Debian's arm64 archive, unpacked in $CACHE/arm64-root. The
# shared libraries timeout loads come from the cross C library.
arm64_userland() {
	local root=$CACHE/arm64-root debs=$CACHE/arm64-debs d
	[ -x "$root/bin/busybox" ] && [ -x "$root/usr/bin/timeout" ] && return 0
	need_packages "${ARM64_PACKAGES[@]}"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "adding arm64 to dpkg's architectures (for apt-get download)"
		dpkg --add-architecture arm64
	fi
	log "fetching busybox-static and coreutils for arm64"
	rm -rf "$root" "$debs"
	mkdir -p "$root" "$debs"
	quiet "$CACHE/arm64-apt.log" sh -c "apt-get update -q && cd '$debs' &&
		apt-get download busybox-static:arm64 coreutils:arm64"
	for d in "$debs"/*.deb; do
		dpkg-deb -x "$d" "$root"
	done
}

# Print "GUEST-PATH HOST-PATH" for GNU timeout and each shared library it
# loads, for the guest's architecture (guest_arch). runner.sh needs GNU
# timeout: busybox's lacks --foreground.
timeout_files() {
	local lib
	if [ "${GUEST_ARCH:-x86_64}" = x86_64 ]; then
		echo "/usr/bin/timeout /usr/bin/timeout"
		for lib in $(ldd /usr/bin/timeout | grep -o '/[^ ]*'); do
			echo "$lib $(readlink -f "$lib")"
		done
		return 0
	fi
	local t=$CACHE/arm64-root/usr/bin/timeout cross=/usr/aarch64-linux-gnu/lib
	echo "/usr/bin/timeout $t"
	lib=$(aarch64-linux-gnu-readelf -l "$t" |
		sed -n 's/.*program interpreter: \(.*\)]/\1/p')
	[ -n "$lib" ] || die "no interpreter in $t"
	echo "$lib $(readlink -f "$cross/${lib##*/}")"
	for lib in $(aarch64-linux-gnu-readelf -d "$t" |
		     sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		[ -f "$cross/$lib" ] || die "no $cross/$lib for timeout"
		echo "/lib/aarch64-linux-gnu/$lib $(readlink -f "$cross/$lib")"
	done
}

# Make the initramfs $1/initramfs.cpio around guest script $2, for the
# guest's architecture (GUEST_ARCH), with the modules of build $1 (if it
# has any), $EXTERNAL_KO as synchmess.ko of kernel release $GUEST_KREL
# (default: build $1's), the selftests installed in
# $1/kselftest/kselftest_install and the tools of $1/tool-root/usr/bin.
# With WITH_KSELFTEST32=1, the 32-bit selftests of build_selftests32 go in
# too, as /kselftest32.
make_initramfs() {
	local b=$1 guest_cmd=$2 list=$1/initramfs.list stage=$1/stage
	local d applet bb libdir guest host
	guest_arch
	if [ "${GUEST_ARCH:-x86_64}" = x86_64 ]; then
		bb=$(command -v busybox)
		libdir=/lib/x86_64-linux-gnu
	else
		arm64_userland
		bb=$CACHE/arm64-root/bin/busybox
		libdir=/lib/aarch64-linux-gnu
	fi
	rm -rf "$stage"
	mkdir -p "$stage"
	if grep -qsx CONFIG_MODULES=y "$b/.config"; then
		quiet "$b/modules_install.log" make -C "$KSRC" O="$b" \
			"${ARCH_ARGS[@]}" INSTALL_MOD_PATH="$stage" \
			INSTALL_MOD_STRIP=1 modules_install
	fi
	# An external synchmess.ko, in place of the in-tree one if there
	# is one: the path the guest and synchmess_module_test load.
	if [ -n "${EXTERNAL_KO:-}" ]; then
		install -D -m 644 "$EXTERNAL_KO" "$stage/lib/modules/${GUEST_KREL:-$(cat "$b/include/config/kernel.release")}/kernel/drivers/char/synchmess/synchmess.ko"
	fi
	{
		for d in /bin /sbin /usr /usr/bin /usr/sbin /lib /lib64 \
			 $libdir /dev /proc /sys /tmp /root /etc; do
			echo "dir $d 0755 0 0"
		done
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "file /init $TOP/scripts/guest-init.sh 0755 0 0"
		echo "file /guest-cmd $guest_cmd 0755 0 0"
		echo "file /bin/busybox $bb 0755 0 0"
		# The host's busybox is the same Debian version as the guest's:
		# the same applets.
		for applet in $(busybox --list); do
			# GNU timeout instead (timeout_files).
			[ "$applet" = timeout ] && continue
			[ "$applet" = busybox ] && continue
			echo "slink /bin/$applet busybox 0777 0 0"
		done
		timeout_files | while read -r guest host; do
			echo "file $guest $host 0755 0 0"
		done
		if [ -d "$stage/lib/modules" ]; then
			echo "dir /lib/modules 0755 0 0"
			cpio_tree "$stage/lib/modules" /lib/modules
		fi
		if [ -d "$b/tool-root/usr/bin" ]; then
			for f in "$b"/tool-root/usr/bin/*; do
				echo "file /usr/bin/${f##*/} $f 0755 0 0"
			done
		fi
		echo "dir /kselftest 0755 0 0"
		cpio_tree "$b/kselftest/kselftest_install" /kselftest
		if [ "${WITH_KSELFTEST32:-0}" = 1 ]; then
			echo "dir /kselftest32 0755 0 0"
			cpio_tree "$b/kselftest32/kselftest_install" /kselftest32
		fi
	} >"$list"
	"$b/usr/gen_init_cpio" "$list" >"$b/initramfs.cpio" ||
		die "gen_init_cpio failed"
}
