// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess SYNCHMESS_IOC_RECV: a read that tells what it took, who wrote
 * it and when, with a timeout, a non-blocking mode and a peek; and
 * SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED, a barrier sleep with a timeout.
 *
 * Under emulation on a loaded machine any call may return late, never
 * early: waits are asserted from below, and from above only by bounds of
 * seconds. Other users are children of the root test that drop to uids of
 * their own (no /etc/passwd needed).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define ALICE		1001U
#define BOB		1002U
#define ALICE_GID	2001U

#define MS		1000000ULL
#define SEC		1000000000ULL
/* Far longer than the event that should end the wait takes to come. */
#define LONG_WAIT_NS	(20 * SEC)
/* How late a call that should return at once may still be. */
#define SLOW_NS		(5 * SEC)
/* After this, SIGALRM ends a call that should not have waited. */
#define GUARD_S		10

FIXTURE(group) {
	__u32 id;
	int fd;
};

FIXTURE_SETUP(group)
{
	self->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(self->id, NULL));
	self->fd = sm_open_group(self->id, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open group: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(group)
{
	close(self->fd);
	sm_remove(self->id);
}

static void fill_recv(struct synchmess_recv *r, void *buf, __u32 len,
		      __u32 flags, __u64 timeout_ns)
{
	memset(r, 0, sizeof(*r));
	r->buf = sm_uptr(buf);
	r->buf_len = len;
	r->flags = flags;
	r->timeout_ns = timeout_ns;
}

/* SYNCHMESS_IOC_RECV into @buf: the bytes copied, or -errno. */
static int recv_msg(int fd, struct synchmess_recv *r, void *buf, __u32 len,
		    __u32 flags, __u64 timeout_ns)
{
	int ret;

	fill_recv(r, buf, len, flags, timeout_ns);
	ret = ioctl(fd, SYNCHMESS_IOC_RECV, r);
	return ret < 0 ? -errno : ret;
}

static int sleep_timed(int fd, struct synchmess_sleep *s, __u64 timeout_ns)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->timeout_ns = timeout_ns;
	ret = ioctl(fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED, s);
	return ret < 0 ? -errno : ret;
}

/* The message queued first is @want, and read() takes it. */
static void expect_first(struct __test_metadata *_metadata, int fd,
			 const char *want)
{
	char buf[64] = { 0 };

	EXPECT_EQ((int)strlen(want), sm_read_nonblock(fd, buf, sizeof(buf) - 1))
		TH_LOG("the message queued first is gone");
	EXPECT_STREQ(want, buf);
}

static int signalled;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&signalled, 1, __ATOMIC_SEQ_CST);
}

/* SIGUSR1 ends a wait; with SA_RESTART in @flags the call is restarted. */
static int catch_sigusr1(int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	return sigaction(SIGUSR1, &sa, NULL);
}

/*
 * A call that should return at once but waits ends with EINTR after
 * GUARD_S seconds, and so fails with a result that tells so, rather than
 * by the harness's timeout.
 */
static void guard_against_waiting(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGALRM, &sa, NULL);
	alarm(GUARD_S);
}

static bool wait_signalled(void)
{
	unsigned int tries;

	for (tries = 0; tries < 2000; tries++) {
		if (__atomic_load_n(&signalled, __ATOMIC_SEQ_CST))
			return true;
		sm_sleep_ms(10);
	}
	return false;
}

/* One ioctl run in a thread of its own, timed there. */
struct waiter {
	pthread_t thread;
	int fd;
	unsigned long req;
	void *arg;
	pid_t tid;
	int ret;	/* of the ioctl, or -errno */
	__u64 start_ns;
	__u64 end_ns;
};

static void *waiter_run(void *p)
{
	struct waiter *w = p;
	int ret;

	w->start_ns = sm_now_ns();
	__atomic_store_n(&w->tid, gettid(), __ATOMIC_SEQ_CST);
	ret = ioctl(w->fd, w->req, w->arg);
	w->ret = ret < 0 ? -errno : ret;
	w->end_ns = sm_now_ns();
	return NULL;
}

/*
 * Start ioctl(@fd, @req, @arg) in a thread and return once it sleeps in
 * it: whatever the test does next happens during the wait. False when it
 * never sleeps, as when the call returned at once.
 */
