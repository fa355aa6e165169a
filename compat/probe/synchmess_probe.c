// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-only probe: one use of each kernel API the SynchMess driver uses
 * or is moving to, written as for Linux 6.12. Built as an external module
 * with compat/synchmess-compat.h force-included, it says whether the
 * compat header (or the kernel itself) covers them on an older kernel.
 * It is never loaded.
 */
#include <linux/cdev.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/xarray.h>

struct probe_msg {
	struct rb_node node;
	ktime_t deadline;
};

static char *probe_devnode(const struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "probe/%s", dev_name(dev));
}

static int probe_uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	return 0;
}

/* const struct class with const-device callbacks, registered as is. */
static const struct class probe_class = {
	.name		= "synchmess_probe",
	.devnode	= probe_devnode,
	.dev_uevent	= probe_uevent,
};

static DEFINE_XARRAY_ALLOC1(probe_xa);
static DEFINE_MUTEX(probe_lock);
static DEFINE_SPINLOCK(probe_spin);
static struct rb_root_cached probe_tree = RB_ROOT_CACHED;
static struct hrtimer probe_timer;

static bool probe_less(struct rb_node *a, const struct rb_node *b)
{
	return ktime_before(rb_entry(a, struct probe_msg, node)->deadline,
			    rb_entry(b, struct probe_msg, node)->deadline);
}

static enum hrtimer_restart probe_fire(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

static ssize_t probe_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_HIGHMEM);
	size_t n = min(iov_iter_count(to), PAGE_SIZE);
	ssize_t ret;

	if (!page)
		return -ENOMEM;
	if (iocb->ki_flags & IOCB_NOWAIT)
		n = min_t(size_t, n, 1);
	ret = copy_page_to_iter(page, 0, n, to);
	__free_page(page);
	return ret;
}

static ssize_t probe_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	size_t len = iov_iter_count(from);
	void *buf = kmalloc(kmalloc_size_roundup(len), GFP_KERNEL_ACCOUNT);
	struct page *page;
	char *p;

	if (!buf)
		return -ENOMEM;
	if (!copy_from_iter_full(buf, len, from) || !user_backed_iter(from)) {
		kfree(buf);
		return -EFAULT;
	}
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_HIGHMEM);
	if (page) {
		p = kmap_local_page(page);
		memcpy(p, buf, min_t(size_t, len, PAGE_SIZE));
		kunmap_local(p);
		memcpy_to_page(page, 0, buf, min_t(size_t, len, PAGE_SIZE));
		__free_page(page);
	}
	kfree(buf);
	return len;
}

static int probe_open(struct inode *inode, struct file *file)
{
	if (!inode->i_nlink)
		return -ENODEV;
	file->f_mode |= FMODE_NOWAIT;
	return stream_open(inode, file);
}

static const struct file_operations probe_fops = {
	.owner		= THIS_MODULE,
	.open		= probe_open,
	.read_iter	= probe_read_iter,
	.write_iter	= probe_write_iter,
};

static int __init probe_init(void)
{
	static struct probe_msg msg;
	struct device *dev;
	struct cdev cdev;
	u32 id, next = 0;
	int ret;

	cdev_init(&cdev, &probe_fops);
	ret = class_register(&probe_class);
	if (ret)
		return ret;
	dev = device_create(&probe_class, NULL, MKDEV(0, 0), NULL, "probe");
	if (IS_ERR(dev))
		ret = PTR_ERR(dev);
	dev = device_create_with_groups(&probe_class, NULL, MKDEV(0, 1), NULL,
					NULL, "probe%u", 1);
	if (IS_ERR(dev))
		ret = PTR_ERR(dev);
	device_destroy(&probe_class, MKDEV(0, 1));

	ret = xa_alloc_cyclic(&probe_xa, &id, &msg, XA_LIMIT(1, 4095), &next,
			      GFP_KERNEL);

	hrtimer_init(&probe_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	probe_timer.function = probe_fire;
	scoped_guard(spinlock, &probe_spin) {
		msg.deadline = ktime_add_ms(ktime_get(), 1);
		if (rb_add_cached(&msg.node, &probe_tree, probe_less))
			hrtimer_start_range_ns(&probe_timer, msg.deadline,
					       NSEC_PER_USEC, HRTIMER_MODE_ABS);
		if (rb_erase_cached(&msg.node, &probe_tree))
			ret = 1;
	}
	guard(mutex)(&probe_lock);
	hrtimer_cancel(&probe_timer);
	class_unregister(&probe_class);
	return ret;
}
module_init(probe_init);

MODULE_DESCRIPTION("SynchMess compat probe, compile only");
MODULE_LICENSE("GPL");
