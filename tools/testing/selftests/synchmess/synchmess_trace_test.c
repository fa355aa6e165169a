// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess trace events: each operation of a scripted scenario shows up in
 * the trace system "synchmess" with its group's id and the right fields.
 * Each test records into a trace instance of its own, so the runs of other
 * tests and other users of the trace buffer do not mix in.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define SM_TRACEFS	"/sys/kernel/tracing"
#define SM_TRACE_BUF	(256 * 1024)

FIXTURE(trace) {
	char instance[256];
	char *buf;
	__u32 id;
	int fd;
};

/* Write @text to file @name of the fixture's trace instance. */
static int sm_trace_write(const char *instance, const char *name,
			  const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", instance, name);
	return sm_write_text(path, text);
}

/*
 * The instance's trace as text into @buf, events only; returns its length
 * or -errno.
 */
static long sm_trace_read(const char *instance, char *buf, size_t size)
{
	char path[512];
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", instance);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* How many events in @trace contain "@event: " followed by @fields. */
static int sm_trace_count(const char *trace, const char *event,
			  const char *fields)
{
	char want[256];
	const char *p = trace;
	int n = 0;

	snprintf(want, sizeof(want), "%s: %s", event, fields);
	while ((p = strstr(p, want))) {
		n++;
		p += strlen(want);
	}
	return n;
}

/* The value of field @field of the first @event of group @id, or -1. */
static long long sm_trace_field(const char *trace, const char *event,
				__u32 id, const char *field)
{
	char want[256];
	const char *p, *f, *eol;

	snprintf(want, sizeof(want), "%s: id=%u ", event, id);
	p = strstr(trace, want);
	if (!p)
		return -1;
	eol = strchrnul(p, '\n');
	snprintf(want, sizeof(want), " %s=", field);
	f = strstr(p, want);
	if (!f || f > eol)
		return -1;
	return strtoll(f + strlen(want), NULL, 0);
}

FIXTURE_SETUP(trace)
{
	struct stat st;

	if (stat(SM_TRACEFS "/instances", &st) &&
	    mount("tracefs", SM_TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		SKIP(return, "no tracefs: %s", strerror(errno));
	if (stat(SM_TRACEFS "/events/synchmess", &st))
		SKIP(return, "no synchmess events (CONFIG_TRACING off?)");

	snprintf(self->instance, sizeof(self->instance),
		 SM_TRACEFS "/instances/synchmess_test_%d", getpid());
	ASSERT_EQ(0, mkdir(self->instance, 0700)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, sm_trace_write(self->instance, "events/synchmess/enable",
				    "1"));
	self->buf = malloc(SM_TRACE_BUF);
	ASSERT_NE(NULL, self->buf);

	self->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(self->id, NULL));
	self->fd = sm_open_group(self->id, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(trace)
{
	if (!self->buf)
		return;
	if (self->fd >= 0)
		close(self->fd);
	sm_remove(self->id);
	sm_trace_write(self->instance, "events/synchmess/enable", "0");
	rmdir(self->instance);
	free(self->buf);
}

/* Read the trace of the test's group into self->buf; fails the test if empty. */
#define READ_TRACE()							\
	ASSERT_LT(0, sm_trace_read(self->instance, self->buf, SM_TRACE_BUF))

TEST_F(trace, install_and_removal_name_the_group)
{
	char want[64];
	__u32 id = sm_unique_id();

	ASSERT_EQ(0, sm_install(id, NULL));
	ASSERT_EQ(0, sm_remove(id));
	READ_TRACE();

	snprintf(want, sizeof(want), "id=%u minor=", id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_group_install", want))
		TH_LOG("%s", self->buf);
	EXPECT_EQ(0, sm_trace_field(self->buf, "synchmess_group_install", id,
				    "uid"));
	snprintf(want, sizeof(want), "id=%u\n", id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_group_remove", want))
		TH_LOG("%s", self->buf);
}

TEST_F(trace, write_and_read_show_length_and_wait)
{
	char want[64], msg[16];

	ASSERT_EQ(5, write(self->fd, "hello", 5));
	sm_sleep_ms(20);
	ASSERT_EQ(3, read(self->fd, msg, 3));
	READ_TRACE();

	snprintf(want, sizeof(want), "id=%u len=5 delay_ms=0\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_write", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u len=5 copied=3 waited_ns=",
		 self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_read", want))
		TH_LOG("%s", self->buf);
	/* Written while the event was on: its wait is known, at least 20 ms. */
	EXPECT_LE(20000000LL, sm_trace_field(self->buf, "synchmess_read",
					     self->id, "waited_ns"))
		TH_LOG("%s", self->buf);
}

/*
 * A reader woken by a write finds the write in the trace once its read
 * returns: the event is recorded before the message can be read.
 */
TEST_F(trace, woken_reader_finds_the_write_traced)
{
	char want[64], msg[16];
	int status;
	pid_t pid;

	snprintf(want, sizeof(want), "id=%u len=4 delay_ms=0\n", self->id);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (read(self->fd, msg, sizeof(msg)) != 4 ||
		    sm_trace_read(self->instance, self->buf, SM_TRACE_BUF) <= 0)
			_exit(2);
		_exit(sm_trace_count(self->buf, "synchmess_write", want) == 1 ?
		      0 : 1);
	}
	/* Let the reader block first, so that the write hands it over. */
	sm_sleep_ms(100);
	ASSERT_EQ(4, write(self->fd, "ping", 4));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the reader %s", WEXITSTATUS(status) == 1 ?
		       "did not find the write in the trace" :
		       "failed to read the message or the trace");
}

TEST_F(trace, due_delayed_message_is_published_as_due)
{
	__u32 ms = 10;
	char want[64], msg[16];

	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &ms));
	ASSERT_EQ(4, write(self->fd, "late", 4));
	ASSERT_EQ(4, read(self->fd, msg, sizeof(msg)));
	READ_TRACE();

	snprintf(want, sizeof(want), "id=%u len=4 delay_ms=10\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_write", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u count=1 reason=due\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_publish", want))
		TH_LOG("%s", self->buf);
	/* The wait counts from the write, so it covers the delay. */
	EXPECT_LE(10000000LL, sm_trace_field(self->buf, "synchmess_read",
					     self->id, "waited_ns"))
		TH_LOG("%s", self->buf);
}

TEST_F(trace, flush_publishes_and_says_how_many)
{
	__u32 ms = 60000;
	char want[64];

	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &ms));
	ASSERT_EQ(1, write(self->fd, "a", 1));
	ASSERT_EQ(1, write(self->fd, "b", 1));
	ASSERT_EQ(0, fsync(self->fd));
	READ_TRACE();

	snprintf(want, sizeof(want), "id=%u count=2 reason=flush\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_publish", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u count=2\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_flush", want))
		TH_LOG("%s", self->buf);
}

/*
 * A batch goes out 1024 messages at a time, each chunk traced before it can
 * be read: one more than a chunk makes two events that add up to it.
 */
TEST_F(trace, long_flush_is_traced_a_chunk_at_a_time)
{
	__u32 ms = 60000;
	char want[64];
	int i;

	/* 1025 write events would only bury the ones looked at. */
	ASSERT_EQ(0, sm_trace_write(self->instance,
				    "events/synchmess/synchmess_write/enable",
				    "0"));
	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &ms));
	for (i = 0; i < 1025; i++)
		ASSERT_EQ(1, write(self->fd, "m", 1));
	ASSERT_EQ(0, fsync(self->fd));
	READ_TRACE();

	snprintf(want, sizeof(want), "id=%u count=1024 reason=flush\n",
		 self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_publish", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u count=1 reason=flush\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_publish", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u ", self->id);
	EXPECT_EQ(2, sm_trace_count(self->buf, "synchmess_publish", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u count=1025\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_flush", want))
		TH_LOG("%s", self->buf);
}

TEST_F(trace, revoke_says_how_many_it_dropped)
{
	__u32 ms = 60000;
	char want[64];

	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &ms));
	ASSERT_EQ(1, write(self->fd, "a", 1));
	ASSERT_EQ(1, write(self->fd, "b", 1));
	ASSERT_EQ(1, write(self->fd, "c", 1));
	ASSERT_EQ(3, ioctl(self->fd, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES));
	READ_TRACE();

	snprintf(want, sizeof(want), "id=%u count=3\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_revoke", want))
		TH_LOG("%s", self->buf);
	/* Nothing was due, so nothing was published. */
	snprintf(want, sizeof(want), "id=%u ", self->id);
	EXPECT_EQ(0, sm_trace_count(self->buf, "synchmess_publish", want))
		TH_LOG("%s", self->buf);
}

TEST_F(trace, barrier_sleep_and_wake_are_counted)
{
	char want[64];
	pid_t pid;
	int status, woken = 0, i;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ioctl(self->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER) ? 1 : 0);
	for (i = 0; i < 1000 && woken == 0; i++) {
		sm_sleep_ms(5);
		woken = ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER);
		ASSERT_LE(0, woken);
	}
	ASSERT_EQ(1, woken);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	READ_TRACE();

	snprintf(want, sizeof(want), "id=%u\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_barrier_sleep", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u count=1\n", self->id);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_barrier_wake", want))
		TH_LOG("%s", self->buf);
}

