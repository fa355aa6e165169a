// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess message queue: the FIFO of published messages of a group and the
 * count of bytes the group stores.
 *
 * Messages are copied to and from user memory outside the queue's spinlock.
 * A reader unlinks the oldest message, copies it out and frees it; when the
 * copy faults the message goes back to the head of the queue, so a fault
 * loses nothing and a message still reaches exactly one reader.
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "msgqueue.h"

/**
 * synchmess_queue_init() - initialise an empty queue
 * @q: the queue
 */
void synchmess_queue_init(struct synchmess_queue *q)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->msgs);
	q->count = 0;
	q->dead = false;
	atomic_long_set(&q->stored, 0);
	init_waitqueue_head(&q->readers);
	init_waitqueue_head(&q->writable);
}

/**
 * synchmess_msg_alloc() - allocate a message able to hold @len bytes
 * @len: payload length
 *
 * The memory is charged to the memory cgroup of the caller, the writer of
 * the message, so that a writer cannot pin memory outside its own limits.
 * A failure is for the writer to handle, through -ENOMEM, not for the
 * kernel log.
 *
 * Return: the message with its length set, or NULL when out of memory.
 */
struct synchmess_msg *synchmess_msg_alloc(size_t len)
{
	struct synchmess_msg *msg;

	msg = kvmalloc(struct_size(msg, data, len),
		       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (msg)
		msg->len = len;
	return msg;
}

/**
 * synchmess_msg_free() - free a message allocated by synchmess_msg_alloc()
 * @msg: the message, unlinked from any list
 */
void synchmess_msg_free(struct synchmess_msg *msg)
{
	kvfree(msg);
}

/**
 * synchmess_queue_reserve() - charge @len bytes to the group's storage
 * @q:     the queue of the group
 * @len:   bytes of the message about to be stored
 * @limit: max_storage_size at the time of the call
 *
 * Storage is charged when a message is written, published or delayed, so a
 * delayed message never finds the group full when it comes due.
 *
 * Return: 0, or -ENOSPC when the group's stored bytes plus @len would pass
 * @limit.
 */
int synchmess_queue_reserve(struct synchmess_queue *q, size_t len,
			    size_t limit)
{
	long stored = atomic_long_read(&q->stored);

	do {
		if (len > limit || (size_t)stored > limit - len)
			return -ENOSPC;
	} while (!atomic_long_try_cmpxchg(&q->stored, &stored, stored + len));

	return 0;
}

/**
 * synchmess_queue_unreserve() - give back storage charged by
 *                               synchmess_queue_reserve()
 * @q:   the queue of the group
 * @len: bytes of the message that is no longer stored
 */
void synchmess_queue_unreserve(struct synchmess_queue *q, size_t len)
{
	atomic_long_sub(len, &q->stored);
	/* Pairs with the barrier in synchmess_queue_poll(). */
	if (wq_has_sleeper(&q->writable))
		wake_up_interruptible_poll(&q->writable, EPOLLOUT | EPOLLWRNORM);
}

static void synchmess_queue_wake_readers(struct synchmess_queue *q,
					 unsigned int count)
{
	/* Pairs with the barrier in prepare_to_wait_event() and in poll. */
	if (wq_has_sleeper(&q->readers))
		__wake_up(&q->readers, TASK_INTERRUPTIBLE, count,
			  poll_to_key(EPOLLIN | EPOLLRDNORM));
}

/**
 * synchmess_queue_publish() - append messages to the tail of the queue
 * @q:     the queue
 * @msgs:  messages in publication order; emptied on success
 * @count: number of messages on @msgs
 *
 * One reader is woken per message, as each message goes to one reader.
 *
 * Return: 0, or -EIDRM when the group was removed; @msgs is then left
 * untouched for the caller to free.
 */
int synchmess_queue_publish(struct synchmess_queue *q,
			    struct list_head *msgs, unsigned int count)
{
	spin_lock(&q->lock);
	if (unlikely(q->dead)) {
		spin_unlock(&q->lock);
		return -EIDRM;
	}
	list_splice_tail_init(msgs, &q->msgs);
	WRITE_ONCE(q->count, q->count + count);
	spin_unlock(&q->lock);

	synchmess_queue_wake_readers(q, count);
	return 0;
}

/*
 * Unlink the oldest message. Returns ERR_PTR(-EAGAIN) when the queue is
 * empty and ERR_PTR(-EIDRM) once the group is removed.
 */
static struct synchmess_msg *synchmess_queue_take(struct synchmess_queue *q)
{
	struct synchmess_msg *msg;

