// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess memory bound: the messages of a group hold no more kernel
 * memory than their payload plus a documented overhead per message, so a
 * group holds at most max_storage_size + max_messages * overhead, whatever
 * the size of its messages; and a removed group kept open neither keeps
 * its messages nor frees its place in max_groups before its last file is
 * closed.
 *
 * The memory a group holds is read off the kernel's free pages before and
 * after it is filled: the allocator's own figure, which a wrong estimate
 * cannot fool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "synchmess_util.h"

/* Filling a group takes a while on a debug kernel under emulation. */
#define TIMEOUT		300

/* The limits the tests fill groups to, large enough to stand out of noise. */
#define LIMIT		(8UL << 20)
#define MESSAGES	65536UL
/*
 * The most a message holds beyond its payload, as
 * Documentation/userspace-api/synchmess.rst gives it for 64-bit kernels
 * with 4 KiB pages (the x86-64 and arm64 guests).
 */
#define OVERHEAD	271UL
/* What else the kernel may take meanwhile: per-CPU page lists, slabs. */
#define SLACK		(LIMIT / 8 + (1UL << 20))

FIXTURE(memory) {
	__u32 id;
	int fd;
	unsigned long old_storage;
	unsigned long old_size;
	unsigned long old_groups;
	unsigned long old_messages;
};

FIXTURE_SETUP(memory)
{
	ASSERT_EQ(0, sm_param_get("max_storage_size", &self->old_storage));
	ASSERT_EQ(0, sm_param_get("max_message_size", &self->old_size));
	ASSERT_EQ(0, sm_param_get("max_groups", &self->old_groups));
	ASSERT_EQ(0, sm_param_get("max_messages", &self->old_messages));
	self->id = sm_unique_id();
	ASSERT_EQ(0, sm_install(self->id, NULL));
	self->fd = sm_open_group(self->id, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, self->fd);
}

/*
 * In the parent, so that the limits come back even when a test is killed
 * for running past its time, as one filling an unbounded group would.
 */
FIXTURE_TEARDOWN_PARENT(memory)
{
	if (self->fd >= 0)
		close(self->fd);
	sm_remove(self->id);
	sm_param_set("max_storage_size", self->old_storage);
	sm_param_set("max_message_size", self->old_size);
	sm_param_set("max_groups", self->old_groups);
	sm_param_set("max_messages", self->old_messages);
}

/*
 * A debug kernel's allocators keep metadata beside every object (kmemleak's
 * records, KASAN's redzones, which the project's debug kernel pairs with
 * kmemleak) and hold freed memory back (KASAN's quarantine): what a group
 * takes there says nothing of the driver. Such kernels fill groups to
 * ENOSPC all the same, without weighing the memory.
 */
static bool memory_measured(void)
{
	static int debug = -1;

	if (debug < 0) {
		debug = !access("/sys/kernel/debug/kmemleak", F_OK);
		if (debug)
			ksft_print_msg("kmemleak present: memory not weighed\n");
	}
	return !debug;
}

/* Bytes of free memory lost since @before_kb. */
static long mem_taken(long before_kb)
{
	return (before_kb - sm_free_kb()) * 1024;
}

/* The documented bound for @n messages of @len bytes. */
static unsigned long bound(unsigned long n, size_t len)
{
	return n * (len + OVERHEAD);
}

/*
 * Fill the group with messages of @len bytes until it is full, and return
 * the memory that took; stop early, failing, once it is well past the
 * bound, as an unbounded group would take the whole machine down. The
 * group is full when its payload would pass max_storage_size or it holds
 * max_messages messages, whichever comes first.
 */
static long fill(struct __test_metadata *_metadata, int fd, __u32 id,
		 size_t len)
{
	/* Where nothing is weighed, a smaller group shows ENOSPC as well. */
	unsigned long limit = memory_measured() ? LIMIT : LIMIT / 8;
	unsigned long messages = memory_measured() ? MESSAGES : MESSAGES / 8;
	unsigned long want;
	char *buf = calloc(1, len);
	long before, taken = 0, n = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, sm_param_set("max_message_size", len));
	ASSERT_EQ(0, sm_param_set("max_storage_size", limit));
	ASSERT_EQ(0, sm_param_set("max_messages", messages));
	before = sm_free_kb();
	ASSERT_LT(0, before);
	for (;;) {
		if (write(fd, buf, len) < 0) {
			ASSERT_EQ(ENOSPC, errno);
			break;
		}
		n++;
		if (n % 4096 == 0 && memory_measured()) {
			taken = mem_taken(before);
			ASSERT_GT(2 * bound(n, len) + SLACK, taken)
				TH_LOG("%ld messages of %zu bytes took %ld KiB",
				       n, len, taken / 1024);
		}
	}
	taken = mem_taken(before);
	want = limit / len < messages ? limit / len : messages;
	ksft_print_msg("%zu B messages: %ld stored, %ld B of payload, took %ld KiB\n",
		       len, n, sm_figure(id, "bytes"), taken / 1024);
	ksft_print_msg("bound, payload + %lu B each: %lu KiB\n", OVERHEAD,
		       bound(n, len) / 1024);
	EXPECT_EQ(n * len, (unsigned long)sm_figure(id, "bytes"));
	EXPECT_EQ(want, (unsigned long)n);
	free(buf);
	return taken < (long)SLACK ? 0 : taken - SLACK;
}