static bool start_waiter(struct waiter *w, int fd, unsigned long req,
			 void *arg)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->req = req;
	w->arg = arg;
	if (pthread_create(&w->thread, NULL, waiter_run, w))
		return false;
	while (!__atomic_load_n(&w->tid, __ATOMIC_SEQ_CST))
		sm_sleep_ms(1);
	return sm_thread_sleeps(w->tid);
}

/*
 * Fork a child that runs @fn(@fd, @id) and then stays, so that the
 * receiver meets a live writer, until *@hold is closed; the child's exit
 * status is what @fn returned. The child's pid, or -1.
 */
static pid_t fork_writer(int (*fn)(int, __u32), int fd, __u32 id, int *hold)
{
	int pipefd[2], ret;
	pid_t pid;
	char c;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(pipefd[1]);
		ret = fn(fd, id);
		if (read(pipefd[0], &c, 1) < 0)
			ret = 125;
		_exit(ret);
	}
	close(pipefd[0]);
	*hold = pipefd[1];
	return pid;
}

/* Let the child of fork_writer() go: its exit status, or -1. */
static int end_writer(pid_t pid, int hold)
{
	int status;

	close(hold);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int write_hello(int fd, __u32 id)
{
	(void)id;
	return write(fd, "hello", 5) == 5 ? 0 : errno;
}

/*
 * Drop to effective uid ALICE, real and saved uid BOB, so that only the
 * effective one names her; then write "alice" through @fd, or through a
 * file of her own when @fd < 0.
 */
static int write_as_alice(int fd, __u32 id)
{
	if (setgroups(0, NULL) ||
	    setresgid(ALICE_GID, ALICE_GID, ALICE_GID) ||
	    setresuid(BOB, ALICE, BOB))
		return 126;
	if (fd < 0)
		fd = sm_open_group(id, O_WRONLY);
	if (fd < 0)
		return -fd;
	return write(fd, "alice", 5) == 5 ? 0 : errno;
}

TEST_F(group, recv_takes_the_oldest_and_fills_the_lengths)
{
	struct synchmess_recv r;
	char buf[32] = { 0 };

	ASSERT_EQ(5, write(self->fd, "first", 5));
	ASSERT_EQ(6, write(self->fd, "second", 6));
	EXPECT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf), 0, 0));
	EXPECT_EQ(5U, r.msg_len);
	EXPECT_EQ(5U, r.copied);
	EXPECT_STREQ("first", buf);
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(6, recv_msg(self->fd, &r, buf, sizeof(buf), 0, 0));
	EXPECT_EQ(6U, r.msg_len);
	EXPECT_EQ(6U, r.copied);
	EXPECT_STREQ("second", buf);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
}

TEST_F(group, recv_and_read_take_from_one_queue)
{
	struct synchmess_recv r;
	char buf[8] = { 0 };

	ASSERT_EQ(1, write(self->fd, "a", 1));
	ASSERT_EQ(1, write(self->fd, "b", 1));
	ASSERT_EQ(1, write(self->fd, "c", 1));
	EXPECT_EQ(1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ(1, recv_msg(self->fd, &r, buf, sizeof(buf), 0, 0));
	EXPECT_EQ('b', buf[0]);
	EXPECT_EQ(1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ('c', buf[0]);
}

TEST_F(group, recv_short_buffer_copies_part_and_consumes_all)
{
	struct synchmess_recv r;
	char buf[8] = { 0 };

	ASSERT_EQ(6, write(self->fd, "abcdef", 6));
	ASSERT_EQ(2, write(self->fd, "gh", 2));
	EXPECT_EQ(3, recv_msg(self->fd, &r, buf, 3, 0, 0));
	EXPECT_EQ(6U, r.msg_len);
	EXPECT_EQ(3U, r.copied);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(0, buf[3]) TH_LOG("copied past buf_len");
	/* The rest of "abcdef" went with it, as with read(). */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(2, sm_read_nonblock(self->fd, buf, sizeof(buf)));
	EXPECT_STREQ("gh", buf);
}

/* A message is queued in each -EINVAL test: no call may wait, or take it. */
TEST_F(group, recv_unknown_flag_gives_einval)
{
	struct synchmess_recv r;
	char buf[16];

	ASSERT_EQ(4, write(self->fd, "keep", 4));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf),
				    1U << 3, 0));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf),
				    1U << 31, 0));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf),
				    SYNCHMESS_RECV_PEEK | 1U << 3, 0));
	expect_first(_metadata, self->fd, "keep");
}

