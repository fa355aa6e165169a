// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess when allocations fail: with failslab and fail_page_alloc
 * targeted at the test thread, installs and writes either work or fail with
 * ENOMEM, and a failure leaves nothing behind: no half-made group, no
 * message, no bytes charged.
 *
 * Skipped unless the kernel has fault injection in debugfs
 * (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS).
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

#define TRIES	200

FIXTURE(fault) {
	const char *fault;
};

FIXTURE_VARIANT(fault) {
	const char *fault;
	unsigned int percent;
};

FIXTURE_VARIANT_ADD(fault, failslab) {
	.fault = "failslab",
	.percent = 20,	/* per allocation; installs lower it */
};

FIXTURE_VARIANT_ADD(fault, fail_page_alloc) {
	.fault = "fail_page_alloc",
	.percent = 20,	/* per allocation; installs lower it */
};

FIXTURE_SETUP(fault)
{
	char path[128];

	self->fault = variant->fault;
	snprintf(path, sizeof(path), SM_DEBUGFS "%s", variant->fault);
	if (access(path, F_OK))
		SKIP(return, "no %s in debugfs", variant->fault);
	ASSERT_EQ(0, sm_fault_set(variant->fault, variant->percent));
}

FIXTURE_TEARDOWN(fault)
{
	sm_fault_self(0);
	if (self->fault)
		sm_fault_set(self->fault, 0);
}

static int group_exists(__u32 id)
{
	char path[128];
	struct stat st;

	sm_group_path(id, path, sizeof(path));
	if (!stat(path, &st))
		return 1;
	snprintf(path, sizeof(path), SYNCHMESS_CLASS "synchmess%u", id);
	return !stat(path, &st);
}

TEST_F(fault, install_works_or_fails_with_enomem_and_leaves_nothing)
{
	struct synchmess_group g = { 0 };
	int i, ctl, ret, err, ok = 0, enomem = 0;
	long injected;

	/*
	 * An install makes a few dozen allocations (the group, its minor,
	 * cdev, device, sysfs files): fail few of them, or none succeeds.
	 */
	ASSERT_EQ(0, sm_fault_set(self->fault, 3));
	ctl = sm_ctl_open();
	ASSERT_LE(0, ctl);
	for (i = 0; i < TRIES; i++) {
		g.id = sm_unique_id();
		ASSERT_EQ(0, sm_fault_self(1));
		ret = ioctl(ctl, SYNCHMESS_IOC_INSTALL_GROUP, &g);
		err = errno;
		ASSERT_EQ(0, sm_fault_self(0));
		if (ret) {
			ASSERT_EQ(ENOMEM, err) TH_LOG("install: %s",
						      strerror(err));
			enomem++;
			EXPECT_FALSE(group_exists(g.id))
				TH_LOG("a failed install left group %u", g.id);
			EXPECT_EQ(-ENOENT, sm_remove(g.id));
		} else {
			ok++;
			EXPECT_TRUE(group_exists(g.id));
			EXPECT_EQ(0, sm_figure(g.id, "messages"));
			EXPECT_EQ(0, sm_remove(g.id));
		}
	}
	injected = sm_fault_injected(self->fault);
	close(ctl);
	ksft_print_msg("%s: %d installs, %d failed with ENOMEM, %ld faults injected\n",
		       self->fault, TRIES, enomem, injected);
	/* Groups are small: only failslab can make installs fail. */
	if (!strcmp(self->fault, "failslab"))
		EXPECT_LT(0, enomem);
	EXPECT_LT(0, ok);
}

TEST_F(fault, write_works_or_fails_with_enomem_and_charges_nothing)
{
	unsigned long old_size, old_storage, max;
	long bytes = 0, before;
	__u32 id = sm_unique_id(), delay;
	int i, fd, n, ok = 0, enomem = 0;
	size_t len;
	ssize_t ret;
	char *buf;
	int err;

	ASSERT_EQ(0, sm_param_get("max_message_size", &old_size));
	/* Messages past a page take whole pages: fail_page_alloc's part. */
	max = 64 * 1024;
	ASSERT_EQ(0, sm_param_set("max_message_size", max));
	ASSERT_EQ(0, sm_param_get("max_storage_size", &old_storage));
	ASSERT_EQ(0, sm_param_set("max_storage_size", TRIES * max));
	buf = malloc(max);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, sm_install(id, NULL));
	fd = sm_open_group(id, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);

	for (i = 0; i < TRIES; i++) {
		/* Half of them delayed, which allocates the same way. */
		delay = i % 2 ? 3600000 : 0;
		ASSERT_EQ(0, ioctl(fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay));
		len = i % 3 ? 1 + i * 7 : max - i;
		memset(buf, i, len);
		before = sm_figure(id, "bytes");
		ASSERT_EQ(0, sm_fault_self(1));
		ret = write(fd, buf, len);
		err = errno;
		ASSERT_EQ(0, sm_fault_self(0));
		if (ret < 0) {
			ASSERT_EQ(ENOMEM, err) TH_LOG("write of %zu: %s", len,
						      strerror(err));
			enomem++;
		} else {
			ASSERT_EQ(len, ret);
			ok++;
			/* Charged at least its bytes, a failed one nothing. */
			ASSERT_LE(before + (long)len, sm_figure(id, "bytes"));
			bytes = sm_figure(id, "bytes");
		}
		/* The figures count exactly the writes that worked. */
		ASSERT_EQ(ok, sm_figure(id, "messages") +
			      sm_figure(id, "delayed"));
		ASSERT_EQ(bytes, sm_figure(id, "bytes"));
	}
	ksft_print_msg("%s: %d writes, %d failed with ENOMEM, %ld faults injected\n",
		       self->fault, TRIES, enomem, sm_fault_injected(self->fault));

	ASSERT_EQ(0, fsync(fd));
	n = 0;
	while (read(fd, buf, max) > 0)
		n++;
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(ok, n);
	EXPECT_EQ(0, sm_figure(id, "bytes"));
	EXPECT_LT(0, enomem);
	EXPECT_LT(0, ok);

	close(fd);
	sm_remove(id);
	sm_param_set("max_message_size", old_size);
	sm_param_set("max_storage_size", old_storage);
	free(buf);
}

TEST_HARNESS_MAIN
