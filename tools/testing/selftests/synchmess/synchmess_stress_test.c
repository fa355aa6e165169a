// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess under stress: processes and threads mix every operation on a
 * few groups for a bounded time, then the books must balance. Every message
 * written is read exactly once, revoked, or freed by the removal of its
 * group; none is duplicated, corrupted or delivered to another group.
 *
 * Two groups stay installed throughout, so their books balance exactly:
 * written == read + revoked + left over at the end. A third group is
 * installed and removed at random; what its removals freed is what its
 * books leave unexplained, which may not be negative.
 *
 * SYNCHMESS_STRESS_SECONDS sets the duration (default 10). The failslab
 * variant runs the same with allocations of the workers failing at random,
 * where the kernel supports fault injection.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define PROCS		4
#define THREADS		3
#define WRITERS		(PROCS * THREADS)
#define STABLE		2		/* groups installed throughout */
#define GROUPS		(STABLE + 1)	/* the last one comes and goes */
#define CHURN		STABLE
#define MAX_SEQ		65536	/* messages per writer thread */
#define MAX_PAYLOAD	512
#define MAX_DELAY_MS	20

enum op {
	OP_WRITE, OP_READ, OP_POLL_READ, OP_BLOCKING_READ, OP_SET_DELAY,
	OP_GET_DELAY, OP_REVOKE, OP_FSYNC, OP_REOPEN, OP_SLEEP, OP_AWAKE,
	OP_INSTALL, OP_REMOVE, NR_OPS
};

static const char * const op_names[NR_OPS] = {
	"write", "read", "poll+read", "blocking read", "set delay",
	"get delay", "revoke", "fsync", "close+open", "barrier sleep",
	"barrier awake", "install", "remove",
};

struct stress_msg {
	__u32 writer;
	__u32 seq;
	__u32 group;
	__u32 len;
	unsigned char payload[MAX_PAYLOAD];
};

#define MSG_HDR		offsetof(struct stress_msg, payload)

struct tally {
	unsigned long written;
	unsigned long read;
	unsigned long revoked;
	unsigned long left;
};

/* Shared by every process of the test, updated with atomics. */
struct stress {
	__u32 ids[GROUPS];
	int stop;
	int inject;
	struct tally tally[GROUPS];
	unsigned long ops[NR_OPS];
	unsigned long enomem;
	unsigned long errors;
	char error[256];
	unsigned char written[WRITERS][MAX_SEQ];
	unsigned char seen[WRITERS][MAX_SEQ];
};

struct worker {
	struct stress *st;
	unsigned int writer;
	unsigned int seed;
	__u32 seq;
	int fd[GROUPS];
};