TEST_F(group, recv_zero_buf_len_without_peek_gives_einval)
{
	struct synchmess_recv r;
	char buf[16];

	ASSERT_EQ(4, write(self->fd, "keep", 4));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, 0, 0, 0));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, NULL, 0,
				    SYNCHMESS_RECV_NONBLOCK, 0));
	expect_first(_metadata, self->fd, "keep");
}

TEST_F(group, recv_timeout_ns_without_timeout_flag_gives_einval)
{
	struct synchmess_recv r;
	char buf[16];

	ASSERT_EQ(4, write(self->fd, "keep", 4));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf), 0, 1));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf),
				    SYNCHMESS_RECV_NONBLOCK, SEC));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf),
				    SYNCHMESS_RECV_PEEK, SEC));
	expect_first(_metadata, self->fd, "keep");
}

TEST_F(group, recv_nonblock_with_timeout_gives_einval)
{
	const __u32 both = SYNCHMESS_RECV_NONBLOCK | SYNCHMESS_RECV_TIMEOUT;
	struct synchmess_recv r;
	char buf[16];

	ASSERT_EQ(4, write(self->fd, "keep", 4));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf), both, 0));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf), both, SEC));
	EXPECT_EQ(-EINVAL, recv_msg(self->fd, &r, buf, sizeof(buf),
				    both | SYNCHMESS_RECV_PEEK, SEC));
	expect_first(_metadata, self->fd, "keep");
}

TEST_F(group, recv_on_write_only_file_gives_ebadf)
{
	int wo = sm_open_group(self->id, O_WRONLY);
	struct synchmess_recv r;
	char buf[16];

	ASSERT_LE(0, wo);
	ASSERT_EQ(4, write(self->fd, "keep", 4));
	EXPECT_EQ(-EBADF, recv_msg(wo, &r, buf, sizeof(buf), 0, 0));
	EXPECT_EQ(-EBADF, recv_msg(wo, &r, buf, sizeof(buf),
				   SYNCHMESS_RECV_PEEK, 0));
	close(wo);
	expect_first(_metadata, self->fd, "keep");
}

TEST_F(group, recv_nonblock_on_empty_gives_eagain)
{
	struct synchmess_recv r;
	char buf[16];

	guard_against_waiting();
	EXPECT_EQ(-EAGAIN, recv_msg(self->fd, &r, buf, sizeof(buf),
				    SYNCHMESS_RECV_NONBLOCK, 0));
}

TEST_F(group, recv_on_o_nonblock_file_gives_eagain)
{
	int fd = sm_open_group(self->id, O_RDWR | O_NONBLOCK);
	struct synchmess_recv r;
	char buf[16];

	ASSERT_LE(0, fd);
	guard_against_waiting();
	EXPECT_EQ(-EAGAIN, recv_msg(fd, &r, buf, sizeof(buf), 0, 0));
	close(fd);
}

TEST_F(group, recv_timeout_on_empty_gives_etimedout_after_it)
{
	const __u64 timeout = 200 * MS;
	struct synchmess_recv r;
	__u64 start, took;
	char buf[16];

	start = sm_now_ns();
	EXPECT_EQ(-ETIMEDOUT, recv_msg(self->fd, &r, buf, sizeof(buf),
				       SYNCHMESS_RECV_TIMEOUT, timeout));
	took = sm_now_ns() - start;
	ksft_print_msg("RECV with a timeout of 200 ms returned after %.1f ms\n",
		       took / 1e6);
	EXPECT_LE(timeout, took) TH_LOG("timed out early");
	EXPECT_GT(timeout + SLOW_NS, took);
}

TEST_F(group, recv_zero_timeout_on_empty_gives_etimedout_at_once)
{
	struct synchmess_recv r;
	__u64 start, took;
	char buf[16];

	guard_against_waiting();
	start = sm_now_ns();
	EXPECT_EQ(-ETIMEDOUT, recv_msg(self->fd, &r, buf, sizeof(buf),
				       SYNCHMESS_RECV_TIMEOUT, 0));
	took = sm_now_ns() - start;
	EXPECT_GT(SLOW_NS, took);
}

