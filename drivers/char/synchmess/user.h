/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess users: what each user holds, against the per-user quotas.
 */
#ifndef _SYNCHMESS_USER_H
#define _SYNCHMESS_USER_H

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uidgid.h>

#include "limits.h"

struct seq_file;

/**
 * struct synchmess_user - what one user holds
 * @node:   link in the table of users, by @uid
 * @rcu:    frees the record after lockless lookups are done with it
 * @uid:    the user
 * @ref:    held by each group the user owns and each message it wrote
 *          in a group it does not own
 * @groups: groups the user installed that are not freed yet
 * @memory: memory the messages the user wrote hold, as they are charged
 */
struct synchmess_user {
	struct hlist_node node;
	struct rcu_head rcu;
	kuid_t uid;
	refcount_t ref;
	atomic_t groups;
	atomic_long_t memory;
};

struct synchmess_user *synchmess_user_get(kuid_t uid);
void synchmess_user_put(struct synchmess_user *user);
int synchmess_user_charge_group(struct synchmess_user *user);
void synchmess_user_uncharge_group(struct synchmess_user *user);
void synchmess_user_show(struct seq_file *m);

/**
 * synchmess_user_charge_memory() - charge a message to its writer
 * @user:   the writer's record
 * @charge: what the message is charged, from synchmess_msg_charge()
 *
 * Only a write that would pass the quota asks for CAP_SYS_RESOURCE, so the
 * common case costs one atomic operation; inline, as every write calls it.
 *
 * Return: 0, or -EDQUOT past max_user_memory without CAP_SYS_RESOURCE.
 */
static inline int synchmess_user_charge_memory(struct synchmess_user *user,
					       size_t charge)
{
	unsigned long limit = synchmess_max_user_memory();
	long held = atomic_long_read(&user->memory);
	bool exempt = false;

	do {
		if (!exempt && (charge > limit ||
				(unsigned long)held > limit - charge)) {
			if (!capable(CAP_SYS_RESOURCE))
				return -EDQUOT;
			exempt = true;
		}
	} while (!atomic_long_try_cmpxchg(&user->memory, &held, held + charge));

	return 0;
}

/**
 * synchmess_user_uncharge_memory() - give back what
 *                                    synchmess_user_charge_memory() charged
 * @user:   the writer's record
 * @charge: what the message was charged
 */
static inline void
synchmess_user_uncharge_memory(struct synchmess_user *user, size_t charge)
{
	atomic_long_sub(charge, &user->memory);
}

#endif /* _SYNCHMESS_USER_H */
