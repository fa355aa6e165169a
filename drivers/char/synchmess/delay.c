// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess delayed delivery.
 *
 * A group keeps its delayed messages in deadline order, ties in write
 * order, in two sequences, and one high-resolution timer armed for the
 * earliest deadline, so a message is published as soon after its deadline
 * as the kernel's timers allow, whatever the length of the delay: a jiffy
 * timer would add up to a tick, and the timer wheel rounds long delays up by
 * as much as an eighth of their length.
 *
 * Deadlines come from the monotonic clock, taken under the lock, so the
 * writes of one delay come in deadline order. Such a write goes to the end
 * of @appended, a list, in constant time; only a write due before the last
 * pending message goes to @inserted, a tree, in O(log n). Publication
 * merges the two. The list is what makes a flush cheap: one of a million
 * pending messages of one delay took 494 ms as a walk of the tree, 24 us
 * as one splice of the list (synchmess_bench, 2026-11-28); taken a chunk
 * at a time, each message stamped, about 32 ms now. Every message of
 * @inserted is due before the last of @appended, which a publication
 * takes only with everything due before it, so @inserted is empty
 * whenever @appended is, and of two messages with the same deadline the
 * one in @appended was written first. With one delay @inserted stays
 * empty, and publication takes each message from the head of @appended
 * in constant time, noting in it when it was published.
 *
 * A burst of writes of one delay among others pending goes to @inserted in
 * constant time too: each goes right after the one before it (@hint) when
 * it is due before that one's successor (@hint_next). With 100,000 pending
 * of eight delays, a descent from the root made such a write 30% slower
 * than one into an empty group, the hint 10% (synchmess_bench,
 * 2026-12-03). Publication takes messages from the front only, so it ends
 * @hint before @hint_next, and every insertion moves both.
 *
 * The timer fires in interrupt context, where nothing may sleep; it only
 * queues the work item that publishes, which takes the group's mutex and
 * moves what is due to the published queue a chunk at a time, each chunk
 * in one splice. Nothing is held with preemption off for time that grows
 * with the length of a batch.
 *
 * Nor is d->lock held for long: a batch (a flush, a revoke, a removal or
 * what comes due at once) is taken SYNCHMESS_DELAY_CHUNK messages at a
 * time, and the lock is given up between chunks, so a write waits for one
 * chunk at most. Whoever takes the
 * lock in between keeps every promise: a delayed write goes in by its
 * deadline, after the ones being published; an immediate write still
 * finds @next passed, since @next moves only once the whole batch is out,
 * so it publishes what is due itself, behind the chunks already out, and
 * its own message last.
 *
 * Every publication of delayed messages happens under d->lock, and @next
 * moves past a deadline only once the messages due by it are on the
 * queue; an immediate write that finds @next passed publishes under the
 * lock, behind them. So a message whose deadline has passed is never
 * overtaken by a write made after that deadline.
 *
 *   event                 under d->lock                        after it
 *   write with a delay    append, or insert if due before      -
 *                         the last; if it is the earliest,
 *                         arm the timer for it
 *   write, no delay,      publish what is due, then the        -
 *   @next passed          new message; move @next
 *   timer fires           (interrupt context, no lock)         queue @work
 *   @work                 publish what is due; move @next;     -
 *                         arm the timer for the earliest left
 *   flush (fsync, close)  publish all; @next = none            -
 *   revoke                publish what is due; take the rest;  free them
 *                         @next = none
 *   removal               @dead; take all; @next = none        cancel timer
 *                                                              and @work,
 *                                                              free them
 *
 * Every row but the first two gives the lock up between chunks; revoke and
 * removal free each chunk meanwhile.
 *
 * The bytes of a delayed message count against the group's storage when it
 * is written (see synchmess_queue_reserve()), so publishing it later cannot
 * fail for lack of room.
 */
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/sched.h>
#include <linux/sched/rt.h>
#include <linux/wait_bit.h>

#include "delay.h"
#include "trace.h"

/*
 * Messages taken from the two sequences in one hold of d->lock: the most
 * a write waits for, whatever the length of another call's batch.
 */
#define SYNCHMESS_DELAY_CHUNK	1024

/* The earliest message of @appended, NULL when it is empty. */
static struct synchmess_msg *
synchmess_delay_first_appended(struct synchmess_delay *d)
{
	return list_first_entry_or_null(&d->appended, struct synchmess_msg,
					node);
}

