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
 * that has waited longest, as in POSIX message queues, so the queue stays
 * empty while readers wait and FIFO order holds. The hand-off, through the
 * reader's struct synchmess_reader on its stack, as ipc/mqueue.c's
 * pipelined_send() does it:
 *
 *   state    @msg     on @waiters  left by                     under
 *   waiting  NULL     yes          writer unlinks the entry,   q->lock
 *                                  stores @msg (release) or
 *                                  ERR_PTR(-EIDRM), wakes
 *                                  reader leaves on signal     q->lock
 *                                  or timeout
 *   handed   set      no           reader returns with it      acquire
 *                                                              load
 *
 * The writer wakes the reader under rcu_read_lock(), as rcuwait_wake_up()
 * does, since the reader may return, and its task exit, once @msg is set;
 * and under q->lock, since wake_q_add() and wake_up_q(), with which
 * mqueue wakes after dropping its lock, are not exported to modules. A
 * reader woken by a signal or its timeout takes q->lock and finds either
 * state, never one in between, so it never waits for a writer.
 * A batch of delayed messages is published with one splice: the time the
 * lock is held grows with the number of blocked readers, never with the
 * length of the batch.
 *
 * A peeker copies the oldest message while it stays queued, so a reader
 * may take it meanwhile; whoever is done last frees it:
 *
 *   @peeked  @peeked_out  @peeked_taken  meaning
 *   NULL     false        false          nobody peeks
 *   msg      false        false          msg is on @msgs, a peeker copies it
 *   msg      true         false          a reader took it and copies it too
 *   msg      true         true           the reader is done: the peeker
 *                                        frees it when it lets go
 *
 * A reader that puts msg back clears @peeked_out; removal takes msg off
 * @msgs for the peeker to free. One peeker at a time, by @peek_lock, which
 * is never held while waiting for a message.
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>

#include "msgqueue.h"
#include "trace.h"
#include "user.h"

/*
 * A blocked reader, on its own stack; @msg, stored under the queue's lock
 * once the entry is off @waiters, hands the entry back to its reader.
 */
struct synchmess_reader {
	struct list_head node;
	struct task_struct *task;
	struct synchmess_msg *msg;
};

/**
 * synchmess_queue_init() - initialise an empty queue
 * @q:      the queue
 * @id:     the group's id
 * @limits: the group's limits, which outlive the queue
 * @owner:  the group owner's record, which outlives the queue's messages
 */
void synchmess_queue_init(struct synchmess_queue *q, u32 id,
			  const struct synchmess_group_limits *limits,
			  struct synchmess_user *owner)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->msgs);
	q->count = 0;
	INIT_LIST_HEAD(&q->waiters);
	q->dead = false;
	atomic64_set(&q->usage, 0);
	q->limits = limits;
	q->owner = owner;
	q->sender = NULL;
	q->id = id;
	init_waitqueue_head(&q->pollers);
	init_waitqueue_head(&q->writable);
	mutex_init(&q->peek_lock);
	q->peeked = NULL;
	q->peeked_out = false;
	q->peeked_taken = false;
}

/**
 * synchmess_queue_destroy() - drop what the queue holds once its group is
 *                             freed
 * @q: the queue, with no message left
 */
void synchmess_queue_destroy(struct synchmess_queue *q)
{
	put_pid(q->sender);
}

/* The callers' barriers pair with smp_mb() in synchmess_queue_poll(). */
static void synchmess_queue_wake_writable(struct synchmess_queue *q)
{
	/* Lockless: the barrier before the call orders it with the poller. */
	if (waitqueue_active(&q->writable))
		wake_up_interruptible_poll(&q->writable, EPOLLOUT | EPOLLWRNORM);
}

/**
 * synchmess_queue_wake_writers() - wake EPOLLOUT pollers after
 *                                  max_storage_size was raised
 * @q: the queue of the group
 */
void synchmess_queue_wake_writers(struct synchmess_queue *q)
{
	/*
	 * Pairs with smp_mb() in synchmess_queue_poll(): a poller is either
	 * seen here or sees the new limit.
	 */
	smp_mb();
	synchmess_queue_wake_writable(q);
}

