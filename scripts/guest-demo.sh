#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of run.sh: a short tour of SynchMess with the synchmess tool.
# Each command is shown as typed, then what it prints.

say() {
	printf '\n'
	printf '# %s\n' "$@"
}

run() {
	printf 'guest$ %s\n' "$*"
	eval "$*"
}

# Wait up to 10 s for sysfs figure $2 of group $1 to read $3.
settle() {
	i=0
	while [ "$(cat "/sys/class/synchmess/synchmess$1/$2")" != "$3" ] &&
	      [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

say "SynchMess demo on $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs." \
    "Groups are devices under /dev/synch; the tool is 'synchmess'."

say "1. Two processes exchange messages: questions go on group 1," \
    "answers on group 2. A second process answers in the background."
run synchmess install 1
run synchmess install 2
run "synchmess recv 1 --count 2 | while read -r q; do synchmess send 2 \"answer to: \$q\"; done &"
run "synchmess send 1 'ping?'"
run synchmess recv 2
run "synchmess send 1 'anyone there?'"
run synchmess recv 2
wait

say "2. A delayed message, then revoked. With a send delay, a message waits" \
    "in the kernel until it is due; send stays until then, so run it in" \
    "the background. stat shows it among the DELAYED, not the MESSAGES."
run synchmess delay 1 3000
run "synchmess send 1 'nobody will read this' &"
settle 1 delayed 1
run synchmess stat 1
say "revoke drops the pending delayed messages and prints how many:"
run synchmess revoke 1
run synchmess stat 1
wait
run synchmess delay 1 0

say "3. A barrier: two processes sleep on group 1 until another wakes them."
run "synchmess sleep 1 && echo 'sleeper A: awoken' &"
run "synchmess sleep 1 && echo 'sleeper B: awoken' &"
settle 1 sleepers 2
run synchmess list
say "awake releases them all and prints how many it woke:"
run synchmess awake 1
wait
run synchmess remove 1
run synchmess remove 2

say "4. Who may do what. A group's device belongs to the user who installed" \
    "it, mode 0600: alice installs group 3, and bob cannot open it." \
    "(The control device is root's, 0600; the udev rule gives it to the" \
    "group 'synch'. Here, for the demo, everyone may use it.)"
run chmod 0666 /dev/synch/synchmess
run "su -s /bin/sh alice -c 'synchmess install 3'"
run ls -l /dev/synch/synchmess3
run "su -s /bin/sh bob -c 'synchmess send 3 hello'"
say "alice lets every user in, as with any file; then bob can post:"
run "su -s /bin/sh alice -c 'chmod 0666 /dev/synch/synchmess3'"
run "su -s /bin/sh bob -c 'synchmess send 3 \"hello alice\"'"
say "list shows each group's owner and mode, and what each user holds:"
run synchmess list
run "su -s /bin/sh alice -c 'synchmess recv 3'"
run "su -s /bin/sh alice -c 'synchmess remove 3'"
run chmod 0600 /dev/synch/synchmess

say "That's it. 'synchmess --help' shows every command; the kselftests" \
    "are in /kselftest (./run_kselftest.sh)."