TEST_F(group, recv_zero_timeout_takes_a_queued_message)
{
	struct synchmess_recv r;
	char buf[16] = { 0 };

	ASSERT_EQ(3, write(self->fd, "now", 3));
	guard_against_waiting();
	EXPECT_EQ(3, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_TIMEOUT, 0));
	EXPECT_STREQ("now", buf);
}

TEST_F(group, recv_timeout_is_cut_short_by_a_write)
{
	struct synchmess_recv r;
	char buf[16] = { 0 };
	struct waiter w;
	__u64 written;

	fill_recv(&r, buf, sizeof(buf), SYNCHMESS_RECV_TIMEOUT, LONG_WAIT_NS);
	ASSERT_TRUE(start_waiter(&w, self->fd, SYNCHMESS_IOC_RECV, &r))
		TH_LOG("RECV did not wait: %d", w.ret);
	written = sm_now_ns();
	ASSERT_EQ(4, write(self->fd, "wake", 4));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ksft_print_msg("RECV returned %.1f ms after the write\n",
		       (w.end_ns - written) / 1e6);
	EXPECT_EQ(4, w.ret);
	EXPECT_STREQ("wake", buf);
	/* Woken by the message, not at the end of the timeout. */
	EXPECT_GT(written + SLOW_NS, w.end_ns);
}

TEST_F(group, recv_signal_gives_eintr_and_the_time_left)
{
	struct synchmess_recv r;
	struct waiter w;
	__u64 left, took;
	char buf[16];

	/* Without SA_RESTART the wait surfaces as EINTR. */
	ASSERT_EQ(0, catch_sigusr1(0));
	fill_recv(&r, buf, sizeof(buf), SYNCHMESS_RECV_TIMEOUT, LONG_WAIT_NS);
	ASSERT_TRUE(start_waiter(&w, self->fd, SYNCHMESS_IOC_RECV, &r))
		TH_LOG("RECV did not wait: %d", w.ret);
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	left = r.timeout_ns;
	took = w.end_ns - w.start_ns;
	ksft_print_msg("interrupted after %.1f ms, %.1f ms of 20 s left\n",
		       took / 1e6, left / 1e6);
	EXPECT_EQ(-EINTR, w.ret);
	EXPECT_LT(0ULL, left);
	EXPECT_GT(LONG_WAIT_NS, left) TH_LOG("timeout_ns not rewritten");
	/* What it counts as used up passed during the call, a tick aside. */
	EXPECT_LE(LONG_WAIT_NS, left + took + 100 * MS);
}

TEST_F(group, recv_signal_with_sa_restart_restarts_and_gets_the_message)
{
	struct synchmess_recv r;
	char buf[16] = { 0 };
	struct waiter w;

	ASSERT_EQ(0, catch_sigusr1(SA_RESTART));
	fill_recv(&r, buf, sizeof(buf), SYNCHMESS_RECV_TIMEOUT, LONG_WAIT_NS);
	ASSERT_TRUE(start_waiter(&w, self->fd, SYNCHMESS_IOC_RECV, &r))
		TH_LOG("RECV did not wait: %d", w.ret);
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	/* Written after the handler ran: only a restarted call gets it. */
	ASSERT_TRUE(wait_signalled());
	sm_thread_sleeps(w.tid);
	ASSERT_EQ(5, write(self->fd, "again", 5));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	EXPECT_EQ(5, w.ret) TH_LOG("not restarted: %s", strerror(-w.ret));
	EXPECT_STREQ("again", buf);
}

TEST_F(group, removal_ends_waiting_recvs_with_eidrm)
{
	struct synchmess_recv plain, timed;
	char buf1[16], buf2[16];
	struct waiter w1, w2;
	struct synchmess_recv r;

	fill_recv(&plain, buf1, sizeof(buf1), 0, 0);
	fill_recv(&timed, buf2, sizeof(buf2), SYNCHMESS_RECV_TIMEOUT,
		  LONG_WAIT_NS);
	ASSERT_TRUE(start_waiter(&w1, self->fd, SYNCHMESS_IOC_RECV, &plain));
	ASSERT_TRUE(start_waiter(&w2, self->fd, SYNCHMESS_IOC_RECV, &timed));
	ASSERT_EQ(0, sm_remove(self->id));
	ASSERT_EQ(0, pthread_join(w1.thread, NULL));
	ASSERT_EQ(0, pthread_join(w2.thread, NULL));
	EXPECT_EQ(-EIDRM, w1.ret);
	EXPECT_EQ(-EIDRM, w2.ret);
	/* And so does every RECV after it. */
	EXPECT_EQ(-EIDRM, recv_msg(self->fd, &r, buf1, sizeof(buf1),
				   SYNCHMESS_RECV_NONBLOCK, 0));
}

