#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The static-analysis gate: what a char-misc maintainer and the kernel test
# robot run on the series. Fast checks first, then those that need a
# configured kernel tree. Every checker must report nothing.
#
#   scripts/check-static.sh
set -euo pipefail
. "$(dirname "$0")/vm.sh"

# Debian's python3 has ply and git for spdxcheck.py; pyenv's may not.
export PATH=/usr/bin:/bin:$PATH
STATIC_PACKAGES=(sparse coccinelle ocaml-nox clang lld llvm python3-ply
	python3-git python3-docutils python3-sphinx g++ perl)
FAILS=0
T0=$SECONDS
mkdir -p "$CACHE"
need_packages "${KBUILD_PACKAGES[@]}" "${STATIC_PACKAGES[@]}"
python3 -c 'import ply, git' || die "python3 lacks ply or git: spdxcheck would be skipped"

OUT=$CACHE/static
rm -rf "$OUT"
mkdir -p "$OUT"
DRV=drivers/char/synchmess
UAPI=include/uapi/linux/synchmess.h

# report NAME COUNT LOG: one line per checker, the findings when any.
report() {
	local name=$1 count=$2 logf=$3
	printf '%-34s %s finding(s)\n' "$name" "$count"
	if [ "$count" -ne 0 ]; then
		sed 's/^/    /' "$logf" | head -n 60
		FAILS=$((FAILS + 1))
	fi
}

t=$SECONDS
"$TOP/scripts/gen-patches.sh" --check >"$OUT/current.log" 2>&1 &&
	report "series is current" 0 "$OUT/current.log" ||
	report "series is current" 1 "$OUT/current.log"

ensure_base_tree
: >"$OUT/checkpatch.log"
for p in "$TOP"/patches/0*.patch; do
	case $p in */0000-*) continue;; esac
	"$KSRC/scripts/checkpatch.pl" --strict --no-summary --terse \
		--show-types "$p" >>"$OUT/checkpatch.log" 2>&1 || true
done
report "checkpatch --strict" "$(grep -cE ': (ERROR|WARNING|CHECK):' \
	"$OUT/checkpatch.log" || true)" "$OUT/checkpatch.log"

(cd "$TOP" && "$KSRC/scripts/kernel-doc" -none -Wall $DRV/*.[ch] $UAPI) \
	>"$OUT/kernel-doc.log" 2>&1 || true
report "kernel-doc -Wall" "$(grep -c . "$OUT/kernel-doc.log" || true)" \
	"$OUT/kernel-doc.log"

# uapi: the header as userspace gets it, alone, in C and C++, plus the
# layout the ABI promises.
cat >"$OUT/uapi.c" <<'C'
#include <linux/synchmess.h>
#include <stddef.h>
_Static_assert(sizeof(struct synchmess_group) == 72, "size");
_Static_assert(offsetof(struct synchmess_group, id) == 0, "id");
_Static_assert(offsetof(struct synchmess_group, flags) == 4, "flags");
_Static_assert(offsetof(struct synchmess_group, path) == 8, "path");
int main(void) { return SYNCHMESS_IOC_INSTALL_GROUP == 0; }
C
: >"$OUT/uapi.log"
prepare_tree
make -C "$KSRC" O="$CACHE/headers" INSTALL_HDR_PATH="$CACHE/headers/usr" \
	headers_install >>"$OUT/uapi.log" 2>&1 || echo "headers_install failed" >>"$OUT/uapi.log"
for cc in "gcc -x c -std=c99" "gcc -x c -std=gnu11" "g++ -x c++ -std=c++11"; do
	$cc -Wall -Wextra -Werror -pedantic -I"$CACHE/headers/usr/include" \
		-fsyntax-only "$OUT/uapi.c" >>"$OUT/uapi.log" 2>&1 ||
		echo "failed: $cc" >>"$OUT/uapi.log"
done
report "uapi header alone, C and C++" "$(grep -c . "$OUT/uapi.log" || true)" \
	"$OUT/uapi.log"
echo "  (fast checks took $((SECONDS - t)) s)"

# The rest needs a configured tree: the one test.sh builds in.
B=$CACHE/build
[ -f "$B/vmlinux" ] || build_kernel "$B" m
configure_kernel "$B" m
make -C "$KSRC" O="$B" -j"$JOBS" CC="ccache gcc" modules_prepare \
	>"$OUT/prepare.log" 2>&1 || die "modules_prepare failed, see $OUT/prepare.log"

# count_build NAME LOG ARGS...: rebuild the driver, count diagnostics.
count_build() {
	local name=$1 logf=$2
	shift 2
	touch "$KSRC/$DRV"/*.c
	make -C "$KSRC" O="$B" "$@" "$DRV/" >"$logf" 2>&1 ||
		echo "build failed" >>"$logf"
	report "$name" "$(grep -cE 'warning:|error:|failed' "$logf" || true)" "$logf"
}
count_build "make W=1" "$OUT/w1.log" W=1
count_build "sparse (make C=2)" "$OUT/sparse.log" C=2 CHECK=sparse
count_build "make W=1 C=2 CF=-D__CHECK_ENDIAN__" "$OUT/sparse-w1.log" W=1 C=2

# clang: a separate tree, only prepared, then the driver.
BC=$CACHE/build-clang
if [ ! -f "$BC/.config" ]; then
	mkdir -p "$BC"
	cp "$B/.config" "$BC/.config"
fi
{
	make -C "$KSRC" O="$BC" LLVM=1 olddefconfig &&
	make -C "$KSRC" O="$BC" LLVM=1 -j"$JOBS" modules_prepare &&
	make -C "$KSRC" O="$BC" LLVM=1 W=1 "$DRV/"
} >"$OUT/clang.log" 2>&1 || echo "build failed" >>"$OUT/clang.log"
report "clang LLVM=1 W=1" "$(grep -cE 'warning:|error:|failed' "$OUT/clang.log" || true)" \
	"$OUT/clang.log"

# coccinelle looks only at files git knows: the series is committed in KSRC.
make -C "$KSRC" O="$B" coccicheck MODE=report M="$KSRC/$DRV" \
	>"$OUT/cocci.log" 2>&1 || echo "coccicheck failed" >>"$OUT/cocci.log"
grep -E "^$KSRC/$DRV|^$DRV|coccicheck failed" "$OUT/cocci.log" >"$OUT/cocci-findings.log" || true
report "coccicheck MODE=report" "$(grep -c . "$OUT/cocci-findings.log" || true)" \
	"$OUT/cocci-findings.log"

echo "static gate: $FAILS checker(s) with findings, $((SECONDS - T0)) s"
[ $FAILS -eq 0 ]