/* The earliest message of @inserted, NULL when it is empty. */
static struct synchmess_msg *
synchmess_delay_first_inserted(struct synchmess_delay *d)
{
	return rb_entry_safe(rb_first_cached(&d->inserted),
			     struct synchmess_msg, rb);
}

/* The earliest pending message; of two due at once, the appended one. */
static struct synchmess_msg *synchmess_delay_first(struct synchmess_delay *d)
{
	struct synchmess_msg *appended = synchmess_delay_first_appended(d);
	struct synchmess_msg *inserted = synchmess_delay_first_inserted(d);

	if (inserted && (!appended ||
			 ktime_before(inserted->deadline, appended->deadline)))
		return inserted;
	return appended;
}

/* Whether a delayed message is due, without taking d->lock. */
static bool synchmess_delay_due(struct synchmess_delay *d)
{
	/* Pairs with atomic64_set_release() in synchmess_delay_done(). */
	s64 next = atomic64_read_acquire(&d->next);

	/* Nothing pending, the common case, needs no clock. */
	return next != S64_MAX && next <= ktime_get();
}

/* The latest pending message, NULL when none is. */
static struct synchmess_msg *synchmess_delay_last(struct synchmess_delay *d)
{
	if (list_empty(&d->appended))
		return NULL;
	return list_last_entry(&d->appended, struct synchmess_msg, node);
}

/*
 * Where @msg goes when its place is right after @hint, the message
 * inserted before it: the link to fill, its parent in *@parent. NULL when
 * its place is elsewhere.
 */
static struct rb_node **synchmess_delay_hinted_link(struct synchmess_delay *d,
						    struct synchmess_msg *msg,
						    struct rb_node **parent)
{
	struct rb_node *hint;

	if (!d->hint || ktime_before(msg->deadline, d->hint->deadline))
		return NULL;
	/* On a tie the successor, written first, stays before @msg. */
	if (d->hint_next &&
	    !ktime_before(msg->deadline, d->hint_next->deadline))
		return NULL;
	hint = &d->hint->rb;
	if (!hint->rb_right) {
		*parent = hint;
		return &hint->rb_right;
	}
	/* The successor is the leftmost node under @hint's right child. */
	*parent = &d->hint_next->rb;
	return &d->hint_next->rb.rb_left;
}

/* Insert @msg into @inserted by deadline, after those with the same one. */
static void synchmess_delay_insert(struct synchmess_delay *d,
				   struct synchmess_msg *msg)
{
	struct rb_node **link, *parent = NULL;
	struct synchmess_msg *pos;
	bool leftmost = false;

	link = synchmess_delay_hinted_link(d, msg, &parent);
	if (!link) {
		link = &d->inserted.rb_root.rb_node;
		leftmost = true;
		d->hint_next = NULL;
	}
	/* The successor of @msg is where the descent last turns left. */
	while (*link) {
		parent = *link;
		pos = rb_entry(parent, struct synchmess_msg, rb);
		if (ktime_before(msg->deadline, pos->deadline)) {
			link = &parent->rb_left;
			d->hint_next = pos;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&msg->rb, parent, link);
	rb_insert_color_cached(&msg->rb, &d->inserted, leftmost);
	d->hint = msg;
}

/* Add @msg to the pending messages, by its deadline. */
static void synchmess_delay_add(struct synchmess_delay *d,
				struct synchmess_msg *msg)
{
	struct synchmess_msg *last = synchmess_delay_last(d);

	lockdep_assert_held(&d->lock);
	if (last && ktime_before(msg->deadline, last->deadline))
		synchmess_delay_insert(d, msg);
	else
		list_add_tail(&msg->node, &d->appended);
	WRITE_ONCE(d->count, d->count + 1);
}

/*
 * Move at most SYNCHMESS_DELAY_CHUNK of the messages due by @until,
 * earliest first, to @msgs, noting the time in each, and return how many.
 * @next is left for synchmess_delay_done() to move.
 */
static unsigned int synchmess_delay_take(struct synchmess_delay *d,
					 ktime_t until, struct list_head *msgs)
{
	ktime_t now = ktime_get();
	struct synchmess_msg *msg;
	unsigned int count = 0;

	lockdep_assert_held(&d->lock);
	while (count < SYNCHMESS_DELAY_CHUNK &&
	       (msg = synchmess_delay_first(d)) &&
	       !ktime_after(msg->deadline, until)) {
		if (msg == synchmess_delay_first_inserted(d)) {
			rb_erase_cached(&msg->rb, &d->inserted);
			if (msg == d->hint)
				d->hint = NULL;
		} else {
			list_del(&msg->node);
		}
		list_add_tail(&msg->node, msgs);
		/* Only now: it shares its place with the tree's link. */
		msg->published = now;
		count++;
	}
	WRITE_ONCE(d->count, d->count - count);
	return count;
}

/*
 * After what was taken is published or dropped: note the earliest deadline
 * left, and arm the timer for it when @arm.
 */
static void synchmess_delay_done(struct synchmess_delay *d, bool arm)
{
	struct synchmess_msg *first = synchmess_delay_first(d);
	s64 next = first ? ktime_to_ns(first->deadline) : S64_MAX;

	lockdep_assert_held(&d->lock);
	/* Pairs with atomic64_read_acquire() in synchmess_delay_due(). */
	atomic64_set_release(&d->next, next);
	if (first && arm)
		hrtimer_start(&d->timer, first->deadline, HRTIMER_MODE_ABS);
}

/* Free messages that will never be published and give back their storage. */
static void synchmess_delay_discard(struct synchmess_delay *d,
				    struct list_head *msgs)
{
	struct synchmess_msg *msg, *next;

