// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess as a module: an open file pins it; unloading with groups
 * present removes them all; loading again starts with no group.
 *
 * Skipped when the driver is built in.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define MODULE_DIR	"/kernel/drivers/char/synchmess/synchmess.ko"

static int unload(void)
{
	return syscall(__NR_delete_module, "synchmess", O_NONBLOCK);
}

static int load(void)
{
	char path[512];
	struct utsname u;
	int fd, ret;

	if (uname(&u))
		return -1;
	snprintf(path, sizeof(path), "/lib/modules/%s" MODULE_DIR, u.release);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

TEST(unload_removes_groups_and_reload_starts_empty)
{
	__u32 a = sm_unique_id(), b = sm_unique_id();
	char path[SYNCHMESS_PATH_LEN];
	int fd;

	if (access("/sys/module/synchmess/refcnt", F_OK))
		SKIP(return, "synchmess is built in");

	ASSERT_EQ(0, sm_install(a, path));
	ASSERT_EQ(0, sm_install(b, NULL));
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "kept", 4));

	/* An open group file pins the module. */
	EXPECT_EQ(-1, unload());
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
		TH_LOG("unload with an open file: %s", strerror(errno));
	EXPECT_EQ(0, access("/sys/module/synchmess", F_OK));
	close(fd);

	/* Groups with messages in them do not. */
	ASSERT_EQ(0, unload()) TH_LOG("unload: %s", strerror(errno));
	EXPECT_NE(0, access(SYNCHMESS_CTL, F_OK));
	EXPECT_NE(0, access(path, F_OK));
	EXPECT_NE(0, access("/sys/module/synchmess", F_OK));

	ASSERT_EQ(0, load()) TH_LOG("load: %s", strerror(errno));
	EXPECT_EQ(0, access(SYNCHMESS_CTL, F_OK));
	EXPECT_EQ(-ENOENT, sm_remove(a));
	EXPECT_EQ(-ENOENT, sm_remove(b));
}

/*
 * Delayed messages cannot outlive the last file, whose close publishes
 * them; the work item armed for them may, and unloading must cancel it
 * before the module's code goes away.
 */
TEST(unload_with_delayed_work_armed_and_reload)
{
	__u32 hour = 3600000, soon = 1, ids[2] = { sm_unique_id(),
						  sm_unique_id() };
	char msg[64] = "delayed";
	int fd, i, round;

	if (access("/sys/module/synchmess/refcnt", F_OK))
		SKIP(return, "synchmess is built in");

	for (round = 0; round < 5; round++) {
		ASSERT_EQ(0, sm_install(ids[0], NULL));
		ASSERT_EQ(0, sm_install(ids[1], NULL));
		fd = sm_open_group(ids[0], O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &hour));
		ASSERT_EQ(sizeof(msg), write(fd, msg, sizeof(msg)));
		close(fd);
		fd = sm_open_group(ids[1], O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &soon));
		for (i = 0; i < 32; i++)
			ASSERT_EQ(sizeof(msg), write(fd, msg, sizeof(msg)));
		close(fd);

		ASSERT_EQ(0, unload()) TH_LOG("unload: %s", strerror(errno));
		ASSERT_EQ(0, load()) TH_LOG("load: %s", strerror(errno));
		EXPECT_EQ(-ENOENT, sm_remove(ids[0]));
		EXPECT_EQ(-ENOENT, sm_remove(ids[1]));
	}
}

TEST(control_file_pins_module)
{
	int ctl;

	if (access("/sys/module/synchmess/refcnt", F_OK))
		SKIP(return, "synchmess is built in");

	ctl = sm_ctl_open();
	ASSERT_LE(0, ctl);
	EXPECT_EQ(-1, unload());
	EXPECT_EQ(0, access(SYNCHMESS_CTL, F_OK));
	close(ctl);
}

TEST_HARNESS_MAIN
