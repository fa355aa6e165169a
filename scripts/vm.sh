# SPDX-License-Identifier: GPL-2.0
# Build a kernel with the series applied, the selftests and an initramfs,
# and boot them in QEMU. Sourced by run.sh, test.sh and bench.sh.
# shellcheck shell=bash

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JOBS=$(($(nproc) + 1))
KBUILD_PACKAGES=(build-essential flex bison bc libelf-dev libssl-dev cpio
	kmod rsync ccache git xz-utils patch linux-source-6.12)
VM_PACKAGES=(qemu-system-x86 busybox-static coreutils)
# The 32-bit (-m32) selftests: what gcc-multilib brings, without it, since
# it conflicts with the cross compilers.
M32_PACKAGES=(libc6-dev-i386 lib32gcc-12-dev file)
# The arm64 guest: its compiler and C library (static selftests), QEMU.
ARM64_PACKAGES=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm)
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# The config fragment on top of guest.config: lock debugging unless the
# caller names another (debug.config, bench.config) or none (empty).
EXTRA_CONFIG=${EXTRA_CONFIG-$TOP/scripts/lockdebug.config}

# The architecture of the guest the functions below build and boot, from
# GUEST_ARCH: x86_64 (the default, nothing changes for it) or arm64. Sets
# ARCH_ARGS (make's arguments), KCC (the compiler), KIMAGE (the kernel
# image and its make target), GUEST_CONFIG (the base fragment).
guest_arch() {
	case ${GUEST_ARCH:-x86_64} in
	x86_64)
		ARCH_ARGS=()
		KCC="ccache gcc"
		KIMAGE=arch/x86/boot/bzImage
		GUEST_CONFIG=$TOP/scripts/guest.config;;
	arm64)
		ARCH_ARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		KCC="ccache aarch64-linux-gnu-gcc"
		KIMAGE=arch/arm64/boot/Image
		GUEST_CONFIG=$TOP/scripts/arm64.config;;
	*)
		die "unknown GUEST_ARCH ${GUEST_ARCH}";;
	esac
}

# Run a long command with its output in a log file; on failure show the end.
quiet() {
	local logf=$1
	shift
	if ! "$@" >"$logf" 2>&1; then
		tail -n 40 "$logf" >&2
		die "failed: $* (whole log: $logf)"
	fi
}

# What run.sh and bench.sh do first: install what they need, then bring
# the tree to the series.
prepare_host() {
	mkdir -p "$CACHE"
	need_packages "${KBUILD_PACKAGES[@]}" "${VM_PACKAGES[@]}"
	prepare_tree
}

# Bring $KSRC to pristine + patches/, unless it is there already.
prepare_tree() {
	local want have
	ensure_base_tree
	want=$(cat "$TOP"/patches/*.patch | sha256sum | cut -d' ' -f1)
	have=$(cat "$KSRC/.git/synchmess-series" 2>/dev/null || true)
	[ "$want" = "$have" ] && return 0
	log "applying patches/ to $KSRC"
	git -C "$KSRC" am --abort >/dev/null 2>&1 || true
	git -C "$KSRC" reset -q --hard pristine
	git -C "$KSRC" clean -fdq
	quiet "$CACHE/apply.log" "$TOP/scripts/apply.sh" "$KSRC"
	echo "$want" >"$KSRC/.git/synchmess-series"
}

# Of the fragments on standard input, keep each option's last setting only,
# as merge_config.sh does: a later fragment (bench-notrace.config) may undo
# what an earlier one (the selftests' config) asks for.
later_fragment_wins() {
	awk '{
		name = ""
		if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) {
			name = $0
			sub(/=.*/, "", name)
		} else if ($0 ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
			name = $2
		}
		line[NR] = $0
		key[NR] = name
		if (name != "")
			last[name] = NR
	}
	END {
		for (i = 1; i <= NR; i++)
			if (key[i] == "" || last[key[i]] == i)
				print line[i]
	}'
}

# Configure build directory $1 for SYNCHMESS=$2 (y or m) from tinyconfig,
# the guest fragment and the selftests' config; check Kconfig kept it all.
configure_kernel() {
	local b=$1 mode=$2 frag=$1/synchmess.fragment opt
	guest_arch
	mkdir -p "$b"
	rm -f "$b/synchmess.stamp"
	{
		cat "$GUEST_CONFIG"
		sed "s/^CONFIG_SYNCHMESS=.*/CONFIG_SYNCHMESS=$mode/" \
			"$KSRC/tools/testing/selftests/synchmess/config"
		[ -n "${EXTRA_CONFIG:-}" ] && cat "$EXTRA_CONFIG"
	} | later_fragment_wins >"$frag"
	quiet "$b/config.log" sh -c "
		make -C '$KSRC' O='$b' ${ARCH_ARGS[*]} tinyconfig &&
		'$KSRC/scripts/kconfig/merge_config.sh' -m -O '$b' '$b/.config' '$frag' &&
		make -C '$KSRC' O='$b' ${ARCH_ARGS[*]} olddefconfig"
	while read -r opt; do
		case $opt in
		CONFIG_*=*)
			grep -qxF "$opt" "$b/.config" ||
				die "Kconfig dropped $opt (see $b/.config)";;
		"# CONFIG_"*" is not set")
			! grep -q "^${opt#\# }" "$b/.config" ||
				die "Kconfig kept ${opt#\# }";;
		esac
	done <"$frag"
}

