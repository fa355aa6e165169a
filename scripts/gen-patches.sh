#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate patches/, the git-am-able series, from the files of this
# repository against the pristine linux-source-6.12 tree.
#
#   scripts/gen-patches.sh            rewrite patches/
#   scripts/gen-patches.sh --check    fail if patches/ is not current
#
# The series is built in a scratch git repository holding only the base
# files it touches, so generation takes seconds; the hunks outside the new
# files (Kconfig and Makefile hooks, indexes, MAINTAINERS) are made here.
# Commit dates are fixed, so the same tree always gives the same series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

TOUCHED=(
	MAINTAINERS
	Documentation/userspace-api/index.rst
	Documentation/userspace-api/ioctl/ioctl-number.rst
	drivers/char/Kconfig
	drivers/char/Makefile
	tools/Makefile
	tools/testing/selftests/Makefile
)

ensure_base_tree
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
git init -q -b synchmess
for f in "${TOUCHED[@]}"; do
	mkdir -p "$(dirname "$f")"
	git -C "$KSRC" show "pristine:$f" >"$f"
done
git add -f .
STAMP=0
commit() {
	local date="2026-11-02T00:$(printf '%02d' $STAMP):00+0000"

	STAMP=$((STAMP + 1))
	git add -f -A .
	GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
		git commit -q -s -F -
}
commit <<'EOF'
Linux 6.12 (Debian linux-source-6.12), the files the series touches
EOF

copy() {
	local f
	for f in "$@"; do
		mkdir -p "$(dirname "$f")"
		cp "$TOP/$f" "$f"
	done
}

# Insert line $2 into file $1 before the first line matching regex $3.
insert_before() {
	awk -v line="$2" -v re="$3" \
		'!done && $0 ~ re { print line; done = 1 } { print }' \
		"$1" >"$1.new"
	grep -qxF -- "$2" "$1.new" || die "$1: no line matching $3"
	mv "$1.new" "$1"
}

# Insert line $2 into file $1 after the first line matching regex $3.
insert_after() {
	awk -v line="$2" -v re="$3" \
		'{ print } !done && $0 ~ re { print line; done = 1 }' \
		"$1" >"$1.new"
	grep -qxF -- "$2" "$1.new" || die "$1: no line matching $3"
	mv "$1.new" "$1"
}

# Add a file pattern to the SynchMess entry of MAINTAINERS, keeping the F:
# lines sorted. Each patch that adds files lists them there, so the entry
# covers every file of the tree at every point of the series.
maintain() {
	local pat=$1
	awk -v pat="F:	$pat" '
		/^SYNCHMESS / { in_entry = 1 }
		in_entry && /^F:/ && !done && $0 > pat { print pat; done = 1 }
		in_entry && /^$/ && !done { print pat; done = 1; in_entry = 0 }
		/^$/ { in_entry = 0 }
		{ print }' MAINTAINERS >MAINTAINERS.new
	mv MAINTAINERS.new MAINTAINERS
}

# Drop a file pattern from the SynchMess entry of MAINTAINERS.
unmaintain() {
	grep -qxF "F:	$1" MAINTAINERS || die "MAINTAINERS: no F: $1"
	grep -vxF "F:	$1" MAINTAINERS >MAINTAINERS.new
	mv MAINTAINERS.new MAINTAINERS
}

UAPI=include/uapi/linux/synchmess.h
DRV=drivers/char/synchmess
KST=tools/testing/selftests/synchmess
TOOL=tools/synchmess

# 1: uapi
copy $UAPI
insert_after Documentation/userspace-api/ioctl/ioctl-number.rst \
	"$(printf '%-6s%-7s%-58s%s' 0xB9 00-3F linux/synchmess.h \
		'SynchMess message groups and barriers')" \
	'^0xB8  '
insert_before MAINTAINERS "SYNCHMESS MESSAGE GROUPS DRIVER
M:	$GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL>
L:	linux-kernel@vger.kernel.org
S:	Maintained
F:	$UAPI
" '^SYNOPSYS ARC ARCHITECTURE$'
commit <<'EOF'
char: synchmess: add the uapi header

