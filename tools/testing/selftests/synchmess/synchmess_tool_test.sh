#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Drive the synchmess tool (tools/synchmess) the way a user would and check
# what it prints, what it leaves in sysfs and how it exits. Each failed
# check says what it ran, what it expected and what it got.
#
# The tool is taken from $SYNCHMESS, else next to this script, else $PATH.

DIR=$(dirname "$0")
. "$DIR/../kselftest/ktap_helpers.sh"

CLASS=/sys/class/synchmess
PARAMS=/sys/module/synchmess/parameters
SM=${SYNCHMESS:-$DIR/synchmess}
[ -x "$SM" ] || SM=$(command -v synchmess)

ktap_print_header
if [ -z "$SM" ]; then
	ktap_skip_all "no synchmess tool: build tools/synchmess"
	exit "$KSFT_SKIP"
fi
if [ ! -c /dev/synch/synchmess ]; then
	ktap_skip_all "no /dev/synch/synchmess: is the driver loaded?"
	exit "$KSFT_SKIP"
fi

TMP=$(mktemp -d) || exit "$KSFT_FAIL"
trap 'rm -rf "$TMP"' EXIT
# Group ids of this run, unlikely to be anyone else's.
G=$((3000000000 + $$ * 8))
G2=$((G + 1))
GX=$((G + 2))
WHY=

# sm ARGS: run the tool; its output in $OUT and $ERR, its status in $RC.
sm() {
	LAST="synchmess $*"
	"$SM" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

why() {
	WHY="$WHY$*
"
}

expect_rc() {
	[ "$RC" -eq "$1" ] ||
		why "'$LAST' exited $RC, expected $1; it said: $ERR"
}

expect_out() {
	[ "$OUT" = "$1" ] ||
		why "'$LAST' printed '$OUT', expected '$1'"
}

expect_err() {
	case $ERR in
	*"$1"*) ;;
	*) why "'$LAST' said '$ERR', expected '$1' in it";;
	esac
}

figure() {
	cat "$CLASS/synchmess$1/$2" 2>/dev/null
}

expect_figure() {
	v=$(figure "$1" "$2")
	[ "$v" = "$3" ] || why "group $1: $2 is '$v' in sysfs, expected '$3'"
}

# expect_charged ID N: the group's bytes count the N bytes of payload.
expect_charged() {
	v=$(figure "$1" bytes)
	[ "$v" -eq "$2" ] 2>/dev/null ||
		why "group $1: bytes is '$v' in sysfs, expected $2"
}

# wait_figure ID NAME VALUE: wait up to 10 s for a figure to read VALUE.
wait_figure() {
	i=0
	while [ "$(figure "$1" "$2")" != "$3" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	expect_figure "$@"
}

# bg NAME ARGS: run the tool in the background; NAME.rc appears when done.
bg() {
	name=$1
	shift
	rm -f "$TMP/$name.rc"
	("$SM" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	 echo $? >"$TMP/$name.tmp"
	 mv "$TMP/$name.tmp" "$TMP/$name.rc") &
}

running() {
	[ ! -e "$TMP/$1.rc" ]
}

# join NAME RC: wait up to 20 s for background run NAME to end with RC.
join() {
	i=0
	while running "$1" && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if running "$1"; then
		why "background '$1' still runs after 20 s"
		return
	fi
	rc=$(cat "$TMP/$1.rc")
	[ "$rc" -eq "$2" ] ||
		why "background '$1' exited $rc, expected $2; it said: $(cat "$TMP/$1.err")"
}

result() {
	if [ -z "$WHY" ]; then
		ktap_test_pass "$1"
	else
		printf '%s' "$WHY" | sed 's/^/# /'
		ktap_test_fail "$1"
	fi
	WHY=
}

test_help() {
	sm --help
	expect_rc 0
	for c in install remove list stat send recv peek delay revoke flush \
		 sleep awake --lines --nonblock --timeout --count --sender \
		 Examples; do
		case $OUT in
		*"$c"*) ;;
		*) why "--help does not mention $c";;
		esac
	done
	result "--help describes every command"
}