	spin_lock(&q->lock);
	if (unlikely(q->dead)) {
		msg = ERR_PTR(-EIDRM);
	} else {
		msg = list_first_entry_or_null(&q->msgs, struct synchmess_msg,
					       node);
		if (msg) {
			list_del(&msg->node);
			WRITE_ONCE(q->count, q->count - 1);
		} else {
			msg = ERR_PTR(-EAGAIN);
		}
	}
	spin_unlock(&q->lock);

	return msg;
}

/*
 * Put back a message whose copy to user memory faulted, at the head where it
 * was, and hand it to another waiting reader: the wake-up that announced it
 * was spent on the reader that failed.
 */
static void synchmess_queue_put_back(struct synchmess_queue *q,
				     struct synchmess_msg *msg)
{
	bool dead;

	spin_lock(&q->lock);
	dead = q->dead;
	if (!dead) {
		list_add(&msg->node, &q->msgs);
		WRITE_ONCE(q->count, q->count + 1);
	}
	spin_unlock(&q->lock);

	if (dead) {
		synchmess_queue_unreserve(q, msg->len);
		synchmess_msg_free(msg);
		return;
	}
	synchmess_queue_wake_readers(q, 1);
}

static bool synchmess_queue_readable(struct synchmess_queue *q)
{
	return READ_ONCE(q->count) || READ_ONCE(q->dead);
}

/**
 * synchmess_queue_read() - take the oldest message and copy it to user memory
 * @q:        the queue
 * @buf:      user buffer
 * @len:      size of @buf, not zero
 * @nonblock: fail with -EAGAIN instead of waiting for a message
 *
 * The whole message is consumed even when @len is shorter than it.
 *
 * Return: the number of bytes copied, min(@len, message length); -EAGAIN,
 * -ERESTARTSYS when a signal ended the wait, -EIDRM when the group was
 * removed, or -EFAULT when the copy faulted, the message staying first.
 */
ssize_t synchmess_queue_read(struct synchmess_queue *q, char __user *buf,
			     size_t len, bool nonblock)
{
	struct synchmess_msg *msg;
	size_t copied;
	int ret;

	for (;;) {
		msg = synchmess_queue_take(q);
		if (!IS_ERR(msg))
			break;
		if (PTR_ERR(msg) != -EAGAIN || nonblock)
			return PTR_ERR(msg);
		/* Exclusive: one message wakes one reader, not all of them. */
		ret = wait_event_interruptible_exclusive(q->readers,
							 synchmess_queue_readable(q));
		if (ret)
			return ret;
	}

	copied = min(len, msg->len);
	if (copy_to_user(buf, msg->data, copied)) {
		synchmess_queue_put_back(q, msg);
		return -EFAULT;
	}

	synchmess_queue_unreserve(q, msg->len);
	synchmess_msg_free(msg);
	return copied;
}

/**
 * synchmess_queue_poll() - report readiness of a group for poll and epoll
 * @q:     the queue
 * @file:  the file being polled
 * @pt:    the poll table
 * @limit: max_storage_size at the time of the call
 *
 * Return: EPOLLIN | EPOLLRDNORM while a published message waits,
 * EPOLLOUT | EPOLLWRNORM while stored bytes are below @limit, and
 * EPOLLERR | EPOLLHUP alone once the group is removed.
 */
__poll_t synchmess_queue_poll(struct synchmess_queue *q, struct file *file,
			      poll_table *pt, size_t limit)
{
	__poll_t mask = 0;

	poll_wait(file, &q->readers, pt);
	poll_wait(file, &q->writable, pt);
	/* Pairs with wq_has_sleeper() on the waking side. */
	smp_mb();

	if (READ_ONCE(q->dead))
		return EPOLLERR | EPOLLHUP;
	if (READ_ONCE(q->count))
		mask |= EPOLLIN | EPOLLRDNORM;
	if ((size_t)atomic_long_read(&q->stored) < limit)
		mask |= EPOLLOUT | EPOLLWRNORM;

	return mask;
}

/**
 * synchmess_queue_kill() - free every published message of a removed group
 * @q: the queue
 *
 * Wakes every reader and poller; they all see the group gone.
 */
void synchmess_queue_kill(struct synchmess_queue *q)
{
	struct synchmess_msg *msg, *next;
	LIST_HEAD(doomed);

	spin_lock(&q->lock);
	q->dead = true;
	list_splice_init(&q->msgs, &doomed);
	WRITE_ONCE(q->count, 0);
	spin_unlock(&q->lock);

	list_for_each_entry_safe(msg, next, &doomed, node) {
		atomic_long_sub(msg->len, &q->stored);
		synchmess_msg_free(msg);
	}

	__wake_up(&q->readers, TASK_NORMAL, 0, poll_to_key(EPOLLERR | EPOLLHUP));
	__wake_up(&q->writable, TASK_NORMAL, 0, poll_to_key(EPOLLERR | EPOLLHUP));
}
