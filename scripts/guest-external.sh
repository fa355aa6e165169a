#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of test-distro.sh: SynchMess built as an external module, at
# the path synchmess_module_test loads it from. Load it with insmod (unless
# /init's modprobe did), say which module runs, run the kselftests as
# test.sh's guests do, then the tool test once more with the tool built
# against the installed uapi header (/usr/bin/synchmess), and unload and
# load the module once more.
KO=/lib/modules/$(uname -r)/kernel/drivers/char/synchmess/synchmess.ko
if [ ! -d /sys/module/synchmess ]; then
	insmod "$KO" || echo "SYNCHMESS-CHECK insmod failed"
fi
echo "SYNCHMESS-UPTIME $(cut -d' ' -f1 /proc/uptime) s at the start of the tests"
# O: built out of tree; E: not signed by a key this kernel trusts.
echo "SYNCHMESS-EXTERNAL $(uname -r) taint=$(cat /sys/module/synchmess/taint)"
cd /kselftest || exit 1
./run_kselftest.sh
rc=$?

# KTAP of a test of its own, nested in the output as runner.sh nests it.
{ SYNCHMESS=/usr/bin/synchmess ./synchmess/synchmess_tool_test.sh 2>&1
  echo "rc=$?" >/tmp/tool.rc; } | sed 's/^/# /'
if [ "$(cat /tmp/tool.rc)" = rc=0 ]; then
	echo "ok 1 synchmess_tool_test.sh with /usr/bin/synchmess"
else
	echo "not ok 1 synchmess_tool_test.sh with /usr/bin/synchmess"
	rc=1
fi

if rmmod synchmess && [ ! -e /dev/synch/synchmess ] &&
   insmod "$KO" && [ -c /dev/synch/synchmess ] &&
   synchmess install 11 >/dev/null && synchmess send 11 reloaded &&
   [ "$(synchmess recv 11)" = reloaded ] && synchmess remove 11 &&
   rmmod synchmess && insmod "$KO"; then
	echo "SYNCHMESS-RELOAD ok"
else
	echo "SYNCHMESS-RELOAD failed"
	rc=1
fi
exit $rc
