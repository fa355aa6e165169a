// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess barrier.
 *
 * Each awake starts a new generation. A sleeper records the generation it
 * went to sleep in and leaves when it changes, so an awake releases exactly
 * the threads asleep at that moment: a thread that starts sleeping after it
 * waits for the next one, and no wake-up is lost or stale. The wait queue
 * entry of a sleeper lives and dies inside the wait, whatever ends it.
 */
#include <linux/errno.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>

#include "barrier.h"

/**
 * synchmess_barrier_init() - initialise a barrier with nobody asleep
 * @b: the barrier
 */
void synchmess_barrier_init(struct synchmess_barrier *b)
{
	init_waitqueue_head(&b->wq);
	b->generation = 0;
	b->sleepers = 0;
	b->dead = false;
}

/**
 * synchmess_barrier_sleep() - sleep until the next awake
 * @b:       the barrier
 * @expires: CLOCK_MONOTONIC time the sleep ends with -ETIMEDOUT, or
 *           KTIME_MAX
 *
 * The sleep is interruptible and is not restarted after a signal, so a
 * caller never misses an awake silently. A thread woken by an awake returns
 * 0 even when a signal or its timeout comes at the same time, as the awake
 * counted it.
 *
 * Return: 0 once awoken, -EINTR when a signal ended the sleep, -ETIMEDOUT,
 * -EIDRM when the group was removed.
 */
int synchmess_barrier_sleep(struct synchmess_barrier *b, ktime_t expires)
{
	DECLARE_WAITQUEUE(wait, current);
	unsigned long generation;
	bool timed_out = false;
	int ret = 0;

	spin_lock(&b->wq.lock);
	if (unlikely(b->dead)) {
		spin_unlock(&b->wq.lock);
		return -EIDRM;
	}
	generation = b->generation;
	/*
	 * Written under the wait queue's lock, read without it by sysfs
	 * (synchmess_barrier_sleepers()): marked for that reader.
	 */
	WRITE_ONCE(b->sleepers, b->sleepers + 1);

	__add_wait_queue_entry_tail(&b->wq, &wait);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (b->generation != generation || b->dead)
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (timed_out) {
			ret = -ETIMEDOUT;
			break;
		}
		spin_unlock(&b->wq.lock);
		if (expires == KTIME_MAX)
			schedule();
		else
			timed_out = !schedule_hrtimeout_range(&expires,
							      current->timer_slack_ns,
							      HRTIMER_MODE_ABS);
		spin_lock(&b->wq.lock);
	}
	__set_current_state(TASK_RUNNING);
	__remove_wait_queue(&b->wq, &wait);

	/* Whatever ended the wait, the generation says if an awake came. */
	if (b->generation != generation) {
		ret = 0;
	} else {
		WRITE_ONCE(b->sleepers, b->sleepers - 1);
		if (b->dead)
			ret = -EIDRM;
	}
	spin_unlock(&b->wq.lock);

	return ret;
}

/**
 * synchmess_barrier_awake() - wake every thread asleep on the barrier
 * @b: the barrier
 *
 * Return: the number of threads woken, or -EIDRM when the group was
 * removed.
 */
int synchmess_barrier_awake(struct synchmess_barrier *b)
{
	unsigned int woken;

	spin_lock(&b->wq.lock);
	if (unlikely(b->dead)) {
		spin_unlock(&b->wq.lock);
		return -EIDRM;
	}
	woken = b->sleepers;
	WRITE_ONCE(b->sleepers, 0);
	b->generation++;
	if (woken)
		wake_up_all_locked(&b->wq);
	spin_unlock(&b->wq.lock);

	return woken;
}

/**
 * synchmess_barrier_sleepers() - number of threads asleep on the barrier
 * @b: the barrier
 *
 * Return: a snapshot of the count, for reporting only.
 */
unsigned int synchmess_barrier_sleepers(struct synchmess_barrier *b)
{
	/* Without the lock: the writers under it mark their stores. */
	return READ_ONCE(b->sleepers);
}

/**
 * synchmess_barrier_kill() - release every sleeper of a removed group
 * @b: the barrier
 *
 * The sleepers return -EIDRM, and so does every later sleep or awake.
 */
void synchmess_barrier_kill(struct synchmess_barrier *b)
{
	spin_lock(&b->wq.lock);
	b->dead = true;
	wake_up_all_locked(&b->wq);
	spin_unlock(&b->wq.lock);
}
