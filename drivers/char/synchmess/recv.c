// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess receiving calls: receive with a timeout, peek and the sender's
 * identity, batches of messages each way, and the barrier sleep with a
 * timeout.
 *
 * Their arguments are structs that may grow: a call's number carries the
 * size of its struct, so a later, larger struct is still the same call. The
 * kernel takes any size from the first one up, reads what it knows and
 * insists that the rest is zero (copy_struct_from_user()), and writes back
 * no more than the caller's size.
 *
 * A wait with a timeout keeps its expiry across a signal: the time left
 * goes back to the caller's struct before the call returns, so a restarted
 * call (SA_RESTART) waits only for what was left.
 */
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/synchmess.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "synchmess.h"
#include "trace.h"

#define SYNCHMESS_RECV_FLAGS \
	(SYNCHMESS_RECV_NONBLOCK | SYNCHMESS_RECV_TIMEOUT | SYNCHMESS_RECV_PEEK)
#define SYNCHMESS_BATCH_FLAGS \
	(SYNCHMESS_RECV_NONBLOCK | SYNCHMESS_RECV_TIMEOUT)

/* The first, smallest size of each struct: what a call needs at least. */
#define SYNCHMESS_RECV_SIZE_VER0	56
#define SYNCHMESS_BATCH_SIZE_VER0	24
#define SYNCHMESS_SLEEP_SIZE_VER0	16

/* @cmd without its size, which a struct that grows changes. */
static unsigned int synchmess_ioc_nr(unsigned int cmd)
{
	return cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT);
}

/* When a wait of @timeout_ns from now ends; the longest ones never do. */
static ktime_t synchmess_expiry(u64 timeout_ns)
{
	return ktime_add_safe(ktime_get(),
			      ns_to_ktime(min_t(u64, timeout_ns, KTIME_MAX)));
}

/* Tell the caller how much of a wait ending at @expires is left. */
static int synchmess_put_time_left(ktime_t expires, u64 __user *timeout_ns)
{
	ktime_t left = ktime_sub(expires, ktime_get());

	return put_user(ktime_to_ns(max_t(ktime_t, left, 0)), timeout_ns);
}

/* How to wait, from a call's flags and timeout. */
static int synchmess_wait_init(struct synchmess_wait *wait, struct file *file,
			       u32 flags, u64 timeout_ns)
{
	bool timed = flags & SYNCHMESS_RECV_TIMEOUT;

	if ((flags & SYNCHMESS_RECV_NONBLOCK) && timed)
		return -EINVAL;
	if (!timed && timeout_ns)
		return -EINVAL;
	/* As for mq_timedreceive(), a non-blocking file does not wait. */
	wait->nonblock = (flags & SYNCHMESS_RECV_NONBLOCK) ||
			 (file->f_flags & O_NONBLOCK);
	wait->expires = timed ? synchmess_expiry(timeout_ns) : KTIME_MAX;
	return 0;
}

/*
 * After a signal ended a timed wait, give the caller the time left, so a
 * restarted call waits for no more; if that cannot be written, the call
 * ends with -EINTR rather than wait anew for the whole timeout.
 */
static long synchmess_wait_interrupted(const struct synchmess_wait *wait,
				       u64 __user *timeout_ns, long ret)
{
	if (ret != -ERESTARTSYS || wait->expires == KTIME_MAX)
		return ret;
	if (synchmess_put_time_left(wait->expires, timeout_ns))
		return -EINTR;
	return ret;
}

static long synchmess_recv(struct synchmess_grp *grp, struct file *file,
			   struct synchmess_recv __user *uarg, size_t usize)
{
	struct synchmess_msg_info info;
	struct synchmess_wait wait;
	struct synchmess_recv req;
	struct iov_iter to;
	ssize_t copied;
	long ret;

	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags & ~SYNCHMESS_RECV_FLAGS)
		return -EINVAL;
	if (!req.buf_len && !(req.flags & SYNCHMESS_RECV_PEEK))
		return -EINVAL;
	ret = synchmess_wait_init(&wait, file, req.flags, req.timeout_ns);
	if (ret)
		return ret;
	ret = import_ubuf(ITER_DEST, u64_to_user_ptr(req.buf), req.buf_len,
			  &to);
	if (ret)
		return ret;
	/* Fail on a read-only struct before a message is taken, not after. */
	if (put_user(0, &uarg->copied))
		return -EFAULT;

	if (req.flags & SYNCHMESS_RECV_PEEK)
		copied = synchmess_queue_peek(&grp->queue, &to, &wait, &info);
	else
		copied = synchmess_queue_read(&grp->queue, &to, &wait, &info);
	if (copied < 0)
		return synchmess_wait_interrupted(&wait, &uarg->timeout_ns,
						  copied);

	req.msg_len = info.len;
	req.copied = copied;
	req.sender_pid = info.pid;
	req.sender_uid = from_kuid_munged(current_user_ns(), info.uid);
	req.written_ns = ktime_to_ns(info.written);
	req.published_ns = ktime_to_ns(info.published);
	if (copy_to_user(uarg, &req, min(usize, sizeof(req))))
		return -EFAULT;
	return copied;
}

