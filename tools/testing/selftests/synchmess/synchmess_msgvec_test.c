// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess SYNCHMESS_IOC_SEND_BATCH and SYNCHMESS_IOC_RECV_BATCH: many
 * messages in one call, each moved as write() and read() would move it. A
 * batch keeps order and bytes, takes only what is there, stops at the first
 * entry that fails and tells how far it got, and loses or repeats nothing
 * when batch and plain writers and readers share a group.
 *
 * Waits are asserted from below, and from above only by bounds of seconds:
 * under emulation any call may return late, never early.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define MS		1000000ULL
#define SEC		1000000000ULL
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

/* Batch ioctl @req over @count entries of @vec: its result, or -errno. */
static int batch(int fd, unsigned long req, struct synchmess_msgvec *vec,
		 __u32 count, __u32 flags, __u64 timeout_ns)
{
	struct synchmess_batch b = {
		.vec = sm_uptr(vec),
		.count = count,
		.flags = flags,
		.timeout_ns = timeout_ns,
	};
	int ret = ioctl(fd, req, &b);

	return ret < 0 ? -errno : ret;
}

static int send_batch(int fd, struct synchmess_msgvec *vec, __u32 count)
{
	return batch(fd, SYNCHMESS_IOC_SEND_BATCH, vec, count, 0, 0);
}

static int recv_batch(int fd, struct synchmess_msgvec *vec, __u32 count,
		      __u32 flags, __u64 timeout_ns)
{
	return batch(fd, SYNCHMESS_IOC_RECV_BATCH, vec, count, flags,
		     timeout_ns);
}

static void set_entry(struct synchmess_msgvec *v, const void *buf, __u32 len)
{
	v->buf = sm_uptr(buf);
	v->len = len;
	v->msg_len = 0;
}

/* Message @i of a test, @len bytes that differ from those of its neighbours. */
static void make_msg(char *buf, unsigned int i, unsigned int len)
{
	unsigned int j;

	for (j = 0; j < len; j++)
		buf[j] = (char)('A' + (i * 7 + j) % 26);
}

/* Post "m0" to "m<n-1>" one write() each. */
static int write_numbered(int fd, unsigned int n)
{
	char buf[16];
	unsigned int i;
	int len;

	for (i = 0; i < n; i++) {
		len = snprintf(buf, sizeof(buf), "m%u", i);
		if (write(fd, buf, len) != len)
			return -1;
	}
	return 0;
}

/* The next message read() takes is @want. */
static void expect_next(struct __test_metadata *_metadata, int fd,
			const char *want)
{
	char buf[64] = { 0 };

	EXPECT_EQ((int)strlen(want), sm_read_nonblock(fd, buf, sizeof(buf) - 1))
		TH_LOG("wanted %s next", want);
	EXPECT_STREQ(want, buf);
}

/* The next @n messages are those of make_msg(@first...) of @len bytes. */
static void expect_made(struct __test_metadata *_metadata, int fd,
			unsigned int first, unsigned int n, unsigned int len)
{
	char want[64], buf[64];
	unsigned int i;

	for (i = first; i < first + n; i++) {
		make_msg(want, i, len);
		EXPECT_EQ((int)len, sm_read_nonblock(fd, buf, sizeof(buf)))
			TH_LOG("message %u", i);
		EXPECT_EQ(0, memcmp(want, buf, len)) TH_LOG("message %u", i);
	}
}

static int set_limits(int fd, __u32 message_size, __u32 storage_size,
		      __u32 messages)
{
	struct synchmess_limits l = {
		.max_message_size = message_size,
		.max_storage_size = storage_size,
		.max_messages = messages,
	};

	return ioctl(fd, SYNCHMESS_IOC_SET_LIMITS, &l) ? -errno : 0;
}

