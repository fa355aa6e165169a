// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess_bench: the wake-up of 1, 8 and 64 threads asleep on a
 * SynchMess barrier (sleep/awake) against FUTEX_WAIT/FUTEX_WAKE on one
 * shared word.
 */
#include "bench.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>

#define MAX_SLEEPERS	64

static const unsigned int barrier_sleepers[NR_BARRIER] = { 1, 8, 64 };

/* Barrier: SynchMess sleep/awake, or FUTEX_WAIT/FUTEX_WAKE on one word. */
struct barrier_bench {
	bool futex;
	int fd;
	unsigned int sleepers;
	unsigned int *word;	/* futex word, in MAP_SHARED memory */
	unsigned int waiting;	/* sleepers about to sleep, cumulative */
	unsigned int arrived;	/* sleepers running again, cumulative */
	unsigned int started;
	pid_t tids[MAX_SLEEPERS];
	bool stop;
};

static long futex(unsigned int *uaddr, int op, unsigned int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void *barrier_sleeper(void *arg)
{
	struct barrier_bench *bb = arg;
	unsigned int gen, me;

	me = __atomic_fetch_add(&bb->started, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&bb->tids[me], gettid(), __ATOMIC_RELEASE);
	for (;;) {
		gen = __atomic_load_n(bb->word, __ATOMIC_ACQUIRE);
		__atomic_add_fetch(&bb->waiting, 1, __ATOMIC_SEQ_CST);
		if (bb->futex) {
			while (__atomic_load_n(bb->word, __ATOMIC_ACQUIRE) ==
			       gen)
				futex(bb->word, FUTEX_WAIT, gen);
		} else if (ioctl(bb->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER)) {
			die("sleep on barrier");
		}
		if (__atomic_load_n(&bb->stop, __ATOMIC_ACQUIRE))
			return NULL;
		__atomic_add_fetch(&bb->arrived, 1, __ATOMIC_SEQ_CST);
	}
}

static long barrier_wake(struct barrier_bench *bb)
{
	if (!bb->futex)
		return ioctl(bb->fd, SYNCHMESS_IOC_AWAKE_BARRIER);
	__atomic_add_fetch(bb->word, 1, __ATOMIC_RELEASE);
	return futex(bb->word, FUTEX_WAKE, bb->sleepers);
}

static void until_at_least(unsigned int *counter, unsigned int want)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < want)
		sched_yield();
}

/* Whether thread @tid of this process is in an interruptible sleep. */
static bool thread_asleep(pid_t tid)
{
	char path[64], buf[256], *state;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		die(path);
	buf[n] = '\0';
	state = strrchr(buf, ')');
	return state && state[1] == ' ' && state[2] == 'S';
}

/*
 * Wait until every sleeper is asleep in the kernel: the same test for both
 * mechanisms, as neither shows its waiters the same way.
 */
static void until_all_asleep(struct barrier_bench *bb, unsigned int round)
{
	unsigned int i;

	until_at_least(&bb->waiting, round * bb->sleepers);
	for (i = 0; i < bb->sleepers; i++) {
		while (!thread_asleep(bb->tids[i]))
			usleep(100);
	}
}

/*
 * Nanoseconds from the wake call to the last of @sleepers threads running,
 * once all of them are asleep; a round in which the wake call found fewer
 * sleepers than expected is not counted.
 */
static double bench_barrier(bool use_futex, unsigned int sleepers,
			    unsigned int iters)
{
	struct barrier_bench bb = { .futex = use_futex, .sleepers = sleepers };
	pthread_t threads[MAX_SLEEPERS];
	unsigned int i, k, counted = 0;
	struct chan c = { .ipc = NR_IPC };
	double total = 0, t0;
	long woken;

	bb.word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (bb.word == MAP_FAILED)
		die("mmap");
	if (!use_futex) {
		chan_open(&c, SYNCHMESS);
		bb.fd = c.tx;
	}
	for (i = 0; i < sleepers; i++) {
		if (pthread_create(&threads[i], NULL, barrier_sleeper, &bb))
			die("pthread_create");
	}
	until_at_least(&bb.started, sleepers);
	for (k = 1; k <= iters; k++) {
		until_all_asleep(&bb, k);
		t0 = now_ns();
		woken = barrier_wake(&bb);
		until_at_least(&bb.arrived, k * sleepers);
		t0 = now_ns() - t0;
		if (woken < 0)
			die("wake");
		if (woken == (long)sleepers) {
			total += t0;
			counted++;
		}
	}
	until_all_asleep(&bb, iters + 1);
	__atomic_store_n(&bb.stop, true, __ATOMIC_RELEASE);
	barrier_wake(&bb);
	for (i = 0; i < sleepers; i++)
		pthread_join(threads[i], NULL);
	if (!use_futex)
		chan_close(&c);
	munmap(bb.word, 4096);
	if (!counted) {
		fprintf(stderr, "synchmess_bench: no complete barrier round\n");
		exit(1);
	}
	return total / counted;
}

static void barrier_round(struct figures *f)
{
	unsigned int b;

	for (b = 0; b < NR_BARRIER; b++) {
		unsigned int iters = iterations(400) / barrier_sleepers[b] + 2;

		f->awake[b] = bench_barrier(false, barrier_sleepers[b], iters);
		f->futex_wake[b] = bench_barrier(true, barrier_sleepers[b],
						 iters);
	}
}

static void barrier_table(struct figures *rounds, unsigned int nr_rounds)
{
	printf("\n%-34s %12s %12s %12s\n", "wake to all running (us)",
	       "1", "8", "64");
	printf("  %-32s %12.2f %12.2f %12.2f\n", "synchmess awake",
	       MED(awake[0]) / 1e3, MED(awake[1]) / 1e3, MED(awake[2]) / 1e3);
	printf("  %-32s %12.2f %12.2f %12.2f\n", "FUTEX_WAKE",
	       MED(futex_wake[0]) / 1e3, MED(futex_wake[1]) / 1e3,
	       MED(futex_wake[2]) / 1e3);
}

static void barrier_ratios(struct figures *rounds, unsigned int nr_rounds)
{
	unsigned int b;

	for (b = 0; b < NR_BARRIER; b++)
		printf("ratio awake%u_vs_futex %.3f\n", barrier_sleepers[b],
		       RATIO(awake[b], futex_wake[b]));
}

const struct bench_family barrier_family = {
	.round = barrier_round,
	.table = barrier_table,
	.ratios = barrier_ratios,
};
