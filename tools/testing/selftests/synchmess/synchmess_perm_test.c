// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess permissions and quotas: who may open, change and fill a group.
 *
 * Each test runs as root and does what other users do in children that
 * drop to uids and gids of their own (no /etc/passwd needed), passing down
 * files opened as root where the test needs them. A child reports what it
 * saw as its exit status: 0 when all went as expected, or the errno of the
 * call that did not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define ALICE	1001
#define BOB	1002
/* Alice's primary group, not the same number as her uid. */
#define ALICE_GID	2001
#define BOB_GID		2002

/* Drop to @uid and @gid for good, as a login of that user would be. */
static void become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		_exit(126);
}

/* Run @fn(@arg) in a child as @uid:@gid; its result, or 127 if it died. */
static int as_user(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 127;
	if (!pid) {
		become(uid, gid);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 127;
	return WEXITSTATUS(status);
}

/* 0 when @ret is what was wanted, else the errno of the call, or 125. */
static int want(int ret, int expected_errno)
{
	if (!expected_errno)
		return ret < 0 ? errno : 0;
	if (ret >= 0)
		return 125;
	return errno == expected_errno ? 0 : errno;
}

static int install_fd(int ctl, __u32 id)
{
	struct synchmess_group g = { .id = id };

	return ioctl(ctl, SYNCHMESS_IOC_INSTALL_GROUP, &g);
}

static int remove_fd(int ctl, __u32 id)
{
	struct synchmess_group g = { .id = id };

	return ioctl(ctl, SYNCHMESS_IOC_REMOVE_GROUP, &g);
}

/* What a child is told: the control file it inherits, and a group. */
struct job {
	int ctl;
	__u32 id;
	int mode;
	long n;
};

static int do_install(void *arg)
{
	struct job *j = arg;

	return want(install_fd(j->ctl, j->id), 0);
}

static int do_remove(void *arg)
{
	struct job *j = arg;

	return want(remove_fd(j->ctl, j->id), 0);
}

static int do_open_rw(void *arg)
{
	struct job *j = arg;
	int fd = sm_open_group(j->id, O_RDWR);

	if (fd < 0) {
		errno = -fd;
		return errno;
	}
	close(fd);
	return 0;
}

static int do_chmod(void *arg)
{
	struct job *j = arg;
	char path[SYNCHMESS_PATH_LEN];

	sm_group_path(j->id, path, sizeof(path));
	return want(chmod(path, j->mode), 0);
}

static int do_open_ctl(void *arg)
{
	int fd = sm_ctl_open();

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Stat the node of group @id into @st; 0 or -errno. */
static int stat_group(__u32 id, struct stat *st)
{
	char path[SYNCHMESS_PATH_LEN];

	sm_group_path(id, path, sizeof(path));
	return stat(path, st) ? -errno : 0;
}

FIXTURE(perm) {
	int ctl;
	__u32 ids[8];
	int nids;
	unsigned long old[6];
};

static const char *const params[] = {
	"max_user_groups", "max_user_memory", "max_storage_size",
	"max_messages", "max_message_size", "max_groups",
};

/* A new id, removed by the teardown whoever installed it. */
static __u32 new_id(struct _test_data_perm *self)
{
	__u32 id = sm_unique_id();

	if (self->nids < 8)
		self->ids[self->nids++] = id;
	return id;
}

FIXTURE_SETUP(perm)
{
	int i;

	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, sm_param_get(params[i], &self->old[i]));
	self->nids = 0;
	self->ctl = sm_ctl_open();
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN_PARENT(perm)
{
	int i;

	for (i = 0; i < self->nids; i++)
		sm_remove(self->ids[i]);
	for (i = 0; i < 6; i++)
		sm_param_set(params[i], self->old[i]);
}

TEST_F(perm, control_device_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(SYNCHMESS_CTL, &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(EACCES, as_user(ALICE, ALICE_GID, do_open_ctl, NULL));
}

TEST_F(perm, control_device_works_read_only)
{
	__u32 id = new_id(self);
	int fd = open(SYNCHMESS_CTL, O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, install_fd(fd, id));
	EXPECT_EQ(0, remove_fd(fd, id));
	close(fd);
}

TEST_F(perm, node_belongs_to_its_installer_mode_0600)
{
	struct job j = { .ctl = self->ctl, .id = new_id(self) };
	struct stat st;

	ASSERT_EQ(0, as_user(ALICE, ALICE_GID, do_install, &j));
	ASSERT_EQ(0, stat_group(j.id, &st));
	EXPECT_EQ(ALICE, st.st_uid);
	EXPECT_EQ(ALICE_GID, st.st_gid);
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* Her own group: she opens it. */
	EXPECT_EQ(0, as_user(ALICE, ALICE_GID, do_open_rw, &j));
}

TEST_F(perm, other_user_gets_eacces_until_owner_chmods)
{
	struct job j = { .ctl = self->ctl, .id = new_id(self) };

	ASSERT_EQ(0, as_user(ALICE, ALICE_GID, do_install, &j));
	EXPECT_EQ(EACCES, as_user(BOB, BOB_GID, do_open_rw, &j));
	/* Bob may not widen it himself. */
	j.mode = 0666;
	EXPECT_EQ(EPERM, as_user(BOB, BOB_GID, do_chmod, &j));
	EXPECT_EQ(EACCES, as_user(BOB, BOB_GID, do_open_rw, &j));
	EXPECT_EQ(0, as_user(ALICE, ALICE_GID, do_chmod, &j));
	EXPECT_EQ(0, as_user(BOB, BOB_GID, do_open_rw, &j));
	/* And narrow it again. */
	j.mode = 0600;
	EXPECT_EQ(0, as_user(ALICE, ALICE_GID, do_chmod, &j));
	EXPECT_EQ(EACCES, as_user(BOB, BOB_GID, do_open_rw, &j));
}

TEST_F(perm, installing_anothers_group_changes_nothing)
{
	struct job j = { .ctl = self->ctl, .id = new_id(self) };
	struct stat st;

	ASSERT_EQ(0, as_user(ALICE, ALICE_GID, do_install, &j));
	EXPECT_EQ(0, as_user(BOB, BOB_GID, do_install, &j));
	ASSERT_EQ(0, stat_group(j.id, &st));
	EXPECT_EQ(ALICE, st.st_uid);
	EXPECT_EQ(EACCES, as_user(BOB, BOB_GID, do_open_rw, &j));
	/* Nor may he remove it. */
	EXPECT_EQ(EPERM, as_user(BOB, BOB_GID, do_remove, &j));
	EXPECT_EQ(0, stat_group(j.id, &st));
}

/* Every call that changes a group fails through a read-only file. */
TEST_F(perm, read_only_file_cannot_change_the_group)
{
	struct synchmess_limits limits = { .max_messages = 5 };
	__u32 id = new_id(self), delay = 3600000, got = 0;
	int rw, ro;
	char buf[8];

	ASSERT_EQ(0, sm_install(id, NULL));
	rw = sm_open_group(id, O_RDWR);
	ASSERT_LE(0, rw);
	ro = sm_open_group(id, O_RDONLY);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, ioctl(rw, SYNCHMESS_IOC_SET_SEND_DELAY, &delay));
	ASSERT_EQ(3, write(rw, "one", 3));
	ASSERT_EQ(1, sm_figure(id, "delayed"));

	EXPECT_EQ(-1, write(ro, "two", 3));
	EXPECT_EQ(EBADF, errno);
	delay = 0;
	EXPECT_EQ(-1, ioctl(ro, SYNCHMESS_IOC_SET_SEND_DELAY, &delay));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, ioctl(ro, SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, ioctl(ro, SYNCHMESS_IOC_AWAKE_BARRIER));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, ioctl(ro, SYNCHMESS_IOC_SET_LIMITS, &limits));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, fsync(ro));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, fdatasync(ro));
	EXPECT_EQ(EBADF, errno);

	/* Nothing changed, and what only looks works. */
	EXPECT_EQ(0, ioctl(ro, SYNCHMESS_IOC_GET_SEND_DELAY, &got));
	EXPECT_EQ(3600000, got);
	EXPECT_EQ(0, ioctl(ro, SYNCHMESS_IOC_GET_LIMITS, &limits));
	EXPECT_NE(5, limits.max_messages);
	EXPECT_EQ(1, sm_figure(id, "delayed"));
	EXPECT_EQ(0, sm_figure(id, "messages"));

	/* A reader's close flushes nothing; a writer's does. */
	close(ro);
	EXPECT_EQ(1, sm_figure(id, "delayed"));
	close(rw);
	EXPECT_EQ(0, sm_figure(id, "delayed"));
	EXPECT_EQ(1, sm_figure(id, "messages"));
	ro = sm_open_group(id, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, ro);
	EXPECT_EQ(3, read(ro, buf, sizeof(buf)));
	close(ro);
}

