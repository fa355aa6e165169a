// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess benchmark: SynchMess side by side with the IPC a user would
 * pick instead (POSIX message queues, packet-mode pipes, AF_UNIX
 * SOCK_SEQPACKET socket pairs, SysV message queues and futexes), in one
 * process tree, interleaved round by round, reporting the median of the
 * rounds. It is not part of the pass/fail run: it prints a table of
 * medians, then one line "ratio NAME VALUE" per comparison, SynchMess over
 * the other, so that below 1 is faster (above 1 is better for throughput):
 * the median of the ratios of the rounds.
 *
 * Delayed delivery is also timed against a timerfd of the same length,
 * delayed writes against a group with 100,000 delayed messages pending,
 * a ping-pong against the same ping-pong while another group flushes a
 * million delayed messages, and batched throughput, through io_uring and
 * through SYNCHMESS_IOC_SEND_BATCH/RECV_BATCH, against AF_UNIX datagrams
 * through sendmmsg()/recvmmsg().
 *
 *   synchmess_bench [-r ROUNDS] [-s SCALE] [-q]
 *   synchmess_bench -p SECONDS
 *
 * SCALE multiplies the iterations of every figure; -q divides them by ten,
 * to check quickly that the benchmark still runs. -p prints instead where
 * the kernel spends the time of a 64 B send and receive, and of the floor.
 *
 * Needs root: it raises max_storage_size for the depth, delay and flush
 * figures (and net.unix.max_dgram_qlen for the batched AF_UNIX figure) and
 * puts them back at the end.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "synchmess_util.h"
#include "synchmess_uring.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define MAX_MSG		8192
#define DEPTH		100000
/* Room for the flush figure's million 64 B messages (128 bytes each). */
#define DEPTH_STORAGE	(256UL << 20)
#define DEPTH_MESSAGES	1048576UL
#define DELAY_MS	20
#define DELAY_MSGS	1000
#define DELAY_GAP_US	2000
#define MAX_SLEEPERS	64
#define SLICES		20
#define LATE_SAMPLES	200	/* per delay and mechanism, at scale 10 */
#define LATE_GAP_US	3000
#define FLUSH_MSGS	1000000
/* The shortest window the ping-pong is timed in, with a flush or without. */
#define FLUSH_WINDOW_NS	200e6
#define BATCH		32
#define UNIX_QLEN_SYSCTL "/proc/sys/net/unix/max_dgram_qlen"
#define UNIX_QLEN_TEXT	"64"	/* two batches of 32 */

enum ipc { SYNCHMESS, MQUEUE, PIPE, UNIX_SEQPACKET, SYSV, NR_IPC };

static const char * const ipc_name[NR_IPC] = {
	"synchmess", "POSIX mqueue", "pipe (O_DIRECT)", "unix seqpacket",
	"SysV msg",
};

/* A one-way channel; tx and rx are the same descriptor where IPC has one. */
struct chan {
	enum ipc ipc;
	int tx, rx;
	__u32 id;
};

/* SysV wants a type before the payload; the others get the payload only. */
struct msg {
	long mtype;
	char data[MAX_MSG];
};

static unsigned int scale = 10;

/* Iterations of a figure: @n at scale 10, the default. */
static unsigned int iterations(unsigned int n)
{
	return n * scale / 10 + 1;
}

static void die(const char *what)
{
	fprintf(stderr, "synchmess_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void chan_open(struct chan *c, enum ipc ipc)
{
	static unsigned int seq;
	char name[64];
	int fds[2], ret;

	c->ipc = ipc;
	switch (ipc) {
	case SYNCHMESS:
		c->id = 0x5b000000u | ((__u32)getpid() << 8) | (seq++ & 0xff);
		ret = sm_install(c->id, NULL);
		if (ret) {
			errno = -ret;
			die("install group");
		}
		c->tx = sm_open_group(c->id, O_RDWR);
		if (c->tx < 0) {
			errno = -c->tx;
			die("open group");
		}
		c->rx = c->tx;
		break;
	case MQUEUE:
		/* Default attributes: what mq_open() gives every user. */
		snprintf(name, sizeof(name), "/synchmess-bench-%d-%u",
			 getpid(), seq++);
		c->tx = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
		if (c->tx < 0)
			die("mq_open");
		mq_unlink(name);
		c->rx = c->tx;
		break;
	case PIPE:
		if (pipe2(fds, O_DIRECT))
			die("pipe2");
		c->rx = fds[0];
		c->tx = fds[1];
		break;
	case UNIX_SEQPACKET:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds))
			die("socketpair");
		c->tx = fds[0];
		c->rx = fds[1];
		break;
	case SYSV:
		c->tx = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (c->tx < 0)
			die("msgget");
		c->rx = c->tx;
		break;
	default:
		abort();
	}
}

/*
 * The limits a group gets by default, which the comparisons with the peers
 * keep as the peers keep theirs (mq_maxmsg, msgmnb, the pipe's and the
 * socket's buffers): the module's are raised for the deep group and the
 * flushes only.
 */
static struct synchmess_limits shipped_limits;

static void chan_as_shipped(struct chan *c)
{
	if (c->ipc == SYNCHMESS &&
	    ioctl(c->tx, SYNCHMESS_IOC_SET_LIMITS, &shipped_limits))
		die("SYNCHMESS_IOC_SET_LIMITS");
}

static void chan_close(struct chan *c)
{
	switch (c->ipc) {
	case SYNCHMESS:
		close(c->tx);
		sm_remove(c->id);
		break;
	case SYSV:
		msgctl(c->tx, IPC_RMID, NULL);
		break;
	case PIPE:
	case UNIX_SEQPACKET:
		close(c->rx);
		close(c->tx);
		break;
	default:
		close(c->tx);
	}
}

static void chan_send(struct chan *c, struct msg *m, size_t len)
{
	struct pollfd pfd = { .fd = c->tx, .events = POLLOUT };
	ssize_t n;

	for (;;) {
		switch (c->ipc) {
		case MQUEUE:
			n = mq_send(c->tx, m->data, len, 0) ? -1 : (ssize_t)len;
			break;
		case SYSV:
			m->mtype = 1;
			n = msgsnd(c->tx, m, len, 0) ? -1 : (ssize_t)len;
			break;
		default:
			n = write(c->tx, m->data, len);
		}
		if (n == (ssize_t)len)
			return;
		if (n >= 0)
			errno = EIO;
		if (errno == EINTR)
			continue;
		/* A full group refuses the write; wait until it has room. */
		if (c->ipc == SYNCHMESS && errno == ENOSPC &&
		    poll(&pfd, 1, -1) >= 0)
			continue;
		die("send");
	}
}

static size_t chan_recv(struct chan *c, struct msg *m)
{
	ssize_t n;

	do {
		switch (c->ipc) {
		case MQUEUE:
			n = mq_receive(c->rx, m->data, MAX_MSG, NULL);
			break;
		case SYSV:
			n = msgrcv(c->rx, m, MAX_MSG, 0, 0);
			break;
		default:
			n = read(c->rx, m->data, MAX_MSG);
		}
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (!n)
			errno = EIO;
		die("receive");
	}
	return n;
}

static void wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "synchmess_bench: a child failed\n");
		exit(1);
	}
}

