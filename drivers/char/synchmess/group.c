// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess groups: their lifecycle and the file operations of their
 * devices.
 *
 * A group is found by its id when installed or removed, and by its minor
 * when its device is opened; both tables change only under
 * synchmess_groups_lock, which also makes install of an id atomic. Each
 * open file holds a reference on its group, so a group removed under open
 * files lives on, empty and marked removed, until the last of them is
 * closed; every operation on such a file fails with -EIDRM. Until then it
 * still counts against max_groups, so groups kept open after their removal
 * cannot add up past the bound on memory.
 *
 * A node of a removed group must never open another group. Minors are
 * handed out cyclically, so a freed one is not reused at once, and an
 * open is refused when its node was unlinked, as devtmpfs does to the node
 * of a device it unregisters, under synchmess_groups_lock: a node kept by
 * an O_PATH file or reached by a racing open still names the old group,
 * whichever group holds its minor by then.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/xarray.h>
#include <linux/synchmess.h>

#include "synchmess.h"

static DEFINE_MUTEX(synchmess_groups_lock);
static DEFINE_XARRAY(synchmess_groups_by_id);
static DEFINE_XARRAY_ALLOC1(synchmess_groups_by_minor);
static u32 synchmess_next_minor;
/* Groups whose memory is not freed yet, removed ones still open included. */
static atomic_t synchmess_ngroups = ATOMIC_INIT(0);

static void synchmess_group_free(struct kref *ref)
{
	kfree(container_of(ref, struct synchmess_grp, ref));
	atomic_dec(&synchmess_ngroups);
}

static bool synchmess_group_removed(struct synchmess_grp *grp)
{
	return READ_ONCE(grp->removed);
}

static int synchmess_group_open(struct inode *inode, struct file *file)
{
	struct synchmess_grp *grp;

	mutex_lock(&synchmess_groups_lock);
	grp = xa_load(&synchmess_groups_by_minor, iminor(inode));
	/*
	 * The minor may belong to a newer group than the node: the node of a
	 * removed group is unlinked, and its cdev is gone from the map.
	 */
	if (grp && grp->cdev == inode->i_cdev && READ_ONCE(inode->i_nlink))
		kref_get(&grp->ref);
	else
		grp = NULL;
	mutex_unlock(&synchmess_groups_lock);

	if (!grp)
		return -ENODEV;

	file->private_data = grp;
	stream_open(inode, file);
	/* Reads wait by poll, not in a worker, under io_uring. */
	file->f_mode |= FMODE_NOWAIT;
	return 0;
}

static int synchmess_group_release(struct inode *inode, struct file *file)
{
	struct synchmess_grp *grp = file->private_data;

	kref_put(&grp->ref, synchmess_group_free);
	return 0;
}

static ssize_t synchmess_group_read_iter(struct kiocb *iocb,
					 struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct synchmess_grp *grp = file->private_data;
	bool nonblock;

	if (synchmess_group_removed(grp))
		return -EIDRM;
	if (!iov_iter_count(to))
		return 0;

	nonblock = (file->f_flags & O_NONBLOCK) ||
		   (iocb->ki_flags & IOCB_NOWAIT);
	return synchmess_queue_read(&grp->queue, to, nonblock);
}

/*
 * One call is one message, however many buffers it gathers from: all of
 * it is charged and copied before it is posted, or nothing is. A write
 * never waits for room or readers; under IOCB_NOWAIT it does not wait for
 * a publication of delayed messages either.
 */
static ssize_t synchmess_group_write_iter(struct kiocb *iocb,
					  struct iov_iter *from)
{
	struct synchmess_grp *grp = iocb->ki_filp->private_data;
	bool nowait = iocb->ki_flags & IOCB_NOWAIT;
	size_t len = iov_iter_count(from);
	struct synchmess_msg *msg;
	size_t charge;
	u32 delay_ms;
	int ret;

	if (synchmess_group_removed(grp))
		return -EIDRM;
	if (!len)
		return 0;
	if (len > synchmess_max_message_size())
		return -EMSGSIZE;

	charge = synchmess_msg_charge(len);
	ret = synchmess_queue_reserve(&grp->queue, charge,
				      synchmess_max_storage_size());
	if (ret)
		return ret;

	msg = synchmess_msg_alloc(len);
	if (!msg) {
		ret = -ENOMEM;
		goto unreserve;
	}
	ret = synchmess_msg_copy_from(msg, from);
	if (ret)
		goto free;

