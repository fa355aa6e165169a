// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess sysfs: the limits, as module parameters under
 * /sys/module/synchmess/parameters/, and the read-only figures of each group
 * under its device.
 *
 * A limit rejects a bad value with -EINVAL and keeps its old one. Lowering a
 * limit affects later operations only: nothing stored is dropped.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>

#include "synchmess.h"

#define SYNCHMESS_MESSAGE_SIZE_MAX	SZ_4M
#define SYNCHMESS_STORAGE_SIZE_MAX	SZ_1G

/**
 * struct synchmess_limit - a limit settable through its module parameter
 * @val: current value, read without locks
 * @min: smallest value accepted
 * @max: largest value accepted
 */
struct synchmess_limit {
	unsigned int val;
	unsigned int min;
	unsigned int max;
};

static struct synchmess_limit synchmess_message_size = {
	.val = 8192, .min = 1, .max = SYNCHMESS_MESSAGE_SIZE_MAX,
};

static struct synchmess_limit synchmess_storage_size = {
	.val = SZ_1M, .min = 1, .max = SYNCHMESS_STORAGE_SIZE_MAX,
};

static struct synchmess_limit synchmess_groups = {
	.val = 256, .min = 1, .max = SYNCHMESS_MAX_GROUPS,
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

/* Raising max_storage_size may make room in full groups: tell pollers. */
static int synchmess_storage_size_set(const char *buf,
				      const struct kernel_param *kp)
{
	unsigned int old = synchmess_max_storage_size();
	int ret;

	ret = synchmess_limit_set(buf, kp);
	if (!ret && synchmess_max_storage_size() > old)
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

static const struct kernel_param_ops synchmess_storage_size_ops = {
	.set = synchmess_storage_size_set,
	.get = synchmess_limit_get,
};

module_param_cb(max_message_size, &synchmess_limit_ops,
		&synchmess_message_size, 0644);
MODULE_PARM_DESC(max_message_size,
		 "Largest message in bytes (1 to 4194304, default 8192)");

module_param_cb(max_storage_size, &synchmess_storage_size_ops,
		&synchmess_storage_size, 0644);
MODULE_PARM_DESC(max_storage_size,
		 "Bytes a group stores, published plus delayed, as its messages' memory is charged (1 to 1073741824, default 1048576)");

module_param_cb(max_groups, &synchmess_limit_ops, &synchmess_groups, 0644);
MODULE_PARM_DESC(max_groups, "Number of groups (1 to 4095, default 256)");

/**
 * synchmess_max_message_size() - current max_message_size
 *
 * Return: the largest message a write may post, in bytes.
 */
unsigned int synchmess_max_message_size(void)
{
	return READ_ONCE(synchmess_message_size.val);
}

/**
 * synchmess_max_storage_size() - current max_storage_size
 *
 * Return: the bytes a group may store, published plus delayed.
 */
unsigned int synchmess_max_storage_size(void)
{
	return READ_ONCE(synchmess_storage_size.val);
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

static struct synchmess_grp *synchmess_dev_group(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t messages_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct synchmess_grp *grp = synchmess_dev_group(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(grp->queue.count));
}
static DEVICE_ATTR_RO(messages);

static ssize_t bytes_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct synchmess_grp *grp = synchmess_dev_group(dev);

	return sysfs_emit(buf, "%ld\n", atomic_long_read(&grp->queue.stored));
}
static DEVICE_ATTR_RO(bytes);

static ssize_t delayed_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct synchmess_grp *grp = synchmess_dev_group(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(grp->delay.count));
}
static DEVICE_ATTR_RO(delayed);

static ssize_t sleepers_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct synchmess_grp *grp = synchmess_dev_group(dev);

	return sysfs_emit(buf, "%u\n",
			  synchmess_barrier_sleepers(&grp->barrier));
}
static DEVICE_ATTR_RO(sleepers);

static ssize_t send_delay_ms_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct synchmess_grp *grp = synchmess_dev_group(dev);

	return sysfs_emit(buf, "%u\n", synchmess_delay_get(&grp->delay));
}
static DEVICE_ATTR_RO(send_delay_ms);

static struct attribute *synchmess_group_attrs[] = {
	&dev_attr_messages.attr,
	&dev_attr_bytes.attr,
	&dev_attr_delayed.attr,
	&dev_attr_sleepers.attr,
	&dev_attr_send_delay_ms.attr,
	NULL
};

static const struct attribute_group synchmess_group_attr_group = {
	.attrs = synchmess_group_attrs,
};

const struct attribute_group *synchmess_group_attr_groups[] = {
	&synchmess_group_attr_group,
	NULL
};
