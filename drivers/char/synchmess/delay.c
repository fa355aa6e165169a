// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess delayed delivery.
 *
 * A group keeps its delayed messages on one list sorted by deadline, with
 * ties in write order, and one delayed work item armed for the earliest
 * deadline. A timer per message would not do: timers due in the same jiffy
 * expire in no defined order, and messages written with the same delay must
 * appear in write order.
 *
 * Deadlines are taken from the monotonic clock, not from jiffies, so that a
 * message is never published before its delay has fully elapsed; the work
 * item may run late, never early, and re-arms itself if woken too soon.
 *
 * The bytes of a delayed message are charged to the group's storage when it
 * is written (see synchmess_queue_reserve()), so publishing it later cannot
 * fail for lack of room.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>

#include "delay.h"

/* Arm the work item for a deadline; caller holds d->lock. */
static void synchmess_delay_arm(struct synchmess_delay *d, ktime_t deadline)
{
	s64 left = ktime_to_ns(ktime_sub(deadline, ktime_get()));
	unsigned long ticks = 0;

	/* Round up, and one more tick since the current one is partly gone. */
	if (left > 0)
		ticks = nsecs_to_jiffies(left) + 1;
	mod_delayed_work(d->wq, &d->work, ticks);
}

/* Free messages that will never be published and give back their storage. */
static void synchmess_delay_discard(struct synchmess_delay *d,
				    struct list_head *msgs)
{
	struct synchmess_msg *msg, *next;

	list_for_each_entry_safe(msg, next, msgs, node) {
		list_del(&msg->node);
		synchmess_queue_unreserve(d->queue, msg->len);
		synchmess_msg_free(msg);
	}
}

/* Publish messages taken off @pending; caller holds d->lock. */
static int synchmess_delay_publish(struct synchmess_delay *d,
				   struct list_head *msgs, unsigned int count)
{
	int ret;

	if (!count)
		return 0;
	ret = synchmess_queue_publish(d->queue, msgs, count);
	if (ret)
		synchmess_delay_discard(d, msgs);
	return ret;
}

/**
 * synchmess_delay_work() - publish the messages that are due
 * @work: the work item of a group's delayed delivery
 *
 * Publishes, in deadline order, every message whose deadline has passed,
 * and arms itself again for the earliest deadline left.
 */
static void synchmess_delay_work(struct work_struct *work)
{
	struct synchmess_delay *d = container_of(to_delayed_work(work),
						 struct synchmess_delay, work);
	struct synchmess_msg *msg;
	unsigned int count = 0;
	LIST_HEAD(due);
	ktime_t now;

	mutex_lock(&d->lock);
	now = ktime_get();
	list_for_each_entry(msg, &d->pending, node) {
		if (ktime_after(msg->deadline, now)) {
			synchmess_delay_arm(d, msg->deadline);
			break;
		}
		count++;
	}
	/* At the end of the walk &msg->node is the list head: take all. */
	list_cut_before(&due, &d->pending, &msg->node);
	WRITE_ONCE(d->count, d->count - count);
	synchmess_delay_publish(d, &due, count);
	mutex_unlock(&d->lock);
}

/**
 * synchmess_delay_init() - initialise the delayed delivery of a group
 * @d:     the delayed delivery state
 * @queue: queue of the group, where due messages are published
 * @wq:    workqueue to run publication on
 */
void synchmess_delay_init(struct synchmess_delay *d,
			  struct synchmess_queue *queue,
			  struct workqueue_struct *wq)
{
	mutex_init(&d->lock);
	INIT_LIST_HEAD(&d->pending);
	d->count = 0;
	d->dead = false;
	d->send_delay_ms = 0;
	INIT_DELAYED_WORK(&d->work, synchmess_delay_work);
	d->wq = wq;
	d->queue = queue;
}

/**
 * synchmess_delay_set() - set the delay of later writes
 * @d:  the delayed delivery state
 * @ms: delay in milliseconds, 0 to publish at once; the caller checks it
 *      against SYNCHMESS_MAX_SEND_DELAY_MS
 *
 * Messages already pending keep their own deadline.
 */
