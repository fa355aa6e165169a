// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess under io_uring: reads wait by poll and complete inline once
 * messages arrive, each with one message, and no io-wq worker thread is
 * ever started for them. Raw system calls, so no liburing is needed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/syscall.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"
#include "synchmess_uring.h"

#define NR_READS	64
#define MSG_LEN		16

static int ring_enter(struct sm_ring *r, unsigned int submit,
		      unsigned int wait)
{
	int ret;

	ret = syscall(__NR_io_uring_enter, r->fd, submit, wait,
		      wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
	return ret < 0 ? -errno : ret;
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
	struct sm_ring ring;
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
	ret = sm_ring_setup(&self->ring, 2 * NR_READS);
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
	sm_ring_exit(&self->ring);
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
		sm_ring_queue(&self->ring, IORING_OP_READ, self->fd, bufs[i],
			      sizeof(bufs[i]), i);
	ASSERT_EQ(NR_READS, ring_enter(&self->ring, NR_READS, 0));
	sm_sleep_ms(200);
	EXPECT_FALSE(sm_ring_reap(&self->ring, &cqe))
		TH_LOG("a read completed on an empty group: %d", cqe.res);
	EXPECT_EQ(0, count_io_workers()) TH_LOG("workers while reads wait");

	for (i = 0; i < NR_READS; i++) {
		snprintf(want, sizeof(want), "message %07d", i);
		ASSERT_EQ(MSG_LEN, write(self->fd, want, MSG_LEN));
	}

	while (done < NR_READS) {
		if (!sm_ring_reap(&self->ring, &cqe)) {
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
	struct io_uring_cqe cqe;
	char out[32] = { 0 };

	sm_ring_queue(&self->ring, IORING_OP_WRITE, self->fd, (void *)buf,
		      strlen(buf), 0);
	ASSERT_EQ(1, ring_enter(&self->ring, 1, 1));
	ASSERT_TRUE(sm_ring_reap(&self->ring, &cqe));
	EXPECT_EQ((int)strlen(buf), cqe.res);
	EXPECT_EQ(1, sm_figure(self->id, "messages"));
	EXPECT_EQ((ssize_t)strlen(buf), read(self->fd, out, sizeof(out)));
	EXPECT_STREQ(buf, out);
	EXPECT_EQ(0, count_io_workers());
}

TEST_HARNESS_MAIN
