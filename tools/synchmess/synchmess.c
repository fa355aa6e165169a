// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess - use SynchMess message groups and barriers from the shell
 *
 * Each subcommand is one operation of the interface described in
 * Documentation/userspace-api/synchmess.rst; the tool itself is described
 * in Documentation/userspace-api/synchmess-tool.rst.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/synchmess.h>

#define CTL_DEV		"/dev/synch/synchmess"
#define CLASS_DIR	"/sys/class/synchmess"
#define PARAM_DIR	"/sys/module/synchmess/parameters"
#define TRACEFS		"/sys/kernel/tracing"

/* The largest max_message_size the driver accepts. */
#define MESSAGE_SIZE_MAX	(4U << 20)

#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char usage_text[] =
"Usage: synchmess COMMAND [ARGS]\n"
"       synchmess --help\n"
"\n"
"Use SynchMess message groups and barriers from the shell. A group ID is a\n"
"decimal number from 0 to 4294967295; group ID's device is\n"
"/dev/synch/synchmessID.\n"
"\n"
"Groups:\n"
"  install ID           create group ID unless it exists; print its device\n"
"  remove ID            remove group ID with its messages and its device\n"
"  list                 show every group's figures, owner and mode, the\n"
"                       limits, and what each user holds against the quotas\n"
"  stat ID              show group ID's figures, owner and mode\n"
"  limits ID [SIZE STORAGE MESSAGES]\n"
"                       set group ID's max_message_size, max_storage_size\n"
"                       and max_messages (0: the module's); without them,\n"
"                       print the limits in force\n"
"\n"
"Messages:\n"
"  send ID [MESSAGE]    post MESSAGE; without it, post standard input as one\n"
"                       message\n"
"    -l, --lines        post standard input one message per line, without\n"
"                       the newline; empty lines are skipped\n"
"  recv ID              take the oldest message and print it on a line; wait\n"
"                       for one when the group is empty\n"
"    -n, --nonblock     fail at once when the group is empty\n"
"    -t, --timeout MS   wait at most MS milliseconds for each message\n"
"    -c, --count N      take N messages; 0 takes them until the group is\n"
"                       removed or, with --nonblock, until it is empty or,\n"
"                       with --timeout, until none comes for MS\n"
"    -s, --sender       print before each message a line with the pid and\n"
"                       uid of its writer, when it was written and when\n"
"                       published (CLOCK_MONOTONIC seconds) and how long\n"
"                       its delay held it\n"
"  peek ID              print the oldest message as recv does, but leave it\n"
"                       first in the group; takes -n, -t and -s as recv\n"
"\n"
"Delayed delivery:\n"
"  delay ID [MS]        set the group's send delay in milliseconds (0: none);\n"
"                       without MS, print it\n"
"  revoke ID            drop the pending delayed messages; print how many\n"
"  flush ID             publish the pending delayed messages now\n"
"\n"
"Barrier:\n"
"  sleep ID             sleep on the group's barrier until an awake\n"
"  awake ID             wake every sleeper of the barrier; print how many\n"
"\n"
"Watching:\n"
"  watch ID             print what happens to group ID as it happens, a line\n"
"                       an event, from the synchmess trace events (root,\n"
"                       tracefs), until interrupted\n"
"    -c, --count N      stop after N events\n"
"\n"
"Closing a group's device publishes its pending delayed messages, so every\n"
"command but list and stat does that when it ends. send therefore keeps the\n"
"device open until the delay of its last message has passed: run it in the\n"
"background to do something else meanwhile.\n"
"\n"
"Examples:\n"
"  synchmess install 7\n"
"  synchmess send 7 'hello, world'\n"
"  printf 'one\\ntwo\\n' | synchmess send --lines 7\n"
"  synchmess recv 7 --count 3\n"
"  synchmess recv 7 --nonblock --count 0\n"
"  synchmess recv 7 --timeout 500\n"
"  synchmess peek --sender 7\n"
"  synchmess delay 7 5000\n"
"  synchmess send 7 'in five seconds' &\n"
"  synchmess revoke 7\n"
"  synchmess flush 7\n"
"  synchmess sleep 7 &\n"
"  synchmess awake 7\n"
"  synchmess list\n"
"  synchmess stat 7\n"
"  synchmess watch 7 &\n"
"  synchmess limits 7 0 1000 0\n"
"  chmod 0666 /dev/synch/synchmess7   # let every user use group 7\n"
"  synchmess remove 7\n"
"\n"
"Exit status: 0 on success, 1 when an operation fails, 2 on a usage error.\n";

static const char *prog = "synchmess";

/* Report a usage error and exit. */
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	exit(EXIT_USAGE);
}

