// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess_bench: a send and a receive by one thread, on each mechanism,
 * against the floor of the same two system calls on /dev/null and
 * /dev/zero; and a SynchMess group holding DEPTH messages against an empty
 * one.
 */
#include "bench.h"

/* The groups of the depth figure, for the whole run. */
static struct chan empty, deep;

/**
 * bench_sendrecv() - time a send and a receive of one message by one thread
 * @c: the channel
 * @len: the length of the message
 * @iters: how many of each
 *
 * Return: nanoseconds per send and receive.
 */
double bench_sendrecv(struct chan *c, size_t len, unsigned int iters)
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

/**
 * bench_floor() - time the same two system calls on the cheapest files
 * @len: the length of a write to /dev/null and of a read from /dev/zero
 * @iters: how many of each
 *
 * Return: nanoseconds per write and read.
 */
double bench_floor(size_t len, unsigned int iters)
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

static void deep_group_fill(struct chan *c, unsigned int n)
{
	struct msg m = { 0 };
	unsigned int i;

	for (i = 0; i < n; i++)
		chan_send(c, &m, 64);
	if (sm_figure(c->id, "messages") != (long)n) {
		fprintf(stderr, "synchmess_bench: the deep group has %ld messages\n",
			sm_figure(c->id, "messages"));
		exit(1);
	}
}

static void sendrecv_setup(void)
{
	chan_open(&empty, SYNCHMESS);
	chan_open(&deep, SYNCHMESS);
	deep_group_fill(&deep, DEPTH);
}

/*
 * Figures of a few microseconds drift with the machine: take them in
 * short slices, each mechanism in turn, and add the slices up.
 */
static void sendrecv_round(struct figures *f)
{
	unsigned int sr = iterations(40000 / SLICES);
	unsigned int ipc, s, k;

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
		f->depth_empty += bench_sendrecv(&empty, 64, sr) / SLICES;
		f->depth_full += bench_sendrecv(&deep, 64, sr) / SLICES;
	}
}

static void sendrecv_teardown(void)
{
	chan_close(&deep);
	chan_close(&empty);
}

static void sendrecv_table(struct figures *rounds, unsigned int nr_rounds)
{
	unsigned int ipc;

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
}

static void sendrecv_ratios(struct figures *rounds, unsigned int nr_rounds)
{
	printf("ratio sendrecv64_vs_floor %.3f\n",
	       RATIO(sendrecv[0][0], floor[0]));
	printf("ratio sendrecv4k_vs_floor %.3f\n",
	       RATIO(sendrecv[0][1], floor[1]));
	printf("ratio depth100k_vs_empty %.3f\n",
	       RATIO(depth_full, depth_empty));
}

const struct bench_family sendrecv_family = {
	.setup = sendrecv_setup,
	.round = sendrecv_round,
	.teardown = sendrecv_teardown,
	.table = sendrecv_table,
	.ratios = sendrecv_ratios,
};