/* Whether @taken is within the bound, where memory is weighed at all. */
static bool within_bound(long taken, size_t len)
{
	unsigned long messages = LIMIT / len < MESSAGES ? LIMIT / len : MESSAGES;

	if (memory_measured() && taken > (long)bound(messages, len))
		ksft_print_msg("took %ld B, bound %lu B\n", taken,
			       bound(messages, len));
	return !memory_measured() || taken <= (long)bound(messages, len);
}

TEST_F_TIMEOUT(memory, one_byte_messages_hold_no_more_than_the_limit, TIMEOUT)
{
	EXPECT_TRUE(within_bound(fill(_metadata, self->fd, self->id, 1), 1));
}

TEST_F_TIMEOUT(memory, small_messages_hold_no_more_than_the_limit, TIMEOUT)
{
	EXPECT_TRUE(within_bound(fill(_metadata, self->fd, self->id, 100), 100));
}

/* kmalloc() alone would round these up to 2 KiB. */
TEST_F_TIMEOUT(memory, mid_sized_messages_hold_no_more_than_the_bound, TIMEOUT)
{
	EXPECT_TRUE(within_bound(fill(_metadata, self->fd, self->id, 1025), 1025));
}

TEST_F_TIMEOUT(memory, page_sized_messages_hold_no_more_than_the_limit, TIMEOUT)
{
	EXPECT_TRUE(within_bound(fill(_metadata, self->fd, self->id, 4096), 4096));
}

TEST_F_TIMEOUT(memory, largest_default_messages_hold_no_more_than_the_limit, TIMEOUT)
{
	EXPECT_TRUE(within_bound(fill(_metadata, self->fd, self->id, 8192), 8192));
}

TEST_F_TIMEOUT(memory, large_messages_hold_no_more_than_the_limit, TIMEOUT)
{
	EXPECT_TRUE(within_bound(fill(_metadata, self->fd, self->id,
				      3 * 4096 + 1), 3 * 4096 + 1));
}

TEST_F_TIMEOUT(memory, delayed_messages_hold_no_more_than_the_limit, TIMEOUT)
{
	__u32 delay = 3600000;

	ASSERT_EQ(0, ioctl(self->fd, SYNCHMESS_IOC_SET_SEND_DELAY, &delay));
	EXPECT_TRUE(within_bound(fill(_metadata, self->fd, self->id, 1), 1));
	EXPECT_EQ(0, sm_figure(self->id, "messages"));
	EXPECT_LT(0, sm_figure(self->id, "delayed"));
}

TEST_F_TIMEOUT(memory, removal_frees_the_messages_of_a_group_still_open, TIMEOUT)
{
	long before = sm_free_kb();

	ASSERT_LT(0, before);
	fill(_metadata, self->fd, self->id, 1);
	ASSERT_EQ(0, sm_remove(self->id));
	/* The file stays open, the memory goes back. */
	if (memory_measured())
		EXPECT_GT((long)SLACK, mem_taken(before));
	EXPECT_EQ(-1, write(self->fd, "x", 1));
	EXPECT_EQ(EIDRM, errno);
}

TEST_F_TIMEOUT(memory, removed_group_counts_against_max_groups_until_closed, TIMEOUT)
{
	__u32 other = sm_unique_id();
	int groups = sm_count_groups();

	ASSERT_LE(1, groups);
	ASSERT_EQ(0, sm_param_set("max_groups", groups));
	ASSERT_EQ(0, sm_remove(self->id));
	/* Still open: its memory is not freed, so it keeps its place. */
	EXPECT_EQ(-ENOSPC, sm_install(other, NULL));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, sm_install(other, NULL));
	sm_remove(other);
}

TEST_HARNESS_MAIN
