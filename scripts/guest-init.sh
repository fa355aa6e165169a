#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the SynchMess test guest: set up a minimal system, run
# /guest-cmd, report, and power off.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# kmemleak and fault injection are driven from debugfs, where there is one.
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug
# devtmpfs has none of these, and runner.sh writes to /dev/stdout.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# Users besides root, for the tests and the demo of who may use whose group.
printf '%s\n' "root:x:0:0:root:/root:/bin/sh" \
	"alice:x:1001:1001:alice:/tmp:/bin/sh" \
	"bob:x:1002:1002:bob:/tmp:/bin/sh" \
	"nobody:x:65534:65534:nobody:/nonexistent:/bin/sh" >/etc/passwd
printf '%s\n' "root:x:0:" "alice:x:1001:" "bob:x:1002:" "nogroup:x:65534:" \
	>/etc/group

echo "SYNCHMESS-CPUS $(grep -c ^processor /proc/cpuinfo)"
echo "SYNCHMESS-KERNEL $(uname -r)"
# A guest without modules.dep (test-distro.sh's) loads the module itself.
if [ -f "/lib/modules/$(uname -r)/modules.dep" ] &&
   [ ! -d /sys/module/synchmess ]; then
	modprobe synchmess || echo "SYNCHMESS-CHECK modprobe failed"
fi

/guest-cmd
rc=$?

if grep -q '^debug_locks:.*0$' /proc/lockdep_stats 2>/dev/null; then
	echo "SYNCHMESS-DEBUG-LOCKS-OFF: lockdep turned itself off"
fi
if grep -q synchmess_interactive=1 /proc/cmdline; then
	echo "Interactive shell; 'exit' powers the guest off."
	PS1='guest# ' setsid cttyhack sh
fi
echo "SYNCHMESS-GUEST-DONE rc=$rc"
sync
reboot -f