static void on_signal(int sig)
{
	(void)sig;
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

#define ROUND	32

TEST_F(group, round_trip_of_32_keeps_order_and_every_byte)
{
	static char out[ROUND][64], in[ROUND][64];
	struct synchmess_msgvec sv[ROUND], rv[ROUND];
	unsigned int i;

	for (i = 0; i < ROUND; i++) {
		/* Lengths 1 to 32: a message's length comes back with it. */
		make_msg(out[i], i, i + 1);
		set_entry(&sv[i], out[i], i + 1);
		set_entry(&rv[i], in[i], sizeof(in[i]));
	}
	ASSERT_EQ(ROUND, send_batch(self->fd, sv, ROUND));
	EXPECT_EQ(ROUND, sm_figure(self->id, "messages"));
	ASSERT_EQ(ROUND, recv_batch(self->fd, rv, ROUND,
				    SYNCHMESS_RECV_NONBLOCK, 0));
	for (i = 0; i < ROUND; i++) {
		EXPECT_EQ(i + 1, rv[i].msg_len) TH_LOG("entry %u", i);
		EXPECT_EQ(0, memcmp(out[i], in[i], i + 1))
			TH_LOG("entry %u", i);
	}
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
}

TEST_F(group, send_batch_posts_each_entry_as_one_message)
{
	struct synchmess_msgvec v[3];
	char buf[16] = { 0 };

	set_entry(&v[0], "one", 3);
	set_entry(&v[1], "two!", 4);
	set_entry(&v[2], "three", 5);
	ASSERT_EQ(3, send_batch(self->fd, v, 3));
	EXPECT_EQ(3, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(4, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(5, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "three", 5));
}

TEST_F(group, recv_batch_short_entry_copies_part_and_consumes_all)
{
	struct synchmess_msgvec v;
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(10, write(self->fd, "0123456789", 10));
	set_entry(&v, buf, 4);
	ASSERT_EQ(1, recv_batch(self->fd, &v, 1, SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(10U, v.msg_len);
	EXPECT_EQ(0, memcmp(buf, "0123xxxx", 8)) TH_LOG("copied past len");
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
}

TEST_F(group, recv_batch_takes_only_what_is_there)
{
	struct synchmess_msgvec v[ROUND];
	static char in[ROUND][16];
	__u64 start, took;
	unsigned int i;

	ASSERT_EQ(0, write_numbered(self->fd, 3));
	for (i = 0; i < ROUND; i++)
		set_entry(&v[i], in[i], sizeof(in[i]));
	guard_against_waiting();
	start = sm_now_ns();
	/* Blocking: it waits for the first message only. */
	EXPECT_EQ(3, recv_batch(self->fd, v, ROUND, 0, 0));
	took = sm_now_ns() - start;
	EXPECT_GT(SLOW_NS, took);
	EXPECT_STREQ("m0", in[0]);
	EXPECT_STREQ("m1", in[1]);
	EXPECT_STREQ("m2", in[2]);
	EXPECT_EQ(2U, v[2].msg_len);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
}

TEST_F(group, recv_batch_nonblock_on_empty_gives_eagain)
{
	struct synchmess_msgvec v[4];
	char buf[4][16];
	unsigned int i;

	for (i = 0; i < 4; i++)
		set_entry(&v[i], buf[i], sizeof(buf[i]));
	guard_against_waiting();
	EXPECT_EQ(-EAGAIN, recv_batch(self->fd, v, 4,
				      SYNCHMESS_RECV_NONBLOCK, 0));
}

TEST_F(group, recv_batch_on_o_nonblock_file_gives_eagain)
{
	int fd = sm_open_group(self->id, O_RDONLY | O_NONBLOCK);
	struct synchmess_msgvec v;
	char buf[16];

	ASSERT_LE(0, fd);
	set_entry(&v, buf, sizeof(buf));
	guard_against_waiting();
	EXPECT_EQ(-EAGAIN, recv_batch(fd, &v, 1, 0, 0));
	close(fd);
}

TEST_F(group, recv_batch_timeout_on_empty_gives_etimedout_after_it)
{
	const __u64 timeout = 100 * MS;
	struct synchmess_msgvec v;
	__u64 start, took;
	char buf[16];

	set_entry(&v, buf, sizeof(buf));
	start = sm_now_ns();
	EXPECT_EQ(-ETIMEDOUT, recv_batch(self->fd, &v, 1,
					 SYNCHMESS_RECV_TIMEOUT, timeout));
	took = sm_now_ns() - start;
	ksft_print_msg("RECV_BATCH, timeout 100 ms, returned after %.1f ms\n",
		       took / 1e6);
	EXPECT_LE(timeout, took) TH_LOG("timed out early");
	EXPECT_GT(timeout + SLOW_NS, took);
}

struct late_write {
	int fd;
	__u64 written_ns;
	ssize_t ret;
};

static void *late_write_run(void *arg)
{
	struct late_write *l = arg;

	sm_sleep_ms(300);
	l->written_ns = sm_now_ns();
	l->ret = write(l->fd, "late", 4);
	return NULL;
}

TEST_F(group, recv_batch_on_empty_waits_for_a_write_and_returns_one)
{
	struct late_write l = { .fd = self->fd };
	struct synchmess_msgvec v[ROUND];
	static char in[ROUND][16];
	unsigned int i;
	pthread_t t;
	__u64 done;

	for (i = 0; i < ROUND; i++)
		set_entry(&v[i], in[i], sizeof(in[i]));
	ASSERT_EQ(0, pthread_create(&t, NULL, late_write_run, &l));
	EXPECT_EQ(1, recv_batch(self->fd, v, ROUND, 0, 0));
	done = sm_now_ns();
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(4, l.ret);
	EXPECT_EQ(4U, v[0].msg_len);
	EXPECT_STREQ("late", in[0]);
	EXPECT_LE(l.written_ns, done) TH_LOG("returned before the write");
}

/*
 * In the -EINVAL tests of RECV_BATCH three messages are queued: no call
 * may wait, and none may take one.
 */
static void fill_entries(struct synchmess_msgvec *v, char (*bufs)[16],
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		set_entry(&v[i], bufs[i], 16);
}

static void expect_three_left(struct __test_metadata *_metadata,
			      struct _test_data_group *self)
{
	EXPECT_EQ(3, sm_figure(self->id, "messages"));
	expect_next(_metadata, self->fd, "m0");
}

TEST_F(group, recv_batch_count_zero_gives_einval)
{
	struct synchmess_msgvec v[4];
	char bufs[4][16];

	ASSERT_EQ(0, write_numbered(self->fd, 3));
	fill_entries(v, bufs, 4);
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 0, 0, 0));
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 0,
				      SYNCHMESS_RECV_NONBLOCK, 0));
	expect_three_left(_metadata, self);
}