TEST_F(trace, refusals_name_the_call_and_the_error)
{
	unsigned long max;
	char want[96], *big;
	int ro;

	ASSERT_EQ(0, sm_param_get("max_message_size", &max));
	big = calloc(1, max + 1);
	ASSERT_NE(NULL, big);
	ASSERT_EQ(-1, write(self->fd, big, max + 1));
	ASSERT_EQ(EMSGSIZE, errno);
	free(big);
	ro = sm_open_group(self->id, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, ro);
	ASSERT_EQ(-1, ioctl(ro, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(-1, read(ro, want, 1));
	ASSERT_EQ(EAGAIN, errno);
	close(ro);
	ASSERT_EQ(-ENOENT, sm_remove(self->id ^ 0x20000000u));
	READ_TRACE();

	snprintf(want, sizeof(want), "id=%u call=write cmd=0x0 err=%d\n",
		 self->id, -EMSGSIZE);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_refuse", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u call=ioctl cmd=0x%x err=%d\n",
		 self->id, (unsigned int)SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES,
		 -EBADF);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_refuse", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u call=read cmd=0x0 err=%d\n",
		 self->id, -EAGAIN);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_refuse", want))
		TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "id=%u call=remove cmd=0x0 err=%d\n",
		 self->id ^ 0x20000000u, -ENOENT);
	EXPECT_EQ(1, sm_trace_count(self->buf, "synchmess_refuse", want))
		TH_LOG("%s", self->buf);
	/* A refused write posts nothing. */
	snprintf(want, sizeof(want), "id=%u ", self->id);
	EXPECT_EQ(0, sm_trace_count(self->buf, "synchmess_write", want))
		TH_LOG("%s", self->buf);
}

TEST_HARNESS_MAIN