build_kernel() {
	local b=$1 mode=$2 t0=$SECONDS stamp
	guest_arch
	# Configuring and a make with nothing to do take a minute or two on
	# a busy machine: skip both when nothing they read has changed.
	stamp=$({
		cat "$KSRC/.git/synchmess-series" "$GUEST_CONFIG" \
			"$TOP/scripts/vm.sh" ${EXTRA_CONFIG:+"$EXTRA_CONFIG"}
		echo "CONFIG_SYNCHMESS=$mode ${ARCH_ARGS[*]}"
	} | sha256sum)
	if [ -f "$b/$KIMAGE" ] &&
	   [ "$(cat "$b/synchmess.stamp" 2>/dev/null)" = "$stamp" ]; then
		log "the kernel (CONFIG_SYNCHMESS=$mode) in $b is up to date"
		return 0
	fi
	log "building the kernel (CONFIG_SYNCHMESS=$mode) in $b"
	configure_kernel "$b" "$mode"
	quiet "$b/build.log" make -C "$KSRC" O="$b" -j"$JOBS" \
		"${ARCH_ARGS[@]}" CC="$KCC" "${KIMAGE##*/}" modules
	echo "$stamp" >"$b/synchmess.stamp"
	log "kernel built in $((SECONDS - t0)) s"
}

build_selftests() {
	local b=$1 t0=$SECONDS
	guest_arch
	log "building the synchmess selftests"
	rm -rf "$b/kselftest/kselftest_install"
	quiet "$b/kselftest.log" make -C "$KSRC" O="$b" -j"$JOBS" \
		"${ARCH_ARGS[@]}" TARGETS=synchmess USERCFLAGS=-static \
		kselftest-install
	log "selftests built in $((SECONDS - t0)) s"
}

# The same selftests, and the synchmess tool with its own Makefile, as
# 32-bit x86 programs (gcc -m32, static) in $1/kselftest32, for an x86-64
# guest to run through the compat path. Without gcc-multilib the C
# library's headers have no <asm/...> for -m32: the kernel's own
# installed headers give them, as they do to the selftests. A warning
# fails the build, as in build_tool.
build_selftests32() {
	local b=$1 t0=$SECONDS out=$1/kselftest32 f warn
	need_packages "${M32_PACKAGES[@]}"
	log "building the synchmess selftests and tool, 32-bit"
	rm -rf "$out"
	mkdir -p "$out/tool"
	quiet "$b/kselftest32.log" make -C "$KSRC" O="$b" -j"$JOBS" \
		TARGETS=synchmess USERCFLAGS="-static -m32" BUILD="$out" \
		kselftest-install
	quiet "$b/tool32.log" make -C "$KSRC/tools/synchmess" O="$out/tool" \
		CFLAGS="-m32 -isystem $b/usr/include" LDFLAGS="-static -m32" \
		DESTDIR="$out/tool-root" install
	# The base tree's kselftest_harness.h casts the pointers that
	# ASSERT_NE(MAP_FAILED, p) compares to uintmax_t, which warns on
	# every 32-bit build of any test that does it: that one is not ours.
	warn=$(grep -h 'warning:' "$b/kselftest32.log" "$b/tool32.log" |
		grep -v '^\.\./kselftest_harness\.h:[0-9:]* warning: cast from pointer to integer of different size' ||
		true)
	[ -z "$warn" ] ||
		die "32-bit builds with warnings, see $b/kselftest32.log, $b/tool32.log"
	for f in "$out/tool-root/usr/bin/synchmess" \
		 "$out/kselftest_install/synchmess/synchmess_msg_test"; do
		case $(file -b "$f") in
		"ELF 32-bit LSB executable, Intel 80386"*"statically linked"*) ;;
		*) die "not a static 32-bit x86 program: $f";;
		esac
	done
	log "32-bit selftests and tool built in $((SECONDS - t0)) s"
}

