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
 *
 * Who may do what: devtmpfs creates a group's node owned by its installer,
 * mode 0600, so the kernel's own check at open() decides who may read and
 * write it, and its owner changes that with chmod(2) and chown(2). What
 * changes a group (write, fsync, the SET ioctls, revoke, awake) needs a
 * file opened for writing, as write(2) does, and fails with -EBADF
 * through a read-only one.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>
#include <linux/synchmess.h>

#include "synchmess.h"
#include "trace.h"

static DEFINE_MUTEX(synchmess_groups_lock);
static DEFINE_XARRAY(synchmess_groups_by_id);
static DEFINE_XARRAY_ALLOC1(synchmess_groups_by_minor);
static u32 synchmess_next_minor;
/* Groups whose memory is not freed yet, removed ones still open included. */
static atomic_t synchmess_ngroups = ATOMIC_INIT(0);

static void synchmess_group_free(struct kref *ref)
{
	struct synchmess_grp *grp = container_of(ref, struct synchmess_grp, ref);

	synchmess_queue_destroy(&grp->queue);
	synchmess_user_uncharge_group(grp->owner);
	synchmess_user_put(grp->owner);
	kfree(grp);
	atomic_dec(&synchmess_ngroups);
}

static bool synchmess_group_writable(struct file *file)
{
	return file->f_mode & FMODE_WRITE;
}

static bool synchmess_group_removed(struct synchmess_grp *grp)
{
	return READ_ONCE(grp->removed);
}

/*
 * Note a failed call of @call on @grp in the trace; a call that a signal
 * cut short was not refused.
 */