/* Nanoseconds per round trip between two processes, over two channels. */
static double bench_pingpong(enum ipc ipc, size_t len, unsigned int iters)
{
	unsigned int warmup = iters / 10 + 1, i;
	struct chan there, back;
	struct msg m = { 0 };
	double t0, t1;
	pid_t pid;

	chan_open(&there, ipc);
	chan_open(&back, ipc);
	chan_as_shipped(&there);
	chan_as_shipped(&back);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		for (i = 0; i < warmup + iters; i++)
			chan_send(&back, &m, chan_recv(&there, &m));
		_exit(0);
	}
	for (i = 0; i < warmup; i++) {
		chan_send(&there, &m, len);
		chan_recv(&back, &m);
	}
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		chan_send(&there, &m, len);
		if (chan_recv(&back, &m) != len) {
			fprintf(stderr, "synchmess_bench: short echo\n");
			exit(1);
		}
	}
	t1 = now_ns();
	wait_child(pid);
	chan_close(&there);
	chan_close(&back);
	return (t1 - t0) / iters;
}

/*
 * Messages per second from @writers processes to @readers processes over
 * one channel, from the start signal until the last message is taken.
 * The parent ends the readers with a one-byte message each once every
 * writer is done, so no reader waits forever for a message another took.
 */
static double bench_throughput(enum ipc ipc, size_t len, unsigned int writers,
			       unsigned int readers, unsigned int total,
			       double *switches)
{
	struct rusage before, after;
	unsigned int per_writer = total / writers, i, got = 0;
	pid_t pids[8];
	unsigned int *counts;
	struct msg m = { 0 };
	struct chan c;
	int go[2];
	double t0;
	char b;

	counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		die("mmap");
	chan_open(&c, ipc);
	chan_as_shipped(&c);
	if (pipe(go))
		die("pipe");
	for (i = 0; i < writers + readers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i])
			continue;
		close(go[1]);
		if (read(go[0], &b, 1) < 0)
			_exit(1);
		if (i < writers) {
			unsigned int k;

			for (k = 0; k < per_writer; k++)
				chan_send(&c, &m, len);
		} else {
			while (chan_recv(&c, &m) == len)
				counts[i]++;
		}
		_exit(0);
	}
	close(go[0]);
	getrusage(RUSAGE_CHILDREN, &before);
	t0 = now_ns();
	close(go[1]);
	for (i = 0; i < writers; i++)
		wait_child(pids[i]);
	for (i = 0; i < readers; i++)
		chan_send(&c, &m, 1);
	for (i = writers; i < writers + readers; i++) {
		wait_child(pids[i]);
		got += counts[i];
	}
	t0 = now_ns() - t0;
	getrusage(RUSAGE_CHILDREN, &after);
	chan_close(&c);
	munmap(counts, 4096);
	*switches = (double)(after.ru_nvcsw - before.ru_nvcsw) / got;
	if (got != per_writer * writers) {
		fprintf(stderr, "synchmess_bench: %u of %u messages arrived\n",
			got, per_writer * writers);
		exit(1);
	}
	return got / (t0 / 1e9);
}

/* Nanoseconds per send and receive of one message by one thread. */
static double bench_sendrecv(struct chan *c, size_t len, unsigned int iters)
{
	struct msg m = { 0 };
	unsigned int i;
	double t0;

	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		chan_send(c, &m, len);
		chan_recv(c, &m);
	}
	return (now_ns() - t0) / iters;
}