/* The vector of a batch, checked whole before any message moves. */
static struct synchmess_msgvec *
synchmess_batch_vec(const struct synchmess_batch *req, bool send)
{
	struct synchmess_msgvec *vec;
	u32 i;

	if (!req->count || req->count > SYNCHMESS_BATCH_MAX)
		return ERR_PTR(-EINVAL);
	vec = memdup_array_user(u64_to_user_ptr(req->vec), req->count,
				sizeof(*vec));
	if (IS_ERR(vec))
		return vec;
	for (i = 0; i < req->count; i++) {
		if (!vec[i].len || (send && vec[i].msg_len)) {
			kfree(vec);
			return ERR_PTR(-EINVAL);
		}
	}
	return vec;
}

/*
 * Write the lengths of the first @n messages on @msgs to the vector in one
 * pass; return how many were written before a fault.
 */
static unsigned int synchmess_recv_batch_lengths(struct list_head *msgs,
						 unsigned int n,
						 struct synchmess_msgvec __user *uvec)
{
	struct synchmess_msg *msg;
	unsigned int i = 0;

	if (!user_write_access_begin(uvec, n * sizeof(*uvec)))
		return 0;
	list_for_each_entry(msg, msgs, node) {
		if (i == n)
			break;
		unsafe_put_user(msg->len, &uvec[i].msg_len, fault);
		i++;
	}
fault:
	user_write_access_end();
	return i;
}

/*
 * Copy the messages taken, in order, each to its buffer, then their
 * lengths to the vector; a message counts as received once both are done.
 * At the first that faults, it and those after it go back to the head of
 * the queue.
 */
static long synchmess_recv_batch_copy(struct synchmess_grp *grp,
				      struct list_head *msgs, unsigned int n,
				      struct synchmess_msg *shared,
				      const struct synchmess_msgvec *vec,
				      struct synchmess_msgvec __user *uvec)
{
	struct synchmess_msg *msg, *next;
	unsigned int i = 0, received;
	struct iov_iter to;

	list_for_each_entry(msg, msgs, node) {
		if (import_ubuf(ITER_DEST, u64_to_user_ptr(vec[i].buf),
				vec[i].len, &to) ||
		    synchmess_msg_copy_to(msg, &to) < 0)
			break;
		i++;
	}
	received = i ? synchmess_recv_batch_lengths(msgs, i, uvec) : 0;
	i = 0;
	list_for_each_entry_safe(msg, next, msgs, node) {
		if (i == received)
			break;
		list_del(&msg->node);
		synchmess_queue_consume(&grp->queue, msg,
					min_t(size_t, msg->len, vec[i].len),
					msg == shared);
		i++;
	}
	if (received < n)
		synchmess_queue_put_back(&grp->queue, msgs, n - received);
	return received ? received : -EFAULT;
}

static long synchmess_recv_batch(struct synchmess_grp *grp, struct file *file,
				 struct synchmess_batch __user *uarg,
				 size_t usize)
{
	struct synchmess_msgvec *vec;
	struct synchmess_batch req;
	struct synchmess_msg *shared;
	struct synchmess_wait wait;
	LIST_HEAD(msgs);
	long ret;
	int n;

	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags & ~SYNCHMESS_BATCH_FLAGS)
		return -EINVAL;
	ret = synchmess_wait_init(&wait, file, req.flags, req.timeout_ns);
	if (ret)
		return ret;
	vec = synchmess_batch_vec(&req, false);
	if (IS_ERR(vec))
		return PTR_ERR(vec);

	n = synchmess_queue_take_batch(&grp->queue, &msgs, req.count, &wait,
				       &shared);
	if (n < 0)
		ret = synchmess_wait_interrupted(&wait, &uarg->timeout_ns, n);
	else
		ret = synchmess_recv_batch_copy(grp, &msgs, n, shared, vec,
						u64_to_user_ptr(req.vec));
	kfree(vec);
	return ret;
}

