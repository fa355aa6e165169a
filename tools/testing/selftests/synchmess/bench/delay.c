// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess_bench: delayed delivery. The lateness of delayed messages, on
 * their own and against a timerfd of the same length; the cost of a delayed
 * write to a group with DEPTH delayed messages pending; and a ping-pong,
 * and delayed writes, while a group flushes a million delayed messages.
 */
#include "bench.h"

#include <pthread.h>
#include <sys/timerfd.h>

#define DELAY_MS	20
#define DELAY_MSGS	1000
#define DELAY_GAP_US	2000
/* Per delay and mechanism, at scale 10. */
#define LATE_SAMPLES	200
#define LATE_GAP_US	3000
#define FLUSH_MSGS	1000000
/* The shortest window the ping-pong is timed in, with a flush or without. */
#define FLUSH_WINDOW_NS	200e6

static const unsigned int late_delays_ms[NR_DELAYS] = { 1, 100 };

/* The lateness of DELAY_MSGS messages of DELAY_MS, taken once in a run. */
static double lateness_med, lateness_p99;

/* The delayed messages a flush publishes; -q: a tenth, to stay short. */
static unsigned int flush_msgs(void)
{
	return scale < 10 ? FLUSH_MSGS / 10 : FLUSH_MSGS;
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
	__u64 ticks;
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
			d.tfds[i] = timerfd_create(CLOCK_MONOTONIC,
						   TFD_CLOEXEC);
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
	if (sm_figure(f.id, "delayed") != (long)(DEPTH + slices * n) ||
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

		/*
		 * The pinger starts when the parent closes the last write
		 * end.
		 */
		close(go[0]);
		close(go[1]);
		do {
			len = chan_recv(&there, &m);
			chan_send(&back, &m, len);
		} while (len != 1);
		_exit(0);
	}
	pinger = fork_gated(go);
	if (!pinger) {
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
		if (sm_figure(g.id, "delayed") != (long)pending) {
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
		    sm_figure(g.id, "messages") != (long)pending) {
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

static void delay_round(struct figures *f)
{
	unsigned int d, k;
	double t, window;

	for (d = 0; d < NR_DELAYS; d++) {
		for (k = 0; k < 2; k++)
			bench_delay(k, late_delays_ms[d],
				    iterations(LATE_SAMPLES),
				    &f->late_med[d][k], &f->late_p99[d][k]);
	}
	bench_delaymixed(SLICES, iterations(5000 / SLICES), &f->mixed_empty,
			 &f->mixed_full);
	f->pp_flush = bench_pingpong_flush(flush_msgs(), FLUSH_WINDOW_NS,
					   &f->flush_took, &window);
	f->pp_idle = bench_pingpong_flush(0, window, &t, &t);
	f->write_flush = bench_write_flush(flush_msgs(), FLUSH_WINDOW_NS,
					   &window);
	f->write_idle = bench_write_flush(0, window, &t);
}

static void delay_finish(void)
{
	bench_lateness(&lateness_med, &lateness_p99);
}

static void delay_table(struct figures *rounds, unsigned int nr_rounds)
{
	char flush_label[64];
	unsigned int d, k;

	printf("\n%-34s %12s %12s\n", "delayed delivery lateness (us)",
	       "median", "99th pct");
	printf("  %-32s %12.0f %12.0f\n", "20 ms delay, 1,000 messages",
	       lateness_med / 1e3, lateness_p99 / 1e3);
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
		 flush_msgs());
	printf("  %-32s %12.2f\n", flush_label, MED(pp_flush) / 1e3);
	printf("  %-32s %12.0f\n", "the flush took (us)",
	       MED(flush_took) / 1e3);
	printf("\n%-34s %12s\n", "delayed write to the group, 64 B (us)", "");
	printf("  %-32s %12.2f\n", "idle", MED(write_idle) / 1e3);
	snprintf(flush_label, sizeof(flush_label),
		 "during its fsync of %u mixed", flush_msgs());
	printf("  %-32s %12.2f\n", flush_label, MED(write_flush) / 1e3);
}

static void delay_ratios(struct figures *rounds, unsigned int nr_rounds)
{
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
}

const struct bench_family delay_family = {
	.round = delay_round,
	.finish = delay_finish,
	.table = delay_table,
	.ratios = delay_ratios,
};