static int do_install_n(void *arg)
{
	struct job *j = arg;
	long i;

	for (i = 0; i < j->n; i++)
		if (install_fd(j->ctl, j->id + i))
			return 200 + i;
	return want(install_fd(j->ctl, j->id + j->n), EDQUOT);
}

TEST_F(perm, max_user_groups_gives_edquot_root_exempt)
{
	struct job j = { .ctl = self->ctl, .n = 2 };
	int i;

	j.id = new_id(self);
	for (i = 1; i <= 2; i++)
		new_id(self);
	ASSERT_EQ(0, sm_param_set("max_user_groups", 2));
	/* Two of hers, the third refused, and no node for it. */
	EXPECT_EQ(0, as_user(ALICE, ALICE_GID, do_install_n, &j));
	EXPECT_EQ(-ENOENT, sm_remove(j.id + 2));
	/* Bob has his own count. */
	j.id = new_id(self);
	j.n = 0;
	ASSERT_EQ(0, sm_param_set("max_user_groups", 1));
	j.n = 1;
	new_id(self);
	EXPECT_EQ(0, as_user(BOB, BOB_GID, do_install_n, &j));
	/* Root is not held to it. */
	EXPECT_EQ(0, sm_install(new_id(self), NULL));
	EXPECT_EQ(0, sm_install(new_id(self), NULL));
}

