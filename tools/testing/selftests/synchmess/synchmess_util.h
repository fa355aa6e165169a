/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the SynchMess selftests: the control device, groups,
 * the limits and per-group figures in sysfs, and time.
 */
#ifndef SYNCHMESS_UTIL_H
#define SYNCHMESS_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/synchmess.h>

#define SYNCHMESS_CTL		"/dev/synch/synchmess"
#define SYNCHMESS_PARAMS	"/sys/module/synchmess/parameters/"
#define SYNCHMESS_CLASS		"/sys/class/synchmess/"

/* An id no other test of this run uses: tests run in their own process. */
static inline __u32 sm_unique_id(void)
{
	static unsigned int seq;

	return 0x40000000u | ((__u32)getpid() << 6) | (seq++ & 0x3f);
}

static inline int sm_ctl_open(void)
{
	return open(SYNCHMESS_CTL, O_RDWR | O_CLOEXEC);
}

/* Install group @id; returns 0 or -errno, and the path when @path is set. */
static inline int sm_install(__u32 id, char *path)
{
	struct synchmess_group g = { .id = id };
	int fd = sm_ctl_open();
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, SYNCHMESS_IOC_INSTALL_GROUP, &g))
		ret = -errno;
	else if (path)
		memcpy(path, g.path, sizeof(g.path));
	close(fd);
	return ret;
}

static inline int sm_remove(__u32 id)
{
	struct synchmess_group g = { .id = id };
	int fd = sm_ctl_open();
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, SYNCHMESS_IOC_REMOVE_GROUP, &g))
		ret = -errno;
	close(fd);
	return ret;
}

static inline void sm_group_path(__u32 id, char *path, size_t len)
{
	snprintf(path, len, "/dev/synch/synchmess%u", id);
}

/* Open group @id, which must exist; returns the fd or -errno. */
static inline int sm_open_group(__u32 id, int flags)
{
	char path[SYNCHMESS_PATH_LEN];
	int fd;

	sm_group_path(id, path, sizeof(path));
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static inline int sm_read_ulong(const char *path, unsigned long *val)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	*val = strtoul(buf, NULL, 0);
	return 0;
}

/* Write @text to a sysfs file; returns 0 or -errno of the write. */
static inline int sm_write_text(const char *path, const char *text)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	if (n < 0)
		return -errno;
	return (size_t)n == strlen(text) ? 0 : -EIO;
}

static inline int sm_param_get(const char *name, unsigned long *val)
{
	char path[256];

	snprintf(path, sizeof(path), SYNCHMESS_PARAMS "%s", name);
	return sm_read_ulong(path, val);
}

static inline int sm_param_set(const char *name, unsigned long val)
{
	char path[256], text[32];

	snprintf(path, sizeof(path), SYNCHMESS_PARAMS "%s", name);
	snprintf(text, sizeof(text), "%lu", val);
	return sm_write_text(path, text);
}

/* A per-group figure: messages, bytes, delayed, sleepers, send_delay_ms. */
static inline long sm_figure(__u32 id, const char *name)
{
	char path[256];
	unsigned long val = 0;
	int ret;

	snprintf(path, sizeof(path), SYNCHMESS_CLASS "synchmess%u/%s", id,
		 name);
	ret = sm_read_ulong(path, &val);
	return ret ? ret : (long)val;
}

/*
 * What a message of @len bytes counts against max_storage_size, as the
 * group's "bytes" figure shows it (its payload, @len), found by posting one
 * to group @id through @fd, which must be empty and without a send delay,
 * and taking it back. Returns the count or -errno.
 */
static inline long sm_probe_bytes(int fd, __u32 id, size_t len)
{
	char *buf = calloc(1, len);
	long stored = -ENOMEM;

	if (!buf)
		return stored;
	if (write(fd, buf, len) != (ssize_t)len) {
		stored = -errno;
	} else {
		stored = sm_figure(id, "bytes");
		if (read(fd, buf, len) != (ssize_t)len)
			stored = -errno;
	}
	free(buf);
	return stored;
}

/*
 * Free memory in KiB, or -1: the free pages of every zone, those on the
 * per-CPU lists too (the page allocator keeps freed pages there, counted
 * as used, and may hold megabytes), with the per-CPU counters folded in
 * first. Without the lists, memory freed before a measurement could show
 * up as taken during it.
 */
static inline long sm_free_kb(void)
{
	long pages = 0, n;
	char line[256];
	FILE *f;

	/* Root only; without it the counters may lag by a few pages. */
	sm_write_text("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %ld", &n) == 1 ||
		    sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	}
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Groups installed now, or -1 when the class directory cannot be read. */
static inline int sm_count_groups(void)
{
	DIR *dir = opendir(SYNCHMESS_CLASS);
	struct dirent *d;
	unsigned int id;
	int n = 0;

	if (!dir)
		return -1;
	/* synchmess<ID>; the control device is plain synchmess. */
	while ((d = readdir(dir)))
		n += sscanf(d->d_name, "synchmess%u", &id) == 1;
	closedir(dir);
	return n;
}