TEST_F(group, peek_leaves_the_message_first)
{
	char buf[16] = { 0 }, again[16] = { 0 };
	struct synchmess_recv r;

	ASSERT_EQ(6, write(self->fd, "peeked", 6));
	ASSERT_EQ(4, write(self->fd, "next", 4));
	EXPECT_EQ(6, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_PEEK, 0));
	EXPECT_EQ(6U, r.msg_len);
	EXPECT_EQ(6U, r.copied);
	EXPECT_STREQ("peeked", buf);
	EXPECT_EQ(2, sm_figure(self->id, "messages"));
	EXPECT_EQ(6, sm_read_nonblock(self->fd, again, sizeof(again)));
	EXPECT_EQ(0, memcmp(buf, again, sizeof(buf)));
	expect_first(_metadata, self->fd, "next");
}

TEST_F(group, peek_reports_what_recv_then_reports)
{
	struct synchmess_recv p, r;
	char buf[16];

	ASSERT_EQ(5, write(self->fd, "twice", 5));
	ASSERT_EQ(5, recv_msg(self->fd, &p, buf, sizeof(buf),
			      SYNCHMESS_RECV_PEEK, 0));
	ASSERT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf), 0, 0));
	EXPECT_EQ(r.msg_len, p.msg_len);
	EXPECT_EQ(r.sender_pid, p.sender_pid);
	EXPECT_EQ(r.sender_uid, p.sender_uid);
	EXPECT_EQ(r.written_ns, p.written_ns);
	EXPECT_EQ(r.published_ns, p.published_ns);
}

TEST_F(group, peek_with_zero_buf_len_gives_the_length)
{
	struct synchmess_recv r;

	ASSERT_EQ(11, write(self->fd, "hello world", 11));
	EXPECT_EQ(0, recv_msg(self->fd, &r, NULL, 0, SYNCHMESS_RECV_PEEK, 0));
	EXPECT_EQ(11U, r.msg_len);
	EXPECT_EQ(0U, r.copied);
	expect_first(_metadata, self->fd, "hello world");
}

TEST_F(group, peek_into_short_buffer_leaves_the_whole_message)
{
	struct synchmess_recv r;
	char buf[8] = { 0 };

	ASSERT_EQ(6, write(self->fd, "abcdef", 6));
	EXPECT_EQ(3, recv_msg(self->fd, &r, buf, 3, SYNCHMESS_RECV_PEEK, 0));
	EXPECT_EQ(6U, r.msg_len);
	EXPECT_EQ(3U, r.copied);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(0, buf[3]) TH_LOG("copied past buf_len");
	expect_first(_metadata, self->fd, "abcdef");
}

TEST_F(group, peek_waits_on_empty_and_leaves_what_came)
{
	struct synchmess_recv r;
	char buf[16] = { 0 };
	struct waiter w;

	fill_recv(&r, buf, sizeof(buf), SYNCHMESS_RECV_PEEK, 0);
	ASSERT_TRUE(start_waiter(&w, self->fd, SYNCHMESS_IOC_RECV, &r))
		TH_LOG("PEEK did not wait: %d", w.ret);
	ASSERT_EQ(4, write(self->fd, "seen", 4));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	EXPECT_EQ(4, w.ret);
	EXPECT_STREQ("seen", buf);
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
	expect_first(_metadata, self->fd, "seen");
}

TEST_F(group, peek_nonblock_on_empty_gives_eagain)
{
	const __u32 flags = SYNCHMESS_RECV_PEEK | SYNCHMESS_RECV_NONBLOCK;
	struct synchmess_recv r;
	char buf[16];

	guard_against_waiting();
	EXPECT_EQ(-EAGAIN, recv_msg(self->fd, &r, buf, sizeof(buf), flags, 0));
	EXPECT_EQ(-EAGAIN, recv_msg(self->fd, &r, NULL, 0, flags, 0));
}