	delay_ms = synchmess_delay_get(&grp->delay);
	if (delay_ms)
		ret = synchmess_delay_post(&grp->delay, msg, delay_ms, nowait);
	else
		ret = synchmess_delay_post_now(&grp->delay, msg, nowait);
	if (ret)
		goto free;

	return len;

free:
	synchmess_msg_free(msg);
unreserve:
	synchmess_queue_unreserve(&grp->queue, charge);
	return ret;
}

static __poll_t synchmess_group_poll(struct file *file, poll_table *pt)
{
	struct synchmess_grp *grp = file->private_data;

	return synchmess_queue_poll(&grp->queue, file, pt,
				    synchmess_max_storage_size);
}

static int synchmess_group_set_send_delay(struct synchmess_grp *grp,
					  u32 __user *arg)
{
	u32 ms;

	if (get_user(ms, arg))
		return -EFAULT;
	if (ms > SYNCHMESS_MAX_SEND_DELAY_MS)
		return -EINVAL;

	synchmess_delay_set(&grp->delay, ms);
	return 0;
}

static long synchmess_group_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	struct synchmess_grp *grp = file->private_data;
	u32 __user *uarg = (u32 __user *)arg;

	if (synchmess_group_removed(grp))
		return -EIDRM;

	switch (cmd) {
	case SYNCHMESS_IOC_SET_SEND_DELAY:
		return synchmess_group_set_send_delay(grp, uarg);
	case SYNCHMESS_IOC_GET_SEND_DELAY:
		return put_user(synchmess_delay_get(&grp->delay), uarg);
	case SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES:
		return synchmess_delay_revoke(&grp->delay);
	case SYNCHMESS_IOC_SLEEP_ON_BARRIER:
		return synchmess_barrier_sleep(&grp->barrier);
	case SYNCHMESS_IOC_AWAKE_BARRIER:
		return synchmess_barrier_awake(&grp->barrier);
	default:
		return -ENOTTY;
	}
}

static int synchmess_group_fsync(struct file *file, loff_t start, loff_t end,
				 int datasync)
{
	struct synchmess_grp *grp = file->private_data;

	if (synchmess_group_removed(grp))
		return -EIDRM;

	return synchmess_delay_flush(&grp->delay);
}

/*
 * close() flushes too, as the original specification asks. A removed group
 * has nothing left to flush, and close() should not fail for that.
 */
static int synchmess_group_flush(struct file *file, fl_owner_t id)
{
	struct synchmess_grp *grp = file->private_data;

	if (!synchmess_group_removed(grp))
		synchmess_delay_flush(&grp->delay);
	return 0;
}

static const struct file_operations synchmess_group_fops = {
	.owner		= THIS_MODULE,
	.open		= synchmess_group_open,
	.release	= synchmess_group_release,
	.read_iter	= synchmess_group_read_iter,
	.write_iter	= synchmess_group_write_iter,
	.poll		= synchmess_group_poll,
	.unlocked_ioctl	= synchmess_group_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.fsync		= synchmess_group_fsync,
	.flush		= synchmess_group_flush,
};

/**
 * synchmess_group_destroy() - tear down what synchmess_group_create() built
 * @grp: the group, which the caller found under synchmess_groups_lock
 *
 * The device goes first, so no new file can open the group; then its
 * pending work is cancelled and every waiter woken with -EIDRM. Open files
 * keep the memory of the group until the last of them is closed.
 */
static void synchmess_group_destroy(struct synchmess_grp *grp)
{
	xa_erase(&synchmess_groups_by_id, grp->id);
	WRITE_ONCE(grp->removed, true);

	/* No new open after this; open files keep their reference. */
	device_unregister(grp->dev);
	cdev_del(grp->cdev);
	xa_erase(&synchmess_groups_by_minor, grp->minor);

	/* Delayed first: its work item publishes into the queue. */
	synchmess_delay_kill(&grp->delay);
	synchmess_queue_kill(&grp->queue);
	synchmess_barrier_kill(&grp->barrier);

	kref_put(&grp->ref, synchmess_group_free);
}

/**
 * synchmess_group_create() - build group @id and its device
 * @id: the group descriptor, not in use
 *
 * The caller holds synchmess_groups_lock, so opens of the new minor wait
 * until the group is complete or gone.
 *
 * Return: 0, -ENOSPC when no minor is left, or -ENOMEM.
 */
