// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess_bench: ping-pong round trips between two processes and one-way
 * throughput, SynchMess against each of its peers, each keeping the limits
 * it ships with, interleaved mechanism by mechanism; and against the
 * fastest peer of each round.
 */
#include "bench.h"

#include <sys/resource.h>

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

	counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		die("mmap");
	chan_open(&c, ipc);
	chan_as_shipped(&c);
	if (pipe(go))
		die("pipe");
	for (i = 0; i < writers + readers; i++) {
		pids[i] = fork_gated(go);
		if (pids[i])
			continue;
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

/*
 * Each round, counted here as main() runs them in turn, starts the
 * comparisons with another mechanism: the one that runs first follows the
 * last round's flushes of a million messages, whose freeing may still go on.
 */
static void peers_round(struct figures *f)
{
	unsigned int pp = iterations(3000), tp = iterations(20000);
	static unsigned int round;
	unsigned int ipc, s, k;

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
	pick_best(f);
	round++;
}

static void peers_table(struct figures *rounds, unsigned int nr_rounds)
{
	unsigned int ipc;

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
	printf("\n%-34s %12s %12s %12s %12s\n",
	       "sleeps per message (throughput)",
	       "64 B 1:1", "64 B 2:2", "4 KiB 1:1", "4 KiB 2:2");
	for (ipc = 0; ipc < NR_IPC; ipc++)
		printf("  %-32s %12.3f %12.3f %12.3f %12.3f\n", ipc_name[ipc],
		       MED(sleeps[ipc][0][0]), MED(sleeps[ipc][0][1]),
		       MED(sleeps[ipc][1][0]), MED(sleeps[ipc][1][1]));
}

static void peers_ratios(struct figures *rounds, unsigned int nr_rounds)
{
	unsigned int ipc, s;

	for (ipc = 1; ipc < NR_IPC; ipc++) {
		static const char * const key[NR_IPC] = {
			NULL, "mqueue", "pipe", "unix", "sysv",
		};

		for (s = 0; s < NR_SIZES; s++) {
			const char *sz = s ? "4k" : "64";

			printf("ratio pingpong%s_vs_%s %.3f\n", sz, key[ipc],
			       RATIO(pingpong[0][s], pingpong[ipc][s]));
			printf("ratio throughput%s_vs_%s %.3f\n", sz, key[ipc],
			       RATIO(throughput[0][s][0],
				     throughput[ipc][s][0]));
			printf("ratio throughput%s_2x2_vs_%s %.3f\n", sz,
			       key[ipc],
			       RATIO(throughput[0][s][1],
				     throughput[ipc][s][1]));
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
}

const struct bench_family peers_family = {
	.round = peers_round,
	.table = peers_table,
	.ratios = peers_ratios,
};
