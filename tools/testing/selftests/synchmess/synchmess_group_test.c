// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess groups: install, remove, their device nodes, and what happens to
 * files and threads of a removed group.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

FIXTURE(group) {
	__u32 id;
	int fd;
};

FIXTURE_SETUP(group)
{
	self->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(self->id, NULL));
	self->fd = sm_open_group(self->id, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open group: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(group)
{
	close(self->fd);
	sm_remove(self->id);
}

TEST(install_fills_path_and_creates_node)
{
	struct synchmess_group g = { .id = sm_unique_id() };
	char want[SYNCHMESS_PATH_LEN];
	struct stat st;
	int ctl = sm_ctl_open();

	ASSERT_LE(0, ctl);
	memset(g.path, 'x', sizeof(g.path));
	ASSERT_EQ(0, ioctl(ctl, SYNCHMESS_IOC_INSTALL_GROUP, &g));
	sm_group_path(g.id, want, sizeof(want));
	EXPECT_STREQ(want, g.path);
	ASSERT_EQ(0, stat(g.path, &st)) TH_LOG("%s: %s", g.path, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, ioctl(ctl, SYNCHMESS_IOC_REMOVE_GROUP, &g));
	close(ctl);
}

TEST(install_fills_path_of_largest_id)
{
	struct synchmess_group g = { .id = 0xffffffffu };
	int ctl = sm_ctl_open();

	ASSERT_LE(0, ctl);
	memset(g.path, 'x', sizeof(g.path));
	ASSERT_EQ(0, ioctl(ctl, SYNCHMESS_IOC_INSTALL_GROUP, &g));
	EXPECT_STREQ("/dev/synch/synchmess4294967295", g.path);
	/* Everything after the terminating NUL is cleared, not left over. */
	EXPECT_EQ(0, g.path[sizeof(g.path) - 1]);
	EXPECT_EQ(0, access(g.path, F_OK));
	EXPECT_EQ(0, ioctl(ctl, SYNCHMESS_IOC_REMOVE_GROUP, &g));
	close(ctl);
}

TEST_F(group, install_existing_keeps_group)
{
	char path[SYNCHMESS_PATH_LEN], want[SYNCHMESS_PATH_LEN];
	char buf[8];

	ASSERT_EQ(5, write(self->fd, "hello", 5));
	ASSERT_EQ(0, sm_install(self->id, path));
	sm_group_path(self->id, want, sizeof(want));
	EXPECT_STREQ(want, path);
	/* Same group: the message written before is still there. */
	EXPECT_EQ(5, read(self->fd, buf, sizeof(buf)));
}

TEST(install_rejects_nonzero_flags)
{
	struct synchmess_group g = { .id = sm_unique_id(), .flags = 1 };
	int ctl = sm_ctl_open();

	ASSERT_LE(0, ctl);
	EXPECT_EQ(-1, ioctl(ctl, SYNCHMESS_IOC_INSTALL_GROUP, &g));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, sm_remove(g.id)) TH_LOG("a group was created");
	close(ctl);
}

TEST(install_and_remove_bad_pointer)
{
	int ctl = sm_ctl_open();

	ASSERT_LE(0, ctl);
	EXPECT_EQ(-1, ioctl(ctl, SYNCHMESS_IOC_INSTALL_GROUP, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(ctl, SYNCHMESS_IOC_REMOVE_GROUP, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	close(ctl);
}

TEST(install_into_read_only_descriptor_installs_nothing)
{
	struct synchmess_group *req;
	char path[SYNCHMESS_PATH_LEN];
	struct stat st;
	int ctl = sm_ctl_open();

	ASSERT_LE(0, ctl);
	req = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, req);
	req->id = sm_unique_id();
	ASSERT_EQ(0, mprotect(req, getpagesize(), PROT_READ));

	EXPECT_EQ(-1, ioctl(ctl, SYNCHMESS_IOC_INSTALL_GROUP, req));
	EXPECT_EQ(EFAULT, errno);
	sm_group_path(req->id, path, sizeof(path));
	EXPECT_EQ(-1, stat(path, &st)) TH_LOG("%s exists after EFAULT", path);
	EXPECT_EQ(-ENOENT, sm_remove(req->id));

	munmap(req, getpagesize());
	close(ctl);
}

#define RACERS 8

struct install_race {
	pthread_barrier_t start;
	__u32 id;
	int ret[RACERS];
};

static void *install_racer(void *arg)
{
	struct install_race *race = arg;
	static int next;
	int me = __atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST);

	pthread_barrier_wait(&race->start);
	race->ret[me] = sm_install(race->id, NULL);
	return NULL;
}

TEST(concurrent_install_creates_one_group)
{
	struct install_race race = { .id = sm_unique_id() };
	pthread_t t[RACERS];
	int i;

	pthread_barrier_init(&race.start, NULL, RACERS);
	for (i = 0; i < RACERS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, install_racer, &race));
	for (i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < RACERS; i++) {
		EXPECT_EQ(0, race.ret[i]) TH_LOG("racer %d: %s", i,
						 strerror(-race.ret[i]));
	}
	/* One group: the first remove takes it, a second finds nothing. */
	EXPECT_EQ(0, sm_remove(race.id));
	EXPECT_EQ(-ENOENT, sm_remove(race.id));
}

