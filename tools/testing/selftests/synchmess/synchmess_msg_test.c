// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess messages: write and read, FIFO order, exactly-once delivery
 * across processes and threads, the limits, faults, blocking and poll.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

FIXTURE(group) {
	__u32 id;
	int fd;
	unsigned long old_storage;
	unsigned long old_msgsize;
	unsigned long old_messages;
};

FIXTURE_SETUP(group)
{
	ASSERT_EQ(0, sm_param_get("max_storage_size", &self->old_storage));
	ASSERT_EQ(0, sm_param_get("max_message_size", &self->old_msgsize));
	ASSERT_EQ(0, sm_param_get("max_messages", &self->old_messages));
	self->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(self->id, NULL));
	self->fd = sm_open_group(self->id, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open group: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(group)
{
	close(self->fd);
	sm_remove(self->id);
	sm_param_set("max_storage_size", self->old_storage);
	sm_param_set("max_message_size", self->old_msgsize);
	sm_param_set("max_messages", self->old_messages);
}

/* An address user copies must refuse. */
static void *kernel_address(void)
{
	return (void *)(~0UL - 4095);
}

static int set_nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

TEST_F(group, write_returns_length_read_returns_message)
{
	char buf[32] = { 0 };

	EXPECT_EQ(11, write(self->fd, "hello world", 11));
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
	/* Charged what the message holds: its bytes and then some. */
	EXPECT_LE(11, sm_figure(self->id, "bytes"));
	EXPECT_EQ(11, read(self->fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello world", buf);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
}

TEST_F(group, messages_come_out_in_fifo_order)
{
	char buf[16];
	int i, n;

	for (i = 0; i < 100; i++) {
		n = snprintf(buf, sizeof(buf), "m%d", i);
		ASSERT_EQ(n, write(self->fd, buf, n));
	}
	for (i = 0; i < 100; i++) {
		char want[16];

		n = snprintf(want, sizeof(want), "m%d", i);
		memset(buf, 0, sizeof(buf));
		ASSERT_EQ(n, read(self->fd, buf, sizeof(buf)));
		ASSERT_STREQ(want, buf);
	}
}

TEST_F(group, short_read_consumes_whole_message)
{
	char buf[8] = { 0 };

	ASSERT_EQ(6, write(self->fd, "abcdef", 6));
	ASSERT_EQ(2, write(self->fd, "gh", 2));
	EXPECT_EQ(3, read(self->fd, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	/* The rest of "abcdef" is gone: the next read gets "gh". */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(2, read(self->fd, buf, sizeof(buf)));
	EXPECT_STREQ("gh", buf);
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
}

TEST_F(group, zero_length_write_posts_nothing)
{
	EXPECT_EQ(0, write(self->fd, "", 0));
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
}

TEST_F(group, zero_length_read_takes_nothing)
{
	char buf[4];

	ASSERT_EQ(1, write(self->fd, "z", 1));
	EXPECT_EQ(0, read(self->fd, buf, 0));
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
	/* And on an empty group it does not block either. */
	ASSERT_EQ(1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, read(self->fd, buf, 0));
}

TEST_F(group, oversize_write_gives_emsgsize)
{
	static char big[1000];

	long stored = sm_probe_bytes(self->fd, self->id, 100);

	ASSERT_EQ(100, stored);
	ASSERT_EQ(0, sm_param_set("max_message_size", 100));
	EXPECT_EQ(100, write(self->fd, big, 100));
	EXPECT_EQ(-1, write(self->fd, big, 101));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
	EXPECT_EQ(stored, sm_figure(self->id, "bytes"));
}

TEST_F(group, full_storage_gives_enospc_even_blocking)
{
	long c100 = sm_probe_bytes(self->fd, self->id, 100);
	long c1 = sm_probe_bytes(self->fd, self->id, 1);
	static char buf[100];

	ASSERT_EQ(100, c100);
	ASSERT_EQ(1, c1);
	/* Room for two messages of 100 bytes and one of 1, not one more. */
	ASSERT_EQ(0, sm_param_set("max_storage_size", 2 * c100 + c1));
	EXPECT_EQ(100, write(self->fd, buf, 100));
	EXPECT_EQ(100, write(self->fd, buf, 100));
	EXPECT_EQ(-1, write(self->fd, buf, 100));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(1, write(self->fd, buf, 1));
	EXPECT_EQ(-1, write(self->fd, buf, 1));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, set_nonblock(self->fd));
	EXPECT_EQ(-1, write(self->fd, buf, 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(3, sm_figure(self->id, "messages"));
	EXPECT_EQ(2 * c100 + c1, sm_figure(self->id, "bytes"));
	/* Reading one makes room for it again. */
	EXPECT_EQ(100, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(100, write(self->fd, buf, 100));
}

/* max_storage_size counts payload, as every implementation does. */
TEST_F(group, ten_100_byte_messages_fill_1000_bytes)
{
	static char buf[100];
	int i;

	ASSERT_EQ(0, sm_param_set("max_storage_size", 1000));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(100, write(self->fd, buf, 100)) TH_LOG("message %d", i);
	EXPECT_EQ(1000, sm_figure(self->id, "bytes"));
	EXPECT_EQ(10, sm_figure(self->id, "messages"));
	EXPECT_EQ(-1, write(self->fd, buf, 1));
	EXPECT_EQ(ENOSPC, errno);
}

/* One-byte floods stop at max_messages, delayed messages counted too. */
TEST_F(group, max_messages_gives_enospc_for_one_byte_floods)
{
	__u32 delay = 3600000;
	char c = 'x';
	int i;

	ASSERT_EQ(0, sm_param_set("max_messages", 10));
	for (i = 0; i < 6; i++)
		ASSERT_EQ(1, write(self->fd, &c, 1));
	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(1, write(self->fd, &c, 1));
	EXPECT_EQ(-1, write(self->fd, &c, 1));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, set_nonblock(self->fd));
	EXPECT_EQ(-1, write(self->fd, &c, 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(6, sm_figure(self->id, "messages"));
	EXPECT_EQ(4, sm_figure(self->id, "delayed"));
	EXPECT_EQ(10, sm_figure(self->id, "bytes"));
	/* Reading one makes room for one. */
	EXPECT_EQ(1, read(self->fd, &c, 1));
	EXPECT_EQ(1, write(self->fd, &c, 1));
	EXPECT_EQ(-1, write(self->fd, &c, 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(5, ioctl(self->fd, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES));
}

TEST_F(group, storage_is_per_group)
{
	static char buf[200];
	__u32 other = sm_unique_id();
	int fd;

	long stored = sm_probe_bytes(self->fd, self->id, 200);

	ASSERT_EQ(200, stored);
	ASSERT_EQ(0, sm_param_set("max_storage_size", stored));
	ASSERT_EQ(200, write(self->fd, buf, 200));
	EXPECT_EQ(-1, write(self->fd, buf, 200));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, sm_install(other, NULL));
	fd = sm_open_group(other, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(200, write(fd, buf, 200));
	close(fd);
	sm_remove(other);
}

TEST_F(group, write_from_bad_buffer_gives_efault_posts_nothing)
{
	void *unmapped = mmap(NULL, 4096, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, unmapped);
	EXPECT_EQ(-1, write(self->fd, unmapped, 16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, write(self->fd, kernel_address(), 16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
	munmap(unmapped, 4096);
}

TEST_F(group, read_to_bad_buffer_gives_efault_loses_nothing)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	char buf[8] = { 0 };
	long bytes;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(5, write(self->fd, "first", 5));
	ASSERT_EQ(6, write(self->fd, "second", 6));
	bytes = sm_figure(self->id, "bytes");
	EXPECT_EQ(-1, read(self->fd, ro, 16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(self->fd, kernel_address(), 16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(2, sm_figure(self->id, "messages"));
	EXPECT_EQ(bytes, sm_figure(self->id, "bytes"));
	/* The message stays first in the queue. */
	EXPECT_EQ(5, read(self->fd, buf, sizeof(buf)));
	EXPECT_STREQ("first", buf);
	munmap(ro, 4096);
}

TEST_F(group, empty_nonblocking_read_gives_eagain)
{
	char buf[4];
	int fd = sm_open_group(self->id, O_RDWR | O_NONBLOCK);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

struct timed_read {
	int fd;
	ssize_t ret;
	int err;
	double done;
	char buf[16];
};

static void *timed_read_run(void *arg)
{
	struct timed_read *r = arg;

	r->ret = read(r->fd, r->buf, sizeof(r->buf));
	r->err = errno;
	r->done = sm_now();
	return NULL;
}

TEST_F(group, empty_read_blocks_until_write)
{
	struct timed_read r = { .fd = self->fd };
	double written;
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, timed_read_run, &r));
	sm_sleep_ms(300);
	written = sm_now();
	ASSERT_EQ(4, write(self->fd, "wake", 4));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(4, r.ret);
	EXPECT_EQ(0, memcmp(r.buf, "wake", 4));
	EXPECT_GE(r.done, written) TH_LOG("read returned before the write");
}

struct queued_reader {
	struct timed_read r;
	pid_t tid;
};

static void *queued_read_run(void *arg)
{
	struct queued_reader *q = arg;

	__atomic_store_n(&q->tid, gettid(), __ATOMIC_SEQ_CST);
	return timed_read_run(&q->r);
}

#define QUEUED_READERS	3

TEST_F(group, blocked_readers_are_served_in_waiting_order)
{
	struct queued_reader q[QUEUED_READERS] = { 0 };
	pthread_t t[QUEUED_READERS];
	char msg[2] = "0";
	unsigned int i;

	/* Each reader starts once the one before sleeps in read(). */
	for (i = 0; i < QUEUED_READERS; i++) {
		q[i].r.fd = self->fd;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, queued_read_run,
					    &q[i]));
		while (!__atomic_load_n(&q[i].tid, __ATOMIC_SEQ_CST))
			sm_sleep_ms(1);
		ASSERT_TRUE(sm_thread_sleeps(q[i].tid))
			TH_LOG("reader %u never blocked", i);
	}
	for (i = 0; i < QUEUED_READERS; i++) {
		msg[0] = '0' + i;
		ASSERT_EQ(1, write(self->fd, msg, 1));
	}
	for (i = 0; i < QUEUED_READERS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(1, q[i].r.ret);
		EXPECT_EQ('0' + i, q[i].r.buf[0])
			TH_LOG("reader %u, blocked %u-th, got message %c", i,
			       i + 1, q[i].r.buf[0]);
	}
}

static void on_signal(int sig)
{
}

TEST_F(group, signal_ends_blocking_read)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timed_read r = { .fd = self->fd };
	pthread_t t;

	/* Without SA_RESTART the restartable wait surfaces as EINTR. */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, timed_read_run, &r));
	sm_sleep_ms(300);
	ASSERT_EQ(0, pthread_kill(t, SIGUSR1));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EINTR, r.err);
}

TEST_F(group, signal_with_sa_restart_restarts_read)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct timed_read r = { .fd = self->fd };
	pthread_t t;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, timed_read_run, &r));
	sm_sleep_ms(300);
	ASSERT_EQ(0, pthread_kill(t, SIGUSR1));
	sm_sleep_ms(300);
	ASSERT_EQ(2, write(self->fd, "ok", 2));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(2, r.ret);
}

TEST_F(group, poll_reports_readable_and_writable)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };
	long stored = sm_probe_bytes(self->fd, self->id, 10);
	static char buf[64];

	ASSERT_EQ(10, stored);
	ASSERT_EQ(0, sm_param_set("max_storage_size", 2 * stored));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);

	ASSERT_EQ(10, write(self->fd, buf, 10));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);

	ASSERT_EQ(10, write(self->fd, buf, 10));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);

	pfd.events = POLLOUT;
	ASSERT_EQ(10, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
}

static void *delayed_write_run(void *arg)
{
	int fd = *(int *)arg;

	sm_sleep_ms(300);
	if (write(fd, "late", 4) != 4)
		return (void *)1;
	return NULL;
}

TEST_F(group, poll_wakes_on_write)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_write_run, &self->fd));
	EXPECT_EQ(1, poll(&pfd, 1, 30000));
	EXPECT_EQ(POLLIN, pfd.revents);
	pthread_join(t, NULL);
}

