// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess against bad input: random ioctl numbers and arguments, random
 * sizes, and user pointers that are NULL, unmapped, read-only, misaligned,
 * straddle the end of a mapping or point into the kernel, for a bounded
 * time. Every call must succeed or fail with an errno the interface
 * documents for it, and the books must still balance at the end.
 *
 * SYNCHMESS_FUZZ_SECONDS sets the duration (default 5); SYNCHMESS_FUZZ_SEED
 * replays the calls of the run that printed it, though not their timing.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

/* Good descriptors name one of these ids above the test's own group. */
#define SPARE_IDS	8

enum call { CALL_CTL_IOCTL, CALL_GRP_IOCTL, CALL_READ, CALL_WRITE, NR_CALLS };

static const char * const call_names[NR_CALLS] = {
	"control ioctl", "group ioctl", "read", "write",
};

/* What each call may fail with (Documentation/userspace-api/synchmess.rst). */
static const int allowed[NR_CALLS][12] = {
	[CALL_CTL_IOCTL] = { ENOTTY, EFAULT, EINVAL, ENOSPC, ENOENT, ENOMEM },
	/* The receiving calls' too: a struct's unknown bytes give E2BIG. */
	[CALL_GRP_IOCTL] = { ENOTTY, EFAULT, EINVAL, EINTR, E2BIG, EAGAIN,
			     ETIMEDOUT, EMSGSIZE, ENOSPC, ENOMEM },
	[CALL_READ]	 = { EAGAIN, EFAULT },
	[CALL_WRITE]	 = { EFAULT, EMSGSIZE, ENOSPC, ENOMEM },
};

struct arena {
	char *rw;	/* a page we may read and write */
	char *ro;	/* a read-only page */
	char *none;	/* a page we may not touch */
	size_t page;
	char *big;	/* room for the largest message */
	size_t big_len;
};

/* What the fuzzing needs, apart from the harness's fixture. */
struct fuzz {
	__u32 id;
	int ctl, fd;
	struct arena a;
	unsigned long max_msg;
	int groups;	/* installed after setup, the test's own included */
	int stop;
};

FIXTURE(fuzz) {
	struct fuzz f;
	pthread_t waker;
};

/* Keeps random barrier sleeps from hanging the test. */
static void *waker_main(void *arg)
{
	struct fuzz *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		ioctl(f->fd, SYNCHMESS_IOC_AWAKE_BARRIER);
		sm_sleep_ms(1);
	}
	return NULL;
}

FIXTURE_SETUP(fuzz)
{
	struct fuzz *f = &self->f;
	struct arena *a = &f->a;
	char *map;

	a->page = getpagesize();
	map = mmap(NULL, 3 * a->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	a->rw = map;
	a->ro = map + a->page;
	a->none = map + 2 * a->page;
	memset(map, 'x', 2 * a->page);
	ASSERT_EQ(0, mprotect(a->ro, a->page, PROT_READ));
	ASSERT_EQ(0, mprotect(a->none, a->page, PROT_NONE));

	ASSERT_EQ(0, sm_param_get("max_message_size", &f->max_msg));
	a->big_len = 2 * f->max_msg + a->page;
	a->big = malloc(a->big_len);
	ASSERT_NE(NULL, a->big);
	memset(a->big, 'y', a->big_len);

	f->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(f->id, NULL));
	f->fd = sm_open_group(f->id, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, f->fd);
	f->groups = sm_count_groups();
	ASSERT_LE(1, f->groups);
	f->ctl = sm_ctl_open();
	ASSERT_LE(0, f->ctl);
	f->stop = 0;
	ASSERT_EQ(0, pthread_create(&self->waker, NULL, waker_main, f));
}

/* Spares may or may not exist: the fuzzing installs and removes them. */
static void remove_spares(struct fuzz *f)
{
	int i;

	for (i = 1; i <= SPARE_IDS; i++)
		sm_remove(f->id + i);
}

FIXTURE_TEARDOWN(fuzz)
{
	struct fuzz *f = &self->f;

	__atomic_store_n(&f->stop, 1, __ATOMIC_RELAXED);
	pthread_join(self->waker, NULL);
	remove_spares(f);
	close(f->ctl);
	close(f->fd);
	sm_remove(f->id);
	munmap(f->a.rw, 3 * f->a.page);
	free(f->a.big);
}

/* A pointer of one of the kinds a buggy or hostile caller passes. */
static void *bad_pointer(struct arena *a, unsigned int *seed, size_t len)
{
	switch (rand_r(seed) % 8) {
	case 0:
		return NULL;
	case 1:
		return a->none;
	case 2:
		return a->ro;
	case 3:
		return a->rw + 1 + rand_r(seed) % 7;	/* misaligned */
	case 4:		/* runs off the end of the writable page */
		return a->rw + a->page - (len ? len % a->page : 1) / 2;
	case 5:
		return (void *)0xffff888000000000ul;	/* kernel memory */
	case 6:
		return (void *)-1l;
	default:
		return a->big;				/* a good one */
	}
}