void synchmess_delay_set(struct synchmess_delay *d, u32 ms)
{
	WRITE_ONCE(d->send_delay_ms, ms);
}

/**
 * synchmess_delay_get() - current send delay
 * @d: the delayed delivery state
 *
 * Return: the delay of later writes in milliseconds.
 */
u32 synchmess_delay_get(struct synchmess_delay *d)
{
	return READ_ONCE(d->send_delay_ms);
}

/**
 * synchmess_delay_post() - hold a message back for @ms milliseconds
 * @d:   the delayed delivery state
 * @msg: the message, its storage already reserved
 * @ms:  delay from now
 *
 * Return: 0, or -EIDRM when the group was removed; the caller then still
 * owns @msg.
 */
int synchmess_delay_post(struct synchmess_delay *d, struct synchmess_msg *msg,
			 u32 ms)
{
	struct synchmess_msg *pos;

	msg->deadline = ktime_add_ms(ktime_get(), ms);

	mutex_lock(&d->lock);
	if (unlikely(d->dead)) {
		mutex_unlock(&d->lock);
		return -EIDRM;
	}
	/*
	 * Walk from the tail: with one delay for every write the new message
	 * goes last at once, keeping the cost per message constant.
	 */
	list_for_each_entry_reverse(pos, &d->pending, node) {
		if (!ktime_after(pos->deadline, msg->deadline))
			break;
	}
	list_add(&msg->node, &pos->node);
	WRITE_ONCE(d->count, d->count + 1);
	if (list_first_entry(&d->pending, struct synchmess_msg, node) == msg)
		synchmess_delay_arm(d, msg->deadline);
	mutex_unlock(&d->lock);

	return 0;
}

/**
 * synchmess_delay_flush() - publish every pending message now, in order
 * @d: the delayed delivery state
 *
 * The messages are on the published queue when this returns.
 *
 * Return: 0, or -EIDRM when the group was removed.
 */
int synchmess_delay_flush(struct synchmess_delay *d)
{
	unsigned int count;
	LIST_HEAD(due);
	int ret;

	mutex_lock(&d->lock);
	if (unlikely(d->dead)) {
		mutex_unlock(&d->lock);
		return -EIDRM;
	}
	list_splice_init(&d->pending, &due);
	count = d->count;
	WRITE_ONCE(d->count, 0);
	ret = synchmess_delay_publish(d, &due, count);
	mutex_unlock(&d->lock);

	return ret;
}

/**
 * synchmess_delay_revoke() - drop every pending message
 * @d: the delayed delivery state
 *
 * Published messages are not touched.
 *
 * Return: the number of messages dropped, or -EIDRM when the group was
 * removed.
 */
int synchmess_delay_revoke(struct synchmess_delay *d)
{
	unsigned int count;
	LIST_HEAD(revoked);

	mutex_lock(&d->lock);
	if (unlikely(d->dead)) {
		mutex_unlock(&d->lock);
		return -EIDRM;
	}
	list_splice_init(&d->pending, &revoked);
	count = d->count;
	WRITE_ONCE(d->count, 0);
	mutex_unlock(&d->lock);

	synchmess_delay_discard(d, &revoked);
	return count;
}

/**
 * synchmess_delay_kill() - stop delayed delivery of a removed group
 * @d: the delayed delivery state
 *
 * Frees every pending message and waits for a running publication to end.
 * Must not be called with @d->lock held: the work item takes it.
 */
void synchmess_delay_kill(struct synchmess_delay *d)
{
	LIST_HEAD(doomed);

	mutex_lock(&d->lock);
	d->dead = true;
	list_splice_init(&d->pending, &doomed);
	WRITE_ONCE(d->count, 0);
	mutex_unlock(&d->lock);

	/* The work item sees nothing pending now and will not re-arm. */
	cancel_delayed_work_sync(&d->work);
	synchmess_delay_discard(d, &doomed);
}