static int synchmess_group_create(u32 id)
{
	struct synchmess_grp *grp;
	dev_t devt;
	int ret;

	grp = kzalloc(sizeof(*grp), GFP_KERNEL_ACCOUNT);
	if (!grp)
		return -ENOMEM;

	grp->id = id;
	grp->owner = current_euid();
	kref_init(&grp->ref);
	synchmess_queue_init(&grp->queue);
	synchmess_delay_init(&grp->delay, &grp->queue, synchmess_wq);
	synchmess_barrier_init(&grp->barrier);

	ret = xa_alloc_cyclic(&synchmess_groups_by_minor, &grp->minor, grp,
			      XA_LIMIT(1, SYNCHMESS_MINORS - 1),
			      &synchmess_next_minor, GFP_KERNEL);
	if (ret < 0) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_free;
	}
	devt = MKDEV(MAJOR(synchmess_devt), grp->minor);

	grp->cdev = cdev_alloc();
	if (!grp->cdev) {
		ret = -ENOMEM;
		goto err_minor;
	}
	grp->cdev->owner = THIS_MODULE;
	grp->cdev->ops = &synchmess_group_fops;
	ret = cdev_add(grp->cdev, devt, 1);
	if (ret) {
		kobject_put(&grp->cdev->kobj);
		goto err_minor;
	}

	grp->dev = device_create_with_groups(&synchmess_class, NULL, devt, grp,
					     synchmess_group_attr_groups,
					     SYNCHMESS_GROUP_NAME, id);
	if (IS_ERR(grp->dev)) {
		ret = PTR_ERR(grp->dev);
		goto err_cdev;
	}

	ret = xa_insert(&synchmess_groups_by_id, id, grp, GFP_KERNEL);
	if (ret)
		goto err_dev;

	return 0;

err_dev:
	device_unregister(grp->dev);
err_cdev:
	cdev_del(grp->cdev);
err_minor:
	xa_erase(&synchmess_groups_by_minor, grp->minor);
err_free:
	kfree(grp);
	return ret;
}

/**
 * synchmess_group_install() - create group @id unless it exists
 * @id: the group descriptor
 *
 * Installing an existing group succeeds and changes nothing; concurrent
 * installs of one id create one group.
 *
 * Return: 0, -ENOSPC past max_groups, or -ENOMEM.
 */
int synchmess_group_install(u32 id)
{
	int ret = 0;

	mutex_lock(&synchmess_groups_lock);
	if (xa_load(&synchmess_groups_by_id, id))
		goto out;
	if (atomic_read(&synchmess_ngroups) >= synchmess_max_groups()) {
		ret = -ENOSPC;
		goto out;
	}
	ret = synchmess_group_create(id);
	if (!ret)
		atomic_inc(&synchmess_ngroups);
out:
	mutex_unlock(&synchmess_groups_lock);
	return ret;
}

/**
 * synchmess_group_remove() - remove group @id
 * @id: the group descriptor
 *
 * Its device goes away, its messages are freed, and the threads waiting on
 * it return -EIDRM. Only the creator's effective uid or CAP_SYS_ADMIN may
 * remove a group.
 *
 * Return: 0, -ENOENT when there is no such group, or -EPERM.
 */
int synchmess_group_remove(u32 id)
{
	struct synchmess_grp *grp;
	int ret = 0;

	mutex_lock(&synchmess_groups_lock);
	grp = xa_load(&synchmess_groups_by_id, id);
	if (!grp) {
		ret = -ENOENT;
	} else if (!uid_eq(grp->owner, current_euid()) &&
		   !capable(CAP_SYS_ADMIN)) {
		ret = -EPERM;
	} else {
		synchmess_group_destroy(grp);
	}
	mutex_unlock(&synchmess_groups_lock);

	return ret;
}

/**
 * synchmess_group_remove_all() - remove every group, at module unload
 */
void synchmess_group_remove_all(void)
{
	struct synchmess_grp *grp;
	unsigned long id;

	mutex_lock(&synchmess_groups_lock);
	xa_for_each(&synchmess_groups_by_id, id, grp)
		synchmess_group_destroy(grp);
	mutex_unlock(&synchmess_groups_lock);
}

/**
 * synchmess_group_wake_writers() - tell every group's EPOLLOUT pollers that
 *                                  max_storage_size was raised
 */
void synchmess_group_wake_writers(void)
{
	struct synchmess_grp *grp;
	unsigned long id;

	mutex_lock(&synchmess_groups_lock);
	xa_for_each(&synchmess_groups_by_id, id, grp)
		synchmess_queue_wake_writers(&grp->queue);
	mutex_unlock(&synchmess_groups_lock);
}