SynchMess lets threads of any processes exchange messages and meet on
barriers, organised in groups: a control device installs and removes
groups, and each group is a character device of its own, where write()
posts a message and read() takes the oldest one exactly once.

This header is the whole of the interface beyond read(), write(), poll()
and fsync(): the group descriptor the control device takes, and the
ioctls of both kinds of device. It follows botching-up-ioctls.rst: fixed
size types only, no pointers, explicit padding through a flags field that
must be zero so it can be given a meaning later, and one ioctl magic,
0xB9, registered in ioctl-number.rst.

The send delay is passed by pointer as a __u32 of milliseconds; its
maximum, one hour, is part of the interface so userspace can check
against it.

The receiving calls give what users of other queues ask for: a receive
with a timeout on CLOCK_MONOTONIC (mq_timedreceive()'s CLOCK_REALTIME
jumps), a peek (SysV's MSG_COPY, MSG_PEEK), the sender's pid and uid
(SCM_CREDENTIALS, binder's sender_euid) with the times of write and
publication, batches each way (recvmmsg()/sendmmsg()), and a barrier
sleep with a timeout. Their structs may grow: the size in the call's
number tells the kernel which version it gets.
EOF

# 2: message queue
copy $DRV/message.h $DRV/message.c $DRV/msgqueue.h $DRV/msgqueue.c \
	$DRV/limits.h $DRV/user.h $DRV/user.c $DRV/trace.h
maintain "$DRV/message.*"
maintain "$DRV/msgqueue.*"
maintain "$DRV/limits.h"
maintain "$DRV/trace.h"
maintain "$DRV/user.*"
commit <<'EOF'
char: synchmess: add the message queue

Each group keeps its published messages in a FIFO. Readers must get
every message exactly once and in order, and a reader whose buffer
faults must not lose the message, as POSIX and SysV queues do.

The queue is a list under a spinlock held only to link or unlink a
message: user memory is copied outside it, through iov_iter, into a
message allocated before it is published and out of a message unlinked
before it is read, so that one writev() is one message and one readv()
takes one. A read whose copy faults puts the message back at the head,
or hands it to the next blocked reader, so nothing is lost.

A message published while readers are blocked goes straight to the one
that has waited longest, as POSIX message queues do: the writer takes
the reader's entry off the list under the lock, then stores the message
in it and wakes the reader after dropping the lock. The woken reader
returns with its message without taking the lock again, so one message
wakes one reader, and a round trip between two processes costs what it
costs with a POSIX message queue (see synchmess_bench).

What a group stores, published or still delayed, is counted here too:
its payload bytes, as every other implementation counts them, and its
messages, each reserved with a compare-and-exchange loop when a message
is written, so a write that would pass either limit fails at once with
ENOSPC and a delayed message can never be dropped later for lack of
room. The message count bounds what headers cost, as mq_maxmsg does for
POSIX queues: a flood of one-byte messages cannot pin 64 times its
payload.

That bound holds only if a message holds a constant beyond its payload,
whatever its length, and kmalloc() alone would round a 1,000-byte
message up to 2 KiB. So a message is laid out in pieces that waste
almost nothing: a header that kmalloc() rounds up by at most 64 bytes
with the payload's last bytes, power-of-two chunks split off only where
the header would round up more, and whole pages for the rest. At most
263 bytes beyond the payload on 64-bit machines, slab metadata
included. The writer is charged that estimate against its per-user
quota, and the memory to its memory cgroup.

The per-user records that messages are charged to (user.c) and the
limits the queue reads (limits.h) come with it; the module parameters
behind them come with the devices. So do the trace events (trace.h) the
queue fires on every read, with how long the message waited since its
write; they are defined with the devices.

Nothing is built yet: the group devices that use the queue come later
in this series.
EOF

# 3: delayed delivery
copy $DRV/delay.h $DRV/delay.c
maintain "$DRV/delay.*"
commit <<'EOF'
char: synchmess: add delayed delivery

A group may hold messages back for a delay set in milliseconds: the
writer returns at once, and the message is published no earlier than
the delay after the write. Pending messages can be revoked, or flushed
so they are published at once.

Delivery has to be as exact as the kernel's timers allow, whatever the
delay: a delayed work item adds up to a jiffy or two, and the timer
wheel rounds a delay of seconds up by as much as an eighth of it. So
each group keeps its pending messages in an rbtree sorted by deadline,
ties in write order, and arms one hrtimer for the earliest deadline;
the timer, in interrupt context, only queues a work item that
publishes what is due under the group's mutex. Deadlines come from the
monotonic clock, taken under that mutex, so a write with the same delay
as the one before goes last in the tree in constant time, and any mix
of delays costs O(log n). A batch, due or flushed, goes to the queue in
one splice, so no spinlock is held for time that grows with the batch.

A message whose deadline has passed must not be overtaken by a write
made after that deadline just because the timer has not run yet: the
earliest deadline is kept in an atomic, moved only once the messages
due by it are published, and a write without delay that finds it passed
publishes the due messages first, under the mutex.

The mutex orders the work item against flush and revoke; on removal the
timer and then the work item are cancelled synchronously, outside it.

Nothing is built yet: the group devices that use this come later in
this series.
EOF

# 4: barrier
copy $DRV/barrier.h $DRV/barrier.c
maintain "$DRV/barrier.*"
commit <<'EOF'
char: synchmess: add the barrier

Threads of a group can sleep on its barrier until another thread wakes
every sleeper at once, which returns how many it woke.

A single "open" flag either loses wake-ups or lets threads that arrive
after the wake-up pass straight through. Each wake-up starts a new
generation instead; a sleeper waits for the generation it slept in to
end, so a wake-up releases exactly the threads asleep at that moment.
The sleep is interruptible and not restarted, so a signal cannot hide a
wake-up behind a silent restart, and the wait queue entry never outlives
the wait.

Nothing is built yet: the group devices that use the barrier come in
the next patch.
EOF

# 5: devices
copy $DRV/synchmess.h $DRV/control.c $DRV/group.c $DRV/sysfs.c \
	$DRV/limits.c $DRV/recv.c $DRV/trace.c \
	$DRV/Kconfig $DRV/Makefile
insert_before drivers/char/Kconfig 'source "drivers/char/synchmess/Kconfig"
' '^config ADI$'
echo 'obj-$(CONFIG_SYNCHMESS)		+= synchmess/' >>drivers/char/Makefile
# The driver is whole now: its directory replaces the per-file patterns.
for f in msgqueue delay barrier user; do
	unmaintain "$DRV/$f.*"
done
unmaintain "$DRV/limits.h"
unmaintain "$DRV/trace.h"
maintain "$DRV/"
commit <<'EOF'
char: synchmess: add the control and group devices

Tie the message queue, delayed delivery and the barrier together into
the driver: the control device /dev/synch/synchmess installs and
removes groups, and each group gets a device /dev/synch/synchmess<ID>,
placed by devnode callbacks, so the nodes appear with devtmpfs alone.

The nodes are the permissions, as with any file, because SynchMess holds
messages between users: devtmpfs creates the control device root's,
mode 0600, and a group's device its installer's (effective uid and
gid), mode 0600, through the device type's devnode callback, so no
other user can open either before udev or the owner widen them; the
owner does that with chmod and chown. What changes a group (write,
fsync, the SET ioctls, revoke, awake) needs a file opened for writing
and fails with EBADF through a read-only one, whose close flushes
nothing. Per-user records, like keyrings' key_user, hold each user to
max_user_groups and max_user_memory (EDQUOT past either,
CAP_SYS_RESOURCE exempt), so one user can neither take every group nor
pin every group's storage; the control device's fdinfo lists them. A
group's owner can narrow its limits with SYNCHMESS_IOC_SET_LIMITS, as
mq_attr and F_SETPIPE_SZ do, never above the module's.

Groups are found by id and by minor in two xarrays changed under one
mutex, which makes install of an id atomic: concurrent installs create
one group. As in uio, each open file holds a reference on its group, so
a group removed under open files stays, empty and marked removed, until
the last close; every operation on such a file fails with EIDRM, and
readers and sleepers blocked in it are woken with EIDRM. Only the
creator's effective uid, or CAP_SYS_ADMIN, may remove a group. Such a
group keeps no messages but still counts against max_groups until its
last file is closed, so groups removed under open files cannot add up
past the bound on memory.

recv.c holds the receiving calls: they check their struct whole, and a
batch its whole vector, before a message moves, so a bad argument loses
nothing; a timed wait gives the time left back on a signal, so a restart
waits no longer than asked.

The node of a removed group must never open another group, even through
a path kept in an O_PATH file after its minor went to a newer group:
minors are allocated cyclically, so a freed one is not reused at once,
and open refuses a node devtmpfs has unlinked, which it does, under the
groups' mutex, to the node of every device it unregisters.

The group devices use read_iter and write_iter, so one writev() is one
message, and declare FMODE_NOWAIT and honour IOCB_NOWAIT, so io_uring
reads wait by poll and complete inline instead of in io-wq workers.
Raising max_storage_size wakes the EPOLLOUT pollers of every group.

The limits are module parameters that reject bad values with EINVAL and
keep the old one; each group shows its figures (messages, bytes,
delayed, sleepers, send_delay_ms) as read-only attributes of its device.
Every allocation a user can cause is bounded by these limits and
quotas, and charged to the user's memory cgroup.

SynchMess should explain itself with the kernel's own tools, as binder
and io_uring do: trace events in the system "synchmess" show each
install and removal, write (length, delay), publication of delayed
messages (how many, and why), read (length, time since the write),
revoke, flush, barrier sleep and wake, and every refused call with its
error, each with the group's id; a group file's fdinfo shows the
group's figures, limits in force and the file's access, as eventfd's
and timerfd's do.

The driver depends on DEVTMPFS: the stale-node guarantee rests on
devtmpfs unlinking a removed group's node at once. Publication of
delayed messages runs on an unbound high-priority workqueue, so that it
does not wait for the CPU that took the timer interrupt.
EOF

# Drop from the selftests' Makefile the paragraphs starting with a line
# that matches regex $1: they come with a later patch.
drop_paragraphs() {
	awk -v re="$1" '$0 ~ re { skip = 1 }
		skip && /^$/ { skip = 0; next }
		!skip' $KST/Makefile >$KST/Makefile.new
	cmp -s $KST/Makefile.new $KST/Makefile &&
		die "$KST/Makefile: nothing matches $1"
	mv $KST/Makefile.new $KST/Makefile
}

# 6: selftests
copy $KST/Makefile $KST/config $KST/settings $KST/synchmess_util.h \
	$KST/synchmess_uring.h
# The tool's test comes with the tool.
drop_paragraphs '^# The command-line tool|^\$\(OUTPUT\)/synchmess:'
for t in "$TOP/$KST"/synchmess_*_test.c; do
	copy "$KST/$(basename "$t")"
done
copy $KST/synchmess_bench.c
insert_after tools/testing/selftests/Makefile 'TARGETS += synchmess' \
	'^TARGETS \+= sync$'
maintain "$KST/"
commit <<'EOF'
selftests: synchmess: add tests of the whole user interface

Each test checks one promise of the interface and says what failed:
groups (paths, idempotent and concurrent install, max_groups, removal
under open files, blocked readers and sleepers, permissions), messages
(FIFO order, exactly-once delivery across processes and threads, short
and empty reads and writes, EMSGSIZE, ENOSPC, faulting buffers in both
directions with nothing lost, blocking and non-blocking reads, blocked
readers served in the order they waited, signals, poll), delayed
delivery (never early, order kept, revoke, flush by fsync and by close,
storage charged at write time), the barrier (all sleepers woken and
counted, no stale wake-up, groups kept apart, EINTR), the limits and
per-group figures in sysfs and in fdinfo, every trace event with its
group's id and fields (in a trace instance of the test's own, skipped
without tracefs), and unloading the module with groups present and
delayed work armed.

Beyond single promises: teardown races (a group removed while readers
block, sleepers sleep, writers write and delayed work is pending; the
last file closed while delayed work fires), a fuzzer of bad ioctls,
sizes and user pointers that accepts only documented errnos, allocation
failures injected with failslab and fail_page_alloc (skipped without
them), and a stress test in which processes and threads mix every
operation for a bounded time and every message must be read exactly
once, revoked, or freed with its group.

Who may do what is tested as other users (children that drop to uids
and gids of their own, with a control file passed down): the nodes'
owners and modes, EACCES until the owner's chmod, EBADF for every
mutating call through a read-only file, EDQUOT past max_user_groups and
max_user_memory with root exempt, the per-group limits, and what nodes
kept with O_PATH pin.

Promises at the edges have tests of their own: the memory a group of
one-byte, mid-sized, page-sized and large messages really takes (free
pages) against payload plus the documented per-message overhead; ten
100-byte messages in a max_storage_size of 1000; max_messages against
one-byte floods; a write during a 300,000-message flush of mixed delays
waiting a chunk, not the batch; revoke and removal of a million messages
letting a task on the same CPU run; REVOKE leaving a due message the
work item could not publish; delivery while a real-time task holds the
timer's CPU; removed groups still open; the node of a
removed group opened through an O_PATH file once its minor went to a
newer group, and opens racing removal and install; writev and readv as
one message; io_uring reads completing inline with no io-wq worker;
EPOLLOUT pollers woken by a raised limit; and delayed messages never
overtaken once due, as exact as a timerfd of the same length, and in
deadline order across mixed delays.

Timing checks hold under emulation on a loaded machine: "not before the
delay" is asserted strictly, "eventually" with generous bounds, and
delay precision against a timerfd measured in the same run.

Users choose between SynchMess, POSIX message queues, pipes, sockets and
SysV message queues, and between its barrier and a futex, and should see
what the choice costs. synchmess_bench, installed with the tests but not
one of them, measures these side by side in one run, interleaved round
by round, and prints the median of the rounds, then one "ratio NAME
VALUE" line per comparison for scripts: ping-pong round trips between
two processes, one-way throughput (one writer to one reader, two to
two), a send and a receive by one thread against a write to /dev/null
plus a read from /dev/zero, a message with 100,000 queued against an
empty group, wake-up of 1, 8 and 64 barrier sleepers against FUTEX_WAKE,
and the lateness of delayed messages. Figures from a shared or emulated
machine make poor pass/fail tests, so none of them fails a run.
EOF

# 7: documentation
copy Documentation/userspace-api/synchmess.rst \
	Documentation/ABI/testing/sysfs-class-synchmess \
	Documentation/ABI/testing/sysfs-module-synchmess
insert_after Documentation/userspace-api/index.rst '   synchmess' \
	'^   isapnp$'
maintain "Documentation/ABI/testing/sysfs-class-synchmess"
maintain "Documentation/ABI/testing/sysfs-module-synchmess"
maintain "Documentation/userspace-api/synchmess.rst"
commit <<'EOF'
Documentation: synchmess: describe the user interface

Describe what users of SynchMess may rely on: the devices and their
names, the ioctls, messages and their limits, delayed delivery, the
barrier, the sysfs files, errors, and the choices made where POSIX
message queues would behave otherwise; how to watch it work, with
trace-cmd, bpftrace and fdinfo; and each sysfs attribute in
Documentation/ABI/testing.
EOF

# 8: tool
copy $TOOL/.gitignore $TOOL/Makefile $TOOL/synchmess.c \
	$TOOL/60-synchmess.rules $KST/Makefile $KST/synchmess_tool_test.sh \
	Documentation/userspace-api/synchmess-tool.rst
insert_after Documentation/userspace-api/index.rst '   synchmess-tool' \
	'^   synchmess$'
insert_after tools/Makefile \
	"$(printf "\t@echo '  %-22s - %s'" synchmess \
		'SynchMess message groups and barriers')" \
	"^\t@echo '  spi "
insert_before tools/Makefile 'synchmess: FORCE
	$(call descend,$@)
' '^selftests: FORCE$'
insert_before tools/Makefile 'synchmess_install:
	$(call descend,$(@:_install=),install)
' '^selftests_install:$'
insert_before tools/Makefile 'synchmess_clean:
	$(call descend,$(@:_clean=),clean)
' '^selftests_clean:$'
maintain "$TOOL/"
maintain "Documentation/userspace-api/synchmess-tool.rst"
commit <<'EOF'
tools: synchmess: add a command-line tool

SysV and POSIX message queues come with tools people reach for without
thinking: ipcmk, ipcs and ipcrm, or a few lines of shell around mq_open.
SynchMess had none, so trying it out, scripting it or looking at a group
meant writing C.

synchmess maps each operation of the interface onto a subcommand:
install and remove groups; send a message, or standard input whole or
line by line; receive messages, blocking or not; set, revoke and flush
the send delay; sleep on and wake the barrier; and show the figures
each group exports in sysfs, with the limits, as a table. Errors name
the device, the operation and the error; the exit status tells failed
operations (1) from usage errors (2).

close() publishes a group's delayed messages, as the interface requires,
so a short-lived writer would publish its delayed message at once: send
keeps the device open until its last message is due instead.

The tool builds like the others under tools/ (make -C tools/synchmess,
or make -C tools synchmess, honouring CC, CFLAGS, O and DESTDIR) and
needs only libc and <linux/synchmess.h>. It shows each group's owner and
mode and what each user holds against the quotas, sets a group's
limits, and says EACCES, EBADF and EDQUOT in words, with who owns the
group or which quota to raise. A udev rules file gives the control
device to a group "synch", so that its members may install groups; it
leaves each group's device to its owner.
A kselftest drives every subcommand the way a user would, and a manual
page describes each with an example.
EOF

git config branch.synchmess.description "$(cat <<'EOF'
char: SynchMess, message groups and barriers for threads

SynchMess is a character driver that lets threads of any processes
exchange messages and meet on barriers, organised in groups. The control
device /dev/synch/synchmess installs groups by ioctl; each group is a
device /dev/synch/synchmess<ID> where write() posts a message, read()
takes the oldest one exactly once in FIFO order, delivery can be delayed
(set, revoke, flush by fsync or close), and threads can sleep on a
barrier until another thread wakes them all. Limits are module
parameters; each group shows its figures in sysfs.

It keeps users apart the way POSIX and SysV queues do: devtmpfs creates
the control device root's, mode 0600, and each group's device its
installer's, mode 0600, so the node is the group's permission; what
changes a group needs a file opened for writing; per-user quotas
(max_user_groups, max_user_memory, EDQUOT) keep one user from taking
every group or every group's storage. max_storage_size counts payload
bytes and max_messages messages, and a message holds at most 263 bytes
beyond its payload on 64-bit, so a group's memory is bounded for
messages of any size.

The series adds the uapi header, the message queue, delayed delivery and
the barrier as self-contained pieces, then the control and group devices
that tie them together, kselftests for every promise of the interface,
its documentation, and a command-line tool.

Against Linux 6.12 (Debian linux-source-6.12).
EOF
)"

OUT=$WORK/out
GIT_COMMITTER_DATE="2026-11-02T00:59:00+0000" git format-patch -q --cover-letter --cover-from-description=subject \
	--zero-commit --no-signature -o "$OUT" HEAD~8..HEAD

if [ $CHECK -eq 1 ]; then
	if ! diff -ru "$TOP/patches" "$OUT" >"$WORK/stale.diff"; then
		cat "$WORK/stale.diff" >&2
		die "patches/ is stale: run scripts/gen-patches.sh"
	fi
	log "patches/ is current"
	exit 0
fi
rm -rf "$TOP/patches"
cp -r "$OUT" "$TOP/patches"
log "wrote $(find "$TOP/patches" -name '*.patch' | wc -l) files to patches/"