TEST_F(group, sender_of_own_write_is_this_process)
{
	struct synchmess_recv r;
	char buf[16];

	ASSERT_EQ(4, write(self->fd, "self", 4));
	ASSERT_EQ(4, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(getpid(), r.sender_pid);
	EXPECT_EQ(geteuid(), r.sender_uid);
}

struct thread_write {
	int fd;
	pid_t tid;
	ssize_t ret;
};

static void *thread_write_run(void *arg)
{
	struct thread_write *t = arg;

	t->tid = gettid();
	t->ret = write(t->fd, "thread", 6);
	return NULL;
}

TEST_F(group, sender_pid_of_a_threads_write_is_its_process)
{
	struct thread_write t = { .fd = self->fd };
	struct synchmess_recv r;
	pthread_t thread;
	char buf[16];

	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_write_run, &t));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_EQ(6, t.ret);
	ASSERT_NE(getpid(), t.tid);
	ASSERT_EQ(6, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(getpid(), r.sender_pid) TH_LOG("the thread's tid is %d",
						 t.tid);
}

TEST_F(group, sender_pid_is_the_forked_writers)
{
	struct synchmess_recv r;
	char buf[16];
	pid_t pid;
	int hold;

	pid = fork_writer(write_hello, self->fd, self->id, &hold);
	ASSERT_LT(0, pid);
	EXPECT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_TIMEOUT, LONG_WAIT_NS));
	EXPECT_EQ(pid, r.sender_pid);
	EXPECT_EQ(0, end_writer(pid, hold));
}

TEST_F(group, sender_uid_is_the_writers_effective_uid)
{
	char path[SYNCHMESS_PATH_LEN], buf[16];
	struct synchmess_recv r;
	pid_t pid;
	int hold;

	/* Alice opens the group herself. */
	sm_group_path(self->id, path, sizeof(path));
	ASSERT_EQ(0, chmod(path, 0666));
	pid = fork_writer(write_as_alice, -1, self->id, &hold);
	ASSERT_LT(0, pid);
	EXPECT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_TIMEOUT, LONG_WAIT_NS));
	EXPECT_EQ(ALICE, r.sender_uid);
	EXPECT_EQ(pid, r.sender_pid);
	EXPECT_EQ(0, end_writer(pid, hold));
}

TEST_F(group, sender_uid_is_the_writers_not_the_openers)
{
	struct synchmess_recv r;
	char buf[16];
	pid_t pid;
	int hold;

	/* A file root opened, written through after Alice took it over. */
	pid = fork_writer(write_as_alice, self->fd, self->id, &hold);
	ASSERT_LT(0, pid);
	EXPECT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_TIMEOUT, LONG_WAIT_NS));
	EXPECT_EQ(ALICE, r.sender_uid);
	EXPECT_EQ(pid, r.sender_pid);
	EXPECT_EQ(0, end_writer(pid, hold));
}

TEST_F(group, sender_pid_is_zero_once_the_writer_has_exited)
{
	struct synchmess_recv r;
	char buf[16];
	pid_t pid;
	int hold;

	pid = fork_writer(write_hello, self->fd, self->id, &hold);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, end_writer(pid, hold));
	ASSERT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(0, r.sender_pid) TH_LOG("writer was %d", pid);
}

/*
 * The group holds its first writer's struct pid, and a later writer's
 * message holds its own: each still names its writer while it lives, and
 * the later one's is 0 once that writer has exited.
 */
TEST_F(group, sender_pid_of_a_later_writer_outlives_the_first)
{
	struct synchmess_recv r;
	char buf[16];
	pid_t pid;
	int hold;

	ASSERT_EQ(5, write(self->fd, "first", 5));
	pid = fork_writer(write_hello, self->fd, self->id, &hold);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, end_writer(pid, hold));
	ASSERT_EQ(5, write(self->fd, "third", 5));

	ASSERT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	EXPECT_EQ(getpid(), r.sender_pid);
	ASSERT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(0, r.sender_pid) TH_LOG("writer was %d", pid);
	ASSERT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(0, memcmp(buf, "third", 5));
	EXPECT_EQ(getpid(), r.sender_pid);
}