/**
 * synchmess_queue_unreserve() - give back what synchmess_queue_reserve()
 *                               counted
 * @q:   the queue of the group
 * @len: payload length of the message that is no longer stored
 */
void synchmess_queue_unreserve(struct synchmess_queue *q, size_t len)
{
	atomic64_sub(SYNCHMESS_QUEUE_ONE_MSG + len, &q->usage);
	/*
	 * Pairs with smp_mb() in synchmess_queue_poll(): a poller is either
	 * seen here or sees the storage freed.
	 */
	smp_mb__after_atomic();
	synchmess_queue_wake_writable(q);
}

/**
 * synchmess_queue_reserve() - count a message against the group's storage
 * @q:   the queue of the group
 * @len: payload length of the message about to be stored
 *
 * Storage is counted when a message is written, published or delayed, so a
 * delayed message never finds the group full when it comes due. The bytes
 * and the message are counted together, never past either limit; the
 * bytes never pass a 32-bit max_storage_size, so never reach the bits
 * that count messages.
 *
 * Return: 0, or -ENOSPC when the group's stored bytes plus @len would pass
 * its max_storage_size, or it holds max_messages messages already.
 */
int synchmess_queue_reserve(struct synchmess_queue *q, size_t len)
{
	u32 limit = synchmess_limit_storage_size(q->limits);
	u32 max = synchmess_limit_messages(q->limits);
	s64 usage = atomic64_read(&q->usage);
	u32 stored, held;

	do {
		stored = (u32)usage;
		held = usage >> SYNCHMESS_QUEUE_MSG_SHIFT;
		if (len > limit || stored > limit - len || held >= max)
			return -ENOSPC;
	} while (!atomic64_try_cmpxchg(&q->usage, &usage,
				       usage + SYNCHMESS_QUEUE_ONE_MSG + len));

	return 0;
}

/**
 * synchmess_queue_free_msg() - free a message of the group, with its storage
 *                              and its writer's references
 * @q:   the queue of the group
 * @msg: a message reserved by synchmess_queue_reserve(), its writer and
 *       sender from synchmess_queue_writer() and synchmess_queue_sender(),
 *       on no list the queue still reads
 */
void synchmess_queue_free_msg(struct synchmess_queue *q,
			      struct synchmess_msg *msg)
{
	struct synchmess_user *writer = msg->writer;
	struct pid *sender = msg->sender;
	size_t len = msg->len;

	synchmess_msg_free(msg);
	synchmess_queue_put_sender(q, sender);
	synchmess_queue_put_writer(q, writer);
	synchmess_queue_unreserve(q, len);
}

/*
 * Take @r off q->waiters, give it @msg, or an ERR_PTR(), and wake it; the
 * caller holds q->lock. The store is the last touch of @r.
 */
static void synchmess_queue_hand(struct synchmess_queue *q,
				 struct synchmess_reader *r,
				 struct synchmess_msg *msg)
{
	struct task_struct *task = r->task;

	lockdep_assert_held(&q->lock);
	list_del(&r->node);
	/*
	 * The reader may return, and its task exit, once @msg is stored; a
	 * task is freed only a grace period after it exits, so it is still
	 * there to wake, as in rcuwait_wake_up().
	 */
	rcu_read_lock();
	/* Pairs with smp_load_acquire() in synchmess_queue_wait(). */
	smp_store_release(&r->msg, msg);
	wake_up_process(task);
	rcu_read_unlock();
}

/*
 * Whether EPOLLIN pollers need waking for a message just queued; the caller
 * holds q->lock, which synchmess_queue_poll() takes after its poll_wait(),
 * so either the poller is seen here or it sees the message.
 */
static bool synchmess_queue_polled(struct synchmess_queue *q)
{
	lockdep_assert_held(&q->lock);
	/* No barrier needed: q->lock orders this against the poller. */
	return waitqueue_active(&q->pollers);
}