static inline double sm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void sm_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* CLOCK_MONOTONIC in nanoseconds, as the driver stamps messages. */
static inline __u64 sm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* A user address as the __u64 fields of the uapi structs carry it. */
static inline __u64 sm_uptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/*
 * A page of @prot, PROT_NONE or PROT_READ, for a copy to or from user
 * memory to fault on; MAP_FAILED on error.
 */
static inline void *sm_map_page(int prot)
{
	return mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/*
 * read() on @fd without waiting, whatever the file's flags: the bytes read,
 * or -errno (-EAGAIN when the group has no message).
 */
static inline int sm_read_nonblock(int fd, void *buf, size_t len)
{
	int flags = fcntl(fd, F_GETFL);
	ssize_t n;

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	n = read(fd, buf, len);
	if (n < 0)
		n = -errno;
	fcntl(fd, F_SETFL, flags);
	return n;
}

/*
 * Wait until thread @tid of this process sleeps; false after 20 s or when
 * it has gone. A thread that only runs up to one blocking call sleeps in
 * that call, and under emulation it may take long to get there.
 */
static inline bool sm_thread_sleeps(pid_t tid)
{
	char path[64], buf[256], *state;
	unsigned int tries;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	for (tries = 0; tries < 2000; tries++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return false;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return false;
		buf[n] = '\0';
		state = strrchr(buf, ')');
		if (state && state[1] == ' ' && state[2] == 'S')
			return true;
		sm_sleep_ms(10);
	}
	return false;
}

/*
 * Wait until figure @name of group @id equals @want, for up to @timeout_ms:
 * under emulation threads take long to reach their sleep.
 */
static inline int sm_wait_figure(__u32 id, const char *name, long want,
				 unsigned int timeout_ms)
{
	double end = sm_now() + timeout_ms / 1000.0;

	while (sm_figure(id, name) != want) {
		if (sm_now() > end)
			return -ETIMEDOUT;
		sm_sleep_ms(5);
	}
	return 0;
}

/*
 * Fault injection (Documentation/fault-injection/): failslab and
 * fail_page_alloc, limited to the tasks that ask for it through
 * /proc/thread-self/make-it-fail.
 */
#define SM_DEBUGFS		"/sys/kernel/debug/"
#define SM_FAULTS_TIMES		1000000

static inline int sm_fault_attr(const char *fault, const char *attr,
				const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), SM_DEBUGFS "%s/%s", fault, attr);
	return sm_write_text(path, val);
}

/*
 * Make @fault fail @percent of the allocations of tasks that opted in,
 * sleeping ones included; 0 turns it off. Returns 0 or -errno, -ENOENT when
 * the kernel has no such fault.
 */
static inline int sm_fault_set(const char *fault, unsigned int percent)
{
	char val[16], times[16];
	int ret;

	snprintf(val, sizeof(val), "%u", percent);
	snprintf(times, sizeof(times), "%d", percent ? SM_FAULTS_TIMES : 0);
	ret = sm_fault_attr(fault, "task-filter", "Y");
	if (!ret)
		ret = sm_fault_attr(fault, "ignore-gfp-wait", "N");
	/* vmalloc asks for __GFP_HIGHMEM pages, even where there is none. */
	if (!ret && !strcmp(fault, "fail_page_alloc"))
		ret = sm_fault_attr(fault, "ignore-gfp-highmem", "N");
	if (!ret && !strcmp(fault, "fail_page_alloc"))
		ret = sm_fault_attr(fault, "min-order", "0");
	if (!ret)
		ret = sm_fault_attr(fault, "verbose", "0");
	if (!ret)
		ret = sm_fault_attr(fault, "interval", "1");
	if (!ret)
		ret = sm_fault_attr(fault, "times", times);
	if (!ret)
		ret = sm_fault_attr(fault, "probability", val);
	return ret;
}

/* Failures @fault injected since sm_fault_set() turned it on. */
static inline long sm_fault_injected(const char *fault)
{
	char path[256];
	unsigned long left = 0;

	snprintf(path, sizeof(path), SM_DEBUGFS "%s/times", fault);
	if (sm_read_ulong(path, &left))
		return -1;
	return SM_FAULTS_TIMES - (long)left;
}

/*
 * Opt the calling thread in to (or out of) fault injection. Opting out may
 * itself meet an injected failure: try until it works.
 */
static inline int sm_fault_self(int on)
{
	int ret, tries = 0;

	do {
		ret = sm_write_text("/proc/thread-self/make-it-fail",
				    on ? "1" : "0");
	} while (ret == -ENOMEM && ++tries < 1000);
	return ret;
}

#endif /* SYNCHMESS_UTIL_H */