static long synchmess_group_refused(struct synchmess_grp *grp,
				    enum synchmess_call call, unsigned int cmd,
				    long ret)
{
	if (ret < 0 && ret != -ERESTARTSYS && ret != -EINTR)
		trace_synchmess_refuse(grp->id, call, cmd, ret);
	return ret;
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

static ssize_t synchmess_group_take(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct synchmess_grp *grp = file->private_data;
	struct synchmess_wait wait = { .expires = KTIME_MAX };

	if (synchmess_group_removed(grp))
		return -EIDRM;
	if (!iov_iter_count(to))
		return 0;

	wait.nonblock = (file->f_flags & O_NONBLOCK) ||
			(iocb->ki_flags & IOCB_NOWAIT);
	return synchmess_queue_read(&grp->queue, to, &wait, NULL);
}

static ssize_t synchmess_group_read_iter(struct kiocb *iocb,
					 struct iov_iter *to)
{
	return synchmess_group_refused(iocb->ki_filp->private_data,
				       SYNCHMESS_CALL_READ, 0,
				       synchmess_group_take(iocb, to));
}

/**
 * synchmess_group_new_msg() - a message of what @from holds, ready to post
 * @grp:  the group
 * @from: the message's bytes, at least one
 *
 * The message is charged to its writer and counted against the group's
 * storage; synchmess_group_drop_msg() undoes both.
 *
 * Return: the message, or an ERR_PTR() of -EMSGSIZE, -ENOSPC, -EDQUOT,
 * -ENOMEM or -EFAULT.
 */
struct synchmess_msg *synchmess_group_new_msg(struct synchmess_grp *grp,
					      struct iov_iter *from)
{
	size_t len = iov_iter_count(from);
	struct synchmess_user *writer;
	struct synchmess_msg *msg;
	struct pid *sender;
	int ret;

	if (len > synchmess_limit_message_size(&grp->limits))
		return ERR_PTR(-EMSGSIZE);

	ret = synchmess_queue_reserve(&grp->queue, len);
	if (ret)
		return ERR_PTR(ret);

	writer = synchmess_queue_writer(&grp->queue);
	if (!writer) {
		synchmess_queue_unreserve(&grp->queue, len);
		return ERR_PTR(-ENOMEM);
	}
	sender = synchmess_queue_sender(&grp->queue);
	msg = synchmess_msg_alloc(len, writer, sender);
	if (IS_ERR(msg)) {
		synchmess_queue_put_sender(&grp->queue, sender);
		synchmess_queue_put_writer(&grp->queue, writer);
		synchmess_queue_unreserve(&grp->queue, len);
		return msg;
	}
	ret = synchmess_msg_copy_from(msg, from);
	if (ret) {
		synchmess_queue_free_msg(&grp->queue, msg);
		return ERR_PTR(ret);
	}
	return msg;
}

/**
 * synchmess_group_drop_msg() - free a message that was not posted
 * @grp: the group
 * @msg: from synchmess_group_new_msg()
 */
void synchmess_group_drop_msg(struct synchmess_grp *grp,
			      struct synchmess_msg *msg)
{
	synchmess_queue_free_msg(&grp->queue, msg);
}

/*
 * One call is one message, however many buffers it gathers from: all of
 * it is charged and copied before it is posted, or nothing is. A write
 * never waits for room or readers; under IOCB_NOWAIT it does not wait for
 * a publication of delayed messages either.
 */
static ssize_t synchmess_group_post(struct kiocb *iocb, struct iov_iter *from)
{
	struct synchmess_grp *grp = iocb->ki_filp->private_data;
	bool nowait = iocb->ki_flags & IOCB_NOWAIT;
	size_t len = iov_iter_count(from);
	struct synchmess_msg *msg;
	LIST_HEAD(msgs);
	u32 delay_ms;
	int ret;

	if (synchmess_group_removed(grp))
		return -EIDRM;
	if (!len)
		return 0;

	msg = synchmess_group_new_msg(grp, from);
	if (IS_ERR(msg))
		return PTR_ERR(msg);

	delay_ms = synchmess_delay_get(&grp->delay);
	if (delay_ms) {
		ret = synchmess_delay_post(&grp->delay, msg, delay_ms, nowait);
	} else {
		msg->deadline = ktime_get();
		list_add(&msg->node, &msgs);
		ret = synchmess_delay_post_now(&grp->delay, &msgs, 1, nowait);
	}
	if (ret) {
		synchmess_group_drop_msg(grp, msg);
		return ret;
	}
	return len;
}

static ssize_t synchmess_group_write_iter(struct kiocb *iocb,
					  struct iov_iter *from)
{
	return synchmess_group_refused(iocb->ki_filp->private_data,
				       SYNCHMESS_CALL_WRITE, 0,
				       synchmess_group_post(iocb, from));
}

static __poll_t synchmess_group_poll(struct file *file, poll_table *pt)
{
	struct synchmess_grp *grp = file->private_data;

	return synchmess_queue_poll(&grp->queue, file, pt);
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

/* The owner, or CAP_SYS_RESOURCE, may narrow the group's limits. */
static int synchmess_group_set_limits(struct synchmess_grp *grp,
				      struct synchmess_limits __user *arg)
{
	struct synchmess_limits req;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (!uid_eq(grp->owner->uid, current_euid()) &&
	    !capable(CAP_SYS_RESOURCE))
		return -EPERM;

	ret = synchmess_limits_set(&grp->limits, &req);
	if (!ret)
		synchmess_queue_wake_writers(&grp->queue);
	return ret;
}

static int synchmess_group_get_limits(struct synchmess_grp *grp,
				      struct synchmess_limits __user *arg)
{
	struct synchmess_limits limits;

	synchmess_limits_get(&grp->limits, &limits);
	return copy_to_user(arg, &limits, sizeof(limits)) ? -EFAULT : 0;
}

/* Whether @cmd changes the group, and so needs a file opened for writing. */
static bool synchmess_group_ioctl_writes(unsigned int cmd)
{
	switch (cmd) {
	case SYNCHMESS_IOC_SET_SEND_DELAY:
	case SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES:
	case SYNCHMESS_IOC_AWAKE_BARRIER:
	case SYNCHMESS_IOC_SET_LIMITS:
		return true;
	default:
		return false;
	}
}

static int synchmess_group_sleep(struct synchmess_grp *grp)
{
	trace_synchmess_barrier_sleep(grp->id);
	return synchmess_barrier_sleep(&grp->barrier, KTIME_MAX);
}

static int synchmess_group_awake(struct synchmess_grp *grp)
{
	int woken = synchmess_barrier_awake(&grp->barrier);

	if (woken >= 0)
		trace_synchmess_barrier_wake(grp->id, woken);
	return woken;
}

static long synchmess_group_do_ioctl(struct synchmess_grp *grp,
				     struct file *file, unsigned int cmd,
				     void __user *uarg)
{
	if (synchmess_group_removed(grp))
		return -EIDRM;
	if (synchmess_group_ioctl_writes(cmd) && !synchmess_group_writable(file))
		return -EBADF;

	switch (cmd) {
	case SYNCHMESS_IOC_SET_SEND_DELAY:
		return synchmess_group_set_send_delay(grp, uarg);
	case SYNCHMESS_IOC_GET_SEND_DELAY:
		return put_user(synchmess_delay_get(&grp->delay),
				(u32 __user *)uarg);
	case SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES:
		return synchmess_delay_revoke(&grp->delay);
	case SYNCHMESS_IOC_SLEEP_ON_BARRIER:
		return synchmess_group_sleep(grp);
	case SYNCHMESS_IOC_AWAKE_BARRIER:
		return synchmess_group_awake(grp);
	case SYNCHMESS_IOC_SET_LIMITS:
		return synchmess_group_set_limits(grp, uarg);
	case SYNCHMESS_IOC_GET_LIMITS:
		return synchmess_group_get_limits(grp, uarg);
	default:
		return synchmess_recv_ioctl(grp, file, cmd, uarg);
	}
}

static long synchmess_group_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	struct synchmess_grp *grp = file->private_data;

	return synchmess_group_refused(grp, SYNCHMESS_CALL_IOCTL, cmd,
				       synchmess_group_do_ioctl(grp, file, cmd,
								(void __user *)arg));
}

static int synchmess_group_fsync(struct file *file, loff_t start, loff_t end,
				 int datasync)
{
	struct synchmess_grp *grp = file->private_data;
	int ret;

	if (synchmess_group_removed(grp))
		ret = -EIDRM;
	else if (!synchmess_group_writable(file))
		ret = -EBADF;
	else
		ret = synchmess_delay_flush(&grp->delay);
	if (ret >= 0) {
		trace_synchmess_flush(grp->id, ret);
		ret = 0;
	}
	return synchmess_group_refused(grp, SYNCHMESS_CALL_FSYNC, 0, ret);
}

/*
 * close() of a file opened for writing flushes too, as the original
 * specification asks; a reader's close changes nothing. A removed group
 * has nothing left to flush, and close() should not fail for that.
 */
static int synchmess_group_flush(struct file *file, fl_owner_t id)
{
	struct synchmess_grp *grp = file->private_data;
	int published;

	if (!synchmess_group_writable(file) || synchmess_group_removed(grp))
		return 0;
	/* Every writer's close flushes: only one that publishes is news. */
	published = synchmess_delay_flush(&grp->delay);
	if (published > 0)
		trace_synchmess_flush(grp->id, published);
	return 0;
}

#ifdef CONFIG_PROC_FS
static const char *synchmess_group_access(struct file *file)
{
	switch (file->f_mode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ | FMODE_WRITE:
		return "read-write";
	case FMODE_WRITE:
		return "write-only";
	default:
		return "read-only";
	}
}

/* What sysfs shows of the group, and what this file may do with it. */
static void synchmess_group_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct synchmess_grp *grp = file->private_data;
	struct synchmess_limits limits;

	synchmess_limits_get(&grp->limits, &limits);
	seq_printf(m, "synchmess-id:\t%u\n", grp->id);
	seq_printf(m, "removed:\t%d\n", synchmess_group_removed(grp));
	seq_printf(m, "access:\t%s\n", synchmess_group_access(file));
	seq_printf(m, "messages:\t%u\n", READ_ONCE(grp->queue.count));
	seq_printf(m, "bytes:\t%u\n", synchmess_queue_stored(&grp->queue));
	seq_printf(m, "delayed:\t%u\n", READ_ONCE(grp->delay.count));
	seq_printf(m, "sleepers:\t%u\n",
		   synchmess_barrier_sleepers(&grp->barrier));
	seq_printf(m, "send_delay_ms:\t%u\n", synchmess_delay_get(&grp->delay));
	seq_printf(m, "max_message_size:\t%u\n", limits.max_message_size);
	seq_printf(m, "max_storage_size:\t%u\n", limits.max_storage_size);
	seq_printf(m, "max_messages:\t%u\n", limits.max_messages);
}
#endif