static void synchmess_queue_wake_pollers(struct synchmess_queue *q)
{
	wake_up_interruptible_poll(&q->pollers, EPOLLIN | EPOLLRDNORM);
}

/*
 * Give the first of @count messages on @msgs to the blocked readers, one
 * each, longest waiting first, and splice the rest to the queue's head or
 * tail; the caller holds q->lock. Returns whether EPOLLIN pollers need
 * waking.
 */
static bool synchmess_queue_add(struct synchmess_queue *q,
				struct list_head *msgs, unsigned int count,
				bool at_head)
{
	struct synchmess_reader *r;
	struct synchmess_msg *msg;

	lockdep_assert_held(&q->lock);
	while (count && !list_empty(&q->waiters)) {
		msg = list_first_entry(msgs, struct synchmess_msg, node);
		list_del(&msg->node);
		r = list_first_entry(&q->waiters, struct synchmess_reader,
				     node);
		synchmess_queue_hand(q, r, msg);
		count--;
	}
	if (!count)
		return false;
	if (at_head)
		list_splice_init(msgs, &q->msgs);
	else
		list_splice_tail_init(msgs, &q->msgs);
	WRITE_ONCE(q->count, q->count + count);
	return synchmess_queue_polled(q);
}

/**
 * synchmess_queue_publish() - append messages to the tail of the queue
 * @q:     the queue
 * @msgs:  messages in publication order; emptied on success
 * @count: number of messages on @msgs
 *
 * The first messages go to the blocked readers, one each, the rest to the
 * queue in one splice, whatever the length of the batch.
 *
 * Return: 0, or -EIDRM when the group was removed; @msgs is then left
 * untouched for the caller to free.
 */
int synchmess_queue_publish(struct synchmess_queue *q,
			    struct list_head *msgs, unsigned int count)
{
	bool polled;

	spin_lock(&q->lock);
	if (unlikely(q->dead)) {
		spin_unlock(&q->lock);
		return -EIDRM;
	}
	polled = synchmess_queue_add(q, msgs, count, false);
	spin_unlock(&q->lock);

	if (polled)
		synchmess_queue_wake_pollers(q);
	return 0;
}

/*
 * Sleep until a message or the group's removal reaches @r, or a signal or
 * @expires comes first. Returns the message, or an ERR_PTR() of -EIDRM,
 * -ERESTARTSYS or -ETIMEDOUT.
 */
static struct synchmess_msg *synchmess_queue_wait(struct synchmess_queue *q,
						  struct synchmess_reader *r,
						  ktime_t expires)
{
	struct synchmess_msg *msg;
	bool timed_out = false;
	int err = 0;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		/* Pairs with smp_store_release() in synchmess_queue_hand(). */
		msg = smp_load_acquire(&r->msg);
		if (msg)
			break;
		if (signal_pending(current))
			err = -ERESTARTSYS;
		else if (timed_out)
			err = -ETIMEDOUT;
		if (err)
			break;
		if (expires == KTIME_MAX)
			schedule();
		else
			timed_out = !schedule_hrtimeout_range(&expires,
							      current->timer_slack_ns,
							      HRTIMER_MODE_ABS);
	}
	__set_current_state(TASK_RUNNING);
	if (msg)
		return msg;

	/* A writer may have handed it a message meanwhile: then keep it. */
	spin_lock(&q->lock);
	msg = r->msg;
	if (!msg) {
		list_del(&r->node);
		msg = ERR_PTR(err);
	}
	spin_unlock(&q->lock);
	return msg;
}

/*
 * Unlink up to @max messages from the head of the queue to @msgs, and
 * return how many; the caller holds q->lock. *@shared is set to the one a
 * peeker copies, if it is among them.
 */
static unsigned int synchmess_queue_unlink(struct synchmess_queue *q,
					   struct list_head *msgs,
					   unsigned int max,
					   struct synchmess_msg **shared)
{
	struct synchmess_msg *msg;
	unsigned int n = 0;

