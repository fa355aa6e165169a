// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess limits.
 *
 * The module's limits are its parameters, under
 * /sys/module/synchmess/parameters/, writable by root. A bad value is
 * rejected with -EINVAL and the old one stays. Lowering a limit affects
 * later operations only: nothing stored is dropped.
 *
 * A group's owner may narrow the limits of the group, as mq_attr does for
 * a POSIX queue and F_SETPIPE_SZ for a pipe: a field set to 0 follows the
 * module's limit, whatever it becomes, and the value in force is never
 * above the module's, even after the module's limit is lowered.
 *
 * max_storage_size counts payload bytes and max_messages counts messages,
 * so the memory a group's messages hold stays below
 * max_storage_size + max_messages * SYNCHMESS_MSG_MAX_OVERHEAD (see
 * message.c), for messages of any size. The per-user quotas keep one user
 * from taking every group or every group's storage.
 */
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/synchmess.h>

#include "synchmess.h"

#define SYNCHMESS_MESSAGE_SIZE_MAX	SZ_4M
#define SYNCHMESS_STORAGE_SIZE_MAX	SZ_1G
#define SYNCHMESS_MESSAGES_MAX		SZ_1M

struct synchmess_limit synchmess_message_size = {
	.val = 8192, .min = 1, .max = SYNCHMESS_MESSAGE_SIZE_MAX,
};

struct synchmess_limit synchmess_storage_size = {
	.val = SZ_1M, .min = 1, .max = SYNCHMESS_STORAGE_SIZE_MAX,
};

/*
 * A full group of messages of 256 bytes or more reaches max_storage_size
 * first; smaller ones stop here, so that a flood of one-byte messages holds
 * about as much memory as the payload limit allows.
 */
struct synchmess_limit synchmess_messages = {
	.val = 4096, .min = 1, .max = SYNCHMESS_MESSAGES_MAX,
};

static struct synchmess_limit synchmess_groups = {
	.val = 256, .min = 1, .max = SYNCHMESS_MAX_GROUPS,
};

/* One user may take an eighth of the default max_groups. */
static struct synchmess_limit synchmess_user_groups = {
	.val = 32, .min = 1, .max = SYNCHMESS_MAX_GROUPS,
};

/*
 * Memory as messages are charged (see synchmess_msg_charge()): sixteen
 * groups filled to the default limits.
 */
struct synchmess_limit synchmess_user_memory = {
	.val = SZ_32M, .min = 1, .max = UINT_MAX,
};

static int synchmess_limit_set(const char *buf, const struct kernel_param *kp)
{
	struct synchmess_limit *limit = kp->arg;
	unsigned int val;

	if (kstrtouint(buf, 0, &val) || val < limit->min || val > limit->max)
		return -EINVAL;

	WRITE_ONCE(limit->val, val);
	return 0;
}

/* Raising a group's room may make room in full groups: tell pollers. */
static int synchmess_room_limit_set(const char *buf,
				    const struct kernel_param *kp)
{
	struct synchmess_limit *limit = kp->arg;
	unsigned int old = READ_ONCE(limit->val);
	int ret;

	ret = synchmess_limit_set(buf, kp);
	if (!ret && READ_ONCE(limit->val) > old)
		synchmess_group_wake_writers();
	return ret;
}

static int synchmess_limit_get(char *buf, const struct kernel_param *kp)
{
	struct synchmess_limit *limit = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(limit->val));
}

static const struct kernel_param_ops synchmess_limit_ops = {
	.set = synchmess_limit_set,
	.get = synchmess_limit_get,
};

static const struct kernel_param_ops synchmess_room_limit_ops = {
	.set = synchmess_room_limit_set,
	.get = synchmess_limit_get,
};

module_param_cb(max_message_size, &synchmess_limit_ops,
		&synchmess_message_size, 0644);
MODULE_PARM_DESC(max_message_size,
		 "Largest message in bytes (1 to 4194304, default 8192)");

module_param_cb(max_storage_size, &synchmess_room_limit_ops,
		&synchmess_storage_size, 0644);
MODULE_PARM_DESC(max_storage_size,
		 "Payload bytes a group stores, published plus delayed (1 to 1073741824, default 1048576)");

module_param_cb(max_messages, &synchmess_room_limit_ops,
		&synchmess_messages, 0644);
MODULE_PARM_DESC(max_messages,
		 "Messages a group stores, published plus delayed (1 to 1048576, default 4096)");

module_param_cb(max_groups, &synchmess_limit_ops, &synchmess_groups, 0644);
MODULE_PARM_DESC(max_groups, "Number of groups (1 to 4095, default 256)");

module_param_cb(max_user_groups, &synchmess_limit_ops,
		&synchmess_user_groups, 0644);
MODULE_PARM_DESC(max_user_groups,
		 "Groups one user may have installed and not yet freed (1 to 4095, default 32)");

module_param_cb(max_user_memory, &synchmess_limit_ops,
		&synchmess_user_memory, 0644);
MODULE_PARM_DESC(max_user_memory,
		 "Bytes of memory the messages one user wrote may hold (1 to 4294967295, default 33554432)");

/**
 * synchmess_limits_set() - set a group's limits
 * @l:   the group's limits
 * @req: the new limits, from SYNCHMESS_IOC_SET_LIMITS
 *
 * The caller checks who may set them and wakes the group's writers when a
 * limit was raised.
 *
 * Return: 0, or -EINVAL for nonzero flags or a value above the module's
 * limit; the limits are then unchanged.
 */
int synchmess_limits_set(struct synchmess_group_limits *l,
			 const struct synchmess_limits *req)
{
	if (req->flags ||
	    req->max_message_size > READ_ONCE(synchmess_message_size.val) ||
	    req->max_storage_size > READ_ONCE(synchmess_storage_size.val) ||
	    req->max_messages > READ_ONCE(synchmess_messages.val))
		return -EINVAL;

	WRITE_ONCE(l->max_message_size, req->max_message_size);
	WRITE_ONCE(l->max_storage_size, req->max_storage_size);
	WRITE_ONCE(l->max_messages, req->max_messages);
	return 0;
}

/**
 * synchmess_limits_get() - the limits in force of a group
 * @l:   the group's limits
 * @out: filled for SYNCHMESS_IOC_GET_LIMITS, a field that follows the
 *       module reading as the module's current value
 */
void synchmess_limits_get(const struct synchmess_group_limits *l,
			  struct synchmess_limits *out)
{
	out->max_message_size = synchmess_limit_message_size(l);
	out->max_storage_size = synchmess_limit_storage_size(l);
	out->max_messages = synchmess_limit_messages(l);
	out->flags = 0;
}

/**
 * synchmess_max_groups() - current max_groups
 *
 * Return: the number of groups that may exist at once.
 */
unsigned int synchmess_max_groups(void)
{
	return READ_ONCE(synchmess_groups.val);
}

/**
 * synchmess_max_user_groups() - current max_user_groups
 *
 * Return: the number of groups one user may have installed and not freed.
 */
unsigned int synchmess_max_user_groups(void)
{
	return READ_ONCE(synchmess_user_groups.val);
}