	list_for_each_entry_safe(msg, next, msgs, node) {
		list_del(&msg->node);
		synchmess_queue_free_msg(d->queue, msg);
		cond_resched();
	}
}

/*
 * Publish messages taken off the tree; the caller holds d->lock and has
 * seen the group alive. The event goes first: a message on the queue may
 * be read at once, and its read must not be traced before its publication.
 * Nor can the event be wrong: removal sets @dead under d->lock before the
 * queue dies, so the queue takes the messages.
 */
static int synchmess_delay_publish(struct synchmess_delay *d,
				   struct list_head *msgs, unsigned int count,
				   enum synchmess_publish_reason reason)
{
	int ret;

	lockdep_assert_held(&d->lock);
	if (!count)
		return 0;
	trace_synchmess_publish(d->queue->id, count, reason);
	ret = synchmess_queue_publish(d->queue, msgs, count);
	if (ret)
		synchmess_delay_discard(d, msgs);
	return ret;
}

/* Whether a message due by @until is left. */
static bool synchmess_delay_left(struct synchmess_delay *d, ktime_t until)
{
	struct synchmess_msg *first = synchmess_delay_first(d);

	return first && !ktime_after(first->deadline, until);
}

/*
 * Give the writes waiting for d->lock a turn between two chunks of a
 * batch. A mutex may go back to its last owner before a waiter gets to
 * run, so the batch waits until as many writes as were waiting got the
 * lock. Returns false when the group was removed meanwhile.
 */
static bool synchmess_delay_relock(struct synchmess_delay *d)
{
	int passed = atomic_read(&d->passed);
	int waiting = atomic_read(&d->writers);

	mutex_unlock(&d->lock);
	if (waiting)
		wait_var_event(&d->passed,
			       atomic_read(&d->passed) - passed >= waiting);
	cond_resched();
	mutex_lock(&d->lock);
	return !d->dead;
}

/*
 * Publish every message due by @until, a chunk at a time, for @reason; the
 * caller holds d->lock, which is given up between chunks (see the table
 * above). Returns how many were published, or -EIDRM when the group was
 * removed.
 */
static int synchmess_delay_publish_until(struct synchmess_delay *d,
					 ktime_t until,
					 enum synchmess_publish_reason reason)
{
	unsigned int count, published = 0;
	LIST_HEAD(msgs);
	int ret;

	for (;;) {
		count = synchmess_delay_take(d, until, &msgs);
		ret = synchmess_delay_publish(d, &msgs, count, reason);
		if (!ret)
			published += count;
		if (ret || !synchmess_delay_left(d, until))
			break;
		if (!synchmess_delay_relock(d)) {
			ret = -EIDRM;
			break;
		}
	}
	return ret ? ret : published;
}

/* Publish every message due by now; the caller holds d->lock. */
static void synchmess_delay_publish_due(struct synchmess_delay *d,
					enum synchmess_publish_reason reason)
{
	if (synchmess_delay_publish_until(d, ktime_get(), reason) >= 0)
		synchmess_delay_done(d, true);
}

static void synchmess_delay_work(struct work_struct *work)
{
	struct synchmess_delay *d = container_of(work, struct synchmess_delay,
						 work);

	mutex_lock(&d->lock);
	if (!d->dead)
		synchmess_delay_publish_due(d, SYNCHMESS_PUBLISH_DUE);
	mutex_unlock(&d->lock);
}

/*
 * The next online CPU after @cpu, or @cpu itself when it is the only one.
 * In interrupt context the online mask cannot change under us: a CPU goes
 * down while every other one waits with interrupts off.
 */
static unsigned int synchmess_next_online_cpu(unsigned int cpu)
{
	unsigned int next = cpumask_next(cpu, cpu_online_mask);

	return next < nr_cpu_ids ? next : cpumask_first(cpu_online_mask);
}

static enum hrtimer_restart synchmess_delay_timer(struct hrtimer *timer)
{
	struct synchmess_delay *d = container_of(timer, struct synchmess_delay,
						 timer);
	unsigned int cpu = smp_processor_id();