/*
 * Post the messages of a batch, in order, until one fails. Those without a
 * delay go out together at the end, side by side in the queue.
 */
static long synchmess_send_batch_post(struct synchmess_grp *grp,
				      const struct synchmess_msgvec *vec,
				      u32 count)
{
	u32 delay_ms = synchmess_delay_get(&grp->delay);
	struct synchmess_msg *msg, *next;
	unsigned int posted = 0, now = 0;
	struct iov_iter from;
	LIST_HEAD(msgs);
	long err = 0;
	u32 i;

	for (i = 0; i < count; i++) {
		err = import_ubuf(ITER_SOURCE, u64_to_user_ptr(vec[i].buf),
				  vec[i].len, &from);
		if (err)
			break;
		msg = synchmess_group_new_msg(grp, &from);
		if (IS_ERR(msg)) {
			err = PTR_ERR(msg);
			break;
		}
		if (!delay_ms) {
			msg->deadline = ktime_get();
			list_add_tail(&msg->node, &msgs);
			now++;
			continue;
		}
		err = synchmess_delay_post(&grp->delay, msg, delay_ms, false);
		if (err) {
			synchmess_group_drop_msg(grp, msg);
			break;
		}
		posted++;
	}
	if (now) {
		err = synchmess_delay_post_now(&grp->delay, &msgs, now, false) ?:
		      err;
		list_for_each_entry_safe(msg, next, &msgs, node) {
			list_del(&msg->node);
			synchmess_group_drop_msg(grp, msg);
			now--;
		}
		posted += now;
	}
	return posted ? posted : err;
}

static long synchmess_send_batch(struct synchmess_grp *grp,
				 struct synchmess_batch __user *uarg,
				 size_t usize)
{
	struct synchmess_msgvec *vec;
	struct synchmess_batch req;
	long ret;

	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags || req.timeout_ns)
		return -EINVAL;
	vec = synchmess_batch_vec(&req, true);
	if (IS_ERR(vec))
		return PTR_ERR(vec);
	ret = synchmess_send_batch_post(grp, vec, req.count);
	kfree(vec);
	return ret;
}

static long synchmess_sleep_timed(struct synchmess_grp *grp,
				  struct synchmess_sleep __user *uarg,
				  size_t usize)
{
	struct synchmess_sleep req;
	ktime_t expires;
	long ret;

	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags || req.reserved)
		return -EINVAL;
	expires = synchmess_expiry(req.timeout_ns);
	trace_synchmess_barrier_sleep(grp->id);
	ret = synchmess_barrier_sleep(&grp->barrier, expires);
	if (ret == -EINTR && synchmess_put_time_left(expires, &uarg->timeout_ns))
		return -EFAULT;
	return ret;
}

/**
 * synchmess_recv_ioctl() - the receiving calls of a group file
 * @grp:  the group, not removed
 * @file: the file the call came through
 * @cmd:  the ioctl
 * @uarg: its argument
 *
 * Return: what the call returns, or -ENOTTY for a call that is not one of
 * these, -EBADF for one the file's access mode does not allow.
 */
long synchmess_recv_ioctl(struct synchmess_grp *grp, struct file *file,
			  unsigned int cmd, void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);
	unsigned int nr = synchmess_ioc_nr(cmd);

	if (_IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;
	if (nr == synchmess_ioc_nr(SYNCHMESS_IOC_RECV) &&
	    usize >= SYNCHMESS_RECV_SIZE_VER0)
		return (file->f_mode & FMODE_READ) ?
		       synchmess_recv(grp, file, uarg, usize) : -EBADF;
	if (nr == synchmess_ioc_nr(SYNCHMESS_IOC_RECV_BATCH) &&
	    usize >= SYNCHMESS_BATCH_SIZE_VER0)
		return (file->f_mode & FMODE_READ) ?
		       synchmess_recv_batch(grp, file, uarg, usize) : -EBADF;
	if (nr == synchmess_ioc_nr(SYNCHMESS_IOC_SEND_BATCH) &&
	    usize >= SYNCHMESS_BATCH_SIZE_VER0)
		return (file->f_mode & FMODE_WRITE) ?
		       synchmess_send_batch(grp, uarg, usize) : -EBADF;
	if (nr == synchmess_ioc_nr(SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED) &&
	    usize >= SYNCHMESS_SLEEP_SIZE_VER0)
		return synchmess_sleep_timed(grp, uarg, usize);
	return -ENOTTY;
}