TEST_F(group, written_ns_lies_between_clock_reads_around_the_write)
{
	struct synchmess_recv r;
	__u64 before, after;
	char buf[16];

	before = sm_now_ns();
	ASSERT_EQ(4, write(self->fd, "when", 4));
	after = sm_now_ns();
	ASSERT_EQ(4, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_LE(before, r.written_ns);
	EXPECT_GE(after, r.written_ns);
}

TEST_F(group, published_ns_is_written_ns_without_delay)
{
	struct synchmess_recv r;
	__u64 last = 0;
	char buf[16];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(1, write(self->fd, "n", 1));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, recv_msg(self->fd, &r, buf, sizeof(buf),
				      SYNCHMESS_RECV_NONBLOCK, 0));
		EXPECT_EQ(r.written_ns, r.published_ns) TH_LOG("message %d", i);
		EXPECT_LE(last, r.written_ns) TH_LOG("message %d", i);
		last = r.written_ns;
	}
}

TEST_F(group, published_ns_is_at_least_the_send_delay_after_written_ns)
{
	struct synchmess_recv r;
	__u32 delay_ms = 100;
	__u64 before, after, done;
	char buf[16];

	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay_ms));
	before = sm_now_ns();
	ASSERT_EQ(5, write(self->fd, "later", 5));
	after = sm_now_ns();
	ASSERT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_TIMEOUT, LONG_WAIT_NS));
	done = sm_now_ns();
	ksft_print_msg("published %.1f ms after the write, delay 100 ms\n",
		       (r.published_ns - r.written_ns) / 1e6);
	EXPECT_LE(before, r.written_ns);
	EXPECT_GE(after, r.written_ns);
	EXPECT_LE(r.written_ns + delay_ms * MS, r.published_ns);
	EXPECT_GE(done, r.published_ns);
}

TEST_F(group, flushed_message_is_published_at_the_fsync)
{
	struct synchmess_recv r;
	__u32 delay_ms = 600000;
	__u64 before, after;
	char buf[16];

	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay_ms));
	ASSERT_EQ(5, write(self->fd, "early", 5));
	before = sm_now_ns();
	ASSERT_EQ(0, fsync(self->fd));
	after = sm_now_ns();
	ASSERT_EQ(5, recv_msg(self->fd, &r, buf, sizeof(buf),
			      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_LE(before, r.published_ns);
	EXPECT_GE(after, r.published_ns);
	EXPECT_LE(r.written_ns, r.published_ns);
	EXPECT_GT(r.written_ns + delay_ms * MS, r.published_ns);
}

TEST_F(group, recv_bad_struct_pointer_gives_efault)
{
	void *none = sm_map_page(PROT_NONE);

	ASSERT_TRUE(none != MAP_FAILED);
	ASSERT_EQ(4, write(self->fd, "keep", 4));
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_RECV, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_RECV, none));
	EXPECT_EQ(EFAULT, errno);
	expect_first(_metadata, self->fd, "keep");
	munmap(none, 4096);
}

/*
 * A struct RECV can read but not fill: taking the message and failing to
 * say so would lose it.
 */
TEST_F(group, recv_read_only_struct_gives_efault_and_loses_nothing)
{
	struct synchmess_recv *r = sm_map_page(PROT_READ | PROT_WRITE);
	char buf[16];

	ASSERT_TRUE(r != MAP_FAILED);
	ASSERT_EQ(4, write(self->fd, "keep", 4));
	fill_recv(r, buf, sizeof(buf), 0, 0);
	ASSERT_EQ(0, mprotect(r, 4096, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_RECV, r));
	EXPECT_EQ(EFAULT, errno);
	expect_first(_metadata, self->fd, "keep");
	munmap(r, 4096);
}

TEST_F(group, recv_bad_buffer_gives_efault_and_keeps_the_message)
{
	void *none = sm_map_page(PROT_NONE);
	void *ro = sm_map_page(PROT_READ);
	struct synchmess_recv r;

	ASSERT_TRUE(none != MAP_FAILED);
	ASSERT_TRUE(ro != MAP_FAILED);
	ASSERT_EQ(5, write(self->fd, "first", 5));
	ASSERT_EQ(6, write(self->fd, "second", 6));
	EXPECT_EQ(-EFAULT, recv_msg(self->fd, &r, ro, 16, 0, 0));
	EXPECT_EQ(-EFAULT, recv_msg(self->fd, &r, none, 16, 0, 0));
	EXPECT_EQ(-EFAULT, recv_msg(self->fd, &r, ro, 16,
				    SYNCHMESS_RECV_PEEK, 0));
	EXPECT_EQ(2, sm_figure(self->id, "messages"));
	expect_first(_metadata, self->fd, "first");
	munmap(none, 4096);
	munmap(ro, 4096);
}

