// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess long batches of delayed messages: a flush, revoke or removal of
 * hundreds of thousands of them makes a write wait for a chunk at most and
 * lets other tasks run; and a message already due counts as published, so
 * REVOKE leaves it.
 *
 * The figures are printed; the bounds asserted are generous, as emulation
 * on a loaded machine stretches every time. What they catch is a wait that
 * grows with the batch: the whole flush, not a slice of it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define TIMEOUT		600

/* Flags between threads, which spin on them. */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
/* 50 interleaved delays, all far beyond the test. */
#define DELAYS		50

FIXTURE(batch) {
	__u32 id;
	int fd;
	unsigned long old_storage;
	unsigned long old_messages;
};

FIXTURE_SETUP(batch)
{
	ASSERT_EQ(0, sm_param_get("max_storage_size", &self->old_storage));
	ASSERT_EQ(0, sm_param_get("max_messages", &self->old_messages));
	ASSERT_EQ(0, sm_param_set("max_storage_size", 64UL << 20));
	ASSERT_EQ(0, sm_param_set("max_messages", 1UL << 20));
	self->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(self->id, NULL));
	self->fd = sm_open_group(self->id, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN_PARENT(batch)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_remove(self->id);
	sm_param_set("max_storage_size", self->old_storage);
	sm_param_set("max_messages", self->old_messages);
}

/* Debug kernels are ten times slower: smaller batches show the same. */
static long batch_size(long want)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) ? want : want / 10;
}

static int set_delay(int fd, __u32 ms)
{
	return ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &ms);
}

/* @n one-byte messages, their delays cycling through DELAYS values. */
static void write_mixed(struct __test_metadata *_metadata, int fd, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		/* Longer delays after shorter ones: the tree, not the list. */
		ASSERT_EQ(0, set_delay(fd, 1800000 + (i % DELAYS) * 30000));
		ASSERT_EQ(1, write(fd, "m", 1)) TH_LOG("message %ld: %s", i,
						       strerror(errno));
	}
}

struct writer {
	int fd;
	bool stop;
	double longest;
	long writes;
};