/* Whether @path names a group: CTL_DEV or CLASS_DIR/synchmess, then digits. */
static bool group_path(const char *path)
{
	size_t ctl = strlen(CTL_DEV), class = strlen(CLASS_DIR "/synchmess");

	return (!strncmp(path, CTL_DEV, ctl) && isdigit((unsigned char)path[ctl])) ||
	       (!strncmp(path, CLASS_DIR "/synchmess", class) &&
		isdigit((unsigned char)path[class]));
}

/* Who may open @path, after an EACCES. */
static void hint_access(const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: no permission\n", prog);
		return;
	}
	fprintf(stderr, "%s: %s belongs to uid %u, gid %u, mode %04o; ",
		prog, path, (unsigned int)st.st_uid, (unsigned int)st.st_gid,
		(unsigned int)(st.st_mode & 07777));
	if (!strcmp(path, CTL_DEV))
		fprintf(stderr, "the udev rule gives it to the group 'synch' (see the manual)\n");
	else
		fprintf(stderr, "its owner can widen it, e.g. 'chmod 0666 %s'\n",
			path);
}

/* Which quota an EDQUOT of @what hit, and how to raise it. */
static void hint_quota(const char *what)
{
	const char *quota = strncmp(what, "SYNCHMESS_IOC_INSTALL_GROUP", 27) ?
			    "max_user_memory" : "max_user_groups";

	fprintf(stderr, "%s: you are past your quota %s; root can raise it in %s/%s\n",
		prog, quota, PARAM_DIR, quota);
}

/*
 * Report a failed operation as "synchmess: WHERE: WHAT: strerror", with a
 * hint for the usual mistakes, and return the exit status.
 */
static int fail(const char *where, const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s: %s\n", prog, where, what, strerror(err));
	if (err == ENOENT && access(CTL_DEV, F_OK))
		fprintf(stderr, "%s: is the synchmess module loaded?\n", prog);
	else if (err == ENOENT && group_path(where))
		fprintf(stderr, "%s: no such group; 'synchmess install ID' creates it\n",
			prog);
	else if (err == EPERM && !strcmp(where, CTL_DEV))
		fprintf(stderr, "%s: only the group's creator or CAP_SYS_ADMIN may remove it\n",
			prog);
	else if (err == EPERM)
		fprintf(stderr, "%s: only the group's owner or CAP_SYS_RESOURCE may set limits\n",
			prog);
	else if (err == EACCES)
		hint_access(where);
	else if (err == EBADF)
		fprintf(stderr, "%s: the file is read-only: changing a group needs write access\n",
			prog);
	else if (err == EDQUOT)
		hint_quota(what);
	else if (err == ENOTTY)
		fprintf(stderr, "%s: the driver lacks this call: is it older than the tool?\n",
			prog);
	return EXIT_FAILURE;
}

/* Parse @s, the @what operand, as a decimal __u32. */
static __u32 parse_u32(const char *s, const char *what)
{
	unsigned long long val;
	char *end;

	errno = 0;
	val = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)*s) || errno || *end || val > UINT32_MAX)
		usage_error("bad %s '%s': want a number from 0 to %u", what, s,
			    UINT32_MAX);
	return val;
}

/*
 * Parse the options of a subcommand: @optstring and @longopts as for
 * getopt_long(), @handle called for each option. Then check that @min to
 * @max operands remain and return the index of the first.
 */
static int parse_args(int argc, char **argv, const char *optstring,
		      const struct option *longopts, int min, int max,
		      void (*handle)(int opt, const char *arg))
{
	int opt, n;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, optstring, longopts,
				  NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_text, stdout);
			exit(EXIT_SUCCESS);
		}
		if (opt == ':')
			usage_error("%s: option '%s' needs an argument",
				    argv[0], argv[optind - 1]);
		if (opt == '?' || !handle)
			usage_error("%s: unknown option '%s'", argv[0],
				    argv[optind - 1]);
		handle(opt, optarg);
	}
	n = argc - optind;
	if (n < min)
		usage_error("%s: missing operand", argv[0]);
	if (n > max)
		usage_error("%s: too many operands", argv[0]);
	return optind;
}

static const struct option help_only[] = {
	{ "help", no_argument, NULL, 'h' },
	{ }
};

/* Parse "COMMAND ID" and return the ID. */
static __u32 parse_id_only(int argc, char **argv)
{
	int i = parse_args(argc, argv, ":h", help_only, 1, 1, NULL);

	return parse_u32(argv[i], "group ID");
}

static int group_open(__u32 id, int flags, char *path, size_t len)
{
	int fd;

	snprintf(path, len, CTL_DEV "%u", id);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		fail(path, "open");
	return fd;
}