TEST_F(group, timed_sleep_times_out_with_etimedout)
{
	const __u64 timeout = 200 * MS;
	struct synchmess_sleep s;
	__u64 start, took;

	start = sm_now_ns();
	EXPECT_EQ(-ETIMEDOUT, sleep_timed(self->fd, &s, timeout));
	took = sm_now_ns() - start;
	ksft_print_msg("timed sleep of 200 ms returned after %.1f ms\n",
		       took / 1e6);
	EXPECT_LE(timeout, took) TH_LOG("timed out early");
	EXPECT_GT(timeout + SLOW_NS, took);
	/* It left the barrier: an awake finds no one there. */
	EXPECT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
}

TEST_F(group, timed_sleep_is_ended_by_awake)
{
	struct synchmess_sleep s = { .timeout_ns = LONG_WAIT_NS };
	struct waiter w;

	ASSERT_TRUE(start_waiter(&w, self->fd,
				 SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED, &s))
		TH_LOG("the timed sleep did not sleep: %d", w.ret);
	EXPECT_EQ(1, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	EXPECT_EQ(0, w.ret);
}

TEST_F(group, awake_counts_timed_and_untimed_sleepers)
{
	struct synchmess_sleep s = { .timeout_ns = LONG_WAIT_NS };
	struct waiter timed, plain;

	ASSERT_TRUE(start_waiter(&timed, self->fd,
				 SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED, &s));
	ASSERT_TRUE(start_waiter(&plain, self->fd,
				 SYNCHMESS_IOC_SLEEP_ON_BARRIER, NULL));
	EXPECT_EQ(2, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	ASSERT_EQ(0, pthread_join(timed.thread, NULL));
	ASSERT_EQ(0, pthread_join(plain.thread, NULL));
	EXPECT_EQ(0, timed.ret);
	EXPECT_EQ(0, plain.ret);
}

/* A sleep that should not start would end after LONG_WAIT_NS: too late. */
TEST_F(group, timed_sleep_nonzero_flags_gives_einval)
{
	struct synchmess_sleep s = { .timeout_ns = LONG_WAIT_NS, .flags = 1 };
	__u64 start = sm_now_ns();

	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED,
			    &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_GT(start + SLOW_NS, sm_now_ns());
}

TEST_F(group, timed_sleep_nonzero_reserved_gives_einval)
{
	struct synchmess_sleep s = {
		.timeout_ns = LONG_WAIT_NS, .reserved = 1U << 31,
	};
	__u64 start = sm_now_ns();

	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED,
			    &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_GT(start + SLOW_NS, sm_now_ns());
}

TEST_F(group, timed_sleep_signal_gives_eintr_and_the_time_left)
{
	struct synchmess_sleep s = { .timeout_ns = LONG_WAIT_NS };
	struct waiter w;
	__u64 took;

	ASSERT_EQ(0, catch_sigusr1(0));
	ASSERT_TRUE(start_waiter(&w, self->fd,
				 SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED, &s))
		TH_LOG("the timed sleep did not sleep: %d", w.ret);
	ASSERT_EQ(0, pthread_kill(w.thread, SIGUSR1));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	took = w.end_ns - w.start_ns;
	ksft_print_msg("interrupted after %.1f ms, %.1f ms of 20 s left\n",
		       took / 1e6, s.timeout_ns / 1e6);
	EXPECT_EQ(-EINTR, w.ret);
	EXPECT_LT(0ULL, s.timeout_ns);
	EXPECT_GT(LONG_WAIT_NS, s.timeout_ns)
		TH_LOG("timeout_ns not rewritten");
	EXPECT_LE(LONG_WAIT_NS, s.timeout_ns + took + 100 * MS);
	EXPECT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
}

TEST_F(group, timed_sleep_ends_with_eidrm_on_removal)
{
	struct synchmess_sleep s = { .timeout_ns = LONG_WAIT_NS };
	struct waiter w;

	ASSERT_TRUE(start_waiter(&w, self->fd,
				 SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED, &s))
		TH_LOG("the timed sleep did not sleep: %d", w.ret);
	ASSERT_EQ(0, sm_remove(self->id));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	EXPECT_EQ(-EIDRM, w.ret);
}

TEST_HARNESS_MAIN
