/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess message queue: the FIFO of published messages of one group and
 * the accounting of the bytes the group stores.
 */
#ifndef _SYNCHMESS_MSGQUEUE_H
#define _SYNCHMESS_MSGQUEUE_H

#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "limits.h"
#include "message.h"

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
 * @stored:   payload bytes of all messages of the group, published and
 *            delayed, held to the group's max_storage_size
 * @held:     messages of the group, published and delayed, held to the
 *            group's max_messages
 * @limits:   the group's limits
 * @owner:    the record of the group's owner, on which the group holds a
 *            reference: the owner's messages, which never outlive the
 *            group, hold none of their own
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
	atomic_long_t stored;
	atomic_t held;
	const struct synchmess_group_limits *limits;
	struct synchmess_user *owner;
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

void synchmess_queue_init(struct synchmess_queue *q, u32 id,
			  const struct synchmess_group_limits *limits,
			  struct synchmess_user *owner);
int synchmess_queue_reserve(struct synchmess_queue *q, size_t len);
void synchmess_queue_unreserve(struct synchmess_queue *q, size_t len);
struct synchmess_user *synchmess_queue_writer(struct synchmess_queue *q);
void synchmess_queue_put_writer(struct synchmess_queue *q,
				struct synchmess_user *writer);
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

#endif /* _SYNCHMESS_MSGQUEUE_H */