TEST_F(group, recv_batch_count_above_max_gives_einval)
{
	static struct synchmess_msgvec v[SYNCHMESS_BATCH_MAX + 1];
	static char buf[16];
	unsigned int i;

	ASSERT_EQ(0, write_numbered(self->fd, 3));
	/* A vector of that many good entries: the count alone is wrong. */
	for (i = 0; i <= SYNCHMESS_BATCH_MAX; i++)
		set_entry(&v[i], buf, sizeof(buf));
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, SYNCHMESS_BATCH_MAX + 1,
				      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, UINT32_MAX,
				      SYNCHMESS_RECV_NONBLOCK, 0));
	expect_three_left(_metadata, self);
}

TEST_F(group, recv_batch_bad_flags_give_einval)
{
	struct synchmess_msgvec v[4];
	char bufs[4][16];

	ASSERT_EQ(0, write_numbered(self->fd, 3));
	fill_entries(v, bufs, 4);
	/* No peeking at a batch. */
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 4, SYNCHMESS_RECV_PEEK, 0));
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 4, 1U << 3, 0));
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 4, 1U << 31, 0));
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 4,
				      SYNCHMESS_RECV_NONBLOCK |
				      SYNCHMESS_RECV_TIMEOUT, SEC));
	expect_three_left(_metadata, self);
}

TEST_F(group, recv_batch_timeout_ns_without_timeout_flag_gives_einval)
{
	struct synchmess_msgvec v[4];
	char bufs[4][16];

	ASSERT_EQ(0, write_numbered(self->fd, 3));
	fill_entries(v, bufs, 4);
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 4, 0, 1));
	EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 4,
				      SYNCHMESS_RECV_NONBLOCK, SEC));
	expect_three_left(_metadata, self);
}

/* Also past the three messages there: the whole vector is checked. */
TEST_F(group, recv_batch_zero_len_entry_anywhere_gives_einval_takes_nothing)
{
	static const unsigned int where[] = { 0, 1, 2, 7 };
	struct synchmess_msgvec v[8];
	char bufs[8][16];
	unsigned int i;

	ASSERT_EQ(0, write_numbered(self->fd, 3));
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		fill_entries(v, bufs, 8);
		v[where[i]].len = 0;
		EXPECT_EQ(-EINVAL, recv_batch(self->fd, v, 8,
					      SYNCHMESS_RECV_NONBLOCK, 0))
			TH_LOG("len 0 in entry %u", where[i]);
	}
	expect_three_left(_metadata, self);
}

/* In the -EINVAL tests of SEND_BATCH the entries are good, but for one. */
static void fill_made(struct synchmess_msgvec *v, char (*bufs)[16],
		      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		make_msg(bufs[i], i, 5);
		set_entry(&v[i], bufs[i], 5);
	}
}

static void expect_nothing_posted(struct __test_metadata *_metadata,
				  struct _test_data_group *self)
{
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	EXPECT_EQ(0, sm_figure(self->id, "delayed"));
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
}

TEST_F(group, send_batch_count_zero_gives_einval)
{
	struct synchmess_msgvec v[4];
	char bufs[4][16];

	fill_made(v, bufs, 4);
	EXPECT_EQ(-EINVAL, send_batch(self->fd, v, 0));
	expect_nothing_posted(_metadata, self);
}

TEST_F(group, send_batch_count_above_max_gives_einval)
{
	static struct synchmess_msgvec v[SYNCHMESS_BATCH_MAX + 1];
	unsigned int i;

	for (i = 0; i <= SYNCHMESS_BATCH_MAX; i++)
		set_entry(&v[i], "x", 1);
	EXPECT_EQ(-EINVAL, send_batch(self->fd, v, SYNCHMESS_BATCH_MAX + 1));
	EXPECT_EQ(-EINVAL, send_batch(self->fd, v, UINT32_MAX));
	expect_nothing_posted(_metadata, self);
}