static int do_remove_open_install(void *arg)
{
	struct job *j = arg;
	int fd, ret;

	if (install_fd(j->ctl, j->id))
		return errno;
	fd = sm_open_group(j->id, O_RDWR);
	if (fd < 0)
		return 201;
	if (remove_fd(j->ctl, j->id))
		return 202;
	/* Removed but still open: it still counts. */
	ret = want(install_fd(j->ctl, j->id + 1), EDQUOT);
	if (ret)
		return ret;
	close(fd);
	return want(install_fd(j->ctl, j->id + 1), 0);
}

TEST_F(perm, removed_group_still_open_counts_against_its_owner)
{
	struct job j = { .ctl = self->ctl, .id = new_id(self) };

	new_id(self);
	ASSERT_EQ(0, sm_param_set("max_user_groups", 1));
	EXPECT_EQ(0, as_user(ALICE, ALICE_GID, do_remove_open_install, &j));
}

/* Fill the group until a write fails; j->n counts what went in. */
static int do_fill(void *arg)
{
	struct job *j = arg;
	char buf[100] = { 0 };
	int fd = sm_open_group(j->id, O_RDWR | O_NONBLOCK);

	if (fd < 0)
		return 201;
	for (j->n = 0; j->n < 100000; j->n++)
		if (write(fd, buf, sizeof(buf)) < 0)
			break;
	/* A child's count comes back through the exit status. */
	if (j->n > 100)
		return 202;
	return errno == EDQUOT ? (int)j->n : 203;
}

/* One message of 100 bytes, as do_fill() writes; want errno j->mode. */
static int do_write_one(void *arg)
{
	struct job *j = arg;
	int fd = sm_open_group(j->id, O_RDWR | O_NONBLOCK);
	char buf[100] = { 0 };
	int ret;

	if (fd < 0)
		return 201;
	ret = want(write(fd, buf, sizeof(buf)), j->mode);
	close(fd);
	return ret;
}