TEST(max_groups_gives_enospc)
{
	unsigned long old = 0;
	int i, present = sm_count_groups();
	__u32 ids[3];
	char path[300];

	ASSERT_EQ(0, sm_param_get("max_groups", &old));
	ASSERT_LE(0, present);

	ASSERT_EQ(0, sm_param_set("max_groups", present + 2));
	for (i = 0; i < 3; i++)
		ids[i] = sm_unique_id();
	EXPECT_EQ(0, sm_install(ids[0], NULL));
	EXPECT_EQ(0, sm_install(ids[1], NULL));
	EXPECT_EQ(-ENOSPC, sm_install(ids[2], NULL));
	sm_group_path(ids[2], path, sizeof(path));
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("node of refused group exists");
	/* Installing one that exists is still fine at the limit. */
	EXPECT_EQ(0, sm_install(ids[0], NULL));
	/* Removing one makes room again. */
	EXPECT_EQ(0, sm_remove(ids[1]));
	EXPECT_EQ(0, sm_install(ids[2], NULL));

	sm_remove(ids[0]);
	sm_remove(ids[2]);
	ASSERT_EQ(0, sm_param_set("max_groups", old));
}

TEST(remove_unknown_gives_enoent)
{
	EXPECT_EQ(-ENOENT, sm_remove(sm_unique_id()));
}

TEST(remove_rejects_nonzero_flags)
{
	struct synchmess_group g = { .id = sm_unique_id(), .flags = 2 };
	int ctl = sm_ctl_open();

	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, sm_install(g.id, NULL));
	EXPECT_EQ(-1, ioctl(ctl, SYNCHMESS_IOC_REMOVE_GROUP, &g));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, sm_remove(g.id)) TH_LOG("the group went away anyway");
	close(ctl);
}

TEST(remove_deletes_node)
{
	char path[SYNCHMESS_PATH_LEN];
	__u32 id = sm_unique_id();

	ASSERT_EQ(0, sm_install(id, path));
	ASSERT_EQ(0, access(path, F_OK));
	ASSERT_EQ(0, sm_remove(id));
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(group, removed_group_fails_with_eidrm)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };
	__u32 ms = 0;
	char buf[4];

	ASSERT_EQ(0, sm_remove(self->id));
	EXPECT_EQ(-1, write(self->fd, "x", 1));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_GET_SEND_DELAY, &ms));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_AWAKE_BARRIER));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_SLEEP_ON_BARRIER));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, fsync(self->fd));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLERR | POLLHUP, pfd.revents);
}

TEST_F(group, reinstall_after_remove_is_new_and_empty)
{
	char buf[8];
	int fd;

	ASSERT_EQ(3, write(self->fd, "old", 3));
	ASSERT_EQ(0, sm_remove(self->id));
	ASSERT_EQ(0, sm_install(self->id, NULL));
	fd = sm_open_group(self->id, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, sm_figure(self->id, "bytes"));
	/* The file opened on the old group still sees it removed. */
	EXPECT_EQ(-1, write(self->fd, "x", 1));
	EXPECT_EQ(EIDRM, errno);
	close(fd);
}

struct blocked_op {
	int fd;
	unsigned long cmd;	/* 0 for read() */
	int ret;
	int err;
};

