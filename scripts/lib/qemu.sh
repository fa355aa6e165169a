# SPDX-License-Identifier: GPL-2.0
# Booting a guest in QEMU: boot_guest, and boot_and_count, which makes the
# initramfs, boots, and judges and counts the run. Sourced by vm.sh.
# shellcheck shell=bash

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