static void add(unsigned long *counter, unsigned long n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static unsigned char payload_byte(const struct stress_msg *m, unsigned int i)
{
	return (m->writer * 31 + m->seq * 7 + i) & 0xff;
}

/* Record the first unexpected result; the parent reports it. */
static void fail(struct stress *st, const char *what, int err)
{
	if (__atomic_fetch_add(&st->errors, 1, __ATOMIC_SEQ_CST) == 0)
		snprintf(st->error, sizeof(st->error), "%s: %s", what,
			 strerror(err));
}

/*
 * Errors any operation on a group may meet here: the group was removed
 * (EIDRM) or is not installed (ENOENT, ENODEV or ENXIO on open, which may
 * find the node of a group whose device is going away), storage is full
 * (ENOSPC), nothing is published (EAGAIN), a signal came (EINTR), or an
 * injected allocation failure (ENOMEM).
 */
static int expected(struct stress *st, int err)
{
	switch (err) {
	case ENOMEM:
		if (!st->inject)
			return 0;
		add(&st->enomem, 1);
		return 1;
	case EIDRM: case ENOENT: case ENODEV: case ENXIO: case ENOSPC:
	case EAGAIN: case EINTR:
		return 1;
	}
	return 0;
}

/* The file of group @g, reopened when its group was removed. */
static int group_fd(struct worker *w, int g)
{
	char path[SYNCHMESS_PATH_LEN];

	if (w->fd[g] < 0) {
		sm_group_path(w->st->ids[g], path, sizeof(path));
		w->fd[g] = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (w->fd[g] < 0 && !expected(w->st, errno))
			fail(w->st, "open", errno);
	}
	return w->fd[g];
}

static void drop_fd(struct worker *w, int g)
{
	close(w->fd[g]);
	w->fd[g] = -1;
}

/* Account for a failed call on group @g; a removed group is reopened. */
static void failed(struct worker *w, int g, const char *what)
{
	int err = errno;

	if (!expected(w->st, err))
		fail(w->st, what, err);
	if (err == EIDRM)
		drop_fd(w, g);
}

/* Check a message read from group @g and count it once. */
static void check_msg(struct stress *st, int g, const struct stress_msg *m,
		      ssize_t n)
{
	unsigned int i;

	if (n < (ssize_t)MSG_HDR || m->len != n - MSG_HDR ||
	    m->writer >= WRITERS || m->seq >= MAX_SEQ) {
		fail(st, "read a malformed message", EBADMSG);
		return;
	}
	if (m->group != (__u32)g) {
		fail(st, "read a message of another group", EBADMSG);
		return;
	}
	for (i = 0; i < m->len; i++) {
		if (m->payload[i] != payload_byte(m, i)) {
			fail(st, "read a corrupted payload", EBADMSG);
			return;
		}
	}
	__atomic_fetch_add(&st->seen[m->writer][m->seq], 1, __ATOMIC_RELAXED);
	add(&st->tally[g].read, 1);
}

static void do_write(struct worker *w, int g, int fd)
{
	struct stress_msg m;
	unsigned int i;

	if (w->seq >= MAX_SEQ)
		return;
	m.writer = w->writer;
	m.seq = w->seq++;
	m.group = g;
	m.len = rand_r(&w->seed) % (MAX_PAYLOAD + 1);
	for (i = 0; i < m.len; i++)
		m.payload[i] = payload_byte(&m, i);
	if (write(fd, &m, MSG_HDR + m.len) != (ssize_t)(MSG_HDR + m.len)) {
		failed(w, g, "write");
		return;
	}
	w->st->written[m.writer][m.seq] = 1;
	add(&w->st->tally[g].written, 1);
}

static void do_read(struct worker *w, int g, int fd, enum op op)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct stress_msg m;
	ssize_t n;

	if (op == OP_POLL_READ && poll(&pfd, 1, 5) < 0) {
		failed(w, g, "poll");
		return;
	}
	n = read(fd, &m, sizeof(m));
	if (n < 0)
		failed(w, g, "read");
	else
		check_msg(w->st, g, &m, n);
}

/* Blocking reads wait on the churning group, whose removal ends them. */
static void do_blocking_read(struct worker *w)
{
	struct stress_msg m;
	ssize_t n;
	int fd;

	fd = sm_open_group(w->st->ids[CHURN], O_RDWR);
	if (fd < 0) {
		if (!expected(w->st, -fd))
			fail(w->st, "open", -fd);
		return;
	}
	add(&w->st->ops[OP_BLOCKING_READ], 1);
	n = read(fd, &m, sizeof(m));
	if (n < 0 && !expected(w->st, errno))
		fail(w->st, "blocking read", errno);
	else if (n >= 0)
		check_msg(w->st, CHURN, &m, n);
	close(fd);
}

static void do_op(struct worker *w, enum op op)
{
	struct stress *st = w->st;
	int g = rand_r(&w->seed) % GROUPS;
	__u32 delay;
	int fd, ret;

	if (op == OP_INSTALL || op == OP_REMOVE) {
		ret = op == OP_INSTALL ? sm_install(st->ids[CHURN], NULL) :
					 sm_remove(st->ids[CHURN]);
		if (ret && !expected(st, -ret))
			fail(st, op_names[op], -ret);
		add(&st->ops[op], 1);
		return;
	}
	if (op == OP_BLOCKING_READ) {
		do_blocking_read(w);
		return;
	}
	fd = group_fd(w, g);
	if (fd < 0)
		return;
	add(&st->ops[op], 1);

	switch (op) {
	case OP_WRITE:
		do_write(w, g, fd);
		break;
	case OP_READ:
	case OP_POLL_READ:
		do_read(w, g, fd, op);
		break;
	case OP_SET_DELAY:
		/* Half the time no delay, so messages also flow directly. */
		delay = rand_r(&w->seed) % 2 ? 0 :
			rand_r(&w->seed) % (MAX_DELAY_MS + 1);
		if (ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay))
			failed(w, g, "set delay");
		break;
	case OP_GET_DELAY:
		if (ioctl(fd, SYNCHMESS_IOC_GET_SEND_DELAY, &delay))
			failed(w, g, "get delay");
		else if (delay > MAX_DELAY_MS)
			fail(st, "get delay: never set", ERANGE);
		break;
	case OP_REVOKE:
		ret = ioctl(fd, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES);
		if (ret < 0)
			failed(w, g, "revoke");
		else
			add(&st->tally[g].revoked, ret);
		break;
	case OP_FSYNC:
		if (fsync(fd))
			failed(w, g, "fsync");
		break;
	case OP_REOPEN:
		/* close() flushes the delayed messages of the group. */
		drop_fd(w, g);
		break;
	case OP_SLEEP:
		if (ioctl(fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER))
			failed(w, g, "barrier sleep");
		break;
	case OP_AWAKE:
		if (ioctl(fd, SYNCHMESS_IOC_AWAKE_BARRIER) < 0)
			failed(w, g, "barrier awake");
		break;
	default:
		break;
	}
}