/* The same two system calls on the cheapest files there are. */
static double bench_floor(size_t len, unsigned int iters)
{
	static char buf[MAX_MSG];
	int null = open("/dev/null", O_WRONLY);
	int zero = open("/dev/zero", O_RDONLY);
	unsigned int i;
	double t0;

	if (null < 0 || zero < 0)
		die("open /dev/null or /dev/zero");
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		if (write(null, buf, len) != (ssize_t)len ||
		    read(zero, buf, len) != (ssize_t)len)
			die("floor");
	}
	t0 = now_ns() - t0;
	close(null);
	close(zero);
	return t0 / iters;
}

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
			while (__atomic_load_n(bb->word, __ATOMIC_ACQUIRE) == gen)
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
		if (woken == sleepers) {
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Lateness of delayed messages: time a reader gets one minus its deadline. */
struct lateness {
	int fd;
	double late[DELAY_MSGS];
};

static void *lateness_reader(void *arg)
{
	struct lateness *l = arg;
	double sent;
	unsigned int i;

	for (i = 0; i < DELAY_MSGS; i++) {
		if (read(l->fd, &sent, sizeof(sent)) != sizeof(sent))
			die("read delayed message");
		l->late[i] = now_ns() - sent - DELAY_MS * 1e6;
	}
	return NULL;
}

static void bench_lateness(double *med, double *p99)
{
	static struct lateness l;
	__u32 delay = DELAY_MS;
	pthread_t reader;
	struct chan c;
	unsigned int i;
	double sent;

	chan_open(&c, SYNCHMESS);
	l.fd = c.tx;
	if (ioctl(c.tx, SYNCHMESS_IOC_SET_SEND_DELAY, &delay))
		die("set send delay");
	if (pthread_create(&reader, NULL, lateness_reader, &l))
		die("pthread_create");
	for (i = 0; i < DELAY_MSGS; i++) {
		/* Taken before the write: the deadline is no earlier. */
		sent = now_ns();
		if (write(c.tx, &sent, sizeof(sent)) != sizeof(sent))
			die("write delayed message");
		usleep(DELAY_GAP_US);
	}
	pthread_join(reader, NULL);
	chan_close(&c);
	*med = median(l.late, DELAY_MSGS);
	*p99 = l.late[DELAY_MSGS * 99 / 100];
}

/*
 * Delay accuracy against a timerfd, in rounds: @n samples of a delay of
 * @delay_ms, one every LATE_GAP_US. A writer thread takes the time, then
 * writes a message to a group with that send delay (or arms a one-shot
 * CLOCK_MONOTONIC timerfd of that length, a fresh one per sample); a
 * reader thread blocks in read() on the group (on the timerfds, in turn)
 * and takes the time read() returns. Lateness: that time minus the time
 * before the write (before timerfd_settime()) minus the delay.
 */
struct delay_run {
	bool timerfd;
	int fd;			/* the group */
	int *tfds;		/* the timerfds, one per sample */
	unsigned int n;
	unsigned int delay_ms;
	double *sent, *late;
};

static void *delay_reader(void *arg)
{
	struct delay_run *d = arg;
	unsigned int i;
	uint64_t ticks;
	double sent;

	for (i = 0; i < d->n; i++) {
		if (d->timerfd) {
			if (read(d->tfds[i], &ticks, sizeof(ticks)) !=
			    sizeof(ticks))
				die("read timerfd");
			d->late[i] = now_ns();
			continue;
		}
		if (read(d->fd, &sent, sizeof(sent)) != sizeof(sent))
			die("read delayed message");
		d->late[i] = now_ns();
		/* Messages of one delay come out in write order. */
		if (sent != d->sent[i]) {
			fprintf(stderr, "synchmess_bench: delayed message %u out of order\n",
				i);
			exit(1);
		}
	}
	return NULL;
}

static void bench_delay(bool use_timerfd, unsigned int delay_ms,
			unsigned int n, double *med, double *p99)
{
	struct itimerspec its = {
		.it_value = { delay_ms / 1000, (delay_ms % 1000) * 1000000L },
	};
	struct delay_run d = {
		.timerfd = use_timerfd, .n = n, .delay_ms = delay_ms,
	};
	__u32 delay = delay_ms;
	pthread_t reader;
	struct chan c;
	unsigned int i;

	d.sent = calloc(n, sizeof(double));
	d.late = calloc(n, sizeof(double));
	d.tfds = calloc(n, sizeof(int));
	if (!d.sent || !d.late || !d.tfds)
		die("calloc");
	if (use_timerfd) {
		for (i = 0; i < n; i++) {
			d.tfds[i] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
			if (d.tfds[i] < 0)
				die("timerfd_create");
		}
	} else {
		chan_open(&c, SYNCHMESS);
		d.fd = c.tx;
		if (ioctl(c.tx, SYNCHMESS_IOC_SET_SEND_DELAY, &delay))
			die("set send delay");
	}
	if (pthread_create(&reader, NULL, delay_reader, &d))
		die("pthread_create");
	usleep(LATE_GAP_US);
	for (i = 0; i < n; i++) {
		/* Taken before the write: the deadline is no earlier. */
		d.sent[i] = now_ns();
		if (use_timerfd) {
			if (timerfd_settime(d.tfds[i], 0, &its, NULL))
				die("timerfd_settime");
		} else if (write(d.fd, &d.sent[i], sizeof(double)) !=
			   sizeof(double)) {
			die("write delayed message");
		}
		usleep(LATE_GAP_US);
	}
	pthread_join(reader, NULL);
	if (use_timerfd) {
		for (i = 0; i < n; i++)
			close(d.tfds[i]);
	} else {
		chan_close(&c);
	}
	for (i = 0; i < n; i++)
		d.late[i] -= d.sent[i] + delay_ms * 1e6;
	*med = median(d.late, n);	/* sorts */
	*p99 = d.late[n * 99 / 100];
	free(d.sent);
	free(d.late);
	free(d.tfds);
}

/*
 * Cost of a delayed write to a group holding DEPTH pending delayed
 * messages of mixed delays (minutes to an hour, none comes due), against
 * the same writes to a group with nothing pending: @slices slices of @n
 * writes of 64 B each, the two groups in turn, the delay of a slice taken
 * from the same mix and set on both groups. The empty group's pending
 * messages are revoked before each of its slices; the full one gains
 * @slices x @n over its DEPTH. Nanoseconds per write, in *empty, *full.
 */
static const __u32 mixed_delays_ms[] = {
	60000, 3600000, 300000, 1800000, 120000, 2700000, 600000, 900000,
};

#define NR_MIXED ARRAY_SIZE(mixed_delays_ms)

static void set_delay(struct chan *c, __u32 ms)
{
	if (ioctl(c->tx, SYNCHMESS_IOC_SET_SEND_DELAY, &ms))
		die("set send delay");
}

static double timed_writes(struct chan *c, unsigned int n)
{
	struct msg m = { 0 };
	unsigned int i;
	double t0 = now_ns();

	for (i = 0; i < n; i++)
		chan_send(c, &m, 64);
	return now_ns() - t0;
}

static void bench_delaymixed(unsigned int slices, unsigned int n,
			     double *empty, double *full)
{
	struct chan e, f;
	struct msg m = { 0 };
	unsigned int i, k;
	double te = 0, tf = 0;

	chan_open(&e, SYNCHMESS);
	chan_open(&f, SYNCHMESS);
	for (i = 0; i < DEPTH; i++) {
		set_delay(&f, mixed_delays_ms[i % NR_MIXED]);
		chan_send(&f, &m, 64);
	}
	if (sm_figure(f.id, "delayed") != DEPTH) {
		fprintf(stderr, "synchmess_bench: %ld of %u delayed messages pending\n",
			sm_figure(f.id, "delayed"), DEPTH);
		exit(1);
	}
	for (k = 0; k < slices; k++) {
		__u32 ms = mixed_delays_ms[(k * 3) % NR_MIXED];

		set_delay(&e, ms);
		set_delay(&f, ms);
		if (ioctl(e.tx, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES) < 0)
			die("revoke");
		if (k % 2) {
			tf += timed_writes(&f, n);
			te += timed_writes(&e, n);
		} else {
			te += timed_writes(&e, n);
			tf += timed_writes(&f, n);
		}
	}
	if (sm_figure(f.id, "delayed") != DEPTH + slices * n ||
	    sm_figure(f.id, "messages") != 0) {
		fprintf(stderr, "synchmess_bench: a delayed message came due\n");
		exit(1);
	}
	/* Revoked, so that close() has nothing to publish. */
	if (ioctl(e.tx, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES) < 0 ||
	    ioctl(f.tx, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES) < 0)
		die("revoke");
	chan_close(&e);
	chan_close(&f);
	*empty = te / (slices * n);
	*full = tf / (slices * n);
}

/*
 * Ping-pong of 64 B between two processes over two groups while this
 * process flushes (fsync) another group holding @pending delayed
 * messages, or, when @pending is 0, only sleeps. The ping-pong starts
 * first; the window starts with the flush and lasts @window_ns, or as long
 * as the flush when that is longer, so a flush that stalls the ping-pong
 * weighs the same however short it is. The figure is the length of the
 * window divided by the round trips completed in it. The two processes are
 * forked before the flushed group is opened: their exit closes no file of
 * it, so only fsync() publishes its messages. Returns nanoseconds per
 * round trip; the time of the flush (0 without one) in *took_ns, the
 * length of the window in *window_out_ns.
 */
struct pp_shared {
	unsigned long done;
	int stop;
};

static double bench_pingpong_flush(unsigned int pending, double window_ns,
				   double *took_ns, double *window_out_ns)
{
	struct pp_shared *sh;
	struct chan there, back, g;
	struct msg m = { 0 };
	unsigned long c0, c1;
	pid_t ponger, pinger;
	double t0, t1, took = 0;
	int go[2];
	char b;

	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	chan_open(&there, SYNCHMESS);
	chan_open(&back, SYNCHMESS);
	if (pipe(go))
		die("pipe");
	ponger = fork();
	if (ponger < 0)
		die("fork");
	if (!ponger) {
		size_t len;

		/* The pinger starts when the parent closes the last write end. */
		close(go[0]);
		close(go[1]);
		do {
			len = chan_recv(&there, &m);
			chan_send(&back, &m, len);
		} while (len != 1);
		_exit(0);
	}
	pinger = fork();
	if (pinger < 0)
		die("fork");
	if (!pinger) {
		close(go[1]);
		if (read(go[0], &b, 1) < 0)
			_exit(1);
		while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
			chan_send(&there, &m, 64);
			if (chan_recv(&back, &m) != 64)
				_exit(1);
			__atomic_add_fetch(&sh->done, 1, __ATOMIC_RELEASE);
		}
		chan_send(&there, &m, 1);
		chan_recv(&back, &m);
		_exit(0);
	}
	close(go[0]);
	if (pending) {
		unsigned int i;
		__u32 hour = 3600000;

		chan_open(&g, SYNCHMESS);
		set_delay(&g, hour);
		for (i = 0; i < pending; i++)
			chan_send(&g, &m, 64);
		if (sm_figure(g.id, "delayed") != pending) {
			fprintf(stderr, "synchmess_bench: %ld of %u messages pending\n",
				sm_figure(g.id, "delayed"), pending);
			exit(1);
		}
	}
	close(go[1]);
	/* Running: a few hundred round trips first. */
	while (__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE) < 200)
		usleep(1000);
	c0 = __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE);
	t0 = now_ns();
	if (pending) {
		if (fsync(g.tx))
			die("fsync");
		took = now_ns() - t0;
	}
	while ((t1 = now_ns()) < t0 + window_ns) {
		double left = t0 + window_ns - t1;
		struct timespec ts = {
			(time_t)(left / 1e9),
			(long)(left - (time_t)(left / 1e9) * 1e9),
		};

		nanosleep(&ts, NULL);
	}
	c1 = __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	wait_child(pinger);
	wait_child(ponger);
	if (pending) {
		if (sm_figure(g.id, "delayed") != 0 ||
		    sm_figure(g.id, "messages") != pending) {
			fprintf(stderr, "synchmess_bench: the flush published %ld of %u\n",
				sm_figure(g.id, "messages"), pending);
			exit(1);
		}
		chan_close(&g);
	}
	chan_close(&there);
	chan_close(&back);
	munmap(sh, 4096);
	*took_ns = took;
	*window_out_ns = t1 - t0;
	/* No round trip at all in the window: the window's whole length. */
	return (t1 - t0) / (c1 > c0 ? c1 - c0 : 1);
}

