// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess message queue: the FIFO of published messages of a group and the
 * count of bytes the group stores.
 *
 * Messages are copied to and from user memory outside the queue's spinlock.
 * A reader unlinks the oldest message, copies it out and frees it; when the
 * copy faults the message goes back to the head of the queue, so a fault
 * loses nothing and a message still reaches exactly one reader.
 *
 * A message published while readers are blocked goes straight to the one
 * that has waited longest, as in POSIX message queues: the writer marks the
 * reader's entry taken under the lock, then, after dropping it, stores the
 * message in the entry and wakes the reader, which returns with it without
 * taking the lock again. The queue stays empty while readers wait, so FIFO
 * order holds, and each message is handed to one reader only.
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "msgqueue.h"

/*
 * A blocked reader, on its own stack. @taken and @pending are written under
 * the queue's lock; @msg, stored last, hands the entry back to its reader.
 */
struct synchmess_reader {
	struct list_head node;
	struct task_struct *task;
	struct synchmess_msg *pending;
	struct synchmess_msg *msg;
	bool taken;
};

/**
 * synchmess_queue_init() - initialise an empty queue
 * @q: the queue
 */
void synchmess_queue_init(struct synchmess_queue *q)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->msgs);
	q->count = 0;
	INIT_LIST_HEAD(&q->waiters);
	q->dead = false;
	atomic_long_set(&q->stored, 0);
	init_waitqueue_head(&q->pollers);
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
	/* Pairs with smp_mb() in synchmess_queue_poll(). */
	smp_mb__after_atomic();
	/* So a poller is either seen here or sees the bytes freed. */
	if (waitqueue_active(&q->writable))
		wake_up_interruptible_poll(&q->writable, EPOLLOUT | EPOLLWRNORM);
}

/*
 * Queue @msg, at the head when it goes back after a faulting copy, or hand
 * it to the longest-waiting reader, whose entry then moves to @handed.
 * The caller holds q->lock. Returns whether @msg was queued, which only
 * pollers need to hear of.
 */
static bool synchmess_queue_add(struct synchmess_queue *q,
				struct synchmess_msg *msg, bool at_head,
				struct list_head *handed)
{
	struct synchmess_reader *r;

	lockdep_assert_held(&q->lock);
	r = list_first_entry_or_null(&q->waiters, struct synchmess_reader,
				     node);
	if (r) {
		r->taken = true;
		r->pending = msg;
		list_move_tail(&r->node, handed);
		return false;
	}
	if (at_head)
		list_add(&msg->node, &q->msgs);
	else
		list_add_tail(&msg->node, &q->msgs);
	WRITE_ONCE(q->count, q->count + 1);
	return true;
}

/*
 * Give the readers on @handed what synchmess_queue_add() or
 * synchmess_queue_kill() left for them, and wake them. Called without
 * q->lock; the list is not touched again, as its entries go one by one.
 */
static void synchmess_queue_hand_over(struct list_head *handed)
{
	struct synchmess_reader *r, *next;
	struct task_struct *task;

	list_for_each_entry_safe(r, next, handed, node) {
		task = get_task_struct(r->task);
		/* The last touch: the entry may be gone right after. */
		smp_store_release(&r->msg, r->pending);
		wake_up_process(task);
		put_task_struct(task);
	}
}

/*
 * Whether EPOLLIN pollers need waking for a message just queued; the caller
 * holds q->lock, which synchmess_queue_poll() takes after its poll_wait(),
 * so either the poller is seen here or it sees the message.
 */
static bool synchmess_queue_polled(struct synchmess_queue *q, bool queued)
{
	lockdep_assert_held(&q->lock);
	/* No barrier needed: q->lock orders this against the poller. */
	return queued && waitqueue_active(&q->pollers);
}

static void synchmess_queue_wake_pollers(struct synchmess_queue *q)
{
	wake_up_interruptible_poll(&q->pollers, EPOLLIN | EPOLLRDNORM);
}

/**
 * synchmess_queue_publish() - append messages to the tail of the queue
 * @q:     the queue
 * @msgs:  messages in publication order; emptied on success
 * @count: number of messages on @msgs
 *
 * Each message goes to one blocked reader, or to the queue when none is
 * left.
 *
 * Return: 0, or -EIDRM when the group was removed; @msgs is then left
 * untouched for the caller to free.
 */
int synchmess_queue_publish(struct synchmess_queue *q,
			    struct list_head *msgs, unsigned int count)
{
	struct synchmess_msg *msg, *next;
	LIST_HEAD(handed);
	bool queued = false, polled;