test_usage_errors() {
	for args in "" "frobnicate" "install" "install x" "install 1 2" \
		    "install 4294967296" "recv 1 --count" "recv 1 --bogus" \
		    "send --lines 1 message" "delay 1 -5" "recv 1 --timeout" \
		    "recv 1 --timeout x" "recv 1 --nonblock --timeout 5" \
		    "peek" "peek 1 --count 2"; do
		# shellcheck disable=SC2086
		sm $args
		expect_rc 2
		expect_err "Try 'synchmess --help'"
	done
	result "usage errors exit 2 and point to --help"
}

test_install() {
	"$SM" remove "$G" 2>/dev/null
	sm install "$G"
	expect_rc 0
	expect_out "/dev/synch/synchmess$G"
	[ -c "/dev/synch/synchmess$G" ] || why "no /dev/synch/synchmess$G"
	sm install "$G"
	expect_rc 0
	expect_out "/dev/synch/synchmess$G"
	result "install creates the group, again is no error, prints the device"
}

test_list_stat() {
	sm list
	expect_rc 0
	row=$(printf '%s\n' "$OUT" | awk -v id="$G" '$1 == id { $1 = $1; print }')
	[ "$row" = "$G 0 0 0 0 0 0 0 00600" ] ||
		why "list shows '$row' for group $G, expected its zero figures, root's, 0600"
	head=$(printf '%s\n' "$OUT" | head -n 1 | awk '{ $1 = $1; print }')
	[ "$head" = "GROUP MESSAGES BYTES DELAYED SLEEPERS SEND_DELAY_MS UID GID MODE" ] ||
		why "list header is '$head'"
	limits=limits:
	for p in max_groups max_message_size max_storage_size max_messages \
		 max_user_groups max_user_memory; do
		limits="$limits $p $(cat "$PARAMS/$p")"
	done
	case $OUT in
	*"$limits"*) ;;
	*) why "list does not show '$limits': $OUT";;
	esac
	case $OUT in
	*"user 0: "*" group"*", "*" bytes of memory"*) ;;
	*) why "list does not show what root holds: $OUT";;
	esac
	sm stat "$G"
	expect_rc 0
	[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 2 ] ||
		why "stat printed '$OUT', expected a header and one row"
	[ "$(printf '%s\n' "$OUT" | tail -n 1 | awk '{ print $1 }')" = "$G" ] ||
		why "stat printed '$OUT', expected the row of group $G"
	result "list and stat show the group's figures and the limits"
}

test_send_recv() {
	sm send "$G" "hello, world"
	expect_rc 0
	expect_out ""
	expect_figure "$G" messages 1
	expect_charged "$G" 12
	bytes=$(figure "$G" bytes)
	sm stat "$G"
	row=$(printf '%s\n' "$OUT" | tail -n 1 | awk '{ $1 = $1; print }')
	[ "$row" = "$G 1 $bytes 0 0 0 0 0 00600" ] ||
		why "stat printed '$OUT' after one message of 12 bytes"
	sm recv "$G"
	expect_rc 0
	expect_out "hello, world"
	expect_figure "$G" messages 0
	expect_figure "$G" bytes 0
	result "send MESSAGE posts it, recv takes and prints it"
}

test_send_lines() {
	printf 'one\n\ntwo\nthree' >"$TMP/in"
	LAST="synchmess send --lines $G <3 lines and an empty one"
	"$SM" send --lines "$G" <"$TMP/in" 2>"$TMP/err"
	RC=$?
	ERR=$(cat "$TMP/err")
	expect_rc 0
	expect_figure "$G" messages 3
	expect_charged "$G" 11
	sm recv "$G" --count 3
	expect_rc 0
	expect_out "one
two
three"
	result "send --lines posts one message per line, in order"
}