/*
 * Delayed writes of 64 B to a group by a child process, timed one by one,
 * while this process flushes (fsync) the @pending messages of mixed delays
 * the same group holds, or, when @pending is 0, only sleeps. The window
 * starts with the flush and lasts @window_ns, or as long as the flush when
 * that is longer. Returns the mean nanoseconds per write in the window;
 * the length of the window in *window_out_ns.
 */
struct wr_shared {
	double sum;
	unsigned long writes;
	int measure;
	int stop;
};

static double bench_write_flush(unsigned int pending, double window_ns,
				double *window_out_ns)
{
	struct wr_shared *sh;
	struct msg m = { 0 };
	unsigned int i;
	double t0, t1;
	struct chan g;
	pid_t writer;

	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	chan_open(&g, SYNCHMESS);
	for (i = 0; i < pending; i++) {
		set_delay(&g, mixed_delays_ms[i % NR_MIXED]);
		chan_send(&g, &m, 64);
	}
	set_delay(&g, 3600000);
	writer = fork();
	if (writer < 0)
		die("fork");
	if (!writer) {
		double t;
		ssize_t n;

		while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
			t = now_ns();
			n = write(g.tx, m.data, 64);
			t = now_ns() - t;
			if (n == 64 &&
			    __atomic_load_n(&sh->measure, __ATOMIC_ACQUIRE)) {
				sh->sum += t;
				__atomic_add_fetch(&sh->writes, 1,
						   __ATOMIC_RELEASE);
			} else if (n < 0 && errno == ENOSPC) {
				/*
				 * max_messages reached (nobody reads here):
				 * waiting for room would outlast the window,
				 * so wait for the stop instead.
				 */
				usleep(1000);
			} else if (n != 64 && errno != EINTR) {
				die("send");
			}
		}
		/* Its close publishes what it wrote: after the window. */
		_exit(0);
	}
	usleep(20000);
	__atomic_store_n(&sh->measure, 1, __ATOMIC_RELEASE);
	t0 = now_ns();
	if (pending && fsync(g.tx))
		die("fsync");
	while ((t1 = now_ns()) < t0 + window_ns)
		usleep(1000);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	wait_child(writer);
	if (ioctl(g.tx, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES) < 0)
		die("revoke");
	chan_close(&g);
	*window_out_ns = t1 - t0;
	t1 = sh->writes ? sh->sum / sh->writes : t1 - t0;
	munmap(sh, 4096);
	return t1;
}

/*
 * Batched one-way throughput of 64 B messages, one writer process and one
 * reader process, BATCH messages per system call on both sides: SynchMess
 * through io_uring (BATCH IORING_OP_WRITE per io_uring_enter(), BATCH
 * IORING_OP_READ per io_uring_enter() waiting for all of them), SynchMess
 * through its own batches (SYNCHMESS_IOC_SEND_BATCH of BATCH, and
 * SYNCHMESS_IOC_RECV_BATCH of BATCH, which waits for the first message
 * only and takes what is queued), or an AF_UNIX SOCK_DGRAM socket pair
 * through sendmmsg() and recvmmsg() (which without MSG_WAITFORONE waits
 * for all BATCH). Raw io_uring system calls: no liburing. Messages per
 * second from the start signal until both are done; @total is a multiple
 * of BATCH.
 */
enum batched { BATCHED_URING, BATCHED_IOCTL, BATCHED_MMSG };

/* Set up a ring, or end the benchmark. */
static void ring_setup(struct sm_ring *r, unsigned int entries)
{
	int ret = sm_ring_setup(r, entries);

	if (ret) {
		errno = -ret;
		die("io_uring_setup (CONFIG_IO_URING?)");
	}
}

