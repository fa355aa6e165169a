// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess sysfs: the limits are validated and keep their old value on a
 * bad write; the per-group figures are read-only and right.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

static const char * const limits[] = {
	"max_message_size", "max_storage_size", "max_messages", "max_groups",
	"max_user_groups", "max_user_memory",
};

#define NLIMITS	ARRAY_SIZE(limits)

static const char * const figures[] = {
	"messages", "bytes", "delayed", "sleepers", "send_delay_ms",
};

FIXTURE(limits) {
	unsigned long old[NLIMITS];
};

FIXTURE_SETUP(limits)
{
	int i;

	for (i = 0; i < NLIMITS; i++)
		ASSERT_EQ(0, sm_param_get(limits[i], &self->old[i]));
}

FIXTURE_TEARDOWN(limits)
{
	int i;

	for (i = 0; i < NLIMITS; i++)
		sm_param_set(limits[i], self->old[i]);
}

TEST_F(limits, are_root_writable_and_world_readable)
{
	char path[256];
	struct stat st;
	int i;

	for (i = 0; i < NLIMITS; i++) {
		snprintf(path, sizeof(path), SYNCHMESS_PARAMS "%s", limits[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0644, st.st_mode & 0777) TH_LOG("%s", path);
		EXPECT_LT(0, self->old[i]) TH_LOG("%s", path);
	}
}

TEST_F(limits, bad_values_give_einval_and_keep_old_value)
{
	static const char * const bad[] = {
		"0", "-1", "abc", "\n", "12abc", "99999999999999999999",
	};
	char path[256];
	unsigned long now = 0;
	int i, j;

	for (i = 0; i < NLIMITS; i++) {
		snprintf(path, sizeof(path), SYNCHMESS_PARAMS "%s", limits[i]);
		for (j = 0; j < 6; j++) {
			EXPECT_EQ(-EINVAL, sm_write_text(path, bad[j]))
				TH_LOG("%s <- '%s'", limits[i], bad[j]);
			ASSERT_EQ(0, sm_param_get(limits[i], &now));
			EXPECT_EQ(self->old[i], now);
		}
	}
}

TEST_F(limits, values_past_the_maximum_give_einval)
{
	EXPECT_EQ(-EINVAL, sm_param_set("max_message_size", (4UL << 20) + 1));
	EXPECT_EQ(-EINVAL, sm_param_set("max_storage_size", (1UL << 30) + 1));
	EXPECT_EQ(-EINVAL, sm_param_set("max_groups", 4096));
	EXPECT_EQ(-EINVAL, sm_param_set("max_messages", (1UL << 20) + 1));
	EXPECT_EQ(-EINVAL, sm_param_set("max_user_groups", 4096));
	/* Text, as 2^32 does not fit a 32-bit program's unsigned long. */
	EXPECT_EQ(-EINVAL, sm_write_text(SYNCHMESS_PARAMS "max_user_memory",
					 "4294967296"));
	EXPECT_EQ(0, sm_param_set("max_message_size", 4UL << 20));
	EXPECT_EQ(0, sm_param_set("max_storage_size", 1UL << 30));
	EXPECT_EQ(0, sm_param_set("max_groups", 4095));
	EXPECT_EQ(0, sm_param_set("max_messages", 1UL << 20));
	EXPECT_EQ(0, sm_param_set("max_user_groups", 4095));
	EXPECT_EQ(0, sm_param_set("max_user_memory", 4294967295UL));
}

TEST_F(limits, good_values_are_taken)
{
	unsigned long now = 0;

	ASSERT_EQ(0, sm_param_set("max_message_size", 123));
	ASSERT_EQ(0, sm_param_get("max_message_size", &now));
	EXPECT_EQ(123, now);
	ASSERT_EQ(0, sm_write_text(SYNCHMESS_PARAMS "max_storage_size",
				   "4567\n"));
	ASSERT_EQ(0, sm_param_get("max_storage_size", &now));
	EXPECT_EQ(4567, now);
}

TEST_F(limits, lowering_storage_affects_later_writes_only)
{
	static char buf[100];
	__u32 id = sm_unique_id();
	long stored, c10;
	int fd, i;

	ASSERT_EQ(0, sm_install(id, NULL));
	fd = sm_open_group(id, O_RDWR);
	ASSERT_LE(0, fd);
	stored = sm_probe_bytes(fd, id, 100);
	c10 = sm_probe_bytes(fd, id, 10);
	ASSERT_EQ(100, stored);
	ASSERT_EQ(10, c10);
	ASSERT_EQ(0, sm_param_set("max_storage_size", 10 * stored));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(100, write(fd, buf, 100));
	/* Room for one message of 10 bytes, once the group is empty. */
	ASSERT_EQ(0, sm_param_set("max_storage_size", c10));
	EXPECT_EQ(-1, write(fd, buf, 10));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(3 * stored, sm_figure(id, "bytes"));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(100, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(10, write(fd, buf, 10));
	close(fd);
	sm_remove(id);
}

TEST_F(limits, lowering_max_groups_keeps_existing_groups)
{
	__u32 a = sm_unique_id(), b = sm_unique_id();

	ASSERT_EQ(0, sm_install(a, NULL));
	ASSERT_EQ(0, sm_install(b, NULL));
	ASSERT_EQ(0, sm_param_set("max_groups", 1));
	EXPECT_EQ(0, sm_install(a, NULL));
	EXPECT_EQ(-ENOSPC, sm_install(sm_unique_id(), NULL));
	EXPECT_EQ(0, sm_remove(a));
	EXPECT_EQ(0, sm_remove(b));
}

TEST(group_figures_are_read_only)
{
	__u32 id = sm_unique_id();
	char path[256];
	struct stat st;
	int i;

	ASSERT_EQ(0, sm_install(id, NULL));
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), SYNCHMESS_CLASS "synchmess%u/%s",
			 id, figures[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 0777) TH_LOG("%s", path);
		EXPECT_EQ(0, sm_figure(id, figures[i])) TH_LOG("%s", path);
		EXPECT_NE(0, sm_write_text(path, "1"));
	}
	sm_remove(id);
}

TEST(group_figures_follow_the_group)
{
	__u32 id = sm_unique_id(), ms = 600000;
	char buf[16];
	int fd;

	long c3, c5, c7;

	ASSERT_EQ(0, sm_install(id, NULL));
	fd = sm_open_group(id, O_RDWR);
	ASSERT_LE(0, fd);
	c3 = sm_probe_bytes(fd, id, 3);
	c5 = sm_probe_bytes(fd, id, 5);
	c7 = sm_probe_bytes(fd, id, 7);
	ASSERT_EQ(3, c3);
	ASSERT_EQ(5, c5);
	ASSERT_EQ(7, c7);
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(5, write(fd, "defgh", 5));
	ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &ms));
	ASSERT_EQ(7, write(fd, "delayed", 7));
	EXPECT_EQ(2, sm_figure(id, "messages"));
	/* What the messages hold, published and delayed. */
	EXPECT_EQ(c3 + c5 + c7, sm_figure(id, "bytes"));
	EXPECT_EQ(1, sm_figure(id, "delayed"));
	EXPECT_EQ(600000, sm_figure(id, "send_delay_ms"));
	EXPECT_EQ(0, sm_figure(id, "sleepers"));
	ASSERT_EQ(3, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(1, sm_figure(id, "messages"));
	EXPECT_EQ(c5 + c7, sm_figure(id, "bytes"));
	close(fd);
	sm_remove(id);
}

TEST_HARNESS_MAIN
