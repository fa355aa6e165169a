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
echo "root:x:0:0:root:/root:/bin/sh" >/etc/passwd
echo "root:x:0:" >/etc/group

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