/*
 * Exactly once, in order: writers post (writer, seq) pairs; every reader
 * must see each writer's sequence increasing, and over all readers every
 * message must arrive exactly once.
 */
#define WRITERS		4
#define READERS		4
#define PER_WRITER	2000

struct tally {
	unsigned int seen[WRITERS][PER_WRITER];
	unsigned int misordered;
	unsigned int bogus;
	unsigned int taken;
};

struct wire_msg {
	unsigned int writer;
	unsigned int seq;
};

static void writer_run(__u32 id, unsigned int writer)
{
	struct wire_msg m = { .writer = writer };
	int fd = sm_open_group(id, O_WRONLY);

	if (fd < 0)
		_exit(1);
	for (m.seq = 0; m.seq < PER_WRITER; m.seq++) {
		while (write(fd, &m, sizeof(m)) != sizeof(m)) {
			if (errno != ENOSPC)
				_exit(2);
			sched_yield();
		}
	}
	close(fd);
}

static void reader_run(__u32 id, struct tally *t)
{
	int last[WRITERS];
	struct wire_msg m;
	int fd = sm_open_group(id, O_RDONLY | O_NONBLOCK);

	memset(last, 0xff, sizeof(last));
	if (fd < 0)
		_exit(1);
	while (__atomic_load_n(&t->taken, __ATOMIC_SEQ_CST) <
	       WRITERS * PER_WRITER) {
		ssize_t n = read(fd, &m, sizeof(m));

		if (n < 0 && errno == EAGAIN) {
			sched_yield();
			continue;
		}
		if (n != sizeof(m) || m.writer >= WRITERS ||
		    m.seq >= PER_WRITER) {
			__atomic_add_fetch(&t->bogus, 1, __ATOMIC_SEQ_CST);
			break;
		}
		if ((int)m.seq <= last[m.writer])
			__atomic_add_fetch(&t->misordered, 1, __ATOMIC_SEQ_CST);
		last[m.writer] = m.seq;
		__atomic_add_fetch(&t->seen[m.writer][m.seq], 1,
				   __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&t->taken, 1, __ATOMIC_SEQ_CST);
	}
	close(fd);
}