	lockdep_assert_held(&q->lock);
	while (n < max && (msg = list_first_entry_or_null(&q->msgs,
							  struct synchmess_msg,
							  node))) {
		list_move_tail(&msg->node, msgs);
		if (unlikely(msg == q->peeked)) {
			q->peeked_out = true;
			*shared = msg;
		}
		n++;
	}
	WRITE_ONCE(q->count, q->count - n);
	return n;
}

/**
 * synchmess_queue_take_batch() - take the oldest messages of the queue
 * @q:      the queue
 * @msgs:   where they go, oldest first
 * @max:    the most to take, at least 1
 * @wait:   how to wait for the first one
 * @shared: set to the one of them a peeker copies, or NULL
 *
 * Waits for the first message as a read does, then takes what else is
 * there without waiting. Each taken message goes to
 * synchmess_queue_consume() once copied, or back by
 * synchmess_queue_put_back().
 *
 * Return: how many were taken, or -EAGAIN, -ETIMEDOUT, -ERESTARTSYS or
 * -EIDRM.
 */
int synchmess_queue_take_batch(struct synchmess_queue *q,
			       struct list_head *msgs, unsigned int max,
			       const struct synchmess_wait *wait,
			       struct synchmess_msg **shared)
{
	struct synchmess_reader r = { .task = current };
	struct synchmess_msg *msg;
	unsigned int n = 0;

	*shared = NULL;
	spin_lock(&q->lock);
	if (unlikely(q->dead)) {
		spin_unlock(&q->lock);
		return -EIDRM;
	}
	if (list_empty(&q->msgs)) {
		if (wait->nonblock) {
			spin_unlock(&q->lock);
			return -EAGAIN;
		}
		list_add_tail(&r.node, &q->waiters);
		spin_unlock(&q->lock);
		msg = synchmess_queue_wait(q, &r, wait->expires);
		if (IS_ERR(msg))
			return PTR_ERR(msg);
		list_add_tail(&msg->node, msgs);
		if (++n == max)
			return n;
		spin_lock(&q->lock);
		if (unlikely(q->dead)) {
			spin_unlock(&q->lock);
			return n;
		}
	}
	n += synchmess_queue_unlink(q, msgs, max - n, shared);
	spin_unlock(&q->lock);
	return n;
}

/* The clock is read only while the event is on. */
static void synchmess_queue_trace_read(struct synchmess_queue *q,
				       const struct synchmess_msg *msg,
				       size_t copied)
{
	ktime_t written = synchmess_msg_written(msg);
	s64 waited = 0;

	if (written)
		waited = ktime_to_ns(ktime_sub(ktime_get(), written));
	trace_synchmess_read(q->id, msg->len, copied, waited);
}

/*
 * Free a message taken from the queue, unless a peeker still copies it:
 * then leave it to the peeker (see synchmess_queue_unpin()).
 */
static void synchmess_queue_drop(struct synchmess_queue *q,
				 struct synchmess_msg *msg, bool shared)
{
	if (unlikely(shared)) {
		spin_lock(&q->lock);
		if (q->peeked == msg) {
			q->peeked_taken = true;
			msg = NULL;
		}
		spin_unlock(&q->lock);
		if (!msg)
			return;
	}
	synchmess_queue_free_msg(q, msg);
}

/**
 * synchmess_queue_consume() - free a message once its reader is done
 * @q:      the queue
 * @msg:    the message, taken from the queue or handed to the reader
 * @copied: how many bytes of it the reader got
 * @shared: a peeker may be copying it too (see synchmess_queue_unlink())
 */
void synchmess_queue_consume(struct synchmess_queue *q,
			     struct synchmess_msg *msg, size_t copied,
			     bool shared)
{
	if (trace_synchmess_read_enabled())
		synchmess_queue_trace_read(q, msg, copied);
	synchmess_queue_drop(q, msg, shared);
}

/**
 * synchmess_queue_put_back() - return messages whose copy to user memory
 *                              faulted
 * @q:     the queue
 * @msgs:  the messages, oldest first, all taken from the head of the queue
 * @count: how many are on @msgs
 *
 * They go back to the head of the queue, where they were, or to blocked
 * readers, so a fault loses nothing.
 */
