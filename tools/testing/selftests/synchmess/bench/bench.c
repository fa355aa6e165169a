// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess_bench: time, the rounds and the median of their figures.
 */
#include "bench.h"

#include <sys/wait.h>

unsigned int scale = 10;

const size_t sizes[NR_SIZES] = { 64, 4096 };

/**
 * iterations() - the iterations of a figure at the scale of the run
 * @n: the iterations at scale 10, the default
 *
 * Return: @n scaled, at least 1.
 */
unsigned int iterations(unsigned int n)
{
	return n * scale / 10 + 1;
}

/**
 * now_ns() - the time of CLOCK_MONOTONIC
 *
 * Return: nanoseconds.
 */
double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/**
 * wait_child() - reap a child, and end the benchmark if it failed
 * @pid: the child
 */
void wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "synchmess_bench: a child failed\n");
		exit(1);
	}
}

/**
 * fork_gated() - fork a child that starts only when the parent lets go
 * @go: a pipe; the parent lets every such child go at once by closing
 *      go[1], so they all start measuring together
 *
 * Return: the child's pid in the parent, 0 in the child once let go.
 */
pid_t fork_gated(int go[2])
{
	pid_t pid = fork();
	char b;

	if (pid < 0)
		die("fork");
	if (!pid) {
		close(go[1]);
		if (read(go[0], &b, 1) < 0)
			_exit(1);
	}
	return pid;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/**
 * median() - the median of some figures
 * @v: the figures, which it sorts
 * @n: how many there are, at least 1
 *
 * Return: the median of @v.
 */
double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/**
 * med_at() - the median over the rounds of one figure
 * @rounds: the figures of each round
 * @n: the number of rounds, at most MAX_ROUNDS
 * @off: the figure's byte offset in struct figures
 *
 * Return: the median of the figure of the @n rounds.
 */
double med_at(struct figures *rounds, unsigned int n, size_t off)
{
	double v[MAX_ROUNDS];
	unsigned int r;

	for (r = 0; r < n; r++)
		v[r] = *(double *)((char *)&rounds[r] + off);
	return median(v, n);
}

/**
 * ratio_at() - the median over the rounds of the ratio of two figures
 * @rounds: the figures of each round
 * @n: the number of rounds, at most MAX_ROUNDS
 * @num: the byte offset in struct figures of the numerator
 * @den: the byte offset in struct figures of the denominator
 *
 * The ratio is taken in each round: the two figures ran side by side, so a
 * machine that slows down between rounds moves both.
 *
 * Return: the median of the @n ratios.
 */
double ratio_at(struct figures *rounds, unsigned int n, size_t num,
		size_t den)
{
	double v[MAX_ROUNDS];
	unsigned int r;

	for (r = 0; r < n; r++)
		v[r] = *(double *)((char *)&rounds[r] + num) /
		       *(double *)((char *)&rounds[r] + den);
	return median(v, n);
}