static void check_tally(struct __test_metadata *_metadata, struct tally *t)
{
	unsigned int w, s, lost = 0, dup = 0;

	for (w = 0; w < WRITERS; w++) {
		for (s = 0; s < PER_WRITER; s++) {
			lost += t->seen[w][s] == 0;
			dup += t->seen[w][s] > 1;
		}
	}
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, dup);
	EXPECT_EQ(0, t->misordered);
	EXPECT_EQ(0, t->bogus);
	EXPECT_EQ(WRITERS * PER_WRITER, t->taken);
}

TEST_F(group, exactly_once_across_processes)
{
	struct tally *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pids[WRITERS + READERS];
	int i, status;

	ASSERT_NE(MAP_FAILED, t);
	for (i = 0; i < WRITERS + READERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			if (i < WRITERS)
				writer_run(self->id, i);
			else
				reader_run(self->id, t);
			_exit(0);
		}
	}
	for (i = 0; i < WRITERS + READERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("child %d ended with status 0x%x", i, status);
	}
	check_tally(_metadata, t);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
	munmap(t, sizeof(*t));
}

struct thread_arg {
	__u32 id;
	unsigned int writer;
	struct tally *t;
};

static void *writer_thread(void *arg)
{
	struct thread_arg *a = arg;

	writer_run(a->id, a->writer);
	return NULL;
}

