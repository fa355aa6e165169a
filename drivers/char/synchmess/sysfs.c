// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess sysfs: the read-only figures of each group, under its device.
 * The limits are module parameters (limits.c).
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "synchmess.h"

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

	return sysfs_emit(buf, "%u\n", synchmess_queue_stored(&grp->queue));
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