TEST_F(perm, max_user_memory_gives_edquot_and_reads_give_it_back)
{
	struct job j = { .ctl = self->ctl, .id = new_id(self) };
	char buf[100];
	int n, fd;

	ASSERT_EQ(0, as_user(ALICE, ALICE_GID, do_install, &j));
	j.mode = 0666;
	ASSERT_EQ(0, as_user(ALICE, ALICE_GID, do_chmod, &j));
	/* Room for a few messages of 100 bytes, whatever each is charged. */
	ASSERT_EQ(0, sm_param_set("max_user_memory", 2048));
	n = as_user(BOB, BOB_GID, do_fill, &j);
	ksft_print_msg("100 B messages within 2048 B of memory: %d\n", n);
	ASSERT_LT(0, n);
	ASSERT_GT(100, n);
	/* The refused write posted nothing. */
	EXPECT_EQ(n, sm_figure(j.id, "messages"));
	EXPECT_EQ(n * 100, sm_figure(j.id, "bytes"));
	/* Bob is charged, not Alice, the owner: her write goes in. */
	j.mode = 0;
	EXPECT_EQ(0, as_user(ALICE, ALICE_GID, do_write_one, &j));
	j.mode = EDQUOT;
	EXPECT_EQ(0, as_user(BOB, BOB_GID, do_write_one, &j));
	/* Root is not held to it. */
	fd = sm_open_group(j.id, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, write(fd, "r", 1));
	/* Reading one of Bob's gives him its charge back, whoever reads. */
	EXPECT_EQ(100, read(fd, buf, sizeof(buf)));
	j.mode = 0;
	EXPECT_EQ(0, as_user(BOB, BOB_GID, do_write_one, &j));
	close(fd);
}

struct limits_job {
	__u32 id;
	struct synchmess_limits limits;
};

static int do_set_limits(void *arg)
{
	struct limits_job *l = arg;
	int fd = sm_open_group(l->id, O_RDWR);
	int ret;

	if (fd < 0)
		return 201;
	ret = ioctl(fd, SYNCHMESS_IOC_SET_LIMITS, &l->limits) ? errno : 0;
	close(fd);
	return ret;
}

TEST_F(perm, set_limits_owner_only_never_above_the_module)
{
	struct job j = { .ctl = self->ctl, .id = new_id(self), .mode = 0666 };
	struct limits_job l = { .id = j.id };
	struct synchmess_limits got;
	static char buf[100];
	unsigned long module = 0;
	int fd, i;

	ASSERT_EQ(0, as_user(ALICE, ALICE_GID, do_install, &j));
	ASSERT_EQ(0, as_user(ALICE, ALICE_GID, do_chmod, &j));
	ASSERT_EQ(0, sm_param_get("max_storage_size", &module));

	l.limits.max_storage_size = 1000;
	EXPECT_EQ(EPERM, as_user(BOB, BOB_GID, do_set_limits, &l));
	l.limits.flags = 1;
	EXPECT_EQ(EINVAL, as_user(ALICE, ALICE_GID, do_set_limits, &l));
	l.limits.flags = 0;
	l.limits.max_storage_size = module + 1;
	EXPECT_EQ(EINVAL, as_user(ALICE, ALICE_GID, do_set_limits, &l));
	l.limits.max_storage_size = 1000;
	EXPECT_EQ(0, as_user(ALICE, ALICE_GID, do_set_limits, &l));

	fd = sm_open_group(j.id, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_GET_LIMITS, &got));
	EXPECT_EQ(1000, got.max_storage_size);
	EXPECT_EQ(self->old[4], got.max_message_size);
	EXPECT_EQ(self->old[3], got.max_messages);
	EXPECT_EQ(0, got.flags);
	/* Fields left 0 follow the module. */
	ASSERT_EQ(0, sm_param_set("max_messages", 7));
	ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_GET_LIMITS, &got));
	EXPECT_EQ(7, got.max_messages);
	ASSERT_EQ(0, sm_param_set("max_messages", self->old[3]));
	/* Ten messages of 100 bytes fill 1000. */
	for (i = 0; i < 10; i++)
		EXPECT_EQ(100, write(fd, buf, 100));
	EXPECT_EQ(-1, write(fd, buf, 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(1000, sm_figure(j.id, "bytes"));
	/* A module limit lowered below the group's wins. */
	ASSERT_EQ(0, sm_param_set("max_storage_size", 500));
	ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_GET_LIMITS, &got));
	EXPECT_EQ(500, got.max_storage_size);
	/* Root, with CAP_SYS_RESOURCE, may set another's group's limits. */
	memset(&l.limits, 0, sizeof(l.limits));
	EXPECT_EQ(0, ioctl(fd, SYNCHMESS_IOC_SET_LIMITS, &l.limits));
	ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_GET_LIMITS, &got));
	EXPECT_EQ(500, got.max_storage_size);
	close(fd);
}