/* Submit @n queued operations and wait for @n completions. */
static void ring_submit_wait(struct sm_ring *r, unsigned int n)
{
	unsigned int submitted = 0;
	int ret;

	while (submitted < n) {
		ret = syscall(__NR_io_uring_enter, r->fd, n - submitted, n,
			      IORING_ENTER_GETEVENTS, NULL, 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			die("io_uring_enter");
		submitted += ret;
	}
	/* Every operation submitted: wait for the rest of the completions. */
	while (*r->cq_tail - *r->cq_head < n) {
		ret = syscall(__NR_io_uring_enter, r->fd, 0,
			      n - (*r->cq_tail - *r->cq_head),
			      IORING_ENTER_GETEVENTS, NULL, 0);
		if (ret < 0 && errno != EINTR)
			die("io_uring_enter");
	}
}

static void uring_writer(int fd, unsigned int total)
{
	static char buf[64];
	struct io_uring_cqe cqe;
	unsigned int sent = 0, i, n;
	struct sm_ring r;

	ring_setup(&r, 2 * BATCH);
	while (sent < total) {
		n = total - sent < BATCH ? total - sent : BATCH;
		for (i = 0; i < n; i++)
			sm_ring_queue(&r, IORING_OP_WRITE, fd, buf, sizeof(buf), i);
		ring_submit_wait(&r, n);
		while (sm_ring_reap(&r, &cqe)) {
			if (cqe.res == sizeof(buf)) {
				sent++;
			} else if (cqe.res == -ENOSPC) {
				/* Full: resent by a later batch. */
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				poll(&pfd, 1, -1);
			} else {
				errno = -cqe.res;
				die("io_uring write");
			}
		}
	}
}

static void uring_reader(int fd, unsigned int total)
{
	static char bufs[BATCH][128];
	struct io_uring_cqe cqe;
	unsigned int got = 0, i, n;
	struct sm_ring r;

	ring_setup(&r, 2 * BATCH);
	while (got < total) {
		n = total - got < BATCH ? total - got : BATCH;
		for (i = 0; i < n; i++)
			sm_ring_queue(&r, IORING_OP_READ, fd, bufs[i],
				      sizeof(bufs[i]), i);
		ring_submit_wait(&r, n);
		while (sm_ring_reap(&r, &cqe)) {
			if (cqe.res != 64) {
				errno = cqe.res < 0 ? -cqe.res : EIO;
				die("io_uring read");
			}
			got++;
		}
	}
}

static void mmsg_writer(int fd, unsigned int total)
{
	static char buf[64];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { buf, sizeof(buf) };
	unsigned int sent = 0, i;
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < total) {
		n = sendmmsg(fd, msgs, total - sent < BATCH ? total - sent : BATCH,
			     0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("sendmmsg");
		sent += n;
	}
}

static void mmsg_reader(int fd, unsigned int total)
{
	static char bufs[BATCH][128];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	unsigned int got = 0, i;
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (got < total) {
		n = recvmmsg(fd, msgs, total - got < BATCH ? total - got : BATCH,
			     0, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("recvmmsg");
		for (i = 0; i < (unsigned int)n; i++) {
			if (msgs[i].msg_len != 64) {
				errno = EIO;
				die("recvmmsg length");
			}
		}
		got += n;
	}
}

static void batch_writer(int fd, unsigned int total)
{
	static char buf[64];
	struct synchmess_msgvec vec[BATCH];
	struct synchmess_batch b = { .vec = (uintptr_t)vec };
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	unsigned int sent = 0, i;
	int n;

	memset(vec, 0, sizeof(vec));
	for (i = 0; i < BATCH; i++) {
		vec[i].buf = (uintptr_t)buf;
		vec[i].len = sizeof(buf);
	}
	while (sent < total) {
		b.count = total - sent < BATCH ? total - sent : BATCH;
		n = ioctl(fd, SYNCHMESS_IOC_SEND_BATCH, &b);
		if (n < 0 && errno == EINTR)
			continue;
		/* Full: the rest of the batch goes once there is room. */
		if (n < 0 && errno == ENOSPC && poll(&pfd, 1, -1) >= 0)
			continue;
		if (n <= 0)
			die("SYNCHMESS_IOC_SEND_BATCH");
		sent += n;
	}
}

static void batch_reader(int fd, unsigned int total)
{
	static char bufs[BATCH][128];
	struct synchmess_msgvec vec[BATCH];
	struct synchmess_batch b = { .vec = (uintptr_t)vec };
	unsigned int got = 0, i;
	int n;

	memset(vec, 0, sizeof(vec));
	for (i = 0; i < BATCH; i++) {
		vec[i].buf = (uintptr_t)bufs[i];
		vec[i].len = sizeof(bufs[i]);
	}
	while (got < total) {
		b.count = total - got < BATCH ? total - got : BATCH;
		n = ioctl(fd, SYNCHMESS_IOC_RECV_BATCH, &b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("SYNCHMESS_IOC_RECV_BATCH");
		for (i = 0; i < (unsigned int)n; i++) {
			if (vec[i].msg_len != 64) {
				errno = EIO;
				die("SYNCHMESS_IOC_RECV_BATCH length");
			}
		}
		got += n;
	}
}

static double bench_batched(enum batched how, unsigned int total)
{
	struct chan c;
	pid_t writer, reader;
	int go[2], fds[2], wfd, rfd;
	double t0;
	char b;

	if (how != BATCHED_MMSG) {
		chan_open(&c, SYNCHMESS);
		chan_as_shipped(&c);
		wfd = c.tx;
		rfd = c.tx;
	} else {
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, fds))
			die("socketpair");
		wfd = fds[0];
		rfd = fds[1];
	}
	if (pipe(go))
		die("pipe");
	writer = fork();
	if (writer < 0)
		die("fork");
	if (!writer) {
		close(go[1]);
		if (read(go[0], &b, 1) < 0)
			_exit(1);
		if (how == BATCHED_URING)
			uring_writer(wfd, total);
		else if (how == BATCHED_IOCTL)
			batch_writer(wfd, total);
		else
			mmsg_writer(wfd, total);
		_exit(0);
	}
	reader = fork();
	if (reader < 0)
		die("fork");
	if (!reader) {
		close(go[1]);
		if (read(go[0], &b, 1) < 0)
			_exit(1);
		if (how == BATCHED_URING)
			uring_reader(rfd, total);
		else if (how == BATCHED_IOCTL)
			batch_reader(rfd, total);
		else
			mmsg_reader(rfd, total);
		_exit(0);
	}
	close(go[0]);
	t0 = now_ns();
	close(go[1]);
	wait_child(writer);
	wait_child(reader);
	t0 = now_ns() - t0;
	if (how != BATCHED_MMSG) {
		chan_close(&c);
	} else {
		close(fds[0]);
		close(fds[1]);
	}
	return total / (t0 / 1e9);
}

/*
 * Profile mode: where the kernel spends the time of a send and receive
 * of 64 B and of 4 KiB, and of a batch of 32 each way, by the timer-tick
 * samples of /proc/profile (boot with profile=2, CONFIG_PROFILING), summed
 * per function of /proc/kallsyms.
 */
struct ksym {
	unsigned long addr;
	unsigned long hits;
	char name[64];
};

static int ksym_by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int ksym_by_hits(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->hits > y->hits ? -1 : x->hits < y->hits;
}

static struct ksym *ksyms_load(size_t *n, unsigned long *stext)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	struct ksym *syms = NULL;
	size_t cap = 0;
	char type, name[256];
	unsigned long addr;

	if (!f)
		die("/proc/kallsyms");
	*n = 0;
	while (fscanf(f, "%lx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (type != 't' && type != 'T')
			continue;
		if (!strcmp(name, "_stext"))
			*stext = addr;
		if (*n == cap) {
			cap = cap ? 2 * cap : 4096;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				die("realloc");
		}
		syms[*n].addr = addr;
		syms[*n].hits = 0;
		snprintf(syms[*n].name, sizeof(syms[*n].name), "%.63s", name);
		(*n)++;
	}
	fclose(f);
	qsort(syms, *n, sizeof(*syms), ksym_by_addr);
	return syms;
}

static void profile_print(const char *what, double seconds)
{
	unsigned long stext = 0, total = 0, i;
	static unsigned int buf[1 << 22];
	size_t nsyms, lo, hi, k;
	struct ksym *syms;
	ssize_t len = 0, n;
	int fd;

	fd = open("/proc/profile", O_RDONLY);
	if (fd < 0)
		die("/proc/profile (boot with profile=2)");
	while ((n = read(fd, (char *)buf + len, sizeof(buf) - len)) > 0)
		len += n;
	close(fd);
	syms = ksyms_load(&nsyms, &stext);
	if (!stext || !nsyms || len < 8)
		die("profile or kallsyms");
	for (i = 1; i < (unsigned long)len / sizeof(buf[0]); i++) {
		unsigned long addr = stext + (i - 1) * buf[0];

		if (!buf[i] || addr < syms[0].addr)
			continue;
		for (lo = 0, hi = nsyms; hi - lo > 1; ) {
			k = (lo + hi) / 2;
			if (syms[k].addr <= addr)
				lo = k;
			else
				hi = k;
		}
		syms[lo].hits += buf[i];
	}
	/* The other CPU idles meanwhile: count the busy one only. */
	for (k = 0; k < nsyms; k++) {
		if (strstr(syms[k].name, "idle") ||
		    strstr(syms[k].name, "safe_halt"))
			syms[k].hits = 0;
		total += syms[k].hits;
	}
	qsort(syms, nsyms, sizeof(*syms), ksym_by_hits);
	printf("\nkernel profile of %s, %.0f s, %lu samples out of idle\n",
	       what, seconds, total);
	for (k = 0; total && k < nsyms && k < 25 && syms[k].hits; k++)
		printf("  %5.1f%%  %s\n", 100.0 * syms[k].hits / total,
		       syms[k].name);
	free(syms);
}

static void profile_reset(void)
{
	int fd = open("/proc/profile", O_WRONLY);

	if (fd < 0 || write(fd, "0", 1) != 1)
		die("reset /proc/profile (boot with profile=2)");
	close(fd);
}

static void profile_run(unsigned int seconds)
{
	unsigned int i;
	struct chan c;
	double end;

	chan_open(&c, SYNCHMESS);
	profile_reset();
	end = now_ns() + seconds * 1e9;
	while (now_ns() < end)
		bench_sendrecv(&c, 64, 1000);
	profile_print("64 B write + read on a SynchMess group", seconds);

	profile_reset();
	end = now_ns() + seconds * 1e9;
	while (now_ns() < end)
		bench_sendrecv(&c, 4096, 1000);
	profile_print("4 KiB write + read on a SynchMess group", seconds);

	/* One thread: the batch calls' own cost, without the hand-off. */
	profile_reset();
	end = now_ns() + seconds * 1e9;
	while (now_ns() < end) {
		for (i = 0; i < 100; i++) {
			batch_writer(c.tx, BATCH);
			batch_reader(c.tx, BATCH);
		}
	}
	profile_print("64 B batches of 32, SEND_BATCH then RECV_BATCH",
		      seconds);
	chan_close(&c);

	profile_reset();
	end = now_ns() + seconds * 1e9;
	while (now_ns() < end)
		bench_floor(64, 1000);
	profile_print("64 B write to /dev/null + read from /dev/zero",
		      seconds);
}

static const size_t sizes[] = { 64, 4096 };
static const unsigned int barrier_sleepers[] = { 1, 8, 64 };
#define NR_SIZES	2
#define NR_BARRIER	3
#define NR_FLOWS	2	/* 1 writer to 1 reader, 2 writers to 2 readers */
static const unsigned int late_delays_ms[] = { 1, 100 };
#define NR_DELAYS	2

/* Every figure of one round. */
struct figures {
	double pingpong[NR_IPC][NR_SIZES];
	double throughput[NR_IPC][NR_SIZES][NR_FLOWS];
	double sleeps[NR_IPC][NR_SIZES][NR_FLOWS];
	double sendrecv[NR_IPC][NR_SIZES];
	double floor[NR_SIZES];
	double depth_empty, depth_full;
	double awake[NR_BARRIER], futex_wake[NR_BARRIER];
	/* [1 ms, 100 ms][synchmess, timerfd]: lateness median, 99th pct */
	double late_med[NR_DELAYS][2], late_p99[NR_DELAYS][2];
	double mixed_empty, mixed_full;		/* ns per delayed write */
	double pp_idle, pp_flush, flush_took;	/* ns */
	double write_idle, write_flush;		/* ns per delayed write */
	double uring_batch, ioctl_batch, unix_mmsg;	/* msg/s */
	/* The fastest of the peers in this round, for the _vs_best ratios. */
	double best_pingpong[NR_SIZES];
	double best_throughput[NR_SIZES][NR_FLOWS];
};

/* Pick each shape's fastest peer of the round, as a user would. */
static void pick_best(struct figures *f)
{
	unsigned int ipc, s, k;

	for (s = 0; s < NR_SIZES; s++) {
		f->best_pingpong[s] = f->pingpong[1][s];
		for (k = 0; k < NR_FLOWS; k++)
			f->best_throughput[s][k] = f->throughput[1][s][k];
		for (ipc = 2; ipc < NR_IPC; ipc++) {
			if (f->pingpong[ipc][s] < f->best_pingpong[s])
				f->best_pingpong[s] = f->pingpong[ipc][s];
			for (k = 0; k < NR_FLOWS; k++)
				if (f->throughput[ipc][s][k] >
				    f->best_throughput[s][k])
					f->best_throughput[s][k] =
						f->throughput[ipc][s][k];
		}
	}
}

static void deep_group_fill(struct chan *c, unsigned int n)
{
	struct msg m = { 0 };
	unsigned int i;

	for (i = 0; i < n; i++)
		chan_send(c, &m, 64);
	if (sm_figure(c->id, "messages") != n) {
		fprintf(stderr, "synchmess_bench: the deep group has %ld messages\n",
			sm_figure(c->id, "messages"));
		exit(1);
	}
}

/*
 * Round @round of the benchmark. Each round starts the comparisons with
 * another mechanism: the one that runs first follows the last round's
 * flushes of a million messages, whose freeing may still go on.
 */
static void run_round(struct figures *f, unsigned int round,
		      struct chan *empty, struct chan *deep)
{
	unsigned int pp = iterations(3000), tp = iterations(20000);
	unsigned int sr = iterations(40000 / SLICES);
	unsigned int batched = (tp + BATCH - 1) / BATCH * BATCH;
	/* -q: a tenth of the million, to stay short. */
	unsigned int flush_msgs = scale < 10 ? FLUSH_MSGS / 10 : FLUSH_MSGS;
	unsigned int ipc, s, b, k, d;
	double t, window;

	for (s = 0; s < NR_SIZES; s++) {
		for (k = 0; k < NR_IPC; k++) {
			ipc = (k + round) % NR_IPC;
			f->pingpong[ipc][s] = bench_pingpong(ipc, sizes[s], pp);
			f->throughput[ipc][s][0] =
				bench_throughput(ipc, sizes[s], 1, 1, tp,
						 &f->sleeps[ipc][s][0]);
			f->throughput[ipc][s][1] =
				bench_throughput(ipc, sizes[s], 2, 2, tp,
						 &f->sleeps[ipc][s][1]);
		}
	}
	/*
	 * Figures of a few microseconds drift with the machine: take them in
	 * short slices, each mechanism in turn, and add the slices up.
	 */
	for (s = 0; s < NR_SIZES; s++) {
		struct chan c[NR_IPC];

		f->floor[s] = 0;
		for (ipc = 0; ipc < NR_IPC; ipc++) {
			chan_open(&c[ipc], ipc);
			chan_as_shipped(&c[ipc]);
			f->sendrecv[ipc][s] = 0;
		}
		for (k = 0; k < SLICES; k++) {
			f->floor[s] += bench_floor(sizes[s], sr) / SLICES;
			for (ipc = 0; ipc < NR_IPC; ipc++)
				f->sendrecv[ipc][s] +=
					bench_sendrecv(&c[ipc], sizes[s], sr) /
					SLICES;
		}
		for (ipc = 0; ipc < NR_IPC; ipc++)
			chan_close(&c[ipc]);
	}
	f->depth_empty = 0;
	f->depth_full = 0;
	for (k = 0; k < SLICES; k++) {
		f->depth_empty += bench_sendrecv(empty, 64, sr) / SLICES;
		f->depth_full += bench_sendrecv(deep, 64, sr) / SLICES;
	}
	for (b = 0; b < NR_BARRIER; b++) {
		unsigned int iters = iterations(400) / barrier_sleepers[b] + 2;

		f->awake[b] = bench_barrier(false, barrier_sleepers[b], iters);
		f->futex_wake[b] = bench_barrier(true, barrier_sleepers[b],
						 iters);
	}
	for (d = 0; d < NR_DELAYS; d++) {
		for (k = 0; k < 2; k++)
			bench_delay(k, late_delays_ms[d],
				    iterations(LATE_SAMPLES),
				    &f->late_med[d][k], &f->late_p99[d][k]);
	}
	bench_delaymixed(SLICES, iterations(5000 / SLICES), &f->mixed_empty,
			 &f->mixed_full);
	f->pp_flush = bench_pingpong_flush(flush_msgs, FLUSH_WINDOW_NS,
					   &f->flush_took, &window);
	f->pp_idle = bench_pingpong_flush(0, window, &t, &t);
	f->write_flush = bench_write_flush(flush_msgs, FLUSH_WINDOW_NS, &window);
	f->write_idle = bench_write_flush(0, window, &t);
	f->uring_batch = bench_batched(BATCHED_URING, batched);
	f->ioctl_batch = bench_batched(BATCHED_IOCTL, batched);
	f->unix_mmsg = bench_batched(BATCHED_MMSG, batched);
}

/* The median over the rounds of the figure at byte offset @off. */
static double med_at(struct figures *rounds, unsigned int n, size_t off)
{
	double v[64];
	unsigned int r;

	for (r = 0; r < n; r++)
		v[r] = *(double *)((char *)&rounds[r] + off);
	return median(v, n);
}

/*
 * The median over the rounds of the ratio of two figures of the same round:
 * the two ran side by side, so a machine that slows down between rounds
 * moves both.
 */
static double ratio_at(struct figures *rounds, unsigned int n, size_t num,
		       size_t den)
{
	double v[64];
	unsigned int r;

	for (r = 0; r < n; r++)
		v[r] = *(double *)((char *)&rounds[r] + num) /
		       *(double *)((char *)&rounds[r] + den);
	return median(v, n);
}

#define MED(field) med_at(rounds, nr_rounds, offsetof(struct figures, field))
#define RATIO(num, den) ratio_at(rounds, nr_rounds, \
				 offsetof(struct figures, num), \
				 offsetof(struct figures, den))