TEST_F(group, send_batch_flags_or_timeout_give_einval)
{
	struct synchmess_msgvec v[4];
	char bufs[4][16];

	fill_made(v, bufs, 4);
	EXPECT_EQ(-EINVAL, batch(self->fd, SYNCHMESS_IOC_SEND_BATCH, v, 4,
				 SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(-EINVAL, batch(self->fd, SYNCHMESS_IOC_SEND_BATCH, v, 4,
				 1U << 31, 0));
	EXPECT_EQ(-EINVAL, batch(self->fd, SYNCHMESS_IOC_SEND_BATCH, v, 4,
				 0, 1));
	EXPECT_EQ(-EINVAL, batch(self->fd, SYNCHMESS_IOC_SEND_BATCH, v, 4,
				 SYNCHMESS_RECV_TIMEOUT, SEC));
	expect_nothing_posted(_metadata, self);
}

TEST_F(group, send_batch_zero_len_entry_anywhere_gives_einval_posts_nothing)
{
	struct synchmess_msgvec v[4];
	char bufs[4][16];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		fill_made(v, bufs, 4);
		v[i].len = 0;
		EXPECT_EQ(-EINVAL, send_batch(self->fd, v, 4))
			TH_LOG("len 0 in entry %u", i);
	}
	expect_nothing_posted(_metadata, self);
}

TEST_F(group, send_batch_msg_len_set_gives_einval_posts_nothing)
{
	struct synchmess_msgvec v[4];
	char bufs[4][16];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		fill_made(v, bufs, 4);
		v[i].msg_len = 5;
		EXPECT_EQ(-EINVAL, send_batch(self->fd, v, 4))
			TH_LOG("msg_len set in entry %u", i);
	}
	expect_nothing_posted(_metadata, self);
}

TEST_F(group, batches_of_batch_max_entries_are_accepted)
{
	static struct synchmess_msgvec v[SYNCHMESS_BATCH_MAX];
	static unsigned char out[SYNCHMESS_BATCH_MAX], in[SYNCHMESS_BATCH_MAX];
	unsigned int i, wrong = 0;

	for (i = 0; i < SYNCHMESS_BATCH_MAX; i++) {
		out[i] = (unsigned char)(i * 13);
		set_entry(&v[i], &out[i], 1);
	}
	ASSERT_EQ(SYNCHMESS_BATCH_MAX,
		  send_batch(self->fd, v, SYNCHMESS_BATCH_MAX));
	for (i = 0; i < SYNCHMESS_BATCH_MAX; i++)
		set_entry(&v[i], &in[i], 1);
	ASSERT_EQ(SYNCHMESS_BATCH_MAX,
		  recv_batch(self->fd, v, SYNCHMESS_BATCH_MAX,
			     SYNCHMESS_RECV_NONBLOCK, 0));
	for (i = 0; i < SYNCHMESS_BATCH_MAX; i++)
		wrong += in[i] != out[i] || v[i].msg_len != 1;
	EXPECT_EQ(0U, wrong);
}

