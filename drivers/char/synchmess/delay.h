/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess delayed delivery: messages written while a group has a send
 * delay wait here until their deadline, a flush, a revoke or removal.
 */
#ifndef _SYNCHMESS_DELAY_H
#define _SYNCHMESS_DELAY_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "msgqueue.h"

/**
 * struct synchmess_delay - pending delayed messages of one group
 * @lock:          protects @appended, @inserted, @hint, @hint_next, @count
 *                 and @dead, and orders every publication of delayed
 *                 messages, so that they keep their order and no later
 *                 write overtakes a due one
 * @appended:      delayed messages written in deadline order: those not
 *                 due before the latest pending one when written
 * @inserted:      the other delayed messages, by deadline, ties in write
 *                 order; each is due before the last of @appended
 * @hint:          the message last inserted into @inserted, while it is
 *                 there; the next one often goes right after it
 * @hint_next:     the message after @hint in @inserted, NULL when none is
 * @count:         number of delayed messages
 * @dead:          set once the group is removed
 * @send_delay_ms: delay applied to later writes, 0 to publish at once
 * @next:          earliest pending deadline, in ns, S64_MAX when none;
 *                 changed only after what was due is on the queue
 * @writers:       writes waiting for @lock
 * @passed:        writes that got @lock (or gave up), ever: a long batch
 *                 lets those waiting when it pauses through first
 * @timer:         fires at the earliest deadline, to run @work
 * @work:          publishes the messages that are due
 * @wq:            per-CPU workqueue @work runs on: the timer's CPU, or
 *                 the next one when a real-time task holds it
 * @queue:         where due messages are published
 */
struct synchmess_delay {
	struct mutex lock;	/* orders publication against flush and revoke */
	struct list_head appended;
	struct rb_root_cached inserted;
	struct synchmess_msg *hint;
	struct synchmess_msg *hint_next;
	unsigned int count;
	bool dead;
	u32 send_delay_ms;
	atomic64_t next;
	atomic_t writers;
	atomic_t passed;
	struct hrtimer timer;
	struct work_struct work;
	struct workqueue_struct *wq;
	struct synchmess_queue *queue;
};

void synchmess_delay_init(struct synchmess_delay *d,
			  struct synchmess_queue *queue,
			  struct workqueue_struct *wq);
void synchmess_delay_set(struct synchmess_delay *d, u32 ms);
int synchmess_delay_post(struct synchmess_delay *d, struct synchmess_msg *msg,
			 u32 ms, bool nowait);
int synchmess_delay_post_now(struct synchmess_delay *d, struct list_head *msgs,
			     unsigned int count, bool nowait);
int synchmess_delay_flush(struct synchmess_delay *d);
int synchmess_delay_revoke(struct synchmess_delay *d);
void synchmess_delay_kill(struct synchmess_delay *d);

/**
 * synchmess_delay_get() - current send delay
 * @d: the delayed delivery state
 *
 * Return: the delay of later writes in milliseconds.
 */
static inline u32 synchmess_delay_get(struct synchmess_delay *d)
{
	return READ_ONCE(d->send_delay_ms);
}

#endif /* _SYNCHMESS_DELAY_H */