static void *reader_thread(void *arg)
{
	struct thread_arg *a = arg;

	reader_run(a->id, a->t);
	return NULL;
}

TEST_F(group, exactly_once_across_threads)
{
	static struct tally t;
	struct thread_arg args[WRITERS + READERS];
	pthread_t th[WRITERS + READERS];
	int i;

	for (i = 0; i < WRITERS + READERS; i++) {
		args[i] = (struct thread_arg){ self->id, i, &t };
		ASSERT_EQ(0, pthread_create(&th[i], NULL,
					    i < WRITERS ? writer_thread :
					    reader_thread, &args[i]));
	}
	for (i = 0; i < WRITERS + READERS; i++)
		pthread_join(th[i], NULL);
	check_tally(_metadata, &t);
}

static void *blocking_reader_thread(void *arg)
{
	struct thread_arg *a = arg;
	struct wire_msg m;
	int fd = sm_open_group(a->id, O_RDONLY);

	while (read(fd, &m, sizeof(m)) == sizeof(m) && m.writer < WRITERS &&
	       m.seq < PER_WRITER)
		__atomic_add_fetch(&a->t->seen[m.writer][m.seq], 1,
				   __ATOMIC_SEQ_CST);
	close(fd);
	return NULL;
}

TEST_F(group, each_message_wakes_one_blocked_reader)
{
	static struct tally t;
	struct thread_arg arg = { .id = self->id, .t = &t };
	struct wire_msg m = { .writer = 0 };
	pthread_t th[READERS];
	unsigned int i, got = 0;

	for (i = 0; i < READERS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL,
					    blocking_reader_thread, &arg));
	sm_sleep_ms(300);
	for (m.seq = 0; m.seq < 200; m.seq++)
		ASSERT_EQ(sizeof(m), write(self->fd, &m, sizeof(m)));
	/* A message with writer == WRITERS tells a reader to stop. */
	m.writer = WRITERS;
	for (i = 0; i < READERS; i++)
		ASSERT_EQ(sizeof(m), write(self->fd, &m, sizeof(m)));
	for (i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 200; i++) {
		EXPECT_EQ(1, t.seen[0][i]) TH_LOG("message %u", i);
		got += t.seen[0][i];
	}
	EXPECT_EQ(200, got);
}