	/*
	 * The high-priority worker of this CPU wakes at once. A real-time
	 * task holding this CPU would keep it from running for as long as it
	 * likes, and an unbound worker may be placed behind that task too
	 * (arm64 guests waited up to 500 ms with the other CPU idle); the
	 * worker of another CPU runs there.
	 */
	if (rt_or_dl_task(current))
		cpu = synchmess_next_online_cpu(cpu);
	queue_work_on(cpu, d->wq, &d->work);
	return HRTIMER_NORESTART;
}

/**
 * synchmess_delay_init() - initialise the delayed delivery of a group
 * @d:     the delayed delivery state
 * @queue: queue of the group, where due messages are published
 * @wq:    per-CPU workqueue to run publication on
 */
void synchmess_delay_init(struct synchmess_delay *d,
			  struct synchmess_queue *queue,
			  struct workqueue_struct *wq)
{
	mutex_init(&d->lock);
	INIT_LIST_HEAD(&d->appended);
	d->inserted = RB_ROOT_CACHED;
	d->hint = NULL;
	d->hint_next = NULL;
	d->count = 0;
	d->dead = false;
	d->send_delay_ms = 0;
	/* atomic64_set() of a constant trips sparse on i386, which splits it. */
	d->next = (atomic64_t)ATOMIC64_INIT(S64_MAX);
	atomic_set(&d->writers, 0);
	atomic_set(&d->passed, 0);
	hrtimer_init(&d->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	d->timer.function = synchmess_delay_timer;
	INIT_WORK(&d->work, synchmess_delay_work);
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

/*
 * Take d->lock for a write, or fail with -EAGAIN when that would wait and
 * @nowait; a fatal signal ends the wait (-EINTR), which is at most a chunk
 * of another call's batch anyway.
 */
static int synchmess_delay_lock(struct synchmess_delay *d, bool nowait)
{
	int ret;

	if (nowait)
		return mutex_trylock(&d->lock) ? 0 : -EAGAIN;
	atomic_inc(&d->writers);
	ret = mutex_lock_killable(&d->lock);
	atomic_dec(&d->writers);
	/* Let a batch waiting in synchmess_delay_relock() go on. */
	atomic_inc(&d->passed);
	wake_up_var(&d->passed);
	return ret;
}

/**
 * synchmess_delay_post() - hold a message back for @ms milliseconds
 * @d:      the delayed delivery state
 * @msg:    the message, its storage already reserved
 * @ms:     delay from now, not zero
 * @nowait: fail with -EAGAIN rather than wait for the lock (IOCB_NOWAIT)
 *
 * Return: 0, -EAGAIN, -EINTR on a fatal signal, or -EIDRM when the group
 * was removed; on error the caller still owns @msg.
 */
int synchmess_delay_post(struct synchmess_delay *d, struct synchmess_msg *msg,
			 u32 ms, bool nowait)
{
	int ret;

	ret = synchmess_delay_lock(d, nowait);
	if (ret)
		return ret;
	if (unlikely(d->dead)) {
		mutex_unlock(&d->lock);
		return -EIDRM;
	}
	msg->deadline = ktime_add_ms(ktime_get(), ms);
	msg->delay_ms = ms;
	/* Under the lock that its publication will take, so before it. */
	trace_synchmess_write(d->queue->id, msg->len, ms);
	synchmess_delay_add(d, msg);
	if (synchmess_delay_first(d) == msg)
		synchmess_delay_done(d, true);
	mutex_unlock(&d->lock);

	return 0;
}

/*
 * Trace writes without a delay before they can be read, so that no read's
 * event comes before its write's.
 */
static void synchmess_delay_trace_writes(struct synchmess_delay *d,
					 struct list_head *msgs)
{
	struct synchmess_msg *msg;

	if (!trace_synchmess_write_enabled())
		return;
	list_for_each_entry(msg, msgs, node)
		trace_synchmess_write(d->queue->id, msg->len, 0);
}

/**
 * synchmess_delay_post_now() - publish messages written without a delay
 * @d:      the delayed delivery state
 * @msgs:   the messages, in order, their storage already reserved; emptied
 *          on success
 * @count:  how many are on @msgs
 * @nowait: fail with -EAGAIN rather than wait for the lock (IOCB_NOWAIT)
 *
 * The messages go behind every delayed message whose deadline has passed,
 * even when the timer has not published them yet, and side by side.
 *
 * Return: 0, -EAGAIN, -EINTR on a fatal signal, or -EIDRM when the group
 * was removed; on error the caller still owns the messages on @msgs.
 */
int synchmess_delay_post_now(struct synchmess_delay *d, struct list_head *msgs,
			     unsigned int count, bool nowait)
{
	int ret;

	if (likely(!synchmess_delay_due(d))) {
		/* A removal meanwhile makes it -EIDRM, traced as refused. */
		synchmess_delay_trace_writes(d, msgs);
		return synchmess_queue_publish(d->queue, msgs, count);
	}

	ret = synchmess_delay_lock(d, nowait);
	if (ret)
		return ret;
	if (likely(!d->dead)) {
		synchmess_delay_publish_due(d, SYNCHMESS_PUBLISH_IMMEDIATE);
		synchmess_delay_trace_writes(d, msgs);
		ret = synchmess_queue_publish(d->queue, msgs, count);
	} else {
		ret = -EIDRM;
	}
	mutex_unlock(&d->lock);

	return ret;
}

/**
 * synchmess_delay_flush() - publish every pending message now, in order
 * @d: the delayed delivery state
 *
 * The messages are on the published queue when this returns.
 *
 * Return: how many were published, or -EIDRM when the group was removed.
 */
int synchmess_delay_flush(struct synchmess_delay *d)
{
	int ret = -EIDRM;

	mutex_lock(&d->lock);
	if (likely(!d->dead)) {
		ret = synchmess_delay_publish_until(d, KTIME_MAX,
						    SYNCHMESS_PUBLISH_FLUSH);
		if (ret >= 0)
			synchmess_delay_done(d, false);
	}
	mutex_unlock(&d->lock);

	return ret;
}

/**
 * synchmess_delay_revoke() - drop every pending message not due yet
 * @d: the delayed delivery state
 *
 * Once due, a message counts as published, as for the rule that no later
 * write overtakes it: one the work item has not published yet is
 * published first. Published messages are not touched.
 *
 * Return: the number of messages dropped, or -EIDRM when the group was
 * removed.
 */
int synchmess_delay_revoke(struct synchmess_delay *d)
{
	unsigned int count = 0;
	LIST_HEAD(revoked);
	int ret;

	mutex_lock(&d->lock);
	ret = d->dead ? -EIDRM :
	      synchmess_delay_publish_until(d, ktime_get(),
					    SYNCHMESS_PUBLISH_REVOKE);
	if (ret > 0)
		ret = 0;
	while (!ret) {
		count += synchmess_delay_take(d, KTIME_MAX, &revoked);
		if (!synchmess_delay_left(d, KTIME_MAX))
			break;
		/* Free this chunk while writers get their turn. */
		mutex_unlock(&d->lock);
		synchmess_delay_discard(d, &revoked);
		mutex_lock(&d->lock);
		/* Removal took the rest; what was dropped stays dropped. */
		if (d->dead)
			break;
	}
	if (!d->dead)
		synchmess_delay_done(d, false);
	mutex_unlock(&d->lock);

	synchmess_delay_discard(d, &revoked);
	if (ret)
		return ret;
	trace_synchmess_revoke(d->queue->id, count);
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
	synchmess_delay_take(d, KTIME_MAX, &doomed);
	while (synchmess_delay_left(d, KTIME_MAX)) {
		/* Everyone else sees @dead and leaves the rest to us. */
		mutex_unlock(&d->lock);
		synchmess_delay_discard(d, &doomed);
		mutex_lock(&d->lock);
		synchmess_delay_take(d, KTIME_MAX, &doomed);
	}
	synchmess_delay_done(d, false);
	mutex_unlock(&d->lock);

	/*
	 * The timer may queue the work item once more; the work item sees
	 * @dead and arms nothing, so after both nothing runs again.
	 */
	hrtimer_cancel(&d->timer);
	cancel_work_sync(&d->work);
	synchmess_delay_discard(d, &doomed);
}
