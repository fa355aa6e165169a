/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess message queue: the FIFO of published messages of one group and
 * the accounting of the bytes the group stores.
 */
#ifndef _SYNCHMESS_MSGQUEUE_H
#define _SYNCHMESS_MSGQUEUE_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "limits.h"
#include "message.h"
#include "user.h"

/**
 * struct synchmess_queue - published messages of one group
 * @lock:     protects @msgs, @count, @waiters and @dead; never held across
 *            a user copy
 * @msgs:     published messages, oldest first
 * @count:    number of messages on @msgs
 * @waiters:  readers blocked for a message, longest waiting first; it has
 *            an entry only while @msgs is empty, as a message published
 *            while a reader waits goes straight to that reader
 * @dead:     set once the group is removed; nothing is queued after that
 * @usage:    what the group stores, published and delayed: payload bytes
 *            in the low 32 bits, held to its max_storage_size, and
 *            messages above them, held to its max_messages; one word, so
 *            that a message is counted and given back in one atomic
 *            operation
 * @limits:   the group's limits
 * @owner:    the record of the group's owner, on which the group holds a
 *            reference: the owner's messages, which never outlive the
 *            group, hold none of their own
 * @sender:   the thread group that wrote to the group first, NULL before,
 *            on which the group holds a reference from then on: its
 *            messages hold none of their own either
 * @id:       the group's id, which trace events name it by
 * @pollers:  EPOLLIN pollers, and peekers waiting for a message
 * @writable: EPOLLOUT pollers waiting for storage to be freed
 * @peek_lock: one peeker at a time copies @peeked
 * @peeked:   the message a peeker copies, which whoever takes it meanwhile
 *            leaves to the peeker to free; under @lock
 * @peeked_out: @peeked is off @msgs, with a reader; under @lock
 * @peeked_taken: @peeked was taken and is the peeker's to free; under @lock
 */
struct synchmess_queue {
	spinlock_t lock;	/* held to link or unlink only, never to copy */
	struct list_head msgs;
	unsigned int count;
	struct list_head waiters;
	bool dead;
	atomic64_t usage;
	const struct synchmess_group_limits *limits;
	struct synchmess_user *owner;
	struct pid *sender;
	u32 id;
	wait_queue_head_t pollers;
	wait_queue_head_t writable;
	struct mutex peek_lock;	/* serialises peekers, held across a copy */
	struct synchmess_msg *peeked;
	bool peeked_out;
	bool peeked_taken;
};

/**
 * struct synchmess_wait - how a receive waits for a message
 * @nonblock: fail with -EAGAIN rather than wait
 * @expires:  CLOCK_MONOTONIC time the wait fails with -ETIMEDOUT, or
 *            KTIME_MAX
 */
struct synchmess_wait {
	bool nonblock;
	ktime_t expires;
};

/* synchmess_queue.usage: messages above bit 32, bytes below. */
#define SYNCHMESS_QUEUE_MSG_SHIFT	32
#define SYNCHMESS_QUEUE_ONE_MSG		BIT_ULL(SYNCHMESS_QUEUE_MSG_SHIFT)

/* Payload bytes the group stores, published and delayed. */
static inline u32 synchmess_queue_stored(const struct synchmess_queue *q)
{
	return (u32)atomic64_read(&q->usage);
}

void synchmess_queue_init(struct synchmess_queue *q, u32 id,
			  const struct synchmess_group_limits *limits,
			  struct synchmess_user *owner);
void synchmess_queue_destroy(struct synchmess_queue *q);
int synchmess_queue_reserve(struct synchmess_queue *q, size_t len);
void synchmess_queue_unreserve(struct synchmess_queue *q, size_t len);
void synchmess_queue_free_msg(struct synchmess_queue *q,
			      struct synchmess_msg *msg);
void synchmess_queue_wake_writers(struct synchmess_queue *q);

int synchmess_queue_publish(struct synchmess_queue *q,
			    struct list_head *msgs, unsigned int count);
ssize_t synchmess_queue_read(struct synchmess_queue *q, struct iov_iter *to,
			     const struct synchmess_wait *wait,
			     struct synchmess_msg_info *info);
ssize_t synchmess_queue_peek(struct synchmess_queue *q, struct iov_iter *to,
			     const struct synchmess_wait *wait,
			     struct synchmess_msg_info *info);
int synchmess_queue_take_batch(struct synchmess_queue *q,
			       struct list_head *msgs, unsigned int max,
			       const struct synchmess_wait *wait,
			       struct synchmess_msg **shared);
void synchmess_queue_consume(struct synchmess_queue *q,
			     struct synchmess_msg *msg, size_t copied,
			     bool shared);
void synchmess_queue_put_back(struct synchmess_queue *q,
			      struct list_head *msgs, unsigned int count);
__poll_t synchmess_queue_poll(struct synchmess_queue *q, struct file *file,
			      poll_table *pt);
void synchmess_queue_kill(struct synchmess_queue *q);

/**
 * synchmess_queue_writer() - the record a message written now is charged to
 * @q: the queue of the group
 *
 * The owner, the usual writer, needs neither a lookup nor a reference of
 * the message's own; synchmess_queue_free_msg() tells the two apart.
 *
 * Return: the writer's record, with a reference for the message unless it
 * is the owner's, or NULL when out of memory.
 */
static inline struct synchmess_user *
synchmess_queue_writer(struct synchmess_queue *q)
{
	kuid_t euid = current_euid();

	if (uid_eq(euid, q->owner->uid))
		return q->owner;
	return synchmess_user_get(euid);
}

/**
 * synchmess_queue_put_writer() - drop what synchmess_queue_writer() gave
 * @q:      the queue of the group
 * @writer: its result
 */
static inline void synchmess_queue_put_writer(struct synchmess_queue *q,
					      struct synchmess_user *writer)
{
	if (writer != q->owner)
		synchmess_user_put(writer);
}

/**
 * synchmess_queue_sender() - the thread group a message written now is from
 * @q: the queue of the group
 *
 * The first writer, usually the only one, is held by the group, so that
 * its messages need no reference of their own; synchmess_queue_free_msg()
 * tells them apart.
 *
 * Return: the writer's struct pid, with a reference for the message unless
 * the group holds it.
 */
static inline struct pid *synchmess_queue_sender(struct synchmess_queue *q)
{
	struct pid *pid = task_tgid(current);
	struct pid *first = READ_ONCE(q->sender);

	if (likely(pid == first))
		return pid;
	get_pid(pid);
	if (!first) {
		/* On success, the reference just taken is the group's. */
		first = cmpxchg(&q->sender, NULL, pid);
		/* Another thread of this process came first: the group holds. */
		if (first == pid)
			put_pid(pid);
	}
	return pid;
}

/**
 * synchmess_queue_put_sender() - drop what synchmess_queue_sender() gave
 * @q:      the queue of the group
 * @sender: its result
 */
static inline void synchmess_queue_put_sender(struct synchmess_queue *q,
					      struct pid *sender)
{
	if (sender != READ_ONCE(q->sender))
		put_pid(sender);
}

#endif /* _SYNCHMESS_MSGQUEUE_H */