# Build the synchmess tool, static, with its own Makefile (tools/synchmess)
# and install it under $1/tool-root; a warning fails the build.
build_tool() {
	local b=$1 out=$1/tools/synchmess
	guest_arch
	log "building the synchmess tool"
	rm -rf "$out" "$b/tool-root"
	mkdir -p "$out"
	quiet "$b/tool.log" make -C "$KSRC/tools/synchmess" O="$out" \
		"${ARCH_ARGS[@]}" LDFLAGS=-static DESTDIR="$b/tool-root" install
	! grep -q 'warning:' "$b/tool.log" ||
		die "the synchmess tool builds with warnings, see $b/tool.log"
}

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

# Boot $1's kernel image (guest_arch), or $GUEST_KERNEL, with
# $1/initramfs.cpio; serial log to $2. The guest ends by itself; the host
# timeout catches a wedged guest.
boot_guest() {
	local b=$1 logf=$2 limit=${3:-1200} interactive=${4:-0}
	local qemu=qemu-system-x86_64 console=ttyS0 machine=()
	guest_arch
	if [ "${GUEST_ARCH:-x86_64}" = arm64 ]; then
		# pauth-impdef: QEMU's own pointer authentication, much
		# faster under TCG than the architected algorithm.
		qemu="qemu-system-aarch64"
		console=ttyAMA0
		machine=(-M virt -cpu "max,pauth-impdef=on")
	else
		machine=(-cpu max)
	fi
	local args=(-accel "tcg,thread=multi" -smp 2 -m 1024 "${machine[@]}"
		-kernel "${GUEST_KERNEL:-$b/$KIMAGE}" -initrd "$b/initramfs.cpio"
		-append "console=$console panic=-1 oops=panic softlockup_panic=1 loglevel=6 synchmess_interactive=$interactive ${GUEST_APPEND:-}"
		-no-reboot -display none -monitor none)
	if [ "$interactive" = 1 ]; then
		# The serial console on the terminal, Ctrl-C to the guest
		# (Ctrl-A X quits QEMU), and a copy in $logf.
		"$qemu" "${args[@]}" \
			-chardev stdio,id=console,mux=on,signal=off,logfile="$logf.raw" \
			-serial chardev:console -mon chardev=console,mode=readline
		tr -d '\r' <"$logf.raw" >"$logf"
		rm -f "$logf.raw"
	else
		timeout --foreground -k 10 "$limit" "$qemu" \
			"${args[@]}" -serial stdio </dev/null 2>&1 |
			tr -d '\r' | tee "$logf"
	fi
}

# Decide from a serial log: the guest finished, saw two CPUs, and the
# kernel said nothing bad. Prints the reasons it fails.
check_guest_log() {
	local logf=$1 bad=0 pat
	grep -q '^SYNCHMESS-GUEST-DONE' "$logf" ||
		{ echo "FAIL: the guest did not finish" >&2; bad=1; }
	grep -q '^SYNCHMESS-CPUS 2$' "$logf" ||
		{ echo "FAIL: the guest did not see two CPUs" >&2; bad=1; }
	for pat in 'BUG:' 'WARNING:' 'Oops' 'Kernel panic' \
		   'sleeping function called from invalid context' \
		   'possible recursive locking' 'possible circular locking' \
		   'inconsistent lock state' 'lockdep' 'INFO: task .* blocked' \
		   'rcu_sched self-detected stall' 'rcu: INFO' 'general protection' \
		   'kmemleak:.*new suspected memory leaks' 'UBSAN:' 'KASAN:' \
		   'SYNCHMESS-DEBUG-LOCKS-OFF'; do
		if grep -E "$pat" "$logf" | grep -v '^SYNCHMESS-CHECK' >/dev/null; then
			echo "FAIL: kernel log shows '$pat':" >&2
			grep -E -m3 "$pat" "$logf" >&2
			bad=1
		fi
	done
	return $bad
}