/* Delayed writes, timed one by one, until told to stop. */
static void *writer_run(void *arg)
{
	struct writer *w = arg;
	double t;

	while (!LOAD(w->stop)) {
		t = sm_now();
		if (write(w->fd, "w", 1) != 1)
			break;
		t = sm_now() - t;
		if (t > w->longest)
			w->longest = t;
		__atomic_add_fetch(&w->writes, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

TEST_F_TIMEOUT(batch, write_waits_a_chunk_not_a_mixed_flush, TIMEOUT)
{
	struct writer w = { .fd = self->fd };
	long n = batch_size(300000);
	double flush;
	pthread_t t;

	write_mixed(_metadata, self->fd, n);
	ASSERT_EQ(n, sm_figure(self->id, "delayed"));
	/* The writer's writes take the lock the flush holds. */
	ASSERT_EQ(0, set_delay(self->fd, 3600000));
	ASSERT_EQ(0, pthread_create(&t, NULL, writer_run, &w));
	while (!LOAD(w.writes))
		sched_yield();
	flush = sm_now();
	ASSERT_EQ(0, fsync(self->fd));
	flush = sm_now() - flush;
	STORE(w.stop, true);
	pthread_join(t, NULL);
	ksft_print_msg("flush of %ld mixed-delay messages: %.1f ms\n", n,
		       flush * 1e3);
	ksft_print_msg("longest of %ld writes meanwhile: %.2f ms\n", w.writes,
		       w.longest * 1e3);
	EXPECT_LE(n, sm_figure(self->id, "messages"));
	/* A chunk is 1024 of the batch's messages: a quarter is generous. */
	EXPECT_GT(flush / 4 + 0.02, w.longest);
}

struct ticker {
	bool stop;
	bool started;
	double longest;
};

/* Note the longest time this thread, sharing a CPU, did not run. */
static void *ticker_run(void *arg)
{
	struct ticker *k = arg;
	double last = sm_now(), now;

	STORE(k->started, true);
	while (!LOAD(k->stop)) {
		now = sm_now();
		if (now - last > k->longest)
			k->longest = now - last;
		last = now;
	}
	return NULL;
}

/* Pin the caller, and so the threads it starts, to one CPU. */
static int pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Run REVOKE, or the group's removal, over a million pending messages
 * while another task shares the CPU; return that task's longest wait.
 */
static double stall_of(struct __test_metadata *_metadata,
		       struct _test_data_batch *self, bool remove, long *n)
{
	struct ticker k = { 0 };
	double took;
	pthread_t t;

	*n = batch_size(1000000);
	write_mixed(_metadata, self->fd, *n);
	ASSERT_EQ(0, pin_to_cpu0());
	ASSERT_EQ(0, pthread_create(&t, NULL, ticker_run, &k));
	while (!LOAD(k.started))
		sched_yield();
	took = sm_now();
	if (remove) {
		EXPECT_EQ(0, sm_remove(self->id));
	} else {
		EXPECT_EQ(*n, ioctl(self->fd,
				    SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES));
	}
	took = sm_now() - took;
	STORE(k.stop, true);
	pthread_join(t, NULL);
	ksft_print_msg("%s of %ld messages: %.1f ms\n",
		       remove ? "removal" : "revoke", *n, took * 1e3);
	ksft_print_msg("a task on the same CPU waited at most %.2f ms\n",
		       k.longest * 1e3);
	return k.longest < took / 4 ? 0 : k.longest;
}

TEST_F_TIMEOUT(batch, revoke_of_a_million_lets_other_tasks_run, TIMEOUT)
{
	long n;

	EXPECT_EQ(0, stall_of(_metadata, self, false, &n));
	EXPECT_EQ(0, sm_figure(self->id, "delayed"));
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
}

TEST_F_TIMEOUT(batch, removal_of_a_million_lets_other_tasks_run, TIMEOUT)
{
	long n;

	EXPECT_EQ(0, stall_of(_metadata, self, true, &n));
}

struct spinner {
	bool stop;
	bool started;
	int cpu;
};

/* Hold a CPU at real-time priority, so no kworker runs on it. */
static void *spinner_run(void *arg)
{
	struct spinner *s = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(s->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	STORE(s->started, true);
	while (!LOAD(s->stop))
		;
	return NULL;
}

/*
 * Every CPU busy at real-time priority holds the work item that publishes
 * due messages back: REVOKE then finds a message whose deadline passed but
 * which is not published yet, and must leave it, as an immediate write
 * would treat it as published.
 */
TEST_F_TIMEOUT(batch, revoke_leaves_a_due_message_not_yet_published, 60)
{
	struct sched_param rt = { .sched_priority = 50 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), i;
	struct spinner spin[64] = { 0 };
	pthread_attr_t attr;
	pthread_t t[64];
	cpu_set_t set;
	double start;
	char buf[8];
	int revoked;

	ASSERT_LT(0, cpus);
	ASSERT_GE(64, cpus);
	if (sched_setscheduler(0, SCHED_FIFO, &rt))
		SKIP(return, "no SCHED_FIFO: %s", strerror(errno));
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setinheritsched(&attr, PTHREAD_INHERIT_SCHED));
	ASSERT_EQ(0, set_delay(self->fd, 1));
	ASSERT_EQ(3, write(self->fd, "due", 3));
	/* The other CPUs spin; this thread spins on the last one. */
	for (i = 0; i + 1 < cpus; i++) {
		spin[i].cpu = i;
		ASSERT_EQ(0, pthread_create(&t[i], &attr, spinner_run, &spin[i]));
	}
	for (i = 0; i + 1 < cpus; i++)
		while (!LOAD(spin[i].started))
			;
	CPU_ZERO(&set);
	CPU_SET(cpus - 1, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	start = sm_now();
	while (sm_now() - start < 0.02)
		;
	revoked = ioctl(self->fd, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES);
	for (i = 0; i + 1 < cpus; i++) {
		STORE(spin[i].stop, true);
		pthread_join(t[i], NULL);
	}
	rt.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &rt);
	EXPECT_EQ(0, revoked);
	EXPECT_EQ(0, sm_figure(self->id, "delayed"));
	EXPECT_EQ(3, read(self->fd, buf, sizeof(buf)));
}

struct reader {
	int fd;
	bool done;
	double at;
};

/* Wait in read() for one message, and note when it came. */
static void *reader_run(void *arg)
{
	struct reader *r = arg;
	char buf[8];
	int fd = dup(r->fd);

	fcntl(fd, F_SETFL, 0);
	if (read(fd, buf, sizeof(buf)) > 0)
		r->at = sm_now();
	STORE(r->done, true);
	return NULL;
}

/*
 * A real-time task holding the CPU whose timer comes due must not keep
 * the message back while another CPU idles: a reader elsewhere gets it
 * long before the task lets go of its CPU.
 */
TEST_F_TIMEOUT(batch, real_time_task_on_the_timer_cpu_does_not_hold_delivery, 60)
{
	struct sched_param rt = { .sched_priority = 50 };
	struct reader r = { .fd = self->fd };
	double written, spin_until;
	cpu_set_t set;
	pthread_t t;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU");
	/* The reader on CPU 1, this thread on CPU 0 from the write on. */
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	ASSERT_EQ(0, pthread_create(&t, NULL, reader_run, &r));
	sm_sleep_ms(50);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	if (sched_setscheduler(0, SCHED_FIFO, &rt))
		SKIP(return, "no SCHED_FIFO: %s", strerror(errno));
	ASSERT_EQ(0, set_delay(self->fd, 5));
	/* Armed from here, the timer fires on this CPU, which then spins. */
	ASSERT_EQ(2, write(self->fd, "rt", 2));
	written = sm_now();
	spin_until = written + 0.5;
	while (sm_now() < spin_until && !LOAD(r.done))
		;
	rt.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &rt);
	pthread_join(t, NULL);
	ASSERT_TRUE(r.done);
	ksft_print_msg("5 ms delay, CPU 0 held at real-time priority: read after %.2f ms\n",
		       (r.at - written) * 1e3);
	EXPECT_GT(0.4, r.at - written);
}

TEST_HARNESS_MAIN