/* The control device's ioctls: install and remove. */
static int ctl_ioctl(unsigned long cmd, const char *name, __u32 id,
		     struct synchmess_group *grp)
{
	char what[64];
	int fd;

	/* Reading is enough: the original clients open it so too. */
	fd = open(CTL_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(CTL_DEV, "open");
	memset(grp, 0, sizeof(*grp));
	grp->id = id;
	if (ioctl(fd, cmd, grp)) {
		snprintf(what, sizeof(what), "%s %u", name, id);
		fail(CTL_DEV, what);
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	return 0;
}

static int cmd_install(int argc, char **argv)
{
	__u32 id = parse_id_only(argc, argv);
	struct synchmess_group grp;

	if (ctl_ioctl(SYNCHMESS_IOC_INSTALL_GROUP,
		      "SYNCHMESS_IOC_INSTALL_GROUP", id, &grp))
		return EXIT_FAILURE;
	grp.path[sizeof(grp.path) - 1] = '\0';
	printf("%s\n", grp.path);
	return EXIT_SUCCESS;
}

static int cmd_remove(int argc, char **argv)
{
	__u32 id = parse_id_only(argc, argv);
	struct synchmess_group grp;

	if (ctl_ioctl(SYNCHMESS_IOC_REMOVE_GROUP,
		      "SYNCHMESS_IOC_REMOVE_GROUP", id, &grp))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

/*
 * Run an ioctl without argument on group @id's device and print what it
 * returns when @print is set.
 */
static int group_ioctl(int argc, char **argv, unsigned long cmd,
		       const char *name, bool print)
{
	__u32 id = parse_id_only(argc, argv);
	char path[SYNCHMESS_PATH_LEN];
	int fd, ret;

	fd = group_open(id, O_RDWR, path, sizeof(path));
	if (fd < 0)
		return EXIT_FAILURE;
	ret = ioctl(fd, cmd);
	if (ret < 0) {
		fail(path, name);
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	if (print)
		printf("%d\n", ret);
	return EXIT_SUCCESS;
}

static int cmd_revoke(int argc, char **argv)
{
	return group_ioctl(argc, argv, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES,
			   "SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES", true);
}

static int cmd_sleep(int argc, char **argv)
{
	return group_ioctl(argc, argv, SYNCHMESS_IOC_SLEEP_ON_BARRIER,
			   "SYNCHMESS_IOC_SLEEP_ON_BARRIER", false);
}

static int cmd_awake(int argc, char **argv)
{
	return group_ioctl(argc, argv, SYNCHMESS_IOC_AWAKE_BARRIER,
			   "SYNCHMESS_IOC_AWAKE_BARRIER", true);
}

static int cmd_flush(int argc, char **argv)
{
	__u32 id = parse_id_only(argc, argv);
	char path[SYNCHMESS_PATH_LEN];
	int fd;

	fd = group_open(id, O_RDWR, path, sizeof(path));
	if (fd < 0)
		return EXIT_FAILURE;
	if (fsync(fd)) {
		fail(path, "fsync");
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	return EXIT_SUCCESS;
}

static int cmd_delay(int argc, char **argv)
{
	int i = parse_args(argc, argv, ":h", help_only, 1, 2, NULL);
	__u32 id = parse_u32(argv[i], "group ID");
	char path[SYNCHMESS_PATH_LEN];
	bool set = i + 1 < argc;
	__u32 ms = 0;
	int fd, ret;

	if (set)
		ms = parse_u32(argv[i + 1], "delay");
	fd = group_open(id, O_RDWR, path, sizeof(path));
	if (fd < 0)
		return EXIT_FAILURE;
	if (set)
		ret = ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &ms);
	else
		ret = ioctl(fd, SYNCHMESS_IOC_GET_SEND_DELAY, &ms);
	if (ret) {
		ret = errno;
		fail(path, set ? "SYNCHMESS_IOC_SET_SEND_DELAY" :
				 "SYNCHMESS_IOC_GET_SEND_DELAY");
		if (set && ret == EINVAL)
			fprintf(stderr, "%s: the longest delay is %u ms\n",
				prog, SYNCHMESS_MAX_SEND_DELAY_MS);
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	if (!set)
		printf("%u\n", ms);
	return EXIT_SUCCESS;
}

/* Read a number from a sysfs file; -1 with errno set on failure. */
static long long read_number(const char *dir, const char *name)
{
	char path[256], buf[32], *end;
	long long val;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = n ? errno : EINVAL;
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	val = strtoll(buf, &end, 10);
	if (errno || end == buf || val < 0) {
		errno = EINVAL;
		return -1;
	}
	return val;
}

static long long message_size_max(void)
{
	long long max = read_number(PARAM_DIR, "max_message_size");

	return max > MESSAGE_SIZE_MAX ? max : MESSAGE_SIZE_MAX;
}

static struct timespec now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

static struct timespec add_ms(struct timespec ts, __u32 ms)
{
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

static bool later(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec ||
	       (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

struct sender {
	int fd;
	char path[SYNCHMESS_PATH_LEN];
	/* When the last message posted is due: close no earlier. */
	struct timespec due;
};

/* Post one message; 0, or the exit status on failure. */
static int post(struct sender *s, const char *buf, size_t len)
{
	ssize_t n;
	__u32 ms;

	if (!len)
		return 0;
	n = write(s->fd, buf, len);
	if (n < 0)
		return fail(s->path, "write");
	if ((size_t)n != len) {
		errno = EIO;
		return fail(s->path, "write");
	}
	/* The delay that applied to the message is at most the current one. */
	if (ioctl(s->fd, SYNCHMESS_IOC_GET_SEND_DELAY, &ms))
		return fail(s->path, "SYNCHMESS_IOC_GET_SEND_DELAY");
	if (ms) {
		struct timespec due = add_ms(now(), ms);

		if (later(due, s->due))
			s->due = due;
	}
	return 0;
}

static int post_lines(struct sender *s)
{
	size_t size = 0;
	char *line = NULL;
	ssize_t len;
	int ret = 0;

	while (!ret && (len = getline(&line, &size, stdin)) > 0) {
		if (line[len - 1] == '\n')
			len--;
		ret = post(s, line, len);
	}
	if (!ret && ferror(stdin))
		ret = fail("standard input", "read");
	free(line);
	return ret;
}

/* Post all of standard input, up to one byte past the largest message. */
static int post_all(struct sender *s)
{
	size_t max = message_size_max() + 1, len = 0, size = 0;
	char *buf = NULL;
	ssize_t n;
	int ret;

	do {
		if (len == size) {
			char *more;

			size = size ? 2 * size : 4096;
			if (size > max)
				size = max;
			more = realloc(buf, size);
			if (!more) {
				free(buf);
				return fail("standard input", "realloc");
			}
			buf = more;
		}
		n = read(STDIN_FILENO, buf + len, size - len);
		if (n > 0)
			len += n;
	} while (len < max && (n > 0 || (n < 0 && errno == EINTR)));
	if (n < 0) {
		free(buf);
		return fail("standard input", "read");
	}
	/* Longer than any message: let the driver say EMSGSIZE. */
	ret = post(s, buf, len);
	free(buf);
	return ret;
}

static bool send_lines;

static void send_option(int opt, const char *arg)
{
	(void)arg;
	if (opt == 'l')
		send_lines = true;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lines", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct sender s = { };
	struct timespec t;
	int i, ret;

	i = parse_args(argc, argv, ":lh", longopts, 1, 2, send_option);
	if (send_lines && i + 1 < argc)
		usage_error("%s: --lines reads standard input, not MESSAGE",
			    argv[0]);
	s.fd = group_open(parse_u32(argv[i], "group ID"), O_WRONLY, s.path,
			  sizeof(s.path));
	if (s.fd < 0)
		return EXIT_FAILURE;

	if (i + 1 < argc)
		ret = post(&s, argv[i + 1], strlen(argv[i + 1]));
	else if (send_lines)
		ret = post_lines(&s);
	else
		ret = post_all(&s);

	/* close() would publish pending delayed messages before they are due. */
	while (!ret && (s.due.tv_sec || s.due.tv_nsec) &&
	       later(s.due, t = now())) {
		t.tv_sec = s.due.tv_sec - t.tv_sec;
		t.tv_nsec = s.due.tv_nsec - t.tv_nsec;
		if (t.tv_nsec < 0) {
			t.tv_sec--;
			t.tv_nsec += 1000000000;
		}
		nanosleep(&t, NULL);
	}
	close(s.fd);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

static bool recv_nonblock, recv_timed, recv_sender;
static __u32 recv_timeout_ms;
static unsigned long recv_count = 1;

static void recv_option(int opt, const char *arg)
{
	switch (opt) {
	case 'n':
		recv_nonblock = true;
		break;
	case 'c':
		recv_count = parse_u32(arg, "count");
		break;
	case 't':
		recv_timed = true;
		recv_timeout_ms = parse_u32(arg, "timeout");
		break;
	case 's':
		recv_sender = true;
		break;
	}
}

/*
 * Take the oldest message into @buf of @size bytes with SYNCHMESS_IOC_RECV,
 * or with @peek copy it and leave it first; @r learns who wrote it and
 * when. Returns the bytes copied, all of the message as @buf holds the
 * largest, or -1 with errno set.
 */
static ssize_t recv_ioctl(int fd, struct synchmess_recv *r, char *buf,
			  size_t size, bool peek)
{
	int n;

	memset(r, 0, sizeof(*r));
	r->buf = (uintptr_t)buf;
	r->buf_len = size;
	if (peek)
		r->flags |= SYNCHMESS_RECV_PEEK;
	if (recv_timed) {
		r->flags |= SYNCHMESS_RECV_TIMEOUT;
		r->timeout_ns = recv_timeout_ms * 1000000ULL;
	}
	/* A signal leaves the time that was left in timeout_ns: wait that. */
	do {
		n = ioctl(fd, SYNCHMESS_IOC_RECV, r);
	} while (n < 0 && errno == EINTR);
	return n;
}

/* Print @ns of CLOCK_MONOTONIC as seconds with microseconds. */
static void print_seconds(const char *what, __u64 ns)
{
	printf("%s %llu.%06llu s", what, (unsigned long long)(ns / 1000000000),
	       (unsigned long long)(ns / 1000 % 1000000));
}

/* Who wrote the message @r took, and when, on a line of its own. */
static int print_sender(const struct synchmess_recv *r)
{
	__u64 waited = r->published_ns - r->written_ns;

	printf("from pid %d uid %u, ", r->sender_pid, r->sender_uid);
	print_seconds("written", r->written_ns);
	print_seconds(", published", r->published_ns);
	printf(" (waited %llu.%03llu ms)\n",
	       (unsigned long long)(waited / 1000000),
	       (unsigned long long)(waited / 1000 % 1000));
	return ferror(stdout) ? -1 : 0;
}

/* Print a message on a line of its own. */
static int print_message(const char *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, stdout) != len)
		return -1;
	if ((!len || buf[len - 1] != '\n') && putchar('\n') == EOF)
		return -1;
	return fflush(stdout);
}

/*
 * recv and peek. Plain recv uses read(), which every version of the driver
 * has; a timeout, the sender or a peek need SYNCHMESS_IOC_RECV.
 */
static int receive(int argc, char **argv, const char *optstring,
		   const struct option *longopts, bool peek)
{
	char path[SYNCHMESS_PATH_LEN];
	size_t size = message_size_max();
	struct synchmess_recv r;
	unsigned long taken;
	const char *what;
	bool by_ioctl;
	int i, fd, err, ret = EXIT_SUCCESS;
	char *buf;
	ssize_t n;

	i = parse_args(argc, argv, optstring, longopts, 1, 1, recv_option);
	if (recv_nonblock && recv_timed)
		usage_error("%s: --nonblock and --timeout exclude each other",
			    argv[0]);
	by_ioctl = peek || recv_timed || recv_sender;
	what = by_ioctl ? "SYNCHMESS_IOC_RECV" : "read";
	buf = malloc(size);
	if (!buf)
		return fail(argv[0], "malloc");
	fd = group_open(parse_u32(argv[i], "group ID"),
			O_RDONLY | (recv_nonblock ? O_NONBLOCK : 0),
			path, sizeof(path));
	if (fd < 0) {
		free(buf);
		return EXIT_FAILURE;
	}
	taken = 0;
	while (!recv_count || taken < recv_count) {
		if (by_ioctl)
			n = recv_ioctl(fd, &r, buf, size, peek);
		else
			n = read(fd, buf, size);
		if (n < 0 && errno == EINTR)
			continue;
		/* Without a count: until the group is empty, quiet, or removed. */
		if (n < 0 && !recv_count &&
		    (errno == EAGAIN || errno == ETIMEDOUT || errno == EIDRM))
			break;
		if (n < 0) {
			err = errno;
			ret = fail(path, what);
			if (err == ETIMEDOUT)
				fprintf(stderr, "%s: no message came in %u ms\n",
					prog, recv_timeout_ms);
			break;
		}
		if ((recv_sender && print_sender(&r)) ||
		    print_message(buf, n)) {
			ret = fail("standard output", "write");
			break;
		}
		taken++;
	}
	close(fd);
	free(buf);
	return ret;
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nonblock", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },
		{ "sender", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};

	return receive(argc, argv, ":nt:c:sh", longopts, false);
}

static int cmd_peek(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nonblock", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "sender", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};

	return receive(argc, argv, ":nt:sh", longopts, true);
}

/* The figures of one group, as its device shows them in sysfs. */
static const char * const figures[] = {
	"messages", "bytes", "delayed", "sleepers", "send_delay_ms",
};

#define FIGURES		ARRAY_SIZE(figures)

static void print_header(void)
{
	printf("%-10s %9s %11s %8s %8s %13s %6s %6s %5s\n", "GROUP", "MESSAGES",
	       "BYTES", "DELAYED", "SLEEPERS", "SEND_DELAY_MS", "UID", "GID",
	       "MODE");
}

/*
 * Print group @id's line of the table. Returns 0, or -1 with errno set
 * when the group's figures cannot be read.
 */
static int print_group(__u32 id, char *dir, size_t len)
{
	char node[SYNCHMESS_PATH_LEN];
	long long val[FIGURES];
	struct stat st;
	size_t i;

	snprintf(dir, len, CLASS_DIR "/synchmess%u", id);
	for (i = 0; i < FIGURES; i++) {
		val[i] = read_number(dir, figures[i]);
		if (val[i] < 0)
			return -1;
	}
	snprintf(node, sizeof(node), CTL_DEV "%u", id);
	if (stat(node, &st))
		return -1;
	printf("%-10u %9lld %11lld %8lld %8lld %13lld %6u %6u %05o\n", id,
	       val[0], val[1], val[2], val[3], val[4], (unsigned int)st.st_uid,
	       (unsigned int)st.st_gid, (unsigned int)(st.st_mode & 07777));
	return 0;
}

static int cmd_stat(int argc, char **argv)
{
	__u32 id = parse_id_only(argc, argv);
	char dir[128];

	snprintf(dir, sizeof(dir), CLASS_DIR "/synchmess%u", id);
	if (access(dir, F_OK))
		return fail(dir, "access");
	print_header();
	if (print_group(id, dir, sizeof(dir)))
		return fail(dir, "read");
	return EXIT_SUCCESS;
}

/* Group ID of a class entry "synchmess<ID>"; false for anything else. */
static bool group_entry(const char *name, __u32 *id)
{
	const char *digits = name + strlen("synchmess");
	unsigned long long val;
	char *end;

	if (strncmp(name, "synchmess", strlen("synchmess")) ||
	    !isdigit((unsigned char)*digits))
		return false;
	errno = 0;
	val = strtoull(digits, &end, 10);
	if (errno || *end || val > UINT32_MAX)
		return false;
	*id = val;
	return true;
}

static int compare_ids(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return (x > y) - (x < y);
}

/*
 * What each user holds against the quotas, from the control device's
 * fdinfo; nothing when the control device cannot be opened.
 */
static void print_users(void)
{
	unsigned int uid;
	long long groups, memory;
	char path[64], line[256];
	FILE *f;
	int fd;

	fd = open(CTL_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "user: %u groups %lld memory %lld",
				   &uid, &groups, &memory) == 3)
				printf("user %u: %lld group%s, %lld bytes of memory\n",
				       uid, groups, groups == 1 ? "" : "s",
				       memory);
		fclose(f);
	}
	close(fd);
}

static int cmd_list(int argc, char **argv)
{
	static const char * const limits[] = {
		"max_groups", "max_message_size", "max_storage_size",
		"max_messages", "max_user_groups", "max_user_memory",
	};
	size_t n = 0, size = 0, i, shown = 0;
	__u32 *ids = NULL, id;
	struct dirent *de;
	long long limit;
	char dir[128];
	DIR *d;

	parse_args(argc, argv, ":h", help_only, 0, 0, NULL);
	d = opendir(CLASS_DIR);
	if (!d)
		return fail(CLASS_DIR, "opendir");
	while ((de = readdir(d))) {
		if (!group_entry(de->d_name, &id))
			continue;
		if (n == size) {
			__u32 *more;

			size = size ? 2 * size : 64;
			more = realloc(ids, size * sizeof(*ids));
			if (!more) {
				closedir(d);
				free(ids);
				return fail(CLASS_DIR, "realloc");
			}
			ids = more;
		}
		ids[n++] = id;
	}
	closedir(d);
	if (n)
		qsort(ids, n, sizeof(*ids), compare_ids);

	print_header();
	for (i = 0; i < n; i++) {
		/* A group removed meanwhile is not shown. */
		if (!print_group(ids[i], dir, sizeof(dir)))
			shown++;
		else if (errno != ENOENT)
			fail(dir, "read");
	}
	free(ids);

	printf("%zu group%s; limits:", shown, shown == 1 ? "" : "s");
	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		limit = read_number(PARAM_DIR, limits[i]);
		if (limit < 0)
			printf(" %s ?", limits[i]);
		else
			printf(" %s %lld", limits[i], limit);
	}
	putchar('\n');
	print_users();
	return EXIT_SUCCESS;
}

static int cmd_limits(int argc, char **argv)
{
	int i = parse_args(argc, argv, ":h", help_only, 1, 4, NULL);
	__u32 id = parse_u32(argv[i], "group ID");
	char path[SYNCHMESS_PATH_LEN];
	struct synchmess_limits lim = { 0 };
	bool set = i + 1 < argc;
	int fd;

	if (set && argc - i != 4)
		usage_error("limits: want SIZE STORAGE MESSAGES, or none");
	if (set) {
		lim.max_message_size = parse_u32(argv[i + 1], "max_message_size");
		lim.max_storage_size = parse_u32(argv[i + 2], "max_storage_size");
		lim.max_messages = parse_u32(argv[i + 3], "max_messages");
	}
	/* Setting needs write access, reading only read access. */
	fd = group_open(id, set ? O_WRONLY : O_RDONLY, path, sizeof(path));
	if (fd < 0)
		return EXIT_FAILURE;
	if (set && ioctl(fd, SYNCHMESS_IOC_SET_LIMITS, &lim)) {
		fail(path, "SYNCHMESS_IOC_SET_LIMITS");
		close(fd);
		return EXIT_FAILURE;
	}
	if (ioctl(fd, SYNCHMESS_IOC_GET_LIMITS, &lim)) {
		fail(path, "SYNCHMESS_IOC_GET_LIMITS");
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	printf("max_message_size %u max_storage_size %u max_messages %u\n",
	       lim.max_message_size, lim.max_storage_size, lim.max_messages);
	return EXIT_SUCCESS;
}

/*
 * watch: the group's trace events, from an instance of the trace buffer of
 * its own, filtered by the group's id, so that the tool neither sees nor
 * changes what other tracers do.
 */
static char watch_dir[128];
static char watch_enable[192];
static unsigned long watch_count;

static void watch_option(int opt, const char *arg)
{
	char *end;

	errno = 0;
	watch_count = strtoul(arg, &end, 10);
	if (opt != 'c' || !isdigit((unsigned char)*arg) || errno || *end)
		usage_error("watch: bad count '%s'", arg);
}

static void watch_cleanup(void)
{
	int fd = open(watch_enable, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "0", 1) < 0)
			fail(watch_enable, "write");
		close(fd);
	}
	if (rmdir(watch_dir))
		fail(watch_dir, "rmdir");
}

/* Ctrl-C or SIGTERM: the instance goes, with calls safe in a handler. */
static void watch_stop(int sig)
{
	int fd = open(watch_enable, O_WRONLY | O_CLOEXEC);

	(void)sig;
	if (fd >= 0) {
		if (write(fd, "0", 1) < 0)
			_exit(EXIT_FAILURE);
		close(fd);
	}
	_exit(rmdir(watch_dir) ? EXIT_FAILURE : EXIT_SUCCESS);
}

static int watch_write(const char *name, const char *text)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", watch_dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return fail(path, "open");
	n = write(fd, text, strlen(text));
	if (n < 0) {
		fail(path, "write");
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	return EXIT_SUCCESS;
}

/* Value of field @key in @fields ("key=value key=value"), or "?". */
static const char *watch_field(const char *fields, const char *key,
			       char *val, size_t size)
{
	size_t klen = strlen(key);
	const char *p = fields;

	while ((p = strstr(p, key))) {
		if ((p == fields || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			snprintf(val, size, "%.*s", (int)strcspn(p, "\n "), p);
			return val;
		}
		p += klen;
	}
	return "?";
}

static const char *plural(long long n)
{
	return n == 1 ? "" : "s";
}

/* What one event of the group means, in words. */
static void watch_describe(const char *event, const char *fields)
{
	char a[32], b[32], c[32];
	long long n;

#define F(key, buf)	watch_field(fields, key, buf, sizeof(buf))
	if (!strcmp(event, "synchmess_group_install")) {
		printf("installed by uid %s, minor %s\n", F("uid", a),
		       F("minor", b));
	} else if (!strcmp(event, "synchmess_group_remove")) {
		printf("removed\n");
	} else if (!strcmp(event, "synchmess_write")) {
		n = atoll(F("len", a));
		if (atoll(F("delay_ms", b)))
			printf("write of %lld byte%s, delayed %s ms\n", n,
			       plural(n), b);
		else
			printf("write of %lld byte%s\n", n, plural(n));
	} else if (!strcmp(event, "synchmess_publish")) {
		n = atoll(F("count", a));
		printf("%lld delayed message%s published (%s)\n", n, plural(n),
		       F("reason", b));
	} else if (!strcmp(event, "synchmess_read")) {
		n = atoll(F("len", a));
		printf("read of %lld byte%s, %s copied", n, plural(n),
		       F("copied", b));
		n = atoll(F("waited_ns", c));
		if (n)
			printf(", %lld.%03lld ms after its write", n / 1000000,
			       n / 1000 % 1000);
		putchar('\n');
	} else if (!strcmp(event, "synchmess_revoke")) {
		n = atoll(F("count", a));
		printf("revoke dropped %lld delayed message%s\n", n, plural(n));
	} else if (!strcmp(event, "synchmess_flush")) {
		n = atoll(F("count", a));
		printf("flush published %lld delayed message%s\n", n, plural(n));
	} else if (!strcmp(event, "synchmess_barrier_sleep")) {
		printf("sleep on the barrier\n");
	} else if (!strcmp(event, "synchmess_barrier_wake")) {
		n = atoll(F("count", a));
		printf("awake woke %lld sleeper%s\n", n, plural(n));
	} else if (!strcmp(event, "synchmess_refuse")) {
		printf("%s refused: %s", F("call", a),
		       strerror(-atoi(F("err", b))));
		if (!strcmp(a, "ioctl"))
			printf(" (cmd %s)", F("cmd", c));
		putchar('\n');
	} else {
		printf("%s %s", event, fields);
	}
#undef F
}

/*
 * One line of trace_pipe, "TASK-PID [CPU] FLAGS SECONDS: EVENT: FIELDS",
 * as "SECONDS TASK-PID: what happened". Returns false for a line that is
 * no event of ours.
 */
static bool watch_line(char *line)
{
	char *event, *fields, *stamp, *task, *cpu;

	event = strstr(line, ": synchmess_");
	if (!event)
		return false;
	*event = '\0';
	event += 2;
	fields = strstr(event, ": ");
	if (!fields)
		return false;
	*fields = '\0';
	fields += 2;
	fields[strcspn(fields, "\n")] = '\0';
	stamp = strrchr(line, ' ');
	cpu = strstr(line, " [");
	if (!stamp || !cpu)
		return false;
	while (cpu > line && cpu[-1] == ' ')
		cpu--;
	*cpu = '\0';
	task = line + strspn(line, " ");
	printf("%s %s: ", stamp + 1, task);
	watch_describe(event, fields);
	fflush(stdout);
	return true;
}

static int cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int i = parse_args(argc, argv, ":hc:", longopts, 1, 1, watch_option);
	__u32 id = parse_u32(argv[i], "group ID");
	struct sigaction sa = { .sa_handler = watch_stop };
	char filter[64], path[256], line[1024];
	unsigned long seen = 0;
	int ret = EXIT_FAILURE;
	FILE *pipe;

	if (access(TRACEFS "/instances", F_OK)) {
		fail(TRACEFS "/instances", "access");
		fprintf(stderr, "%s: mount tracefs there: 'mount -t tracefs nodev %s'\n",
			prog, TRACEFS);
		return EXIT_FAILURE;
	}
	if (access(TRACEFS "/events/synchmess", F_OK)) {
		fail(TRACEFS "/events/synchmess", "access");
		fprintf(stderr, "%s: is the module loaded, tracing built (CONFIG_TRACING)?\n",
			prog);
		return EXIT_FAILURE;
	}
	snprintf(watch_dir, sizeof(watch_dir),
		 TRACEFS "/instances/synchmess-watch-%d", (int)getpid());
	snprintf(watch_enable, sizeof(watch_enable),
		 "%s/events/synchmess/enable", watch_dir);
	if (mkdir(watch_dir, 0700)) {
		fail(watch_dir, "mkdir");
		if (errno == EACCES || errno == EPERM)
			fprintf(stderr, "%s: watching needs root, as tracefs does\n",
				prog);
		return EXIT_FAILURE;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	snprintf(filter, sizeof(filter), "id == %u", id);
	if (watch_write("events/synchmess/filter", filter) ||
	    watch_write("events/synchmess/enable", "1"))
		goto out;
	snprintf(path, sizeof(path), "%s/trace_pipe", watch_dir);
	pipe = fopen(path, "re");
	if (!pipe) {
		fail(path, "fopen");
		goto out;
	}
	fprintf(stderr, "%s: watching group %u\n", prog, id);
	ret = EXIT_SUCCESS;
	while ((!watch_count || seen < watch_count) &&
	       fgets(line, sizeof(line), pipe))
		if (watch_line(line))
			seen++;
	if (ferror(pipe))
		ret = fail(path, "read");
	fclose(pipe);
out:
	watch_cleanup();
	return ret;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "install", cmd_install },
	{ "remove", cmd_remove },
	{ "list", cmd_list },
	{ "stat", cmd_stat },
	{ "limits", cmd_limits },
	{ "send", cmd_send },
	{ "recv", cmd_recv },
	{ "peek", cmd_peek },
	{ "delay", cmd_delay },
	{ "revoke", cmd_revoke },
	{ "flush", cmd_flush },
	{ "sleep", cmd_sleep },
	{ "awake", cmd_awake },
	{ "watch", cmd_watch },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		usage_error("%s", "missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return EXIT_SUCCESS;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	usage_error("unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}