# boot_and_count NAME BUILD GUEST_CMD LIMIT [kcsan]: boot, show the TAP
# lines, add up the results into PASS and FAIL; a failed run counts as a
# failure of its own, in FAILED_RUNS. The serial log goes to
# $RESULTS/serial-NAME.log.
# With "kcsan", KCSAN reports that do not name synchmess are printed and
# left out of the log check (split_kcsan_reports); those that do fail it.
boot_and_count() {
	local name=$1 b=$2 cmd=$3 limit=$4 logf=$RESULTS/serial-$1.log
	local t0=$SECONDS pass fail skipped top_fail checked=$RESULTS/serial-$1.log
	local counts

	make_initramfs "$b" "$cmd"
	log "booting the guest ($name)"
	boot_guest "$b" "$logf" "$limit" |
		grep -E '^(#|ok|not ok|TAP|1\.\.|SYNCHMESS-)' || true
	log "guest ran for $((SECONDS - t0)) s"
	if [ "${5:-}" = kcsan ]; then
		counts=$(split_kcsan_reports "$logf")
		checked=$logf.filtered
		if [ -s "$logf.kcsan-other" ]; then
			echo "KCSAN reports outside synchmess (${counts#* }, not failing the run):"
			cat "$logf.kcsan-other"
		fi
		if [ -s "$logf.kcsan-synchmess" ]; then
			echo "FAIL: ${counts% *} KCSAN report(s) naming synchmess:" >&2
			cat "$logf.kcsan-synchmess" >&2
			FAILED_RUNS=$((FAILED_RUNS + 1))
		fi
		log "$name: KCSAN reports: ${counts% *} naming synchmess, ${counts#* } elsewhere"
		grep -q '^SYNCHMESS-KCSAN enabled: 1' "$logf" || {
			echo "FAIL: KCSAN was not enabled in the guest" >&2
			FAILED_RUNS=$((FAILED_RUNS + 1))
		}
	fi
	check_guest_log "$checked" || FAILED_RUNS=$((FAILED_RUNS + 1))
	pass=$(grep -c '^# ok ' "$logf" || true)
	fail=$(grep -c '^# not ok ' "$logf" || true)
	skipped=$(grep -c '^# ok .* # SKIP' "$logf" || true)
	top_fail=$(grep -c '^not ok ' "$logf" || true)
	[ "$top_fail" -eq 0 ] || FAILED_RUNS=$((FAILED_RUNS + 1))
	[ "$pass" -gt 0 ] || FAILED_RUNS=$((FAILED_RUNS + 1))
	log "$name: $pass ok ($skipped skipped), $fail not ok, $top_fail test programs failed"
	PASS=$((PASS + pass))
	FAIL=$((FAIL + fail))
}

# Sort the KCSAN reports of serial log $1: those naming synchmess (a frame
# of the driver: its functions, or "[synchmess]" with the driver as a
# module; the "Comm:" and "Workqueue:" lines, which say what ran on the
# CPU, do not count, nor do the frames under an interrupt's entry in an
# access by interrupt, which are the interrupted task's) go to
# $1.kcsan-synchmess, the others to $1.kcsan-other, and $1.filtered is the
# log without the others, for check_guest_log. A report runs from its
# "BUG: KCSAN:" line to the "=====" line that closes it. When KCSAN cannot
# find the racing access in its own stack trace (an access it reordered,
# modelling weak memory), it says so first with a WARNING of its own
# ("Cannot find frame for ... in stack trace", up to "end trace"): that
# warning goes with the report that follows. Prints the counts.
split_kcsan_reports() {
	local logf=$1
	awk -v mine="$logf.kcsan-synchmess" -v other="$logf.kcsan-other" \
	    -v rest="$logf.filtered" '
		BEGIN {
			printf "" >mine; printf "" >other
			# A stack frame, "func+0x1c/0x40 [module]": only frames
			# and the report'"'"'s title name code; other lines inside
			# a report may be messages of other tasks (a failed
			# allocation naming a synchmess kobject, say).
			frame = "\\] +[A-Za-z0-9_.]+\\+0x[0-9a-f]+/0x[0-9a-f]+"
		}
		/Cannot find frame for .* in stack trace/ { inwarn = 1 }
		inwarn {
			pre = pre $0 "\n"
			if ($0 ~ /synchmess/ && $0 ~ frame)
				prenamed = 1
			if ($0 ~ /---\[ end trace/)
				inwarn = 0
			next
		}
		/BUG: KCSAN:/ {
			inrep = 1; named = prenamed; buf = pre; n++
			interrupted = 0
			pre = ""; prenamed = 0
		}
		inrep {
			buf = buf $0 "\n"
			# Each access has its own stack; an interrupt entry in
			# it ends the callers of the access: what follows is the
			# task the interrupt came in on.
			if ($0 ~ / (read|write|read-write)( \(marked\))? to .* by /)
				interrupted = 0
			if ($0 ~ /\] *asm_(sysvec|common_interrupt|exc)_/)
				interrupted = 1
			if ($0 ~ /synchmess/ && !interrupted &&
			    ($0 ~ frame || $0 ~ /BUG: KCSAN:/))
				named = 1
			if ($0 ~ /==========/) {
				inrep = 0
				if (named) {
					printf "%s", buf >mine
					printf "%s", buf >rest
					m++
				} else {
					printf "%s", buf >other
				}
			}
			next
		}
		{ print >rest }
		END {
			# A report cut short by the end of the log counts as ours.
			if (inrep) { printf "%s", buf >mine; printf "%s", buf >rest; m++ }
			else if (pre != "") { printf "%s", pre >mine; printf "%s", pre >rest; m++; n++ }
			printf "%d %d\n", m, n - m
		}' "$logf"
}