TEST_F(group, recv_batch_on_write_only_file_gives_ebadf)
{
	int wo = sm_open_group(self->id, O_WRONLY);
	struct synchmess_msgvec v[4];
	char bufs[4][16];

	ASSERT_LE(0, wo);
	ASSERT_EQ(0, write_numbered(self->fd, 3));
	fill_entries(v, bufs, 4);
	EXPECT_EQ(-EBADF, recv_batch(wo, v, 4, SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(-EBADF, recv_batch(wo, v, 4, 0, 0));
	close(wo);
	expect_three_left(_metadata, self);
}

TEST_F(group, send_batch_on_read_only_file_gives_ebadf)
{
	int ro = sm_open_group(self->id, O_RDONLY);
	struct synchmess_msgvec v[4];
	char bufs[4][16];

	ASSERT_LE(0, ro);
	fill_made(v, bufs, 4);
	EXPECT_EQ(-EBADF, send_batch(ro, v, 4));
	close(ro);
	expect_nothing_posted(_metadata, self);
}

TEST_F(group, send_batch_stops_before_an_oversize_entry)
{
	static const unsigned int lens[8] = { 5, 5, 5, 5, 11, 5, 5, 5 };
	struct synchmess_msgvec v[8];
	char bufs[8][16];
	unsigned int i;

	ASSERT_EQ(0, set_limits(self->fd, 10, 0, 0));
	for (i = 0; i < 8; i++) {
		make_msg(bufs[i], i, lens[i]);
		set_entry(&v[i], bufs[i], lens[i]);
	}
	EXPECT_EQ(4, send_batch(self->fd, v, 8));
	EXPECT_EQ(4, sm_figure(self->id, "messages"));
	expect_made(_metadata, self->fd, 0, 4, 5);
	/* Nothing of what came after the oversize entry. */
	EXPECT_EQ(-EAGAIN, sm_read_nonblock(self->fd, bufs[0], 16));
}

TEST_F(group, send_batch_oversize_first_entry_gives_emsgsize)
{
	struct synchmess_msgvec v[2];
	char bufs[2][16];

	ASSERT_EQ(0, set_limits(self->fd, 10, 0, 0));
	make_msg(bufs[0], 0, 11);
	make_msg(bufs[1], 1, 5);
	set_entry(&v[0], bufs[0], 11);
	set_entry(&v[1], bufs[1], 5);
	EXPECT_EQ(-EMSGSIZE, send_batch(self->fd, v, 2));
	expect_nothing_posted(_metadata, self);
}

TEST_F(group, send_batch_stops_when_max_messages_is_reached)
{
	struct synchmess_msgvec v[8];
	char bufs[8][16];

	ASSERT_EQ(0, set_limits(self->fd, 0, 0, 5));
	fill_made(v, bufs, 8);
	EXPECT_EQ(5, send_batch(self->fd, v, 8));
	EXPECT_EQ(5, sm_figure(self->id, "messages"));
	/* Full: now the first entry fails, and its error comes back. */
	EXPECT_EQ(-ENOSPC, send_batch(self->fd, &v[5], 3));
	EXPECT_EQ(5, sm_figure(self->id, "messages"));
	expect_made(_metadata, self->fd, 0, 5, 5);
	EXPECT_EQ(-EAGAIN, sm_read_nonblock(self->fd, bufs[0], 16));
}

TEST_F(group, send_batch_stops_when_storage_is_full)
{
	struct synchmess_msgvec v[8];
	char bufs[8][16];

	/* Payload bytes: four messages of 5 fill 20. */
	ASSERT_EQ(0, set_limits(self->fd, 0, 20, 0));
	fill_made(v, bufs, 8);
	EXPECT_EQ(4, send_batch(self->fd, v, 8));
	EXPECT_EQ(4, sm_figure(self->id, "messages"));
	EXPECT_EQ(20, sm_figure(self->id, "bytes"));
	EXPECT_EQ(-ENOSPC, send_batch(self->fd, &v[4], 4));
	expect_made(_metadata, self->fd, 0, 4, 5);
	EXPECT_EQ(-EAGAIN, sm_read_nonblock(self->fd, bufs[0], 16));
}

TEST_F(group, send_batch_stops_at_a_bad_buffer)
{
	void *none = sm_map_page(PROT_NONE);
	struct synchmess_msgvec v[5];
	char bufs[5][16];

	ASSERT_TRUE(none != MAP_FAILED);
	fill_made(v, bufs, 5);
	set_entry(&v[2], none, 5);
	EXPECT_EQ(2, send_batch(self->fd, v, 5));
	EXPECT_EQ(2, sm_figure(self->id, "messages"));
	expect_made(_metadata, self->fd, 0, 2, 5);
	EXPECT_EQ(-EAGAIN, sm_read_nonblock(self->fd, bufs[0], 16));
	munmap(none, 4096);
}

TEST_F(group, send_batch_bad_first_buffer_gives_efault)
{
	void *none = sm_map_page(PROT_NONE);
	struct synchmess_msgvec v[3];
	char bufs[3][16];

	ASSERT_TRUE(none != MAP_FAILED);
	fill_made(v, bufs, 3);
	set_entry(&v[0], none, 5);
	EXPECT_EQ(-EFAULT, send_batch(self->fd, v, 3));
	expect_nothing_posted(_metadata, self);
	munmap(none, 4096);
}

TEST_F(group, send_batch_bad_pointers_give_efault_and_post_nothing)
{
	void *none = sm_map_page(PROT_NONE);

	ASSERT_TRUE(none != MAP_FAILED);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_SEND_BATCH, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_SEND_BATCH, none));
	EXPECT_EQ(EFAULT, errno);
	/* A good struct whose vector is not there. */
	EXPECT_EQ(-EFAULT, send_batch(self->fd, none, 2));
	expect_nothing_posted(_metadata, self);
	munmap(none, 4096);
}

TEST_F(group, send_batch_applies_the_send_delay)
{
	struct synchmess_msgvec v[4], rv[8];
	char bufs[4][16], in[8][16];
	__u32 delay_ms = 600000;
	unsigned int i;

	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay_ms));
	fill_made(v, bufs, 4);
	ASSERT_EQ(4, send_batch(self->fd, v, 4));
	EXPECT_EQ(4, sm_figure(self->id, "delayed"));
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	fill_entries(rv, in, 8);
	EXPECT_EQ(-EAGAIN, recv_batch(self->fd, rv, 8,
				      SYNCHMESS_RECV_NONBLOCK, 0));
	ASSERT_EQ(0, fsync(self->fd));
	ASSERT_EQ(4, recv_batch(self->fd, rv, 8, SYNCHMESS_RECV_NONBLOCK, 0));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, memcmp(bufs[i], in[i], 5)) TH_LOG("entry %u", i);
}

