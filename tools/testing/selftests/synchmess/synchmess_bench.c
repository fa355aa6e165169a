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
#include "bench/bench.h"

/*
 * The families of figures, one a file of bench/: each round measures
 * them in this order, and the table and the ratios print them in it.
 */
static const struct bench_family * const families[] = {
	&peers_family,		/* bench/peers.c: ping-pong, throughput */
	&sendrecv_family,	/* bench/sendrecv.c: the floor, depth */
	&barrier_family,	/* bench/barrier.c: against FUTEX_WAKE */
	&delay_family,		/* bench/delay.c: lateness, flushes */
	&batch_family,		/* bench/batch.c: batched throughput */
};

#define NR_FAMILIES	ARRAY_SIZE(families)

static void bad_usage(void)
{
	fprintf(stderr, "usage: synchmess_bench [-r ROUNDS] [-s SCALE] [-q] | -p SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct figures rounds[MAX_ROUNDS];
	unsigned int nr_rounds = 7, r, i, profile = 0;
	double t0;
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
	if (!nr_rounds || nr_rounds > MAX_ROUNDS || !scale || optind != argc)
		bad_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (profile) {
		profile_run(profile);
		return 0;
	}

	limits_raise();
	for (i = 0; i < NR_FAMILIES; i++)
		if (families[i]->setup)
			families[i]->setup();
	t0 = now_ns();
	for (r = 0; r < nr_rounds; r++) {
		for (i = 0; i < NR_FAMILIES; i++)
			families[i]->round(&rounds[r]);
		printf("# round %u of %u done after %.0f s\n", r + 1,
		       nr_rounds, (now_ns() - t0) / 1e9);
	}
	for (i = 0; i < NR_FAMILIES; i++)
		if (families[i]->finish)
			families[i]->finish();
	for (i = 0; i < NR_FAMILIES; i++)
		if (families[i]->teardown)
			families[i]->teardown();
	limits_restore();

	printf("\nSynchMess benchmark: median of %u rounds, %u CPUs, scale %.1f\n",
	       nr_rounds, (unsigned int)sysconf(_SC_NPROCESSORS_ONLN),
	       scale / 10.0);
	for (i = 0; i < NR_FAMILIES; i++)
		families[i]->table(rounds, nr_rounds);
	for (i = 0; i < NR_FAMILIES; i++)
		families[i]->ratios(rounds, nr_rounds);
	return 0;
}