TEST_F(perm, group_max_message_size_gives_emsgsize)
{
	struct synchmess_limits limits = { .max_message_size = 10 };
	__u32 id = new_id(self);
	static char buf[11];
	int fd;

	ASSERT_EQ(0, sm_install(id, NULL));
	fd = sm_open_group(id, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_SET_LIMITS, &limits));
	EXPECT_EQ(10, write(fd, buf, 10));
	EXPECT_EQ(-1, write(fd, buf, 11));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(1, sm_figure(id, "messages"));
	close(fd);
}

/* The inodes the kernel holds, from /proc/sys/fs/inode-nr; -1 if none. */
static long kernel_inodes(void)
{
	long nr = -1, unused;
	FILE *f = fopen("/proc/sys/fs/inode-nr", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &nr, &unused) != 2)
		nr = -1;
	fclose(f);
	return nr;
}

static int do_pin_nodes(void *arg)
{
	struct job *j = arg;
	char path[SYNCHMESS_PATH_LEN];
	long i;

	sm_group_path(j->id, path, sizeof(path));
	for (i = 0; i < j->n; i++) {
		if (install_fd(j->ctl, j->id))
			return 201;
		if (open(path, O_PATH | O_CLOEXEC) < 0)
			return 202;
		if (remove_fd(j->ctl, j->id))
			return 203;
	}
	/* Report, then keep the files until told to go. */
	if (write(j->mode, "x", 1) != 1)
		return 204;
	pause();
	return 0;
}

/*
 * A removed group's node kept with O_PATH stays as an unlinked devtmpfs
 * inode, which the driver never sees: as many as the files its user keeps
 * open, and all of them freed once those are closed. Counted in the
 * kernel's inodes, as devtmpfs on ramfs has no inode limit to read.
 */
TEST_F(perm, o_path_nodes_pin_what_the_open_files_limit_allows)
{
	struct job j = { .ctl = self->ctl, .id = new_id(self), .n = 200 };
	long before, pinned, after, free_kb;
	int pipefd[2], status;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	j.mode = pipefd[1];
	before = kernel_inodes();
	if (before < 0)
		SKIP(return, "no /proc/sys/fs/inode-nr");
	free_kb = sm_free_kb();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		become(ALICE, ALICE_GID);
		_exit(do_pin_nodes(&j));
	}
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	pinned = kernel_inodes() - before;
	free_kb -= sm_free_kb();
	kill(pid, SIGTERM);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	after = kernel_inodes() - before;
	ksft_print_msg("%ld install/O_PATH/remove cycles pinned %ld inodes\n",
		       j.n, pinned);
	ksft_print_msg("and %ld KiB with their files; %ld left after close\n",
		       free_kb, after);
	/* Other inodes come and go meanwhile: the child's, /proc's. */
	EXPECT_LE(j.n - 10, pinned);
	EXPECT_GE(j.n + 50, pinned);
	EXPECT_GE(20, after);
}

TEST_HARNESS_MAIN
