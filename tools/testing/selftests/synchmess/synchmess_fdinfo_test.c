// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess fdinfo: /proc/self/fdinfo of a group file shows the group's
 * figures, its limits in force and the file's access; of the control
 * device, that it is one.
 */
#define _GNU_SOURCE
#include "../kselftest_harness.h"
#include "synchmess_util.h"

/* Field @key of the fdinfo of @fd, as text into @val; 0 or -errno. */
static int sm_fdinfo(int fd, const char *key, char *val, size_t size)
{
	char path[64], line[256], *p;
	size_t klen = strlen(key);
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		p = line + klen + 1;
		snprintf(val, size, "%s", p + strspn(p, "\t "));
		val[strcspn(val, "\n")] = '\0';
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* Field @key of the fdinfo of @fd as a number; -1 when it is missing. */
static long sm_fdinfo_long(int fd, const char *key)
{
	char val[64];

	if (sm_fdinfo(fd, key, val, sizeof(val)))
		return -1;
	return strtol(val, NULL, 0);
}

FIXTURE(fdinfo) {
	__u32 id;
	int fd;
};

FIXTURE_SETUP(fdinfo)
{
	self->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(self->id, NULL));
	self->fd = sm_open_group(self->id, O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(fdinfo)
{
	close(self->fd);
	sm_remove(self->id);
}

TEST_F(fdinfo, group_shows_its_id_and_figures)
{
	__u32 ms = 60000;

	ASSERT_EQ(5, write(self->fd, "hello", 5));
	ASSERT_EQ(2, write(self->fd, "hi", 2));
	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &ms));
	ASSERT_EQ(3, write(self->fd, "bye", 3));

	EXPECT_EQ(self->id, sm_fdinfo_long(self->fd, "synchmess-id"));
	EXPECT_EQ(0, sm_fdinfo_long(self->fd, "removed"));
	EXPECT_EQ(2, sm_fdinfo_long(self->fd, "messages"));
	/* Payload bytes of published and delayed messages. */
	EXPECT_EQ(10, sm_fdinfo_long(self->fd, "bytes"));
	EXPECT_EQ(1, sm_fdinfo_long(self->fd, "delayed"));
	EXPECT_EQ(0, sm_fdinfo_long(self->fd, "sleepers"));
	EXPECT_EQ(60000, sm_fdinfo_long(self->fd, "send_delay_ms"));
	/* fdinfo and sysfs tell the same. */
	EXPECT_EQ(sm_figure(self->id, "messages"),
		  sm_fdinfo_long(self->fd, "messages"));
	EXPECT_EQ(sm_figure(self->id, "bytes"),
		  sm_fdinfo_long(self->fd, "bytes"));
}

TEST_F(fdinfo, group_shows_the_limits_in_force)
{
	struct synchmess_limits set = {
		.max_message_size = 100, .max_messages = 7,
	};
	unsigned long storage;

	ASSERT_EQ(0, sm_param_get("max_storage_size", &storage));
	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_LIMITS, &set));

	EXPECT_EQ(100, sm_fdinfo_long(self->fd, "max_message_size"));
	/* 0 follows the module's limit, and shows the value in force. */
	EXPECT_EQ((long)storage, sm_fdinfo_long(self->fd, "max_storage_size"));
	EXPECT_EQ(7, sm_fdinfo_long(self->fd, "max_messages"));
}

TEST_F(fdinfo, group_shows_the_file_access)
{
	char val[32];
	int ro, wo;

	ro = sm_open_group(self->id, O_RDONLY);
	ASSERT_LE(0, ro);
	wo = sm_open_group(self->id, O_WRONLY);
	ASSERT_LE(0, wo);

	ASSERT_EQ(0, sm_fdinfo(self->fd, "access", val, sizeof(val)));
	EXPECT_STREQ("read-write", val);
	ASSERT_EQ(0, sm_fdinfo(ro, "access", val, sizeof(val)));
	EXPECT_STREQ("read-only", val);
	ASSERT_EQ(0, sm_fdinfo(wo, "access", val, sizeof(val)));
	EXPECT_STREQ("write-only", val);
	close(ro);
	close(wo);
}

TEST_F(fdinfo, removed_group_says_so)
{
	ASSERT_EQ(1, write(self->fd, "x", 1));
	ASSERT_EQ(0, sm_remove(self->id));

	EXPECT_EQ(self->id, sm_fdinfo_long(self->fd, "synchmess-id"));
	EXPECT_EQ(1, sm_fdinfo_long(self->fd, "removed"));
	/* Its messages went with it. */
	EXPECT_EQ(0, sm_fdinfo_long(self->fd, "messages"));
	EXPECT_EQ(0, sm_fdinfo_long(self->fd, "bytes"));
}

TEST(control_device_says_it_is_one)
{
	int fd = sm_ctl_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(1, sm_fdinfo_long(fd, "synchmess-control"));
	/* A group's fields are not there. */
	EXPECT_EQ(-1, sm_fdinfo_long(fd, "synchmess-id"));
	close(fd);
}

TEST_HARNESS_MAIN