static const struct file_operations synchmess_group_fops = {
	.owner		= THIS_MODULE,
	.open		= synchmess_group_open,
	.release	= synchmess_group_release,
#ifdef CONFIG_PROC_FS
	.show_fdinfo	= synchmess_group_show_fdinfo,
#endif
	.read_iter	= synchmess_group_read_iter,
	.write_iter	= synchmess_group_write_iter,
	.poll		= synchmess_group_poll,
	.unlocked_ioctl	= synchmess_group_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.fsync		= synchmess_group_fsync,
	.flush		= synchmess_group_flush,
};

/*
 * The node is the group's permission: its installer's, mode 0600, from the
 * moment devtmpfs creates it, so no other user can open it before its owner
 * says so (a udev rule would come too late).
 */
static char *synchmess_group_devnode(const struct device *dev, umode_t *mode,
				     kuid_t *uid, kgid_t *gid)
{
	const struct synchmess_grp *grp = dev_get_drvdata(dev);

	if (mode)
		*mode = 0600;
	if (uid)
		*uid = grp->owner->uid;
	if (gid)
		*gid = grp->gid;
	return kasprintf(GFP_KERNEL, SYNCHMESS_DEV_DIR "/%s", dev_name(dev));
}

static const struct device_type synchmess_group_type = {
	.name		= "synchmess_group",
	.groups		= synchmess_group_attr_groups,
	.devnode	= synchmess_group_devnode,
};