test_send_stdin() {
	printf 'first line\nsecond line\n' >"$TMP/in"
	LAST="synchmess send $G <two lines"
	"$SM" send "$G" <"$TMP/in" 2>"$TMP/err"
	RC=$?
	ERR=$(cat "$TMP/err")
	expect_rc 0
	expect_figure "$G" messages 1
	expect_charged "$G" 23
	sm recv "$G"
	expect_out "first line
second line"
	result "send without MESSAGE posts the whole input as one message"
}

test_recv_nonblock() {
	sm recv --nonblock "$G"
	expect_rc 1
	expect_err "synchmess: /dev/synch/synchmess$G: read: Resource temporarily unavailable"
	"$SM" send "$G" a && "$SM" send "$G" b
	sm recv "$G" --nonblock --count 0
	expect_rc 0
	expect_out "a
b"
	expect_figure "$G" messages 0
	result "recv --nonblock fails on an empty group, --count 0 drains it"
}

# drain ID: take what is left in the group, so that a test that failed
# halfway leaves the next one an empty group.
drain() {
	"$SM" recv --nonblock --count 0 "$1" >/dev/null 2>&1
}

# uptime_cs: the time since boot in hundredths of a second (busybox's date
# has no %N).
uptime_cs() {
	read -r up _ </proc/uptime
	# 1 before the hundredths, so that 08 is no octal.
	echo $((${up%.*} * 100 + 1${up#*.} - 100))
}

test_recv_timeout() {
	t0=$(uptime_cs)
	# In the background: a recv that never times out fails the test only.
	bg waiter recv "$G" --timeout 1000
	join waiter 1
	t=$(($(uptime_cs) - t0))
	grep -q "synchmess: /dev/synch/synchmess$G: SYNCHMESS_IOC_RECV: Connection timed out" \
		"$TMP/waiter.err" &&
		grep -q "no message came in 1000 ms" "$TMP/waiter.err" ||
		why "recv --timeout 1000 on an empty group said '$(cat "$TMP/waiter.err")'"
	# Up to 10 ms lost to the resolution of /proc/uptime.
	[ "$t" -ge 99 ] || why "recv --timeout 1000 failed after ${t}0 ms"
	[ "$t" -lt 600 ] || why "recv --timeout 1000 failed after ${t}0 ms"
	"$SM" send "$G" a && "$SM" send "$G" b
	sm recv "$G" --timeout 200 --count 0
	expect_rc 0
	expect_out "a
b"
	expect_figure "$G" messages 0
	drain "$G"
	result "recv --timeout fails after that long, --count 0 ends on it"
}

test_peek() {
	sm peek --nonblock "$G"
	expect_rc 1
	expect_err "synchmess$G: SYNCHMESS_IOC_RECV: Resource temporarily unavailable"
	bg peeker peek "$G"
	sleep 0.5
	running peeker || why "peek returned before any message was sent"
	"$SM" send "$G" "look, do not take"
	"$SM" send "$G" second
	join peeker 0
	[ "$(cat "$TMP/peeker.out")" = "look, do not take" ] ||
		why "the blocked peek printed '$(cat "$TMP/peeker.out")'"
	sm peek "$G"
	expect_rc 0
	expect_out "look, do not take"
	expect_figure "$G" messages 2
	sm recv "$G" --count 2
	expect_rc 0
	expect_out "look, do not take
second"
	expect_figure "$G" messages 0
	drain "$G"
	result "peek prints the oldest message and leaves it to recv"
}

test_two_processes() {
	bg reader recv "$G" --count 2
	sleep 0.5
	running reader || why "recv returned before any message was sent"
	sm send "$G" ping
	sm send "$G" pong
	join reader 0
	[ "$(cat "$TMP/reader.out")" = "ping
pong" ] || why "the reader printed '$(cat "$TMP/reader.out")', expected ping, pong"
	result "a blocked recv gets the messages another process sends"
}

test_delay_get_set() {
	sm delay "$G" 2500
	expect_rc 0
	sm delay "$G"
	expect_rc 0
	expect_out 2500
	expect_figure "$G" send_delay_ms 2500
	sm delay "$G" 3600001
	expect_rc 1
	expect_err "/dev/synch/synchmess$G: SYNCHMESS_IOC_SET_SEND_DELAY: Invalid argument"
	expect_figure "$G" send_delay_ms 2500
	result "delay sets and prints the send delay, rejects one above an hour"
}

test_delay_revoke() {
	# Long enough for a slow guest to look twice before it is due.
	"$SM" delay "$G" 10000
	bg sender send "$G" "too late"
	wait_figure "$G" delayed 1
	expect_figure "$G" messages 0
	expect_charged "$G" 8
	sleep 1
	running sender || why "send returned before its message was due"
	expect_figure "$G" delayed 1
	sm revoke "$G"
	expect_rc 0
	expect_out 1
	expect_figure "$G" delayed 0
	expect_figure "$G" bytes 0
	join sender 0
	expect_figure "$G" messages 0
	sm revoke "$G"
	expect_out 0
	result "a delayed message waits in sysfs until revoke drops it"
}

test_delay_published() {
	"$SM" delay "$G" 1000
	bg sender send "$G" "on time"
	wait_figure "$G" delayed 1
	join sender 0
	wait_figure "$G" messages 1
	expect_figure "$G" delayed 0
	sm recv --nonblock "$G"
	expect_out "on time"
	result "a delayed message is published when due, send returns then"
}

test_flush() {
	"$SM" delay "$G" 3000
	bg sender send "$G" "flushed"
	wait_figure "$G" delayed 1
	sm flush "$G"
	expect_rc 0
	expect_figure "$G" delayed 0
	expect_figure "$G" messages 1
	sm recv --nonblock "$G"
	expect_out "flushed"
	join sender 0
	"$SM" delay "$G" 0
	result "flush publishes the pending delayed messages at once"
}

test_recv_sender() {
	# send --lines goes on reading the fifo: the writer lives until it
	# closes, so the driver still sees its pid when recv takes the line.
	rm -f "$TMP/fifo"
	mkfifo "$TMP/fifo"
	"$SM" send --lines "$G" <"$TMP/fifo" 2>"$TMP/writer.err" &
	pid=$!
	exec 3>"$TMP/fifo"
	echo "who wrote me" >&3
	# A timeout, so that a message that never comes cannot hang the test.
	sm recv --sender --timeout 10000 "$G"
	exec 3>&-
	wait "$pid" || why "send --lines failed: $(cat "$TMP/writer.err")"
	expect_rc 0
	from=$(printf '%s\n' "$OUT" | head -n 1)
	case $from in
	"from pid $pid uid 0, written "*" s, published "*" s (waited "*" ms)") ;;
	*) why "recv --sender printed '$from', expected send's pid $pid and uid 0";;
	esac
	written=$(printf '%s\n' "$from" | sed -n 's/.*written \([0-9.]*\) s.*/\1/p')
	published=$(printf '%s\n' "$from" | sed -n 's/.*published \([0-9.]*\) s.*/\1/p')
	[ -n "$written" ] && [ "$written" = "$published" ] &&
		[ "${from##*(waited }" = "0.000 ms)" ] ||
		why "a message without delay was written $written, published $published: '$from'"
	[ "$(printf '%s\n' "$OUT" | tail -n +2)" = "who wrote me" ] ||
		why "recv --sender printed '$OUT', expected the message after the sender"
	# A delayed message waits its delay between its write and publication.
	"$SM" delay "$G" 300
	bg sender send "$G" late
	sm recv --sender --timeout 10000 "$G"
	join sender 0
	"$SM" delay "$G" 0
	waited=$(printf '%s\n' "$OUT" | sed -n '1s/.*(waited \([0-9]*\)\.[0-9]* ms)$/\1/p')
	[ "${waited:-0}" -ge 300 ] ||
		why "a message delayed 300 ms: recv --sender printed '$OUT'"
	[ "$(printf '%s\n' "$OUT" | tail -n +2)" = late ] ||
		why "recv --sender printed '$OUT', expected the message after the sender"
	drain "$G"
	result "recv --sender shows the writer's pid and uid, and its delay"
}

test_barrier() {
	sm awake "$G"
	expect_rc 0
	expect_out 0
	bg sleeper1 sleep "$G"
	bg sleeper2 sleep "$G"
	wait_figure "$G" sleepers 2
	sleep 0.3
	running sleeper1 || why "the first sleeper returned before awake"
	running sleeper2 || why "the second sleeper returned before awake"
	sm awake "$G"
	expect_rc 0
	expect_out 2
	join sleeper1 0
	join sleeper2 0
	expect_figure "$G" sleepers 0
	result "sleep blocks until awake, which prints how many it woke"
}

test_message_size() {
	max=$(cat "$PARAMS/max_message_size")
	head -c $((max + 1)) /dev/zero | tr '\0' x >"$TMP/big"
	LAST="synchmess send $G <$((max + 1)) bytes"
	"$SM" send "$G" <"$TMP/big" 2>"$TMP/err"
	RC=$?
	ERR=$(cat "$TMP/err")
	expect_rc 1
	expect_err "/dev/synch/synchmess$G: write: Message too long"
	head -c "$max" "$TMP/big" | "$SM" send "$G" ||
		why "a message of max_message_size ($max) bytes was refused"
	expect_charged "$G" "$max"
	sm recv "$G"
	[ ${#OUT} -eq "$max" ] || why "recv printed ${#OUT} bytes, expected $max"
	result "send reports EMSGSIZE past max_message_size, recv takes the largest"
}

test_missing_group() {
	"$SM" remove "$GX" 2>/dev/null
	sm send "$GX" hello
	expect_rc 1
	expect_err "synchmess: /dev/synch/synchmess$GX: open: No such file or directory"
	sm stat "$GX"
	expect_rc 1
	expect_err "synchmess$GX"
	sm remove "$GX"
	expect_rc 1
	expect_err "/dev/synch/synchmess: SYNCHMESS_IOC_REMOVE_GROUP $GX: No such"
	result "errors name the device, the operation and the error"
}

test_limits() {
	lim="max_message_size $(cat "$PARAMS/max_message_size")"
	lim="$lim max_storage_size 1000"
	lim="$lim max_messages $(cat "$PARAMS/max_messages")"
	sm limits "$G" 0 1000 0
	expect_rc 0
	expect_out "$lim"
	sm limits "$G"
	expect_rc 0
	expect_out "$lim"
	sm limits "$G" 0 $(($(cat "$PARAMS/max_storage_size") + 1)) 0
	expect_rc 1
	expect_err "SYNCHMESS_IOC_SET_LIMITS: Invalid argument"
	sm limits "$G" 1 2
	expect_rc 2
	sm limits "$G" 0 0 0
	expect_rc 0
	result "limits sets and shows a group's limits"
}

# as_nobody ARGS: run the tool as user nobody; output in $TMP/out, $TMP/err.
as_nobody() {
	su -s /bin/sh nobody -c "'$SM' $*" >"$TMP/out" 2>"$TMP/err"
}

test_hints() {
	if ! su -s /bin/sh nobody -c true 2>/dev/null; then
		ktap_test_skip "no user nobody to run the tool as"
		return
	fi
	old=$(cat "$PARAMS/max_user_memory")
	chmod 0666 "/dev/synch/synchmess$G"
	# Root is exempt from the quotas; nobody is not.
	echo 1 >"$PARAMS/max_user_memory"
	as_nobody send "$G" over && why "a write past max_user_memory succeeded"
	echo "$old" >"$PARAMS/max_user_memory"
	grep -q "Disk quota exceeded" "$TMP/err" &&
		grep -q "max_user_memory" "$TMP/err" ||
		why "past max_user_memory the tool said '$(cat "$TMP/err")'"
	chmod 0600 "/dev/synch/synchmess$G"
	as_nobody send "$G" denied && why "nobody wrote to a 0600 group of root's"
	grep -q "Permission denied" "$TMP/err" &&
		grep -q "belongs to uid 0" "$TMP/err" ||
		why "on a 0600 group of root's the tool said '$(cat "$TMP/err")'"
	result "EDQUOT and EACCES come with which quota and who owns the group"
}

test_remove() {
	"$SM" install "$G2" >/dev/null
	bg blocked recv "$G2"
	bg follower recv "$G2" --count 0
	bg sleeper sleep "$G2"
	wait_figure "$G2" sleepers 1
	# Let both readers block in read().
	sleep 1
	sm remove "$G2"
	expect_rc 0
	expect_out ""
	join blocked 1
	grep -q "read: Identifier removed" "$TMP/blocked.err" ||
		why "the blocked recv said '$(cat "$TMP/blocked.err")', expected EIDRM"
	join follower 0
	join sleeper 1
	grep -q "SYNCHMESS_IOC_SLEEP_ON_BARRIER: Identifier removed" "$TMP/sleeper.err" ||
		why "the sleeper said '$(cat "$TMP/sleeper.err")', expected EIDRM"
	[ ! -e "/dev/synch/synchmess$G2" ] || why "/dev/synch/synchmess$G2 is still there"
	sm list
	! printf '%s\n' "$OUT" | awk -v id="$G2" '$1 == id' | grep -q . ||
		why "list still shows group $G2"
	sm remove "$G"
	expect_rc 0
	result "remove deletes the group and ends its readers and sleepers"
}

# The trace events need tracefs; mount it where the tool looks.
tracing() {
	[ -d /sys/kernel/tracing/events/synchmess ] ||
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	[ -d /sys/kernel/tracing/events/synchmess ]
}

# expect_watched LINE: the watcher printed an event ending in LINE.
expect_watched() {
	grep -q ": $1\$" "$TMP/watcher.out" ||
		why "watch printed no '$1'; it printed: $(cat "$TMP/watcher.out")"
}

test_watch() {
	if ! tracing; then
		ktap_test_skip "watch prints the group's events in words (no trace events)"
		return
	fi
	bg watcher watch "$G" --count 4
	i=0
	while ! grep -q "watching group $G" "$TMP/watcher.err" 2>/dev/null &&
	      running watcher && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$SM" send "$G" hello
	"$SM" recv "$G" >/dev/null
	"$SM" awake "$G" >/dev/null
	max=$(cat "$PARAMS/max_message_size")
	head -c $((max + 1)) /dev/zero | "$SM" send "$G" 2>/dev/null
	join watcher 0
	expect_watched "write of 5 bytes"
	expect_watched "read of 5 bytes, 5 copied, [0-9]*\.[0-9]* ms after its write"
	expect_watched "awake woke 0 sleepers"
	expect_watched "write refused: Message too long"
	[ "$(wc -l <"$TMP/watcher.out")" -eq 4 ] ||
		why "watch --count 4 printed $(wc -l <"$TMP/watcher.out") lines"
	! ls -d /sys/kernel/tracing/instances/synchmess-watch-* >/dev/null 2>&1 ||
		why "watch left its trace instance behind"
	result "watch prints the group's events in words"
}

TESTS="test_help test_usage_errors test_install test_list_stat test_send_recv
test_send_lines test_send_stdin test_recv_nonblock test_recv_timeout test_peek
test_two_processes test_delay_get_set test_delay_revoke test_delay_published
test_flush test_recv_sender test_barrier test_message_size test_missing_group
test_limits test_hints test_watch test_remove"

ktap_set_plan "$(echo "$TESTS" | wc -w)"
for t in $TESTS; do
	$t
done
ktap_finished
