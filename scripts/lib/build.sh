# SPDX-License-Identifier: GPL-2.0
# The builds: the base tree brought to the series, the guest kernel, the
# synchmess selftests (64-bit and 32-bit) and the synchmess tool.
# Sourced by vm.sh.
# shellcheck shell=bash

JOBS=$(($(nproc) + 1))
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# The config fragment on top of guest.config: lock debugging unless the
# caller names another (debug.config, bench.config) or none (empty).
EXTRA_CONFIG=${EXTRA_CONFIG-$TOP/scripts/lockdebug.config}

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
	# a busy machine: skip both when nothing they read has changed (this
	# file configures and builds, vm.sh's guest_arch picks the compiler).
	stamp=$({
		cat "$KSRC/.git/synchmess-series" "$GUEST_CONFIG" \
			"$TOP/scripts/vm.sh" "$TOP/scripts/lib/build.sh" \
			${EXTRA_CONFIG:+"$EXTRA_CONFIG"}
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

# build_guest BUILD MODE: what a guest of the selftests needs built in
# BUILD: the kernel with CONFIG_SYNCHMESS=MODE (y or m), the selftests and
# the tool, for the guest's architecture (GUEST_ARCH) and with the
# caller's EXTRA_CONFIG.
build_guest() {
	build_kernel "$1" "$2"
	build_selftests "$1"
	build_tool "$1"
}