TEST_F(group, writev_posts_one_message_of_all_its_buffers)
{
	struct iovec iov[] = {
		{ "hel", 3 }, { "lo ", 3 }, { "", 0 }, { "world", 5 },
	};
	char buf[32] = { 0 };

	EXPECT_EQ(11, writev(self->fd, iov, 4));
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
	EXPECT_EQ(11, read(self->fd, buf, sizeof(buf)));
	EXPECT_STREQ("hello world", buf);
}

TEST_F(group, writev_with_a_bad_buffer_posts_nothing)
{
	void *unmapped = mmap(NULL, 4096, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov[] = { { "fine", 4 }, { unmapped, 16 } };

	ASSERT_NE(MAP_FAILED, unmapped);
	EXPECT_EQ(-1, writev(self->fd, iov, 2));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
	munmap(unmapped, 4096);
}

TEST_F(group, writev_is_checked_against_the_limits_as_a_whole)
{
	static char a[60], b[60];
	struct iovec iov[] = { { a, 60 }, { b, 60 } };
	long stored = sm_probe_bytes(self->fd, self->id, 120);

	ASSERT_EQ(120, stored);
	ASSERT_EQ(0, sm_param_set("max_message_size", 100));
	EXPECT_EQ(-1, writev(self->fd, iov, 2));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(0, sm_param_set("max_message_size", 120));
	ASSERT_EQ(0, sm_param_set("max_storage_size", stored - 1));
	EXPECT_EQ(-1, writev(self->fd, iov, 2));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	ASSERT_EQ(0, sm_param_set("max_storage_size", stored));
	EXPECT_EQ(120, writev(self->fd, iov, 2));
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
}

TEST_F(group, readv_scatters_one_message)
{
	char a[3], b[16] = { 0 };
	struct iovec iov[] = { { a, 3 }, { b, sizeof(b) } };

	ASSERT_EQ(8, write(self->fd, "abcdefgh", 8));
	ASSERT_EQ(2, write(self->fd, "ij", 2));
	EXPECT_EQ(8, readv(self->fd, iov, 2));
	EXPECT_EQ(0, memcmp(a, "abc", 3));
	EXPECT_STREQ("defgh", b);
	/* The second message stays for the next call. */
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
}

static void on_alarm(int sig)
{
}

TEST_F(group, readv_takes_one_message_and_does_not_block_for_more)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char a[4] = { 0 }, b[4] = { 0 };
	struct iovec iov[] = { { a, 3 }, { b, 3 } };

	/* Were readv to wait for a second message, the alarm would end it. */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(3, write(self->fd, "xyz", 3));
	alarm(5);
	EXPECT_EQ(3, readv(self->fd, iov, 2));
	EXPECT_LE(4, alarm(0)) TH_LOG("readv waited for more than one message");
	EXPECT_STREQ("xyz", a);
	EXPECT_STREQ("", b);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
}

TEST_F(group, readv_shorter_than_message_consumes_it)
{
	char a[2], b[2];
	struct iovec iov[] = { { a, 2 }, { b, 2 } };

	ASSERT_EQ(6, write(self->fd, "123456", 6));
	EXPECT_EQ(4, readv(self->fd, iov, 2));
	EXPECT_EQ(0, memcmp(a, "12", 2));
	EXPECT_EQ(0, memcmp(b, "34", 2));
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
}

struct out_poller {
	int fd;
	int ret;
	short revents;
};

static void *poll_out_run(void *arg)
{
	struct out_poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLOUT };

	p->ret = poll(&pfd, 1, 10000);
	p->revents = pfd.revents;
	return NULL;
}

TEST_F(group, raising_max_storage_size_wakes_writers_of_a_full_group)
{
	long stored = sm_probe_bytes(self->fd, self->id, 10);
	struct out_poller p = { .fd = self->fd };
	double start;
	pthread_t t;

	ASSERT_EQ(10, stored);
	ASSERT_EQ(0, sm_param_set("max_storage_size", stored));
	ASSERT_EQ(10, write(self->fd, "0123456789", 10));
	ASSERT_EQ(0, pthread_create(&t, NULL, poll_out_run, &p));
	sm_sleep_ms(300);
	start = sm_now();
	ASSERT_EQ(0, sm_param_set("max_storage_size", 2 * stored));
	ASSERT_EQ(0, pthread_join(t, NULL));
	/* Woken by the raise, not by the poll's timeout. */
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLOUT, p.revents);
	EXPECT_GT(5.0, sm_now() - start);
}

TEST_HARNESS_MAIN