static void bad_usage(void)
{
	fprintf(stderr, "usage: synchmess_bench [-r ROUNDS] [-s SCALE] [-q] | -p SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct figures rounds[64];
	unsigned int nr_rounds = 7, r, ipc, s, b, d, k, profile = 0;
	char flush_label[64];
	unsigned long old_storage = 0, old_qlen = 0;
	unsigned long old_messages;
	double t0, late_med, late_p99;
	struct chan empty, deep;
	int opt;

	while ((opt = getopt(argc, argv, "r:s:qp:")) != -1) {
		switch (opt) {
		case 'p':
			profile = strtoul(optarg, NULL, 0);
			if (!profile)
				bad_usage();
			break;
		case 'r':
			nr_rounds = strtoul(optarg, NULL, 0);
			break;
		case 's':
			scale = strtoul(optarg, NULL, 0) * 10;
			break;
		case 'q':
			scale = 1;
			break;
		default:
			bad_usage();
		}
	}
	if (!nr_rounds || nr_rounds > 64 || !scale || optind != argc)
		bad_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (profile) {
		profile_run(profile);
		return 0;
	}

	if (sm_param_get("max_storage_size", &old_storage))
		die("read max_storage_size (is synchmess loaded?)");
	if (sm_param_set("max_storage_size", DEPTH_STORAGE))
		die("raise max_storage_size");
	/* The flushes hold a million messages, of one byte and more. */
	if (sm_param_get("max_messages", &old_messages) ||
	    sm_param_set("max_messages", DEPTH_MESSAGES))
		die("raise max_messages");
	shipped_limits.max_storage_size = old_storage;
	shipped_limits.max_messages = old_messages;
	/*
	 * AF_UNIX datagram sockets queue max_dgram_qlen (10) datagrams by
	 * default: let a batch of 32 through whole, as SynchMess's raised
	 * max_storage_size does. Put back at the end.
	 */
	if (sm_read_ulong(UNIX_QLEN_SYSCTL, &old_qlen) == 0 &&
	    sm_write_text(UNIX_QLEN_SYSCTL, UNIX_QLEN_TEXT))
		die("raise " UNIX_QLEN_SYSCTL);
	chan_open(&empty, SYNCHMESS);
	chan_open(&deep, SYNCHMESS);
	deep_group_fill(&deep, DEPTH);

	t0 = now_ns();
	for (r = 0; r < nr_rounds; r++) {
		run_round(&rounds[r], r, &empty, &deep);
		pick_best(&rounds[r]);
		printf("# round %u of %u done after %.0f s\n", r + 1,
		       nr_rounds, (now_ns() - t0) / 1e9);
	}
	bench_lateness(&late_med, &late_p99);
	chan_close(&deep);
	chan_close(&empty);
	if (sm_param_set("max_storage_size", old_storage))
		die("restore max_storage_size");
	if (sm_param_set("max_messages", old_messages))
		die("restore max_messages");
	if (old_qlen) {
		char text[32];

		snprintf(text, sizeof(text), "%lu", old_qlen);
		if (sm_write_text(UNIX_QLEN_SYSCTL, text))
			die("restore " UNIX_QLEN_SYSCTL);
	}

	printf("\nSynchMess benchmark: median of %u rounds, %u CPUs, scale %.1f\n",
	       nr_rounds, (unsigned int)sysconf(_SC_NPROCESSORS_ONLN),
	       scale / 10.0);
	printf("\n%-34s %12s %12s\n", "ping-pong round trip (us)", "64 B",
	       "4 KiB");
	for (ipc = 0; ipc < NR_IPC; ipc++)
		printf("  %-32s %12.2f %12.2f\n", ipc_name[ipc],
		       MED(pingpong[ipc][0]) / 1e3,
		       MED(pingpong[ipc][1]) / 1e3);
	printf("\n%-34s %12s %12s %12s %12s\n", "one-way throughput (msg/s)",
	       "64 B 1:1", "64 B 2:2", "4 KiB 1:1", "4 KiB 2:2");
	for (ipc = 0; ipc < NR_IPC; ipc++)
		printf("  %-32s %12.0f %12.0f %12.0f %12.0f\n", ipc_name[ipc],
		       MED(throughput[ipc][0][0]), MED(throughput[ipc][0][1]),
		       MED(throughput[ipc][1][0]), MED(throughput[ipc][1][1]));
	printf("\n%-34s %12s %12s %12s %12s\n", "sleeps per message (throughput)",
	       "64 B 1:1", "64 B 2:2", "4 KiB 1:1", "4 KiB 2:2");
	for (ipc = 0; ipc < NR_IPC; ipc++)
		printf("  %-32s %12.3f %12.3f %12.3f %12.3f\n", ipc_name[ipc],
		       MED(sleeps[ipc][0][0]), MED(sleeps[ipc][0][1]),
		       MED(sleeps[ipc][1][0]), MED(sleeps[ipc][1][1]));
	printf("\n%-34s %12s %12s\n", "send + receive, one thread (us)",
	       "64 B", "4 KiB");
	for (ipc = 0; ipc < NR_IPC; ipc++)
		printf("  %-32s %12.2f %12.2f\n", ipc_name[ipc],
		       MED(sendrecv[ipc][0]) / 1e3,
		       MED(sendrecv[ipc][1]) / 1e3);
	printf("  %-32s %12.2f %12.2f\n", "floor: /dev/null + /dev/zero",
	       MED(floor[0]) / 1e3, MED(floor[1]) / 1e3);
	printf("\n%-34s %12s\n", "send + receive, 64 B (us)", "");
	printf("  %-32s %12.2f\n", "empty group", MED(depth_empty) / 1e3);
	printf("  %-32s %12.2f\n", "100,000 messages queued",
	       MED(depth_full) / 1e3);
	printf("\n%-34s %12s %12s %12s\n", "wake to all running (us)",
	       "1", "8", "64");
	printf("  %-32s %12.2f %12.2f %12.2f\n", "synchmess awake",
	       MED(awake[0]) / 1e3, MED(awake[1]) / 1e3, MED(awake[2]) / 1e3);
	printf("  %-32s %12.2f %12.2f %12.2f\n", "FUTEX_WAKE",
	       MED(futex_wake[0]) / 1e3, MED(futex_wake[1]) / 1e3,
	       MED(futex_wake[2]) / 1e3);
	printf("\n%-34s %12s %12s\n", "delayed delivery lateness (us)",
	       "median", "99th pct");
	printf("  %-32s %12.0f %12.0f\n", "20 ms delay, 1,000 messages",
	       late_med / 1e3, late_p99 / 1e3);
	for (d = 0; d < NR_DELAYS; d++) {
		static const char * const who[2] = { "synchmess", "timerfd" };
		char label[64];

		for (k = 0; k < 2; k++) {
			snprintf(label, sizeof(label), "%u ms, %s, %u samples",
				 late_delays_ms[d], who[k],
				 iterations(LATE_SAMPLES));
			printf("  %-32s %12.0f %12.0f\n", label,
			       MED(late_med[d][k]) / 1e3,
			       MED(late_p99[d][k]) / 1e3);
		}
	}
	printf("\n%-34s %12s\n", "delayed write, 64 B (us)", "");
	printf("  %-32s %12.2f\n", "nothing pending",
	       MED(mixed_empty) / 1e3);
	printf("  %-32s %12.2f\n", "100,000 pending, mixed delays",
	       MED(mixed_full) / 1e3);
	printf("\n%-34s %12s\n", "ping-pong round trip, 64 B (us)", "");
	printf("  %-32s %12.2f\n", "idle", MED(pp_idle) / 1e3);
	snprintf(flush_label, sizeof(flush_label), "during fsync of %u delayed",
		 scale < 10 ? FLUSH_MSGS / 10 : FLUSH_MSGS);
	printf("  %-32s %12.2f\n", flush_label, MED(pp_flush) / 1e3);
	printf("  %-32s %12.0f\n", "the flush took (us)",
	       MED(flush_took) / 1e3);
	printf("\n%-34s %12s\n", "delayed write to the group, 64 B (us)", "");
	printf("  %-32s %12.2f\n", "idle", MED(write_idle) / 1e3);
	snprintf(flush_label, sizeof(flush_label),
		 "during its fsync of %u mixed",
		 scale < 10 ? FLUSH_MSGS / 10 : FLUSH_MSGS);
	printf("  %-32s %12.2f\n", flush_label, MED(write_flush) / 1e3);
	printf("\n%-34s %12s\n", "batched throughput, 64 B (msg/s)", "1:1");
	printf("  %-32s %12.0f\n", "synchmess io_uring, 32 a call",
	       MED(uring_batch));
	printf("  %-32s %12.0f\n", "synchmess ioctl batch, 32 a call",
	       MED(ioctl_batch));
	printf("  %-32s %12.0f\n", "unix dgram mmsg, 32 a call",
	       MED(unix_mmsg));
	printf("  %-32s %12.0f\n\n", "POSIX mqueue, one a call",
	       MED(throughput[MQUEUE][0][0]));

	for (ipc = 1; ipc < NR_IPC; ipc++) {
		static const char * const key[NR_IPC] = {
			NULL, "mqueue", "pipe", "unix", "sysv",
		};

		for (s = 0; s < NR_SIZES; s++) {
			const char *sz = s ? "4k" : "64";

			printf("ratio pingpong%s_vs_%s %.3f\n", sz, key[ipc],
			       RATIO(pingpong[0][s], pingpong[ipc][s]));
			printf("ratio throughput%s_vs_%s %.3f\n", sz, key[ipc],
			       RATIO(throughput[0][s][0], throughput[ipc][s][0]));
			printf("ratio throughput%s_2x2_vs_%s %.3f\n", sz,
			       key[ipc],
			       RATIO(throughput[0][s][1], throughput[ipc][s][1]));
		}
	}
	for (s = 0; s < NR_SIZES; s++) {
		const char *sz = s ? "4k" : "64";

		printf("ratio pingpong%s_vs_best %.3f\n", sz,
		       RATIO(pingpong[0][s], best_pingpong[s]));
		printf("ratio throughput%s_vs_best %.3f\n", sz,
		       RATIO(throughput[0][s][0], best_throughput[s][0]));
		printf("ratio throughput%s_2x2_vs_best %.3f\n", sz,
		       RATIO(throughput[0][s][1], best_throughput[s][1]));
	}
	printf("ratio sendrecv64_vs_floor %.3f\n",
	       RATIO(sendrecv[0][0], floor[0]));
	printf("ratio sendrecv4k_vs_floor %.3f\n",
	       RATIO(sendrecv[0][1], floor[1]));
	printf("ratio depth100k_vs_empty %.3f\n",
	       RATIO(depth_full, depth_empty));
	for (b = 0; b < NR_BARRIER; b++)
		printf("ratio awake%u_vs_futex %.3f\n", barrier_sleepers[b],
		       RATIO(awake[b], futex_wake[b]));
	printf("ratio delay_p99_vs_timerfd %.3f\n",
	       RATIO(late_p99[0][0], late_p99[0][1]));
	printf("ratio delay100ms_p99_vs_timerfd %.3f\n",
	       RATIO(late_p99[1][0], late_p99[1][1]));
	printf("ratio delaymixed100k_vs_empty %.3f\n",
	       RATIO(mixed_full, mixed_empty));
	printf("ratio pingpong_during_flush_vs_idle %.3f\n",
	       RATIO(pp_flush, pp_idle));
	printf("ratio write_during_mixed_flush_vs_idle %.3f\n",
	       RATIO(write_flush, write_idle));
	printf("ratio uring64_batch_vs_unix_mmsg %.3f\n",
	       RATIO(uring_batch, unix_mmsg));
	printf("ratio uring64_batch_vs_mqueue %.3f\n",
	       RATIO(uring_batch, throughput[MQUEUE][0][0]));
	printf("ratio batch64_vs_unix_mmsg %.3f\n",
	       RATIO(ioctl_batch, unix_mmsg));
	printf("ratio batch64_vs_mqueue %.3f\n",
	       RATIO(ioctl_batch, throughput[MQUEUE][0][0]));
	return 0;
}
