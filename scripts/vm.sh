# SPDX-License-Identifier: GPL-2.0
# Build a kernel with the series applied, the selftests and an initramfs,
# and boot them in QEMU. Sourced by run.sh, test.sh and bench.sh.
# shellcheck shell=bash

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JOBS=$(($(nproc) + 1))
KBUILD_PACKAGES=(build-essential flex bison bc libelf-dev libssl-dev cpio
	kmod rsync ccache git xz-utils patch linux-source-6.12)
VM_PACKAGES=(qemu-system-x86 busybox-static coreutils)
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# The config fragment on top of guest.config: lock debugging unless the
# caller names another (debug.config, bench.config) or none (empty).
EXTRA_CONFIG=${EXTRA_CONFIG-$TOP/scripts/lockdebug.config}

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

# Configure build directory $1 for SYNCHMESS=$2 (y or m) from tinyconfig,
# the guest fragment and the selftests' config; check Kconfig kept it all.
configure_kernel() {
	local b=$1 mode=$2 frag=$1/synchmess.fragment opt
	mkdir -p "$b"
	rm -f "$b/synchmess.stamp"
	{
		cat "$TOP/scripts/guest.config"
		sed "s/^CONFIG_SYNCHMESS=.*/CONFIG_SYNCHMESS=$mode/" \
			"$KSRC/tools/testing/selftests/synchmess/config"
		[ -n "${EXTRA_CONFIG:-}" ] && cat "$EXTRA_CONFIG"
	} >"$frag"
	quiet "$b/config.log" sh -c "
		make -C '$KSRC' O='$b' tinyconfig &&
		'$KSRC/scripts/kconfig/merge_config.sh' -m -O '$b' '$b/.config' '$frag' &&
		make -C '$KSRC' O='$b' olddefconfig"
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
	# Configuring and a make with nothing to do take a minute or two on
	# a busy machine: skip both when nothing they read has changed.
	stamp=$({
		cat "$KSRC/.git/synchmess-series" "$TOP/scripts/guest.config" \
			"$TOP/scripts/vm.sh" ${EXTRA_CONFIG:+"$EXTRA_CONFIG"}
		echo "CONFIG_SYNCHMESS=$mode"
	} | sha256sum)
	if [ -f "$b/arch/x86/boot/bzImage" ] &&
	   [ "$(cat "$b/synchmess.stamp" 2>/dev/null)" = "$stamp" ]; then
		log "the kernel (CONFIG_SYNCHMESS=$mode) in $b is up to date"
		return 0
	fi
	log "building the kernel (CONFIG_SYNCHMESS=$mode) in $b"
	configure_kernel "$b" "$mode"
	quiet "$b/build.log" make -C "$KSRC" O="$b" -j"$JOBS" \
		CC="ccache gcc" bzImage modules
	echo "$stamp" >"$b/synchmess.stamp"
	log "kernel built in $((SECONDS - t0)) s"
}

build_selftests() {
	local b=$1 t0=$SECONDS
	log "building the synchmess selftests"
	rm -rf "$b/kselftest/kselftest_install"
	quiet "$b/kselftest.log" make -C "$KSRC" O="$b" -j"$JOBS" \
		TARGETS=synchmess USERCFLAGS=-static kselftest-install
	log "selftests built in $((SECONDS - t0)) s"
}