static void *blocked_op_run(void *arg)
{
	struct blocked_op *op = arg;
	char buf[16];

	if (op->cmd)
		op->ret = ioctl(op->fd, op->cmd);
	else
		op->ret = read(op->fd, buf, sizeof(buf));
	op->err = errno;
	return NULL;
}

TEST_F(group, remove_wakes_blocked_reader)
{
	struct blocked_op op = { .fd = self->fd };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_op_run, &op));
	sm_sleep_ms(200);
	ASSERT_EQ(0, sm_remove(self->id));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-1, op.ret);
	EXPECT_EQ(EIDRM, op.err);
}

TEST_F(group, remove_wakes_barrier_sleeper)
{
	struct blocked_op op = {
		.fd = self->fd, .cmd = SYNCHMESS_IOC_SLEEP_ON_BARRIER,
	};
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_op_run, &op));
	ASSERT_EQ(0, sm_wait_figure(self->id, "sleepers", 1, 20000));
	ASSERT_EQ(0, sm_remove(self->id));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(-1, op.ret);
	EXPECT_EQ(EIDRM, op.err);
}

/* Install (@remove false) or remove group @id through @ctl; 0 or -errno. */
static int ctl_op(int ctl, __u32 id, bool remove)
{
	struct synchmess_group g = { .id = id };

	if (ioctl(ctl, remove ? SYNCHMESS_IOC_REMOVE_GROUP :
				SYNCHMESS_IOC_INSTALL_GROUP, &g))
		return -errno;
	return 0;
}

/*
 * Install or remove group @id in a child with effective uid @uid, through
 * a file of the control device opened before it drops root: the control
 * device is root's own, as for a user the udev rule lets in. Returns the
 * child's status, the errno of the call or 0.
 */
