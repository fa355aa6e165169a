// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess_bench -p: where the kernel spends the time of a send and receive
 * of 64 B and of 4 KiB, of a batch of 32 each way, and of a 4 KiB stream
 * between two processes, by the timer-tick samples of /proc/profile (boot
 * with profile=2, CONFIG_PROFILING), summed per function of /proc/kallsyms.
 */
#include "bench.h"

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

/*
 * A writer and a reader process streaming messages of @len bytes over a
 * channel of @ipc, as the 1:1 throughput figure runs them: both CPUs busy,
 * so the profile counts the two sides together. Also the message rate.
 */
static void profile_stream(enum ipc ipc, size_t len, unsigned int seconds)
{
	unsigned long got = 0;
	struct msg m = { 0 };
	char what[96];
	struct chan c;
	pid_t writer;
	double t0, end;
	unsigned int i;

	chan_open(&c, ipc);
	chan_as_shipped(&c);
	profile_reset();
	t0 = now_ns();
	end = t0 + seconds * 1e9;
	writer = fork();
	if (writer < 0)
		die("fork");
	if (!writer) {
		while (now_ns() < end)
			for (i = 0; i < 100; i++)
				chan_send(&c, &m, len);
		/* The one-byte message tells the reader the stream is over. */
		chan_send(&c, &m, 1);
		_exit(0);
	}
	while (chan_recv(&c, &m) == len)
		got++;
	wait_child(writer);
	snprintf(what, sizeof(what),
		 "%zu B from a writer to a reader process, %s, %.0f msg/s",
		 len, ipc_name[ipc], got / ((now_ns() - t0) / 1e9));
	profile_print(what, seconds);
	chan_close(&c);
}

/**
 * profile_run() - print the kernel's profile of each operation in turn
 * @seconds: how long each operation runs
 *
 * A 64 B and a 4 KiB send and receive on a SynchMess group, batches of
 * BATCH each way, the floor: a write to /dev/null and a read from
 * /dev/zero, and 4 KiB streamed from one process to another, over a
 * SynchMess group and over a SysV queue, the fastest peer there.
 */
void profile_run(unsigned int seconds)
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

	profile_stream(SYNCHMESS, 4096, seconds);
	profile_stream(SYSV, 4096, seconds);
}
