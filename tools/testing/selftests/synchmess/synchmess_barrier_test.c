// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess barrier: awake releases exactly the threads asleep at that
 * moment of that group, counts them, and a signal ends a sleep with EINTR.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define SLEEPERS	8
#define EVENTUALLY_MS	20000

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

struct sleeper {
	int fd;
	pthread_t thread;
	int ret;
	int err;
	int done;
};

static void *sleeper_run(void *arg)
{
	struct sleeper *s = arg;

	s->ret = ioctl(s->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER);
	s->err = errno;
	__atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int start_sleeper(struct sleeper *s, int fd)
{
	s->fd = fd;
	s->done = 0;
	return pthread_create(&s->thread, NULL, sleeper_run, s);
}

TEST_F(group, awake_with_no_sleeper_returns_zero)
{
	EXPECT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
}

TEST_F(group, awake_wakes_every_sleeper_and_counts_them)
{
	struct sleeper s[SLEEPERS];
	int i, passed = 0;

	for (i = 0; i < SLEEPERS; i++)
		ASSERT_EQ(0, start_sleeper(&s[i], self->fd));
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", SLEEPERS,
				    EVENTUALLY_MS));
	for (i = 0; i < SLEEPERS; i++)
		passed += __atomic_load_n(&s[i].done, __ATOMIC_SEQ_CST);
	EXPECT_EQ(0, passed) TH_LOG("%d sleepers passed the barrier unwoken",
				    passed);
	EXPECT_EQ(SLEEPERS, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	for (i = 0; i < SLEEPERS; i++) {
		pthread_join(s[i].thread, NULL);
		EXPECT_EQ(0, s[i].ret) TH_LOG("sleeper %d: %s", i,
					      strerror(s[i].err));
	}
	EXPECT_EQ(0, sm_figure(self->id, "sleepers"));
}

TEST_F(group, sleepers_in_other_processes_are_woken)
{
	pid_t pids[4];
	int i, status;

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int fd = sm_open_group(self->id, O_RDWR);

			_exit(fd < 0 ||
			      ioctl(fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER) != 0);
		}
	}
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", 4, EVENTUALLY_MS));
	EXPECT_EQ(4, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

TEST_F(group, sleeper_after_awake_is_not_released_by_it)
{
	struct sleeper s;

	EXPECT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	ASSERT_EQ(0, start_sleeper(&s, self->fd));
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", 1, EVENTUALLY_MS));
	sm_sleep_ms(300);
	EXPECT_EQ(0, __atomic_load_n(&s.done, __ATOMIC_SEQ_CST))
		TH_LOG("a stale awake released the sleeper");
	EXPECT_EQ(1, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	pthread_join(s.thread, NULL);
	EXPECT_EQ(0, s.ret);
}

TEST_F(group, each_awake_releases_one_generation)
{
	struct sleeper first, second;

	ASSERT_EQ(0, start_sleeper(&first, self->fd));
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", 1, EVENTUALLY_MS));
	EXPECT_EQ(1, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	pthread_join(first.thread, NULL);
	EXPECT_EQ(0, first.ret);

	ASSERT_EQ(0, start_sleeper(&second, self->fd));
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", 1, EVENTUALLY_MS));
	sm_sleep_ms(200);
	EXPECT_EQ(0, __atomic_load_n(&second.done, __ATOMIC_SEQ_CST));
	EXPECT_EQ(1, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	pthread_join(second.thread, NULL);
	EXPECT_EQ(0, second.ret);
}

TEST_F(group, awake_leaves_other_groups_alone)
{
	__u32 other = sm_unique_id();
	struct sleeper s;
	int fd;

	ASSERT_EQ(0, sm_install(other, NULL));
	fd = sm_open_group(other, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, start_sleeper(&s, self->fd));
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", 1, EVENTUALLY_MS));
	EXPECT_EQ(0, ioctl(fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	sm_sleep_ms(200);
	EXPECT_EQ(0, __atomic_load_n(&s.done, __ATOMIC_SEQ_CST));
	EXPECT_EQ(1, sm_figure(self->id, "sleepers"));
	EXPECT_EQ(1, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	pthread_join(s.thread, NULL);
	close(fd);
	sm_remove(other);
}

static void on_signal(int sig)
{
}

TEST_F(group, signal_ends_sleep_with_eintr)
{
	/* SA_RESTART does not restart the sleep: it must not hide an awake. */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct sleeper s;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, start_sleeper(&s, self->fd));
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", 1, EVENTUALLY_MS));
	ASSERT_EQ(0, pthread_kill(s.thread, SIGUSR1));
	pthread_join(s.thread, NULL);
	EXPECT_EQ(-1, s.ret);
	EXPECT_EQ(EINTR, s.err);
	EXPECT_EQ(0, sm_figure(self->id, "sleepers"));
	EXPECT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
}

TEST_F(group, fatal_signal_kills_sleeper)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		ioctl(self->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER);
		_exit(0);
	}
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", 1, EVENTUALLY_MS));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(0, sm_figure(self->id, "sleepers"));
}

struct churn {
	int fd;
	int stop;
	long rounds;
};

/* Sleep on the barrier over and over until told to stop. */
static void *churn_sleep(void *arg)
{
	struct churn *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		if (ioctl(c->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER) &&
		    errno != EINTR)
			break;
		__atomic_add_fetch(&c->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * The sleepers count changes under the barrier's lock and is read by
 * sysfs without it: six threads come and go while another reads it for
 * four seconds, which KCSAN in strict mode watches on its guest.
 */
TEST_F_TIMEOUT(group, sleepers_figure_read_while_threads_come_and_go, 60)
{
	struct churn c = { .fd = self->fd };
	long reads = 0, most = 0, v;
	pthread_t t[6];
	double end;
	int i;

	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn_sleep, &c));
	end = sm_now() + 4;
	while (sm_now() < end) {
		v = sm_figure(self->id, "sleepers");
		ASSERT_LE(0, v);
		ASSERT_GE(6, v);
		if (v > most)
			most = v;
		reads++;
		if (reads % 4 == 0)
			ASSERT_LE(0, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	/* Wake each one until it has seen stop. */
	for (i = 0; i < 6; i++)
		while (pthread_tryjoin_np(t[i], NULL) == EBUSY) {
			ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER);
			sm_sleep_ms(1);
		}
	ksft_print_msg("%ld reads of sleepers, at most %ld; %ld sleeps ended\n",
		       reads, most, c.rounds);
	EXPECT_LT(0, c.rounds);
	EXPECT_LT(0, most);
}

TEST_HARNESS_MAIN
