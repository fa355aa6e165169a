// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-only probe: one use of each kernel API that the head of
 * compat/synchmess-compat.h says the SynchMess driver uses and 6.1 already
 * has, and of the two shims it defines (rt_or_dl_task(), import_ubuf()),
 * written as for Linux 6.12. Built as an external module with the compat
 * header force-included, it says whether the kernel at hand (or the
 * header) covers them. The const struct class is not here: the driver's
 * own build covers it, through compat/pre-6.2.sed. It is never loaded.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/sched/rt.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/xarray.h>

struct probe_msg {
	struct rb_node node;
	ktime_t deadline;
};

static DEFINE_XARRAY_ALLOC1(probe_xa);
static struct rb_root_cached probe_tree = RB_ROOT_CACHED;
static struct hrtimer probe_timer;

static bool probe_less(struct rb_node *a, const struct rb_node *b)
{
	return ktime_before(rb_entry(a, struct probe_msg, node)->deadline,
			    rb_entry(b, struct probe_msg, node)->deadline);
}

static bool probe_rt;

static enum hrtimer_restart probe_fire(struct hrtimer *t)
{
	probe_rt = rt_or_dl_task(current);
	return HRTIMER_NORESTART;
}

static ssize_t probe_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_HIGHMEM);
	size_t n = min_t(size_t, iov_iter_count(to), PAGE_SIZE);
	ssize_t ret;

	if (!page)
		return -ENOMEM;
	if (iocb->ki_flags & IOCB_NOWAIT)
		n = min_t(size_t, n, 1);
	ret = copy_page_to_iter(page, 0, n, to);
	__free_page(page);
	if (ret == n)
		ret += copy_to_iter("", 1, to);
	return ret;
}

static ssize_t probe_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	size_t len = min_t(size_t, iov_iter_count(from), PAGE_SIZE);
	void *buf = kmalloc(kmalloc_size_roundup(len), GFP_KERNEL_ACCOUNT);
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_HIGHMEM);
	ssize_t ret = -EFAULT;

	if (buf && page && copy_from_iter_full(buf, len, from) &&
	    copy_page_from_iter(page, 0, PAGE_SIZE, from) <= PAGE_SIZE)
		ret = len;
	if (page)
		__free_page(page);
	kfree(buf);
	return ret;
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
	struct iov_iter iter;
	struct cdev cdev;
	u64 uaddr = 0;
	u32 id, next = 0;
	int ret;

	cdev_init(&cdev, &probe_fops);
	ret = import_ubuf(ITER_DEST, u64_to_user_ptr(uaddr), 8, &iter);
	if (!ret)
		ret = import_ubuf(ITER_SOURCE, u64_to_user_ptr(uaddr), 8, &iter);

	ret = xa_alloc_cyclic(&probe_xa, &id, &msg, XA_LIMIT(1, 4095), &next,
			      GFP_KERNEL);

	hrtimer_init(&probe_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	probe_timer.function = probe_fire;
	msg.deadline = ktime_add_ms(ktime_get(), 1);
	rb_add_cached(&msg.node, &probe_tree, probe_less);
	if (rb_first_cached(&probe_tree) == &msg.node)
		hrtimer_start(&probe_timer, msg.deadline, HRTIMER_MODE_ABS);
	rb_erase_cached(&msg.node, &probe_tree);
	hrtimer_cancel(&probe_timer);
	return ret;
}
module_init(probe_init);

MODULE_DESCRIPTION("SynchMess compat probe, compile only");
MODULE_LICENSE("GPL");