static size_t random_size(struct fuzz *f, unsigned int *seed)
{
	switch (rand_r(seed) % 4) {
	case 0:
		return rand_r(seed) % 64;
	case 1:
		return f->max_msg + rand_r(seed) % 3 - 1;
	case 2:
		return rand_r(seed) % (2 * f->max_msg);
	default:
		return (size_t)rand_r(seed) << (rand_r(seed) % 33);
	}
}

/*
 * A random command: mostly ours with a random number, direction and size,
 * sometimes one of ours exactly. Other ioctl types are left out on purpose:
 * the VFS answers some of them itself before the driver sees them
 * (FIONBIO, FIFREEZE, ...), which would test the VFS, not SynchMess.
 */
static unsigned int random_cmd(unsigned int *seed)
{
	static const unsigned int ours[] = {
		SYNCHMESS_IOC_INSTALL_GROUP, SYNCHMESS_IOC_REMOVE_GROUP,
		SYNCHMESS_IOC_SET_SEND_DELAY, SYNCHMESS_IOC_GET_SEND_DELAY,
		SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES,
		SYNCHMESS_IOC_SLEEP_ON_BARRIER, SYNCHMESS_IOC_AWAKE_BARRIER,
		SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED, SYNCHMESS_IOC_RECV,
		SYNCHMESS_IOC_RECV_BATCH, SYNCHMESS_IOC_SEND_BATCH,
	};

	if (rand_r(seed) % 2)
		return ours[rand_r(seed) % ARRAY_SIZE(ours)];
	return _IOC(rand_r(seed) % 4, SYNCHMESS_IOC_MAGIC, rand_r(seed) % 256,
		    rand_r(seed) % 128);
}

/* An ioctl argument: a pointer of any kind, or a bare number. */
static unsigned long random_arg(struct fuzz *f,
				unsigned int *seed, unsigned int cmd)
{
	struct synchmess_group *g = (void *)f->a.big;
	__u32 *delay = (void *)f->a.big;

	/* Good pointers carry values worth trying. */
	if (cmd == SYNCHMESS_IOC_INSTALL_GROUP ||
	    cmd == SYNCHMESS_IOC_REMOVE_GROUP) {
		g->id = rand_r(seed) % 4 ?
			f->id + 1 + rand_r(seed) % SPARE_IDS :
			(__u32)rand_r(seed);
		g->flags = rand_r(seed) % 4 ? 0 : 1u << (rand_r(seed) % 32);
	} else if (cmd == SYNCHMESS_IOC_SET_SEND_DELAY) {
		*delay = rand_r(seed) % 2 ? rand_r(seed) % 5 :
			 SYNCHMESS_MAX_SEND_DELAY_MS + rand_r(seed) % 3 - 1;
	}
	/*
	 * A number, not in anything mapped: the first page or the last one,
	 * which no process maps, 32-bit ones included.
	 */
	if (rand_r(seed) % 4 == 0)
		return rand_r(seed) % 2 ? rand_r(seed) % f->a.page :
					  -1ul - rand_r(seed) % f->a.page;
	return (unsigned long)bad_pointer(&f->a, seed, 72);
}

/*
 * The group id a control ioctl with argument @arg reads, when @arg points
 * into the arena. Reads and misaligned pointers leave bytes of earlier
 * messages all over it, so that id need not be the one random_arg() chose:
 * it can even spell the test's own.
 */
static int arena_id(struct fuzz *f, unsigned long arg, __u32 *id)
{
	struct arena *a = &f->a;
	unsigned long rw = (unsigned long)a->rw, big = (unsigned long)a->big;

	/* The read-write and the read-only page, or the big buffer. */
	if (arg - rw > 2 * a->page - sizeof(*id) &&
	    arg - big > a->big_len - sizeof(*id))
		return 0;
	memcpy(id, (void *)arg, sizeof(*id));
	return 1;
}

/* The test's own group or one of its spares. */
static int is_ours(struct fuzz *f, __u32 id)
{
	return id - f->id <= SPARE_IDS;
}

static int errno_allowed(enum call call, int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(allowed[call]) && allowed[call][i]; i++)
		if (allowed[call][i] == err)
			return 1;
	return 0;
}