TEST_F(group, recv_batch_fault_on_entry_k_returns_k_and_keeps_the_rest)
{
	void *ro = sm_map_page(PROT_READ);
	struct synchmess_msgvec v[5];
	char bufs[5][16] = { { 0 } };

	ASSERT_TRUE(ro != MAP_FAILED);
	ASSERT_EQ(0, write_numbered(self->fd, 5));
	fill_entries(v, bufs, 5);
	set_entry(&v[2], ro, 16);
	EXPECT_EQ(2, recv_batch(self->fd, v, 5, SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_STREQ("m0", bufs[0]);
	EXPECT_STREQ("m1", bufs[1]);
	EXPECT_EQ(3, sm_figure(self->id, "messages"));
	expect_next(_metadata, self->fd, "m2");
	expect_next(_metadata, self->fd, "m3");
	expect_next(_metadata, self->fd, "m4");
	munmap(ro, 4096);
}

TEST_F(group, recv_batch_fault_on_entry_0_gives_efault_and_loses_nothing)
{
	void *ro = sm_map_page(PROT_READ);
	struct synchmess_msgvec v[5];
	char bufs[5][16];

	ASSERT_TRUE(ro != MAP_FAILED);
	ASSERT_EQ(0, write_numbered(self->fd, 5));
	fill_entries(v, bufs, 5);
	set_entry(&v[0], ro, 16);
	EXPECT_EQ(-EFAULT, recv_batch(self->fd, v, 5,
				      SYNCHMESS_RECV_NONBLOCK, 0));
	EXPECT_EQ(5, sm_figure(self->id, "messages"));
	expect_next(_metadata, self->fd, "m0");
	expect_next(_metadata, self->fd, "m1");
	munmap(ro, 4096);
}

TEST_F(group, recv_batch_bad_pointers_give_efault_and_lose_nothing)
{
	void *none = sm_map_page(PROT_NONE);

	ASSERT_TRUE(none != MAP_FAILED);
	ASSERT_EQ(0, write_numbered(self->fd, 3));
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_RECV_BATCH, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_RECV_BATCH, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-EFAULT, recv_batch(self->fd, none, 2,
				      SYNCHMESS_RECV_NONBLOCK, 0));
	expect_three_left(_metadata, self);
	munmap(none, 4096);
}

/*
 * A batch without delay is published at once, as one run: no message of
 * another writer lands inside it.
 */
#define CONT_BATCHES	50
#define CONT_ENTRIES	8
/* Room for all in the default max_messages, so no batch is cut short. */
#define CONT_PLAIN_MAX	2000

struct plain_writer {
	int fd;
	int stop;
	unsigned int written;
	int err;
};

static void *plain_writer_run(void *arg)
{
	struct plain_writer *p = arg;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE) &&
	       p->written < CONT_PLAIN_MAX) {
		if (write(p->fd, "p", 1) != 1) {
			p->err = errno;
			break;
		}
		__atomic_add_fetch(&p->written, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

TEST_F(group, send_batch_lands_as_one_run_among_other_writes)
{
	struct plain_writer p = { .fd = self->fd };
	static int pos[CONT_BATCHES][CONT_ENTRIES];
	char msgs[CONT_ENTRIES][4], in[64][4];
	unsigned int b, i, plain = 0, broken = 0, lost = 0, inside = 0;
	unsigned int trailing = 0;
	struct synchmess_msgvec v[64];
	int n, at = 0, first = -1, last = -1;
	pthread_t t;

	memset(pos, 0xff, sizeof(pos));
	ASSERT_EQ(0, pthread_create(&t, NULL, plain_writer_run, &p));
	while (!__atomic_load_n(&p.written, __ATOMIC_ACQUIRE) && !p.err)
		sm_sleep_ms(1);
	for (b = 0; b < CONT_BATCHES; b++) {
		for (i = 0; i < CONT_ENTRIES; i++) {
			msgs[i][0] = 'b';
			msgs[i][1] = (char)b;
			msgs[i][2] = (char)i;
			set_entry(&v[i], msgs[i], 3);
		}
		ASSERT_EQ(CONT_ENTRIES, send_batch(self->fd, v, CONT_ENTRIES))
			TH_LOG("batch %u", b);
	}
	__atomic_store_n(&p.stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, p.err);

	for (;;) {
		for (i = 0; i < 64; i++)
			set_entry(&v[i], in[i], sizeof(in[i]));
		n = recv_batch(self->fd, v, 64, SYNCHMESS_RECV_NONBLOCK, 0);
		if (n <= 0)
			break;
		for (i = 0; i < (unsigned int)n; i++, at++) {
			if (v[i].msg_len == 1 && in[i][0] == 'p') {
				plain++;
				inside += first >= 0;
				trailing++;
			} else if (v[i].msg_len == 3 && in[i][0] == 'b' &&
				   in[i][1] < CONT_BATCHES &&
				   in[i][2] < CONT_ENTRIES) {
				pos[(int)in[i][1]][(int)in[i][2]] = at;
				if (first < 0)
					first = at;
				last = at;
				trailing = 0;
			} else {
				broken++;
			}
		}
	}
	EXPECT_EQ(-EAGAIN, n);
	for (b = 0; b < CONT_BATCHES; b++) {
		for (i = 0; i < CONT_ENTRIES; i++) {
			lost += pos[b][i] < 0;
			broken += pos[b][i] >= 0 && pos[b][0] >= 0 &&
				  pos[b][i] != pos[b][0] + (int)i;
		}
	}
	/* Whether the writes interleaved at all, which no run can force. */
	ksft_print_msg("%u plain messages, %u among the batches (%d to %d)\n",
		       plain, inside - trailing, first, last);
	EXPECT_EQ(p.written, plain);
	EXPECT_EQ(0U, lost);
	EXPECT_EQ(0U, broken) TH_LOG("batch entries apart or out of order");
}

/*
 * Exactly once, in order: two SEND_BATCH writers and a write() writer post
 * (writer, seq) pairs; two RECV_BATCH readers and a read() reader take
 * them. Every reader must see each writer's seq increasing, and over all
 * readers every message must arrive exactly once. A small max_messages
 * keeps the group full, so that batches are cut short and sent again.
 */
/* Writers 0, 1: SEND_BATCH; 2: write(). */
#define X_WRITERS	3
/* Readers 0: RECV_BATCH with a timeout; 1: non-blocking; 2: read(). */
#define X_READERS	3
#define X_PER_WRITER	3000
#define X_TOTAL		(X_WRITERS * X_PER_WRITER)
#define X_BATCH		16
#define X_ROOM		256
#define X_DEADLINE_S	100

struct wire_msg {
	__u32 writer;
	__u32 seq;
};

struct tally {
	__u32 id;
	double deadline;
	unsigned int seen[X_WRITERS][X_PER_WRITER];
	unsigned int taken;
	unsigned int misordered;
	unsigned int bogus;
	unsigned int errors;
	unsigned int cut_short;
	int first_error;
};

struct worker {
	struct tally *t;
	unsigned int n;
	pthread_t thread;
};

static void fail(struct tally *t, int err)
{
	if (!__atomic_fetch_add(&t->errors, 1, __ATOMIC_SEQ_CST))
		t->first_error = err;
}

static bool give_up(struct tally *t)
{
	if (__atomic_load_n(&t->errors, __ATOMIC_SEQ_CST))
		return true;
	if (sm_now() > t->deadline) {
		fail(t, ETIMEDOUT);
		return true;
	}
	return false;
}

static bool all_taken(struct tally *t)
{
	return __atomic_load_n(&t->taken, __ATOMIC_SEQ_CST) >= X_TOTAL;
}

static void *batch_writer_run(void *arg)
{
	struct worker *w = arg;
	struct tally *t = w->t;
	struct synchmess_msgvec v[X_BATCH];
	struct wire_msg m[X_BATCH];
	unsigned int seq = 0, calls = 0, n, i;
	int fd = sm_open_group(t->id, O_WRONLY), ret;

	if (fd < 0) {
		fail(t, -fd);
		return NULL;
	}
	while (seq < X_PER_WRITER && !give_up(t)) {
		/* Batches of every size from 1 to X_BATCH. */
		n = 1 + calls++ % X_BATCH;
		if (n > X_PER_WRITER - seq)
			n = X_PER_WRITER - seq;
		for (i = 0; i < n; i++) {
			m[i].writer = w->n;
			m[i].seq = seq + i;
			set_entry(&v[i], &m[i], sizeof(m[i]));
		}
		ret = send_batch(fd, v, n);
		if (ret > 0) {
			if ((unsigned int)ret < n)
				__atomic_add_fetch(&t->cut_short, 1,
						   __ATOMIC_RELAXED);
			seq += ret;
		} else if (ret == -ENOSPC) {
			sm_sleep_ms(1);
		} else {
			fail(t, -ret);
		}
	}
	close(fd);
	return NULL;
}

static void *plain_seq_writer_run(void *arg)
{
	struct worker *w = arg;
	struct tally *t = w->t;
	struct wire_msg m = { .writer = w->n };
	int fd = sm_open_group(t->id, O_WRONLY);

	if (fd < 0) {
		fail(t, -fd);
		return NULL;
	}
	while (m.seq < X_PER_WRITER && !give_up(t)) {
		if (write(fd, &m, sizeof(m)) == (ssize_t)sizeof(m))
			m.seq++;
		else if (errno == ENOSPC)
			sm_sleep_ms(1);
		else
			fail(t, errno);
	}
	close(fd);
	return NULL;
}

/* Count message @m of @len bytes, as a reader whose view is @last. */
static void take(struct tally *t, int *last, const struct wire_msg *m,
		 __u32 len)
{
	if (len != sizeof(*m) || m->writer >= X_WRITERS ||
	    m->seq >= X_PER_WRITER) {
		__atomic_add_fetch(&t->bogus, 1, __ATOMIC_SEQ_CST);
		return;
	}
	if ((int)m->seq <= last[m->writer])
		__atomic_add_fetch(&t->misordered, 1, __ATOMIC_SEQ_CST);
	last[m->writer] = m->seq;
	__atomic_add_fetch(&t->seen[m->writer][m->seq], 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&t->taken, 1, __ATOMIC_SEQ_CST);
}

static void wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	poll(&pfd, 1, 20);
}

static void *batch_reader_run(void *arg)
{
	struct worker *w = arg;
	struct tally *t = w->t;
	/* Room for a longer message, which would be counted as bogus. */
	struct wire_msg m[X_BATCH][2];
	struct synchmess_msgvec v[X_BATCH];
	int fd = sm_open_group(t->id, O_RDONLY), ret, i;
	int last[X_WRITERS] = { -1, -1, -1 };
	bool timed = w->n == 0;

	if (fd < 0) {
		fail(t, -fd);
		return NULL;
	}
	while (!all_taken(t) && !give_up(t)) {
		for (i = 0; i < X_BATCH; i++)
			set_entry(&v[i], m[i], sizeof(m[i]));
		if (timed)
			ret = recv_batch(fd, v, X_BATCH,
					 SYNCHMESS_RECV_TIMEOUT, 20 * MS);
		else
			ret = recv_batch(fd, v, X_BATCH,
					 SYNCHMESS_RECV_NONBLOCK, 0);
		for (i = 0; i < ret; i++)
			take(t, last, m[i], v[i].msg_len);
		if (ret == -EAGAIN)
			wait_readable(fd);
		else if (ret < 0 && ret != -ETIMEDOUT)
			fail(t, -ret);
	}
	close(fd);
	return NULL;
}

static void *plain_reader_run(void *arg)
{
	struct worker *w = arg;
	struct tally *t = w->t;
	int fd = sm_open_group(t->id, O_RDONLY | O_NONBLOCK);
	int last[X_WRITERS] = { -1, -1, -1 };
	struct wire_msg m[2];
	ssize_t n;

	if (fd < 0) {
		fail(t, -fd);
		return NULL;
	}
	while (!all_taken(t) && !give_up(t)) {
		n = read(fd, m, sizeof(m));
		if (n >= 0)
			take(t, last, m, n);
		else if (errno == EAGAIN)
			wait_readable(fd);
		else
			fail(t, errno);
	}
	close(fd);
	return NULL;
}

TEST_F_TIMEOUT(group, exactly_once_in_order_with_batch_and_plain_users, 180)
{
	static void *(*const run[X_WRITERS + X_READERS])(void *) = {
		batch_writer_run, batch_writer_run, plain_seq_writer_run,
		batch_reader_run, batch_reader_run, plain_reader_run,
	};
	struct worker w[X_WRITERS + X_READERS];
	static struct tally t;
	unsigned int i, s, lost = 0, dup = 0;
	double start = sm_now();

	ASSERT_EQ(0, set_limits(self->fd, 0, 0, X_ROOM));
	t.id = self->id;
	t.deadline = start + X_DEADLINE_S;
	for (i = 0; i < X_WRITERS + X_READERS; i++) {
		w[i].t = &t;
		w[i].n = i < X_WRITERS ? i : i - X_WRITERS;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, run[i], &w[i]));
	}
	for (i = 0; i < X_WRITERS + X_READERS; i++)
		pthread_join(w[i].thread, NULL);
	ksft_print_msg("%u messages in %.1f s, %u batches cut short\n",
		       t.taken, sm_now() - start, t.cut_short);
	for (i = 0; i < X_WRITERS; i++) {
		for (s = 0; s < X_PER_WRITER; s++) {
			lost += t.seen[i][s] == 0;
			dup += t.seen[i][s] > 1;
		}
	}
	EXPECT_EQ(0U, t.errors) TH_LOG("first error: %s",
				       strerror(t.first_error));
	EXPECT_EQ(0U, lost);
	EXPECT_EQ(0U, dup);
	EXPECT_EQ(0U, t.misordered);
	EXPECT_EQ(0U, t.bogus);
	EXPECT_EQ((unsigned int)X_TOTAL, t.taken);
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
}

TEST_HARNESS_MAIN
