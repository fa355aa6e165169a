// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess under io_uring: reads wait by poll and complete inline once
 * messages arrive, each with one message, and no io-wq worker thread is
 * ever started for them. Raw system calls, so no liburing is needed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define NR_READS	64
#define MSG_LEN		16

struct ring {
	int fd;
	unsigned int sq_entries;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_ring, *cq_ring;
	size_t sq_size, cq_size, sqes_size;
};

static int ring_setup(struct ring *r, unsigned int entries)
{
	struct io_uring_params p = { 0 };

	r->fd = syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_entries = p.sq_entries;
	r->sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_size = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq_ring = mmap(NULL, r->sq_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq_ring = mmap(NULL, r->cq_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sq_ring == MAP_FAILED || r->cq_ring == MAP_FAILED ||
	    r->sqes == MAP_FAILED)
		return -ENOMEM;
	r->sq_head = r->sq_ring + p.sq_off.head;
	r->sq_tail = r->sq_ring + p.sq_off.tail;
	r->sq_mask = r->sq_ring + p.sq_off.ring_mask;
	r->sq_array = r->sq_ring + p.sq_off.array;
	r->cq_head = r->cq_ring + p.cq_off.head;
	r->cq_tail = r->cq_ring + p.cq_off.tail;
	r->cq_mask = r->cq_ring + p.cq_off.ring_mask;
	r->cqes = r->cq_ring + p.cq_off.cqes;
	return 0;
}

static void ring_exit(struct ring *r)
{
	munmap(r->sqes, r->sqes_size);
	munmap(r->cq_ring, r->cq_size);
	munmap(r->sq_ring, r->sq_size);
	close(r->fd);
}

/* Queue a read of @len bytes into @buf from @fd, tagged @tag. */
static void ring_queue_read(struct ring *r, int fd, void *buf,
			    unsigned int len, __u64 tag)
{
	unsigned int tail = *r->sq_tail, i = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[i];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ;
	sqe->fd = fd;
	sqe->addr = (unsigned long)buf;
	sqe->len = len;
	sqe->off = -1;
	sqe->user_data = tag;
	r->sq_array[i] = i;
	/* The kernel reads the entry once it sees the tail move. */
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

static int ring_enter(struct ring *r, unsigned int submit,
		      unsigned int wait)
{
	int ret;

	ret = syscall(__NR_io_uring_enter, r->fd, submit, wait,
		      wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
	return ret < 0 ? -errno : ret;
}

/* Take one completion if there is one. */
static bool ring_reap(struct ring *r, struct io_uring_cqe *out)
{
	unsigned int head = *r->cq_head;
	unsigned int tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*out = r->cqes[head & *r->cq_mask];
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

/* Threads of this process named iou-wrk-*: io-wq workers. */
static int count_io_workers(void)
{
	char path[300], comm[64];
	struct dirent *d;
	int n = 0;
	DIR *dir;
	FILE *f;

	dir = opendir("/proc/self/task");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "iou-wrk", 7))
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

FIXTURE(uring) {
	__u32 id;
	int fd;
	struct ring ring;
};

FIXTURE_SETUP(uring)
{
	unsigned long disabled = 0;
	int ret;

	self->ring.fd = -1;
	self->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(self->id, NULL));
	/* A blocking descriptor: io_uring must not need a worker for it. */
	self->fd = sm_open_group(self->id, O_RDWR);
	ASSERT_LE(0, self->fd);
	ret = ring_setup(&self->ring, 2 * NR_READS);
	/*
	 * Skip where io_uring is not built in (CONFIG_IO_URING) or turned
	 * off by the administrator; where it is on, it has to work.
	 */
	if (ret < 0 &&
	    (sm_read_ulong("/proc/sys/kernel/io_uring_disabled", &disabled) ||
	     disabled))
		SKIP(return, "io_uring_setup: %s", strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("io_uring_setup: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(uring)
{
	if (self->ring.fd >= 0)
		ring_exit(&self->ring);
	close(self->fd);
	sm_remove(self->id);
}

TEST_F(uring, reads_wait_by_poll_and_complete_inline_one_message_each)
{
	static char bufs[NR_READS][MSG_LEN + 8];
	char want[MSG_LEN + 1], seen[NR_READS] = { 0 };
	struct io_uring_cqe cqe;
	int i, n, done = 0;

	for (i = 0; i < NR_READS; i++)
		ring_queue_read(&self->ring, self->fd, bufs[i], sizeof(bufs[i]),
				i);
	ASSERT_EQ(NR_READS, ring_enter(&self->ring, NR_READS, 0));
	sm_sleep_ms(200);
	EXPECT_FALSE(ring_reap(&self->ring, &cqe))
		TH_LOG("a read completed on an empty group: %d", cqe.res);
	EXPECT_EQ(0, count_io_workers()) TH_LOG("workers while reads wait");

	for (i = 0; i < NR_READS; i++) {
		snprintf(want, sizeof(want), "message %07d", i);
		ASSERT_EQ(MSG_LEN, write(self->fd, want, MSG_LEN));
	}

	while (done < NR_READS) {
		if (!ring_reap(&self->ring, &cqe)) {
			ASSERT_LE(0, ring_enter(&self->ring, 0, 1));
			continue;
		}
		done++;
		ASSERT_GT(NR_READS, cqe.user_data);
		ASSERT_EQ(MSG_LEN, cqe.res)
			TH_LOG("read %llu: %s", (unsigned long long)cqe.user_data,
			       cqe.res < 0 ? strerror(-cqe.res) : "short");
		ASSERT_EQ(0, strncmp(bufs[cqe.user_data], "message ", 8));
		n = atoi(bufs[cqe.user_data] + 8);
		ASSERT_LE(0, n);
		ASSERT_GT(NR_READS, n);
		EXPECT_EQ(0, seen[n]) TH_LOG("message %d read twice", n);
		seen[n] = 1;
	}
	EXPECT_EQ(0, count_io_workers()) TH_LOG("workers after completion");
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
}

TEST_F(uring, write_posts_one_message)
{
	static const char buf[] = "through the ring";
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	char out[32] = { 0 };
	unsigned int tail, i;

	tail = *self->ring.sq_tail;
	i = tail & *self->ring.sq_mask;
	sqe = &self->ring.sqes[i];
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_WRITE;
	sqe->fd = self->fd;
	sqe->addr = (unsigned long)buf;
	sqe->len = strlen(buf);
	sqe->off = -1;
	self->ring.sq_array[i] = i;
	__atomic_store_n(self->ring.sq_tail, tail + 1, __ATOMIC_RELEASE);
	ASSERT_EQ(1, ring_enter(&self->ring, 1, 1));
	ASSERT_TRUE(ring_reap(&self->ring, &cqe));
	EXPECT_EQ((int)strlen(buf), cqe.res);
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
	EXPECT_EQ((ssize_t)strlen(buf), read(self->fd, out, sizeof(out)));
	EXPECT_STREQ(buf, out);
	EXPECT_EQ(0, count_io_workers());
}

TEST_HARNESS_MAIN
