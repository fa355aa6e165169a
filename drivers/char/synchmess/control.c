// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess control device and module setup.
 *
 * The control device /dev/synch/synchmess installs and removes groups. This
 * file also owns what every device of the driver shares: the character
 * device region, the class whose devnode callback places the nodes under
 * /dev/synch/, and the workqueue of delayed delivery.
 */
#include <linux/build_bug.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/synchmess.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "synchmess.h"

dev_t synchmess_devt;
struct workqueue_struct *synchmess_wq;
static struct cdev *synchmess_ctl_cdev;
static struct device *synchmess_ctl_dev;

/*
 * The control device is root's alone from the moment devtmpfs creates it,
 * so there is no window in which another user opens it before udev has
 * run; the shipped udev rule widens it to the group "synch". A group's
 * node gets its owner and mode from its device type (group.c).
 */
static char *synchmess_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0600;
	return kasprintf(GFP_KERNEL, SYNCHMESS_DEV_DIR "/%s", dev_name(dev));
}

const struct class synchmess_class = {
	.name		= "synchmess",
	.devnode	= synchmess_devnode,
};

/**
 * synchmess_ctl_ioctl() - install or remove a group
 * @file: the control device
 * @cmd:  SYNCHMESS_IOC_INSTALL_GROUP or SYNCHMESS_IOC_REMOVE_GROUP
 * @arg:  user pointer to a struct synchmess_group
 *
 * Install writes the path of the group's device into the descriptor.
 *
 * Return: 0, or -ENOTTY for an unknown @cmd, -EFAULT, -EINVAL for nonzero
 * flags, or what synchmess_group_install() or synchmess_group_remove()
 * return.
 */
static long synchmess_ctl_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct synchmess_group __user *uarg = (void __user *)arg;
	struct synchmess_group req;

	if (cmd != SYNCHMESS_IOC_INSTALL_GROUP &&
	    cmd != SYNCHMESS_IOC_REMOVE_GROUP)
		return -ENOTTY;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags)
		return -EINVAL;

	if (cmd == SYNCHMESS_IOC_REMOVE_GROUP)
		return synchmess_group_remove(req.id);

	/*
	 * The path follows from the id alone: hand it out first, so that a
	 * descriptor user space cannot take back installs nothing.
	 */
	memset(req.path, 0, sizeof(req.path));
	snprintf(req.path, sizeof(req.path),
		 "/dev/" SYNCHMESS_DEV_DIR "/" SYNCHMESS_GROUP_NAME, req.id);
	if (copy_to_user(uarg->path, req.path, sizeof(req.path)))
		return -EFAULT;

	return synchmess_group_install(req.id);
}

/* The control device carries no data. */
static ssize_t synchmess_ctl_read(struct file *file, char __user *buf,
				  size_t len, loff_t *ppos)
{
	return -EINVAL;
}

static ssize_t synchmess_ctl_write(struct file *file, const char __user *buf,
				   size_t len, loff_t *ppos)
{
	return -EINVAL;
}

#ifdef CONFIG_PROC_FS
/* What each user holds, against the quotas, for an administrator. */
static void synchmess_ctl_show_fdinfo(struct seq_file *m, struct file *file)
{
	seq_puts(m, "synchmess-control:\t1\n");
	seq_printf(m, "max_user_groups:\t%u\n", synchmess_max_user_groups());
	seq_printf(m, "max_user_memory:\t%lu\n", synchmess_max_user_memory());
	synchmess_user_show(m);
}
#endif

static const struct file_operations synchmess_ctl_fops = {
	.owner		= THIS_MODULE,
	.open		= stream_open,
#ifdef CONFIG_PROC_FS
	.show_fdinfo	= synchmess_ctl_show_fdinfo,
#endif
	.read		= synchmess_ctl_read,
	.write		= synchmess_ctl_write,
	.unlocked_ioctl	= synchmess_ctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static int __init synchmess_init(void)
{
	dev_t ctl_devt;
	int ret;

	synchmess_msg_init();

	/* The layout is ABI: the same on 32 and 64 bit, no hidden padding. */
	BUILD_BUG_ON(sizeof(struct synchmess_group) != 72);
	BUILD_BUG_ON(offsetof(struct synchmess_group, flags) != 4);
	BUILD_BUG_ON(offsetof(struct synchmess_group, path) != 8);
	BUILD_BUG_ON(sizeof(struct synchmess_limits) != 16);
	BUILD_BUG_ON(offsetof(struct synchmess_limits, flags) != 12);
	BUILD_BUG_ON(sizeof(struct synchmess_recv) != 56);
	BUILD_BUG_ON(offsetof(struct synchmess_recv, sender_pid) != 32);
	BUILD_BUG_ON(offsetof(struct synchmess_recv, published_ns) != 48);
	BUILD_BUG_ON(sizeof(struct synchmess_msgvec) != 16);
	BUILD_BUG_ON(sizeof(struct synchmess_batch) != 24);
	BUILD_BUG_ON(sizeof(struct synchmess_sleep) != 16);

	/*
	 * Publication runs on the CPU that took the timer interrupt, where a
	 * high-priority worker wakes at once, unless a real-time task holds
	 * that CPU: then on the next one (see delay.c).
	 */
	synchmess_wq = alloc_workqueue("synchmess", WQ_HIGHPRI, 0);
	if (!synchmess_wq)
		return -ENOMEM;

	ret = alloc_chrdev_region(&synchmess_devt, 0, SYNCHMESS_MINORS,
				  "synchmess");
	if (ret)
		goto err_wq;
	ctl_devt = MKDEV(MAJOR(synchmess_devt), 0);

	ret = class_register(&synchmess_class);
	if (ret)
		goto err_region;

	synchmess_ctl_cdev = cdev_alloc();
	if (!synchmess_ctl_cdev) {
		ret = -ENOMEM;
		goto err_class;
	}
	synchmess_ctl_cdev->owner = THIS_MODULE;
	synchmess_ctl_cdev->ops = &synchmess_ctl_fops;
	ret = cdev_add(synchmess_ctl_cdev, ctl_devt, 1);
	if (ret) {
		kobject_put(&synchmess_ctl_cdev->kobj);
		goto err_class;
	}

	synchmess_ctl_dev = device_create(&synchmess_class, NULL, ctl_devt,
					  NULL, "synchmess");
	if (IS_ERR(synchmess_ctl_dev)) {
		ret = PTR_ERR(synchmess_ctl_dev);
		goto err_cdev;
	}

	return 0;

err_cdev:
	cdev_del(synchmess_ctl_cdev);
err_class:
	class_unregister(&synchmess_class);
err_region:
	unregister_chrdev_region(synchmess_devt, SYNCHMESS_MINORS);
err_wq:
	destroy_workqueue(synchmess_wq);
	return ret;
}

static void __exit synchmess_exit(void)
{
	/* No file is open: each one pins the module. */
	synchmess_group_remove_all();
	device_unregister(synchmess_ctl_dev);
	cdev_del(synchmess_ctl_cdev);
	class_unregister(&synchmess_class);
	unregister_chrdev_region(synchmess_devt, SYNCHMESS_MINORS);
	destroy_workqueue(synchmess_wq);
}

module_init(synchmess_init);
module_exit(synchmess_exit);

MODULE_AUTHOR("The SynchMess developers");
MODULE_DESCRIPTION("Message groups and barriers for threads of any process");
MODULE_LICENSE("GPL");