	spin_lock(&q->lock);
	if (unlikely(q->dead)) {
		spin_unlock(&q->lock);
		return -EIDRM;
	}
	list_for_each_entry_safe(msg, next, msgs, node) {
		list_del(&msg->node);
		queued |= synchmess_queue_add(q, msg, false, &handed);
	}
	polled = synchmess_queue_polled(q, queued);
	spin_unlock(&q->lock);

	synchmess_queue_hand_over(&handed);
	if (polled)
		synchmess_queue_wake_pollers(q);
	return 0;
}

/*
 * Put back a message whose copy to user memory faulted, at the head where it
 * was, or hand it to another blocked reader.
 */
static void synchmess_queue_put_back(struct synchmess_queue *q,
				     struct synchmess_msg *msg)
{
	LIST_HEAD(handed);
	bool dead, queued, polled = false;

	spin_lock(&q->lock);
	dead = q->dead;
	if (!dead) {
		queued = synchmess_queue_add(q, msg, true, &handed);
		polled = synchmess_queue_polled(q, queued);
	}
	spin_unlock(&q->lock);

	if (dead) {
		synchmess_queue_unreserve(q, msg->len);
		synchmess_msg_free(msg);
		return;
	}
	synchmess_queue_hand_over(&handed);
	if (polled)
		synchmess_queue_wake_pollers(q);
}

/*
 * Sleep until a message or the group's removal reaches @r, or a signal
 * comes first. Returns the message, or an ERR_PTR() of -EIDRM or
 * -ERESTARTSYS.
 */
static struct synchmess_msg *synchmess_queue_wait(struct synchmess_queue *q,
						  struct synchmess_reader *r)
{
	unsigned int state = TASK_INTERRUPTIBLE;
	struct synchmess_msg *msg;

	for (;;) {
		set_current_state(state);
		/* Pairs with smp_store_release() in synchmess_queue_hand_over(). */
		msg = smp_load_acquire(&r->msg);
		if (msg)
			break;
		if (state == TASK_INTERRUPTIBLE && signal_pending(current)) {
			spin_lock(&q->lock);
			if (!r->taken) {
				list_del(&r->node);
				msg = ERR_PTR(-ERESTARTSYS);
			}
			spin_unlock(&q->lock);
			if (msg)
				break;
			/* Taken by a writer, which hands it over in a moment. */
			state = TASK_UNINTERRUPTIBLE;
			continue;
		}
		schedule();
	}
	__set_current_state(TASK_RUNNING);

	return msg;
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
	struct synchmess_reader r = { .task = current };
	struct synchmess_msg *msg;
	size_t copied;

	spin_lock(&q->lock);
	if (unlikely(q->dead)) {
		msg = ERR_PTR(-EIDRM);
	} else {
		msg = list_first_entry_or_null(&q->msgs, struct synchmess_msg,
					       node);
		if (msg) {
			list_del(&msg->node);
			WRITE_ONCE(q->count, q->count - 1);
		} else if (nonblock) {
			msg = ERR_PTR(-EAGAIN);
		} else {
			list_add_tail(&r.node, &q->waiters);
		}
	}
	spin_unlock(&q->lock);

	if (!msg)
		msg = synchmess_queue_wait(q, &r);
	if (IS_ERR(msg))
		return PTR_ERR(msg);

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
	unsigned int count;
	bool dead;

	poll_wait(file, &q->pollers, pt);
	poll_wait(file, &q->writable, pt);

	/* See synchmess_queue_polled(). */
	spin_lock(&q->lock);
	dead = q->dead;
	count = q->count;
	spin_unlock(&q->lock);
	if (dead)
		return EPOLLERR | EPOLLHUP;
	if (count)
		mask |= EPOLLIN | EPOLLRDNORM;

	/* Pairs with smp_mb__after_atomic() in synchmess_queue_unreserve(). */
	smp_mb();
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
	struct synchmess_reader *r;
	LIST_HEAD(doomed);
	LIST_HEAD(handed);

	spin_lock(&q->lock);
	q->dead = true;
	list_splice_init(&q->msgs, &doomed);
	WRITE_ONCE(q->count, 0);
	list_for_each_entry(r, &q->waiters, node) {
		r->taken = true;
		r->pending = ERR_PTR(-EIDRM);
	}
	list_splice_init(&q->waiters, &handed);
	spin_unlock(&q->lock);

	synchmess_queue_hand_over(&handed);
	list_for_each_entry_safe(msg, next, &doomed, node) {
		atomic_long_sub(msg->len, &q->stored);
		synchmess_msg_free(msg);
	}

	__wake_up(&q->pollers, TASK_NORMAL, 0, poll_to_key(EPOLLERR | EPOLLHUP));
	__wake_up(&q->writable, TASK_NORMAL, 0, poll_to_key(EPOLLERR | EPOLLHUP));
}
