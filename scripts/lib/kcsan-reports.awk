# SPDX-License-Identifier: GPL-2.0
# Sort the KCSAN reports of a serial log by whether they name synchmess:
# split_kcsan_reports (judge.sh) runs it as
#   awk -v mine=FILE -v other=FILE -v rest=FILE -f kcsan-reports.awk LOG
# The reports naming synchmess go to mine, the others to other, and rest
# is the log without the others. Prints "NAMING OTHERS", the counts.
BEGIN {
	printf "" >mine; printf "" >other
	# A stack frame, "func+0x1c/0x40 [module]": only frames and the
	# report's title name code; other lines inside a report may be
	# messages of other tasks (a failed allocation naming a synchmess
	# kobject, say).
	frame = "\\] +[A-Za-z0-9_.]+\\+0x[0-9a-f]+/0x[0-9a-f]+"
}
/Cannot find frame for .* in stack trace/ { inwarn = 1 }
inwarn {
	pre = pre $0 "\n"
	if ($0 ~ /synchmess/ && $0 ~ frame)
		prenamed = 1
	if ($0 ~ /---\[ end trace/)
		inwarn = 0
	next
}
/BUG: KCSAN:/ {
	inrep = 1; named = prenamed; buf = pre; n++
	interrupted = 0; accesses = 0; callers = 0; next_frame_top = 0
	split("", called)
	pre = ""; prenamed = 0
}
inrep {
	buf = buf $0 "\n"
	# Each access has its own stack; an interrupt entry in it ends the
	# callers of the access: what follows is the task the interrupt
	# came in on.
	#
	# A report is synchmess's when its title names synchmess, when an
	# access is made by a synchmess function (the first frame of its
	# stack), or when synchmess called into each access (a frame of
	# each stack, above any interrupt entry). A race of core code with
	# an interrupt that synchmess merely called into on one side
	# (device_del() under synchmess_group_destroy() against rcu_core()
	# in the timer's softirq, say) is the core's.
	if ($0 ~ / (read|write|read-write)( \(marked\))? to .* by /) {
		interrupted = 0
		accesses++
		next_frame_top = 1
	}
	if ($0 ~ /\] *asm_(sysvec|common_interrupt|exc)_/)
		interrupted = 1
	if ($0 ~ /BUG: KCSAN:/ && $0 ~ /synchmess/)
		named = 1
	if ($0 ~ frame) {
		if ($0 ~ /synchmess/) {
			if (next_frame_top)
				named = 1
			if (!interrupted && !called[accesses]) {
				called[accesses] = 1
				callers++
			}
		}
		next_frame_top = 0
	}
	if ($0 ~ /==========/) {
		inrep = 0
		if (accesses && callers == accesses)
			named = 1
		if (named) {
			printf "%s", buf >mine
			printf "%s", buf >rest
			m++
		} else {
			printf "%s", buf >other
		}
	}
	next
}
{ print >rest }
END {
	# A report cut short by the end of the log counts as ours.
	if (inrep) { printf "%s", buf >mine; printf "%s", buf >rest; m++ }
	else if (pre != "") { printf "%s", pre >mine; printf "%s", pre >rest; m++; n++ }
	printf "%d %d\n", m, n - m
}
