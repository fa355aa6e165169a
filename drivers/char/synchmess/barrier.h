/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess barrier: threads sleep on a group's barrier until the next
 * awake on the same group.
 */
#ifndef _SYNCHMESS_BARRIER_H
#define _SYNCHMESS_BARRIER_H

#include <linux/ktime.h>
#include <linux/types.h>
#include <linux/wait.h>

/**
 * struct synchmess_barrier - the barrier of one group
 * @wq:         sleepers; its lock protects the fields below
 * @generation: bumped by every awake; a sleeper leaves once it changes
 * @sleepers:   threads asleep in the current generation
 * @dead:       set once the group is removed
 */
struct synchmess_barrier {
	wait_queue_head_t wq;
	unsigned long generation;
	unsigned int sleepers;
	bool dead;
};

void synchmess_barrier_init(struct synchmess_barrier *b);
int synchmess_barrier_sleep(struct synchmess_barrier *b, ktime_t expires);
int synchmess_barrier_awake(struct synchmess_barrier *b);
unsigned int synchmess_barrier_sleepers(struct synchmess_barrier *b);
void synchmess_barrier_kill(struct synchmess_barrier *b);

#endif /* _SYNCHMESS_BARRIER_H */