void synchmess_queue_put_back(struct synchmess_queue *q,
			      struct list_head *msgs, unsigned int count)
{
	struct synchmess_msg *msg, *next;
	bool dead, polled = false;

	spin_lock(&q->lock);
	dead = q->dead;
	if (!dead) {
		if (q->peeked && q->peeked_out)
			list_for_each_entry(msg, msgs, node)
				if (msg == q->peeked)
					q->peeked_out = false;
		polled = synchmess_queue_add(q, msgs, count, true);
	}
	spin_unlock(&q->lock);

	if (dead) {
		list_for_each_entry_safe(msg, next, msgs, node) {
			list_del(&msg->node);
			synchmess_queue_drop(q, msg, true);
		}
		return;
	}
	if (polled)
		synchmess_queue_wake_pollers(q);
}

/**
 * synchmess_queue_read() - take the oldest message and copy it to user memory
 * @q:    the queue
 * @to:   user buffers, room for at least one byte
 * @wait: how to wait for a message
 * @info: filled with what the message says of itself, unless NULL
 *
 * The whole message is consumed even when @to is shorter than it.
 *
 * Return: the number of bytes copied, at most the room in @to; -EAGAIN,
 * -ETIMEDOUT, -ERESTARTSYS when a signal ended the wait, -EIDRM when the
 * group was removed, or -EFAULT when the copy faulted, the message staying
 * first.
 */
ssize_t synchmess_queue_read(struct synchmess_queue *q, struct iov_iter *to,
			     const struct synchmess_wait *wait,
			     struct synchmess_msg_info *info)
{
	struct synchmess_msg *shared;
	LIST_HEAD(msgs);
	struct synchmess_msg *msg;
	ssize_t copied;
	int n;

	n = synchmess_queue_take_batch(q, &msgs, 1, wait, &shared);
	if (n < 0)
		return n;
	msg = list_first_entry(&msgs, struct synchmess_msg, node);
	copied = synchmess_msg_copy_to(msg, to);
	if (copied < 0) {
		synchmess_queue_put_back(q, &msgs, 1);
		return copied;
	}
	if (info)
		synchmess_msg_describe(msg, info);
	list_del(&msg->node);
	synchmess_queue_consume(q, msg, copied, msg == shared);
	return copied;
}

/* Whether a message waits on the queue, or the group is gone. */
static bool synchmess_queue_ready(struct synchmess_queue *q)
{
	bool ready;

	/* See synchmess_queue_polled(): the lock orders this with publication. */
	spin_lock(&q->lock);
	ready = q->count || q->dead;
	spin_unlock(&q->lock);
	return ready;
}

/*
 * Wait, as a peeker, for a message on the queue; unlike a reader, a peeker
 * takes nothing handed over, so it waits with the pollers.
 */
static int synchmess_queue_wait_ready(struct synchmess_queue *q,
				      const struct synchmess_wait *wait)
{
	int ret;

	if (wait->nonblock)
		return -EAGAIN;
	if (wait->expires == KTIME_MAX)
		return wait_event_interruptible(q->pollers,
						synchmess_queue_ready(q));
	ret = wait_event_interruptible_hrtimeout(q->pollers,
						 synchmess_queue_ready(q),
						 ktime_sub(wait->expires,
							   ktime_get()));
	return ret == -ETIME ? -ETIMEDOUT : ret;
}

/* Pin the oldest message for a peeker; the caller holds q->peek_lock. */
static struct synchmess_msg *synchmess_queue_pin(struct synchmess_queue *q)
{
	struct synchmess_msg *msg;

	spin_lock(&q->lock);
	if (unlikely(q->dead)) {
		msg = ERR_PTR(-EIDRM);
	} else {
		msg = list_first_entry_or_null(&q->msgs, struct synchmess_msg,
					       node);
		q->peeked = msg;
	}
	spin_unlock(&q->lock);
	return msg;
}

