// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess teardown races: a group removed while every kind of user is
 * inside it, and files closed while delayed work fires. Each round must end
 * with every thread out, the group gone and nothing left behind; KASAN,
 * lockdep and kmemleak in a debug kernel watch the rest.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define ROUNDS		20
#define READERS		2
#define SLEEPERS	2
#define WRITERS		2
#define USERS		(READERS + SLEEPERS + WRITERS)

struct user {
	pthread_t thread;
	int fd;
	int err;	/* errno that ended the thread */
	int inside;	/* reached its first blocking call */
};

static void *reader_main(void *arg)
{
	struct user *u = arg;
	char buf[64];

	__atomic_store_n(&u->inside, 1, __ATOMIC_SEQ_CST);
	while (read(u->fd, buf, sizeof(buf)) >= 0)
		;
	u->err = errno;
	return NULL;
}

static void *sleeper_main(void *arg)
{
	struct user *u = arg;

	__atomic_store_n(&u->inside, 1, __ATOMIC_SEQ_CST);
	while (!ioctl(u->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER))
		;
	u->err = errno;
	return NULL;
}

/* Writes until the group is gone; ENOSPC just means storage is full. */
static void *writer_main(void *arg)
{
	struct user *u = arg;
	char buf[256] = "teardown";

	__atomic_store_n(&u->inside, 1, __ATOMIC_SEQ_CST);
	while (write(u->fd, buf, sizeof(buf)) >= 0 || errno == ENOSPC)
		;
	u->err = errno;
	return NULL;
}

static void *(*const user_main[USERS])(void *) = {
	reader_main, reader_main, sleeper_main, sleeper_main,
	writer_main, writer_main,
};

/* Installs and removals are slow on a debug kernel under emulation. */
#define TEARDOWN_TIMEOUT	300

FIXTURE(teardown) {
};

FIXTURE_SETUP(teardown)
{
}

FIXTURE_TEARDOWN(teardown)
{
}

TEST_F_TIMEOUT(teardown, remove_under_readers_sleepers_writers_and_delayed_work,
	       TEARDOWN_TIMEOUT)
{
	struct user u[USERS];
	int round, i;

	for (round = 0; round < ROUNDS; round++) {
		__u32 id = sm_unique_id();
		/* Odd rounds also have delayed messages pending. */
		__u32 delay = round % 2 ? 1 + round : 0;
		char path[SYNCHMESS_PATH_LEN];

		ASSERT_EQ(0, sm_install(id, path));
		for (i = 0; i < USERS; i++) {
			u[i].fd = open(path, O_RDWR);
			ASSERT_LE(0, u[i].fd);
			u[i].err = 0;
			u[i].inside = 0;
		}
		ASSERT_EQ(0, ioctl(u[0].fd, SYNCHMESS_IOC_SET_SEND_DELAY,
				   &delay));
		for (i = 0; i < USERS; i++)
			ASSERT_EQ(0, pthread_create(&u[i].thread, NULL,
						    user_main[i], &u[i]));
		for (i = 0; i < USERS; i++)
			while (!__atomic_load_n(&u[i].inside, __ATOMIC_SEQ_CST))
				sm_sleep_ms(1);
		sm_sleep_ms(round % 5);

		ASSERT_EQ(0, sm_remove(id));
		for (i = 0; i < USERS; i++) {
			pthread_join(u[i].thread, NULL);
			EXPECT_EQ(EIDRM, u[i].err)
				TH_LOG("round %d, user %d ended with %s", round,
				       i, strerror(u[i].err));
			/* Only now is the last reference dropped. */
			close(u[i].fd);
		}
		EXPECT_NE(0, access(path, F_OK));
	}
}

TEST_F_TIMEOUT(teardown, close_last_file_while_delayed_work_fires,
	       TEARDOWN_TIMEOUT)
{
	char msg[32] = "due now";
	int round, i, fd, n;

	for (round = 0; round < ROUNDS * 5; round++) {
		__u32 id = sm_unique_id(), delay = 1;

		ASSERT_EQ(0, sm_install(id, NULL));
		fd = sm_open_group(id, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay));
		for (i = 0; i < 8; i++)
			ASSERT_EQ(sizeof(msg), write(fd, msg, sizeof(msg)));
		/* The work item is due about now: race close() against it. */
		sm_sleep_ms(round % 3);
		ASSERT_EQ(0, close(fd));

		/* Whoever published them, all eight are there, once. */
		fd = sm_open_group(id, O_RDONLY | O_NONBLOCK);
		ASSERT_LE(0, fd);
		n = 0;
		while (read(fd, msg, sizeof(msg)) == sizeof(msg))
			n++;
		EXPECT_EQ(EAGAIN, errno);
		EXPECT_EQ(8, n) TH_LOG("round %d", round);
		EXPECT_EQ(0, sm_figure(id, "delayed"));
		close(fd);
		ASSERT_EQ(0, sm_remove(id));
	}
}

TEST_F_TIMEOUT(teardown,
	       remove_while_delayed_work_fires_and_last_file_closes_after,
	       TEARDOWN_TIMEOUT)
{
	char msg[16] = "gone";
	int round, i, fd;

	for (round = 0; round < ROUNDS * 5; round++) {
		__u32 id = sm_unique_id(), delay = 1;

		ASSERT_EQ(0, sm_install(id, NULL));
		fd = sm_open_group(id, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay));
		for (i = 0; i < 8; i++)
			ASSERT_EQ(sizeof(msg), write(fd, msg, sizeof(msg)));
		sm_sleep_ms(round % 3);
		ASSERT_EQ(0, sm_remove(id));
		/* Every later call on the open file sees the removal. */
		EXPECT_EQ(-1, write(fd, msg, sizeof(msg)));
		EXPECT_EQ(EIDRM, errno);
		EXPECT_EQ(-1, fsync(fd));
		EXPECT_EQ(EIDRM, errno);
		EXPECT_EQ(0, close(fd));
	}
}

TEST_HARNESS_MAIN