static int run_as(uid_t uid, bool remove, __u32 id)
{
	int status, ctl = sm_ctl_open();
	pid_t pid;

	if (ctl < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (setresuid(uid, uid, uid))
			_exit(100);
		_exit(-ctl_op(ctl, id, remove));
	}
	close(ctl);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(remove_by_other_user_gives_eperm)
{
	__u32 id = sm_unique_id();

	ASSERT_EQ(0, sm_install(id, NULL));
	EXPECT_EQ(EPERM, run_as(65534, true, id));
	EXPECT_EQ(0, sm_remove(id)) TH_LOG("the group went away anyway");
}

TEST(remove_by_creator_uid)
{
	__u32 id = sm_unique_id();

	ASSERT_EQ(0, run_as(65534, false, id));
	EXPECT_EQ(0, run_as(65534, true, id));
	EXPECT_EQ(-ENOENT, sm_remove(id));
}

TEST(remove_by_cap_sys_admin)
{
	__u32 id = sm_unique_id();

	ASSERT_EQ(0, run_as(65534, false, id));
	EXPECT_EQ(EPERM, run_as(65533, true, id));
	/* The test runs as root, with CAP_SYS_ADMIN. */
	EXPECT_EQ(0, sm_remove(id));
}

TEST(control_read_write_give_einval)
{
	char buf[4] = "abc";
	int ctl = sm_ctl_open();

	ASSERT_LE(0, ctl);
	EXPECT_EQ(-1, read(ctl, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(ctl, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	close(ctl);
}

TEST_F(group, unknown_ioctls_give_enotty)
{
	struct synchmess_group g = { .id = self->id };
	int ctl = sm_ctl_open();

	ASSERT_LE(0, ctl);
	EXPECT_EQ(-1, ioctl(ctl, SYNCHMESS_IOC_AWAKE_BARRIER));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYNCHMESS_IOC_INSTALL_GROUP, &g));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(SYNCHMESS_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	close(ctl);
}

TEST(nodes_live_in_dev_synch)
{
	struct stat st;

	ASSERT_EQ(0, stat(SYNCHMESS_CTL, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, minor(st.st_rdev));
}

/* The device number of group @id's node, or 0. */
static dev_t node_rdev(__u32 id)
{
	char path[SYNCHMESS_PATH_LEN];
	struct stat st;

	sm_group_path(id, path, sizeof(path));
	return stat(path, &st) ? 0 : st.st_rdev;
}

TEST(freed_minor_is_not_reused_at_once)
{
	__u32 old = sm_unique_id(), new = sm_unique_id();
	dev_t rdev;

	ASSERT_EQ(0, sm_install(old, NULL));
	rdev = node_rdev(old);
	ASSERT_NE(0, rdev);
	ASSERT_EQ(0, sm_remove(old));
	ASSERT_EQ(0, sm_install(new, NULL));
	EXPECT_NE(rdev, node_rdev(new));
	sm_remove(new);
}

/*
 * A file opened through the node of a removed group, if the open works at
 * all, must be a file of that group: every operation gives EIDRM, and the
 * group that holds the minor by then sees nothing of it.
 */
static void expect_stale_open(struct __test_metadata *_metadata, int fd,
			      int err, __u32 holder)
{
	__u32 delay = 0;

	if (fd < 0) {
		EXPECT_TRUE(err == ENODEV || err == ENXIO)
			TH_LOG("open gave %s", strerror(err));
		return;
	}
	EXPECT_EQ(-1, write(fd, "stale", 5));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(-1, ioctl(fd, SYNCHMESS_IOC_GET_SEND_DELAY, &delay));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(0, sm_figure(holder, "messages"));
	close(fd);
}

/* Going round 4095 minors takes a while on a debug kernel. */
TEST_F_TIMEOUT(group, o_path_node_of_removed_group_never_opens_the_next_holder, 300)
{
	__u32 old = sm_unique_id(), other;
	char proc[64], path[SYNCHMESS_PATH_LEN];
	int opath, fd, err, i;
	dev_t rdev;

	ASSERT_EQ(0, sm_install(old, path));
	opath = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, opath);
	rdev = node_rdev(old);
	ASSERT_NE(0, rdev);
	ASSERT_EQ(0, sm_remove(old));

	/* Go round the minors until a new group gets the old one. */
	other = sm_unique_id();
	for (i = 0; i < 5000; i++) {
		ASSERT_EQ(0, sm_install(other, NULL));
		if (node_rdev(other) == rdev)
			break;
		ASSERT_EQ(0, sm_remove(other));
	}
	ASSERT_GT(5000, i) TH_LOG("minor of the old group never handed out again");
	ksft_print_msg("minor reused after %d installs\n", i + 1);

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", opath);
	fd = open(proc, O_RDWR | O_CLOEXEC);
	err = errno;
	expect_stale_open(_metadata, fd, err, other);
	close(opath);
	sm_remove(other);
}

struct node_racer {
	__u32 ids[2];
	int stop;
	long opened;
	long wrong;
};

/* Install both groups, mark each with its own send delay, remove both. */
static void *race_install_remove(void *arg)
{
	struct node_racer *r = arg;
	__u32 mark;
	int i, fd;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < 2; i++) {
			if (sm_install(r->ids[i], NULL))
				continue;
			fd = sm_open_group(r->ids[i], O_RDWR);
			if (fd < 0)
				continue;
			mark = 1000 + i;
			ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &mark);
			close(fd);
		}
		for (i = 0; i < 2; i++)
			sm_remove(r->ids[i]);
	}
	return NULL;
}

TEST(open_racing_remove_and_install_reaches_the_named_group_only)
{
	struct node_racer r = { .ids = { sm_unique_id(), sm_unique_id() } };
	__u32 delay;
	double end;
	pthread_t t;
	int i, fd;

	ASSERT_EQ(0, pthread_create(&t, NULL, race_install_remove, &r));
	end = sm_now() + 3;
	while (sm_now() < end) {
		for (i = 0; i < 2; i++) {
			fd = sm_open_group(r.ids[i], O_RDWR);
			if (fd < 0) {
				EXPECT_TRUE(fd == -ENOENT || fd == -ENODEV ||
					    fd == -ENXIO)
					TH_LOG("open: %s", strerror(-fd));
				continue;
			}
			r.opened++;
			/* 0 before the mark is set, EIDRM once removed. */
			if (!ioctl(fd, SYNCHMESS_IOC_GET_SEND_DELAY, &delay) &&
			    delay && delay != 1000u + i)
				r.wrong++;
			close(fd);
		}
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(0, pthread_join(t, NULL));
	ksft_print_msg("%ld opens raced remove and install\n", r.opened);
	EXPECT_EQ(0, r.wrong);
	EXPECT_LT(0, r.opened);
	sm_remove(r.ids[0]);
	sm_remove(r.ids[1]);
}

TEST_HARNESS_MAIN