/* The pid, unless SYNCHMESS_FUZZ_SEED names the seed of an earlier run. */
static unsigned int fuzz_seed(void)
{
	const char *env = getenv("SYNCHMESS_FUZZ_SEED");

	return env ? strtoul(env, NULL, 0) : getpid();
}

static unsigned int fuzz_seconds(void)
{
	const char *env = getenv("SYNCHMESS_FUZZ_SECONDS");

	return env && atoi(env) > 0 ? atoi(env) : 5;
}

/* Whether @cmd is @call, whatever size of its struct it names. */
static int same_call(unsigned int cmd, unsigned int call)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(call) &&
	       _IOC_NR(cmd) == _IOC_NR(call) && _IOC_DIR(cmd) == _IOC_DIR(call);
}

/*
 * Count the messages a group ioctl that returned @ret posted or took. A
 * receive that worked read its struct, which is then in the arena.
 */
static void count_moved(unsigned int cmd, unsigned long arg, long ret,
			unsigned long *written, unsigned long *taken)
{
	const struct synchmess_recv *r = (const void *)arg;

	if (cmd == SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES ||
	    same_call(cmd, SYNCHMESS_IOC_RECV_BATCH))
		*taken += ret;
	else if (same_call(cmd, SYNCHMESS_IOC_SEND_BATCH))
		*written += ret;
	else if (same_call(cmd, SYNCHMESS_IOC_RECV) &&
		 !(r->flags & SYNCHMESS_RECV_PEEK))
		(*taken)++;
}

TEST_F_TIMEOUT(fuzz, every_call_returns_a_documented_errno, 300)
{
	struct fuzz *f = &self->f;
	unsigned long calls[NR_CALLS] = { 0 }, written = 0, taken = 0;
	const unsigned int first_seed = fuzz_seed();
	unsigned int seed = first_seed, cmd = 0;
	double end = sm_now() + fuzz_seconds();
	unsigned long arg, own = 0;
	__u32 id;
	enum call call;
	size_t len = 0;
	long ret;
	int bad = 0;

	while (sm_now() < end) {
		call = rand_r(&seed) % NR_CALLS;
		calls[call]++;
		switch (call) {
		case CALL_CTL_IOCTL:
		case CALL_GRP_IOCTL:
			cmd = random_cmd(&seed);
			arg = random_arg(f, &seed, cmd);
			if (call == CALL_CTL_IOCTL &&
			    cmd == SYNCHMESS_IOC_REMOVE_GROUP &&
			    arena_id(f, arg, &id) && id == f->id) {
				own++;
				continue;
			}
			ret = ioctl(call == CALL_CTL_IOCTL ? f->ctl : f->fd,
				    cmd, arg);
			/*
			 * Groups of random ids must not outlive the test. An
			 * install that worked read its whole argument, which
			 * is then in the arena.
			 */
			if (!ret && call == CALL_CTL_IOCTL &&
			    cmd == SYNCHMESS_IOC_INSTALL_GROUP &&
			    arena_id(f, arg, &id) && !is_ours(f, id))
				sm_remove(id);
			if (call == CALL_GRP_IOCTL && ret >= 0)
				count_moved(cmd, arg, ret, &written, &taken);
			break;
		case CALL_READ:
			len = random_size(f, &seed);
			ret = read(f->fd, bad_pointer(&f->a, &seed, len),
				   len);
			taken += ret > 0 || (ret == 0 && len);
			break;
		default:
			len = random_size(f, &seed);
			ret = write(f->fd, bad_pointer(&f->a, &seed, len),
				    len);
			if (ret > 0 && (size_t)ret != len)
				bad++;
			written += ret > 0;
			break;
		}
		if (ret < 0 && !errno_allowed(call, errno)) {
			bad++;
			TH_LOG("%s (cmd %#x, len %zu): %s", call_names[call],
			       cmd, len, strerror(errno));
		}
	}
	/* Our own group may not have gone: no remove named its id. */
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, fsync(f->fd));
	while (read(f->fd, f->a.big, f->a.big_len) >= 0)
		taken++;
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(written, taken) TH_LOG("%lu written, %lu read or revoked",
					 written, taken);
	EXPECT_EQ(0, sm_figure(f->id, "bytes"));
	/* Nor may a group of another id outlive the test. */
	remove_spares(f);
	EXPECT_EQ(f->groups, sm_count_groups());
	ksft_print_msg("%u s: %lu control ioctls, %lu group ioctls, %lu reads, %lu writes\n",
		       fuzz_seconds(), calls[CALL_CTL_IOCTL],
		       calls[CALL_GRP_IOCTL], calls[CALL_READ],
		       calls[CALL_WRITE]);
	ksft_print_msg("seed %u, %lu removes naming the test's own group skipped\n",
		       first_seed, own);
}

TEST_HARNESS_MAIN