# Build the synchmess tool, static, with its own Makefile (tools/synchmess)
# and install it under $1/tool-root; a warning fails the build.
build_tool() {
	local b=$1 out=$1/tools/synchmess
	log "building the synchmess tool"
	rm -rf "$out" "$b/tool-root"
	mkdir -p "$out"
	quiet "$b/tool.log" make -C "$KSRC/tools/synchmess" O="$out" \
		LDFLAGS=-static DESTDIR="$b/tool-root" install
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

# Make the initramfs $1/initramfs.cpio around guest script $2, with the
# modules of build $1 (if it has any), $EXTERNAL_KO as synchmess.ko of
# kernel release $GUEST_KREL (default: build $1's), the selftests installed
# in $1/kselftest/kselftest_install and the tools of $1/tool-root/usr/bin.
make_initramfs() {
	local b=$1 guest_cmd=$2 list=$1/initramfs.list stage=$1/stage
	local d lib applet
	rm -rf "$stage"
	mkdir -p "$stage"
	if grep -qsx CONFIG_MODULES=y "$b/.config"; then
		quiet "$b/modules_install.log" make -C "$KSRC" O="$b" \
			INSTALL_MOD_PATH="$stage" INSTALL_MOD_STRIP=1 modules_install
	fi
	# An external synchmess.ko, in place of the in-tree one if there
	# is one: the path the guest and synchmess_module_test load.
	if [ -n "${EXTERNAL_KO:-}" ]; then
		install -D -m 644 "$EXTERNAL_KO" "$stage/lib/modules/${GUEST_KREL:-$(cat "$b/include/config/kernel.release")}/kernel/drivers/char/synchmess/synchmess.ko"
	fi
	{
		for d in /bin /sbin /usr /usr/bin /usr/sbin /lib /lib64 \
			 /lib/x86_64-linux-gnu /dev /proc /sys /tmp /root /etc; do
			echo "dir $d 0755 0 0"
		done
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "file /init $TOP/scripts/guest-init.sh 0755 0 0"
		echo "file /guest-cmd $guest_cmd 0755 0 0"
		echo "file /bin/busybox $(command -v busybox) 0755 0 0"
		for applet in $(busybox --list); do
			# runner.sh needs GNU timeout: busybox's lacks --foreground.
			[ "$applet" = timeout ] && continue
			[ "$applet" = busybox ] && continue
			echo "slink /bin/$applet busybox 0777 0 0"
		done
		echo "file /usr/bin/timeout /usr/bin/timeout 0755 0 0"
		for lib in $(ldd /usr/bin/timeout | grep -o '/[^ ]*'); do
			echo "file $lib $(readlink -f "$lib") 0755 0 0"
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
	} >"$list"
	"$b/usr/gen_init_cpio" "$list" >"$b/initramfs.cpio" ||
		die "gen_init_cpio failed"
}

# Boot $1/arch/x86/boot/bzImage (or $GUEST_KERNEL) with $1/initramfs.cpio;
# serial log to $2.
# The guest ends by itself; the host timeout catches a wedged guest.
boot_guest() {
	local b=$1 logf=$2 limit=${3:-1200} interactive=${4:-0}
	local args=(-accel tcg,thread=multi -smp 2 -m 1024 -cpu max
		-kernel "${GUEST_KERNEL:-$b/arch/x86/boot/bzImage}"
		-initrd "$b/initramfs.cpio"
		-append "console=ttyS0 panic=-1 oops=panic softlockup_panic=1 loglevel=6 synchmess_interactive=$interactive ${GUEST_APPEND:-}"
		-no-reboot -display none -monitor none)
	if [ "$interactive" = 1 ]; then
		# The serial console on the terminal, Ctrl-C to the guest
		# (Ctrl-A X quits QEMU), and a copy in $logf.
		qemu-system-x86_64 "${args[@]}" \
			-chardev stdio,id=console,mux=on,signal=off,logfile="$logf.raw" \
			-serial chardev:console -mon chardev=console,mode=readline
		tr -d '\r' <"$logf.raw" >"$logf"
		rm -f "$logf.raw"
	else
		timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
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

# boot_and_count NAME BUILD GUEST_CMD LIMIT: boot, show the TAP lines, add
# up the results into PASS and FAIL; a failed run counts as a failure of its
# own, in FAILED_RUNS. The serial log goes to $RESULTS/serial-NAME.log.
boot_and_count() {
	local name=$1 b=$2 cmd=$3 limit=$4 logf=$RESULTS/serial-$1.log
	local t0=$SECONDS pass fail skipped top_fail

	make_initramfs "$b" "$cmd"
	log "booting the guest ($name)"
	boot_guest "$b" "$logf" "$limit" |
		grep -E '^(#|ok|not ok|TAP|1\.\.|SYNCHMESS-)' || true
	log "guest ran for $((SECONDS - t0)) s"
	check_guest_log "$logf" || FAILED_RUNS=$((FAILED_RUNS + 1))
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