static void synchmess_group_dev_release(struct device *dev)
{
	kfree(dev);
}

/* Register the device of @grp, which devtmpfs gives its node. */
static int synchmess_group_dev_add(struct synchmess_grp *grp, dev_t devt)
{
	struct device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	device_initialize(dev);
	dev->devt = devt;
	dev->class = &synchmess_class;
	dev->type = &synchmess_group_type;
	dev->release = synchmess_group_dev_release;
	dev_set_drvdata(dev, grp);
	ret = dev_set_name(dev, SYNCHMESS_GROUP_NAME, grp->id);
	if (!ret)
		ret = device_add(dev);
	if (ret) {
		put_device(dev);
		return ret;
	}
	grp->dev = dev;
	return 0;
}

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
 * @id:    the group descriptor, not in use
 * @owner: the installer's record, whose reference the group takes over
 *         on success; the installer is already charged for the group
 *
 * The caller holds synchmess_groups_lock, so opens of the new minor wait
 * until the group is complete or gone.
 *
 * Return: 0, -ENOSPC when no minor is left, or -ENOMEM.
 */
static int synchmess_group_create(u32 id, struct synchmess_user *owner)
{
	struct synchmess_grp *grp;
	dev_t devt;
	int ret;

	grp = kzalloc(sizeof(*grp), GFP_KERNEL_ACCOUNT);
	if (!grp)
		return -ENOMEM;

	grp->id = id;
	grp->owner = owner;
	grp->gid = current_egid();
	kref_init(&grp->ref);
	synchmess_queue_init(&grp->queue, id, &grp->limits, owner);
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

	ret = synchmess_group_dev_add(grp, devt);
	if (ret)
		goto err_cdev;

	ret = xa_insert(&synchmess_groups_by_id, id, grp, GFP_KERNEL);
	if (ret)
		goto err_dev;

	trace_synchmess_group_install(id, grp->minor,
				      from_kuid(&init_user_ns, owner->uid));
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
 * Installing an existing group succeeds and changes nothing, whoever asks;
 * concurrent installs of one id create one group. The new group is its
 * installer's, counted against the installer's max_user_groups.
 *
 * Return: 0, -ENOSPC past max_groups, -EDQUOT past max_user_groups, or
 * -ENOMEM.
 */
int synchmess_group_install(u32 id)
{
	struct synchmess_user *owner = NULL;
	int ret = 0;

	mutex_lock(&synchmess_groups_lock);
	if (xa_load(&synchmess_groups_by_id, id))
		goto out;
	if (atomic_read(&synchmess_ngroups) >= synchmess_max_groups()) {
		ret = -ENOSPC;
		goto out;
	}
	owner = synchmess_user_get(current_euid());
	if (!owner) {
		ret = -ENOMEM;
		goto out;
	}
	ret = synchmess_user_charge_group(owner);
	if (ret)
		goto out;
	ret = synchmess_group_create(id, owner);
	if (ret) {
		synchmess_user_uncharge_group(owner);
		goto out;
	}
	owner = NULL;
	atomic_inc(&synchmess_ngroups);
out:
	mutex_unlock(&synchmess_groups_lock);
	if (owner)
		synchmess_user_put(owner);
	if (ret)
		trace_synchmess_refuse(id, SYNCHMESS_CALL_INSTALL, 0, ret);
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
	} else if (!uid_eq(grp->owner->uid, current_euid()) &&
		   !capable(CAP_SYS_ADMIN)) {
		ret = -EPERM;
	} else {
		synchmess_group_destroy(grp);
		trace_synchmess_group_remove(id);
	}
	mutex_unlock(&synchmess_groups_lock);

	if (ret)
		trace_synchmess_refuse(id, SYNCHMESS_CALL_REMOVE, 0, ret);
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
 *                                  max_storage_size or max_messages was
 *                                  raised
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