/* Mostly messages, the rest spread over everything else. */
static enum op pick_op(struct worker *w)
{
	unsigned int r = rand_r(&w->seed) % 100;

	if (r < 30)
		return OP_WRITE;
	if (r < 45)
		return OP_READ;
	if (r < 55)
		return OP_POLL_READ;
	return OP_BLOCKING_READ + rand_r(&w->seed) % (NR_OPS - OP_BLOCKING_READ);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int g;

	if (w->st->inject && sm_fault_self(1))
		fail(w->st, "make-it-fail", errno);
	while (!__atomic_load_n(&w->st->stop, __ATOMIC_RELAXED))
		do_op(w, pick_op(w));
	sm_fault_self(0);
	for (g = 0; g < GROUPS; g++)
		if (w->fd[g] >= 0)
			close(w->fd[g]);
	return NULL;
}

static void run_process(struct stress *st, unsigned int proc)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	unsigned int i, g;

	for (i = 0; i < THREADS; i++) {
		w[i].st = st;
		w[i].writer = proc * THREADS + i;
		w[i].seed = w[i].writer * 7919 + getpid();
		w[i].seq = 0;
		for (g = 0; g < GROUPS; g++)
			w[i].fd[g] = -1;
		if (pthread_create(&t[i], NULL, worker_main, &w[i])) {
			fail(st, "pthread_create", errno);
			_exit(1);
		}
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

/*
 * Wakes the barriers so sleepers do not outlive the test, and once the test
 * is stopping removes the churning group again and again, which ends every
 * blocking read on it.
 */
static void *waker_main(void *arg)
{
	struct stress *st = arg;
	int fd[GROUPS], g;

	for (g = 0; g < GROUPS; g++)
		fd[g] = sm_open_group(st->ids[g], O_RDWR);
	while (__atomic_load_n(&st->stop, __ATOMIC_RELAXED) < 2) {
		for (g = 0; g < GROUPS; g++) {
			if (fd[g] < 0)
				fd[g] = sm_open_group(st->ids[g], O_RDWR);
			if (ioctl(fd[g], SYNCHMESS_IOC_AWAKE_BARRIER) < 0 &&
			    errno == EIDRM) {
				close(fd[g]);
				fd[g] = -1;
			}
		}
		if (__atomic_load_n(&st->stop, __ATOMIC_RELAXED))
			sm_remove(st->ids[CHURN]);
		sm_sleep_ms(2);
	}
	for (g = 0; g < GROUPS; g++)
		if (fd[g] >= 0)
			close(fd[g]);
	return NULL;
}

/* Publish what is delayed in group @g and read it all; returns the count. */
static long drain(struct stress *st, int g)
{
	struct stress_msg m;
	long count = 0;
	ssize_t n;
	int fd;

	fd = sm_open_group(st->ids[g], O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fsync(fd)) {
		close(fd);
		return -errno;
	}
	while ((n = read(fd, &m, sizeof(m))) >= 0) {
		check_msg(st, g, &m, n);
		count++;
	}
	close(fd);
	return errno == EAGAIN ? count : -errno;
}

static unsigned int stress_seconds(void)
{
	const char *env = getenv("SYNCHMESS_STRESS_SECONDS");

	return env && atoi(env) > 0 ? atoi(env) : 10;
}

FIXTURE(stress) {
	struct stress *st;
	unsigned long old_storage;
};

FIXTURE_VARIANT(stress) {
	const char *fault;
};

FIXTURE_VARIANT_ADD(stress, plain) {
	.fault = NULL,
};

FIXTURE_VARIANT_ADD(stress, failslab) {
	.fault = "failslab",
};

FIXTURE_SETUP(stress)
{
	int g;

	self->st = mmap(NULL, sizeof(*self->st), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->st);
	for (g = 0; g < GROUPS; g++) {
		self->st->ids[g] = sm_unique_id();
		ASSERT_EQ(0, sm_install(self->st->ids[g], NULL));
	}
	/* Small storage, so writers also meet ENOSPC. */
	ASSERT_EQ(0, sm_param_get("max_storage_size", &self->old_storage));
	ASSERT_EQ(0, sm_param_set("max_storage_size", 64 * 1024));
	if (variant->fault) {
		if (access(SM_DEBUGFS "failslab", F_OK))
			SKIP(return, "no failslab in debugfs (CONFIG_FAILSLAB)");
		ASSERT_EQ(0, sm_fault_set(variant->fault, 2));
		self->st->inject = 1;
	}
}

FIXTURE_TEARDOWN(stress)
{
	int g;

	if (variant->fault)
		sm_fault_set(variant->fault, 0);
	sm_param_set("max_storage_size", self->old_storage);
	for (g = 0; g < GROUPS; g++)
		sm_remove(self->st->ids[g]);
	munmap(self->st, sizeof(*self->st));
}

TEST_F_TIMEOUT(stress, every_message_accounted_once, 300)
{
	struct stress *st = self->st;
	unsigned long total = 0, unexplained;
	long injected = 0, left;
	pid_t pid[PROCS];
	pthread_t waker;
	int p, g, status, w, s, dups = 0, ghosts = 0;

	ASSERT_EQ(0, pthread_create(&waker, NULL, waker_main, st));
	for (p = 0; p < PROCS; p++) {
		pid[p] = fork();
		ASSERT_LE(0, pid[p]);
		if (!pid[p])
			run_process(st, p);
	}
	sleep(stress_seconds());
	__atomic_store_n(&st->stop, 1, __ATOMIC_SEQ_CST);
	for (p = 0; p < PROCS; p++) {
		ASSERT_EQ(pid[p], waitpid(pid[p], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("worker process %d ended with status %#x", p,
			       status);
	}
	__atomic_store_n(&st->stop, 2, __ATOMIC_SEQ_CST);
	pthread_join(waker, NULL);
	if (variant->fault) {
		injected = sm_fault_injected(variant->fault);
		sm_fault_set(variant->fault, 0);
	}

	EXPECT_EQ(0, st->errors)
		TH_LOG("%lu unexpected results, first: %s", st->errors,
		       st->error);
	for (g = 0; g < STABLE; g++) {
		left = drain(st, g);
		ASSERT_LE(0, left) TH_LOG("drain: %s", strerror(-left));
		st->tally[g].left = left;
		EXPECT_EQ(st->tally[g].written, st->tally[g].read +
			  st->tally[g].revoked)
			TH_LOG("group %d: %lu written, %lu read (%ld at the end), %lu revoked",
			       g, st->tally[g].written, st->tally[g].read, left,
			       st->tally[g].revoked);
		EXPECT_EQ(0, sm_figure(st->ids[g], "messages"));
		EXPECT_EQ(0, sm_figure(st->ids[g], "delayed"));
		EXPECT_EQ(0, sm_figure(st->ids[g], "bytes"));
	}
	EXPECT_GE(st->tally[CHURN].written, st->tally[CHURN].read +
		  st->tally[CHURN].revoked);
	unexplained = st->tally[CHURN].written - st->tally[CHURN].read -
		      st->tally[CHURN].revoked;

	for (w = 0; w < WRITERS; w++) {
		for (s = 0; s < MAX_SEQ; s++) {
			dups += st->seen[w][s] > 1;
			ghosts += st->seen[w][s] && !st->written[w][s];
		}
	}
	EXPECT_EQ(0, dups) TH_LOG("%d messages were read twice", dups);
	EXPECT_EQ(0, ghosts) TH_LOG("%d messages were read but never written",
				    ghosts);

	for (p = 0; p < NR_OPS; p++)
		total += st->ops[p];
	ksft_print_msg("%u s, %d processes x %d threads: %lu operations\n",
		       stress_seconds(), PROCS, THREADS, total);
	for (p = 0; p < NR_OPS; p++)
		ksft_print_msg("  %-14s %lu\n", op_names[p], st->ops[p]);
	for (g = 0; g < GROUPS; g++)
		ksft_print_msg("group %d: written %lu, read %lu, revoked %lu%s\n",
			       g, st->tally[g].written, st->tally[g].read,
			       st->tally[g].revoked,
			       g == CHURN ? " (installed and removed)" : "");
	ksft_print_msg("freed by removal: %lu\n", unexplained);
	if (variant->fault)
		ksft_print_msg("%s: %ld faults injected, %lu calls failed with ENOMEM\n",
			       variant->fault, injected, st->enomem);
	EXPECT_LT(0, st->ops[OP_WRITE]);
	EXPECT_LT(0, st->tally[0].read + st->tally[1].read)
		TH_LOG("no message went through in %u s", stress_seconds());
	if (variant->fault)
		EXPECT_LT(0, injected) TH_LOG("failslab injected nothing");
}

TEST_HARNESS_MAIN
