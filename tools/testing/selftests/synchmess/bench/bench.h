/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of synchmess_bench share: the one-way channels over
 * SynchMess and its peers, time, the rounds and the table of their
 * figures, and the families of figures that main() runs in turn.
 */
#ifndef SYNCHMESS_BENCH_H
#define SYNCHMESS_BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <sys/types.h>

#include "../synchmess_util.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* The largest message a channel receives. */
#define MAX_MSG		8192
/* The messages queued in the deep group, and delayed in the mixed one. */
#define DEPTH		100000
/* Figures of a few microseconds are taken in slices, mechanisms in turn. */
#define SLICES		20
/* The messages of a batched call. */
#define BATCH		32
/* The most rounds of a run (-r). */
#define MAX_ROUNDS	64

enum ipc { SYNCHMESS, MQUEUE, PIPE, UNIX_SEQPACKET, SYSV, NR_IPC };

extern const char * const ipc_name[NR_IPC];

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

#define NR_SIZES	2
#define NR_BARRIER	3
/* 1 writer to 1 reader, 2 writers to 2 readers */
#define NR_FLOWS	2
#define NR_DELAYS	2

/* The message sizes of the figures against the peers: 64 B and 4 KiB. */
extern const size_t sizes[NR_SIZES];

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
	double mixed_empty, mixed_full;	/* ns per delayed write */
	double pp_idle, pp_flush, flush_took;	/* ns */
	double write_idle, write_flush;	/* ns per delayed write */
	double uring_batch, ioctl_batch, unix_mmsg;	/* msg/s */
	/* The fastest of the peers in this round, for the _vs_best ratios. */
	double best_pingpong[NR_SIZES];
	double best_throughput[NR_SIZES][NR_FLOWS];
};

/**
 * struct bench_family - a family of figures, measured in every round
 * @setup: called before the first round, or NULL
 * @round: measures the family's figures of a round into @f, rounds in turn
 * @finish: called after the last round, or NULL: the figures taken once
 * @teardown: called after every family's @finish, or NULL
 * @table: prints the family's part of the table of medians
 * @ratios: prints the family's "ratio NAME VALUE" lines
 *
 * main() calls each hook of every family in the order of its table of
 * families, which is the order of the figures in a round and in the output.
 */
struct bench_family {
	void (*setup)(void);
	void (*round)(struct figures *f);
	void (*finish)(void);
	void (*teardown)(void);
	void (*table)(struct figures *rounds, unsigned int nr_rounds);
	void (*ratios)(struct figures *rounds, unsigned int nr_rounds);
};

extern const struct bench_family peers_family;
extern const struct bench_family sendrecv_family;
extern const struct bench_family barrier_family;
extern const struct bench_family delay_family;
extern const struct bench_family batch_family;

/* bench.c: time, rounds, the table */

/* Iterations of every figure are multiplied by scale / 10 (-s, -q). */
extern unsigned int scale;

/**
 * die() - end the benchmark on a failed call
 * @what: what failed; errno says why
 *
 * Inline, so that the compiler sees it does not return.
 */
static inline void die(const char *what)
{
	fprintf(stderr, "synchmess_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

unsigned int iterations(unsigned int n);
double now_ns(void);
void wait_child(pid_t pid);
pid_t fork_gated(int go[2]);
double median(double *v, unsigned int n);
double med_at(struct figures *rounds, unsigned int n, size_t off);
double ratio_at(struct figures *rounds, unsigned int n, size_t num,
		size_t den);

/*
 * In a family's @table and @ratios: the median over the rounds of a field
 * of struct figures, and of the per-round ratio of two fields.
 */
#define MED(field) med_at(rounds, nr_rounds, offsetof(struct figures, field))
#define RATIO(num, den) ratio_at(rounds, nr_rounds, \
				 offsetof(struct figures, num), \
				 offsetof(struct figures, den))

/* chan.c: the channels, and the limits of the run */

void chan_open(struct chan *c, enum ipc ipc);
void chan_as_shipped(struct chan *c);
void chan_close(struct chan *c);
void chan_send(struct chan *c, struct msg *m, size_t len);
size_t chan_recv(struct chan *c, struct msg *m);
void limits_raise(void);
void limits_restore(void);

/* sendrecv.c, batch.c: what the profile mode runs too */

double bench_sendrecv(struct chan *c, size_t len, unsigned int iters);
double bench_floor(size_t len, unsigned int iters);
void batch_writer(int fd, unsigned int total);
void batch_reader(int fd, unsigned int total);

/* profile.c */

void profile_run(unsigned int seconds);

#endif