/* Let go of the pinned message, and free it if it was taken meanwhile. */
static void synchmess_queue_unpin(struct synchmess_queue *q)
{
	struct synchmess_msg *msg = NULL;

	spin_lock(&q->lock);
	if (q->peeked_taken)
		msg = q->peeked;
	q->peeked = NULL;
	q->peeked_out = false;
	q->peeked_taken = false;
	spin_unlock(&q->lock);
	if (msg)
		synchmess_queue_free_msg(q, msg);
}

/**
 * synchmess_queue_peek() - copy the oldest message, leaving it queued
 * @q:    the queue
 * @to:   user buffers, which may have no room at all
 * @wait: how to wait for a message
 * @info: filled with what the message says of itself
 *
 * The message stays first for readers, who may take it meanwhile; the
 * copy is of what it was when the peek began, as a message never changes.
 *
 * Return: the number of bytes copied, or -EAGAIN, -ETIMEDOUT, -ERESTARTSYS,
 * -EIDRM or -EFAULT.
 */
ssize_t synchmess_queue_peek(struct synchmess_queue *q, struct iov_iter *to,
			     const struct synchmess_wait *wait,
			     struct synchmess_msg_info *info)
{
	struct synchmess_msg *msg;
	ssize_t copied;
	int ret;

	for (;;) {
		if (mutex_lock_interruptible(&q->peek_lock))
			return -ERESTARTSYS;
		msg = synchmess_queue_pin(q);
		if (msg)
			break;
		mutex_unlock(&q->peek_lock);
		ret = synchmess_queue_wait_ready(q, wait);
		if (ret)
			return ret;
	}
	if (IS_ERR(msg)) {
		mutex_unlock(&q->peek_lock);
		return PTR_ERR(msg);
	}
	copied = synchmess_msg_copy_to(msg, to);
	synchmess_msg_describe(msg, info);
	synchmess_queue_unpin(q);
	mutex_unlock(&q->peek_lock);
	return copied;
}

/**
 * synchmess_queue_poll() - report readiness of a group for poll and epoll
 * @q:     the queue
 * @file:  the file being polled
 * @pt:    the poll table
 *
 * The limits are read after the poller is queued, so a raise of a limit
 * is either seen or wakes the poller.
 *
 * Return: EPOLLIN | EPOLLRDNORM while a published message waits,
 * EPOLLOUT | EPOLLWRNORM while stored bytes and messages are below the
 * group's limits, and
 * EPOLLERR | EPOLLHUP alone once the group is removed.
 */
__poll_t synchmess_queue_poll(struct synchmess_queue *q, struct file *file,
			      poll_table *pt)
{
	__poll_t mask = 0;
	unsigned int count;
	s64 usage;
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

	/*
	 * Pairs with the barriers of synchmess_queue_unreserve() and
	 * synchmess_queue_wake_writers().
	 */
	smp_mb();
	usage = atomic64_read(&q->usage);
	if ((u32)usage < synchmess_limit_storage_size(q->limits) &&
	    usage >> SYNCHMESS_QUEUE_MSG_SHIFT <
	    synchmess_limit_messages(q->limits))
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
	struct synchmess_reader *r, *next_r;
	struct synchmess_msg *msg, *next;
	LIST_HEAD(doomed);

	spin_lock(&q->lock);
	q->dead = true;
	/* The peeker frees what it copies. */
	if (q->peeked && !q->peeked_out && !q->peeked_taken) {
		list_del(&q->peeked->node);
		q->peeked_taken = true;
		WRITE_ONCE(q->count, q->count - 1);
	}
	list_splice_init(&q->msgs, &doomed);
	WRITE_ONCE(q->count, 0);
	list_for_each_entry_safe(r, next_r, &q->waiters, node)
		synchmess_queue_hand(q, r, ERR_PTR(-EIDRM));
	spin_unlock(&q->lock);

	list_for_each_entry_safe(msg, next, &doomed, node) {
		synchmess_queue_free_msg(q, msg);
		cond_resched();
	}

	__wake_up(&q->pollers, TASK_NORMAL, 0, poll_to_key(EPOLLERR | EPOLLHUP));
	__wake_up(&q->writable, TASK_NORMAL, 0, poll_to_key(EPOLLERR | EPOLLHUP));
}
