// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess users and their quotas.
 *
 * One user must not take every group nor pin every group's storage, so
 * each user has a record of the groups it installed and of the memory its
 * messages hold, held to max_user_groups and max_user_memory as keyrings
 * hold a key_user to its quota: past either, -EDQUOT. CAP_SYS_RESOURCE
 * is exempt, as from POSIX queues' hard limits.
 *
 * A group holds a reference on its owner's record until the group's memory
 * is freed, a removed group kept open included; a message of another
 * writer holds one on its writer's until it is freed, read, revoked or
 * dropped with its group (the owner's messages need none: no message
 * outlives its group). The record goes once the last reference does. Lookups take no lock: the
 * table changes under synchmess_users_lock, and a record is freed after an
 * RCU grace period.
 */
#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/lockdep.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "limits.h"
#include "user.h"

static DEFINE_SPINLOCK(synchmess_users_lock);
static DEFINE_HASHTABLE(synchmess_users, 6);

static struct synchmess_user *synchmess_user_find(kuid_t uid)
{
	struct synchmess_user *user;

	/* Under rcu_read_lock(), or synchmess_users_lock. */
	hash_for_each_possible_rcu(synchmess_users, user, node, __kuid_val(uid),
				   lockdep_is_held(&synchmess_users_lock))
		if (uid_eq(user->uid, uid) && refcount_inc_not_zero(&user->ref))
			return user;
	return NULL;
}

/**
 * synchmess_user_get() - the record of a user, made if it has none
 * @uid: the user
 *
 * Return: the record, with a reference for the caller, or NULL when out of
 * memory.
 */
struct synchmess_user *synchmess_user_get(kuid_t uid)
{
	struct synchmess_user *user, *found;

	rcu_read_lock();
	user = synchmess_user_find(uid);
	rcu_read_unlock();
	if (user)
		return user;

	user = kzalloc(sizeof(*user), GFP_KERNEL_ACCOUNT);
	if (!user)
		return NULL;
	user->uid = uid;
	refcount_set(&user->ref, 1);

	/* Another task may have made it meanwhile. */
	spin_lock(&synchmess_users_lock);
	found = synchmess_user_find(uid);
	if (!found)
		hash_add_rcu(synchmess_users, &user->node, __kuid_val(uid));
	spin_unlock(&synchmess_users_lock);
	if (found) {
		kfree(user);
		return found;
	}
	return user;
}

/**
 * synchmess_user_put() - drop a reference taken by synchmess_user_get()
 * @user: the record
 */
void synchmess_user_put(struct synchmess_user *user)
{
	/*
	 * One atomic operation, as a message's writer drops its reference on
	 * every read: a record at zero may stay in the table for a moment,
	 * where lookups pass over it (refcount_inc_not_zero()) and may add a
	 * new record for the same user beside it.
	 */
	if (!refcount_dec_and_test(&user->ref))
		return;
	spin_lock(&synchmess_users_lock);
	hash_del_rcu(&user->node);
	spin_unlock(&synchmess_users_lock);
	kfree_rcu(user, rcu);
}

/**
 * synchmess_user_charge_group() - count a group the user installs
 * @user: the installer's record
 *
 * The caller holds the lock that serialises installs.
 *
 * Return: 0, or -EDQUOT past max_user_groups without CAP_SYS_RESOURCE.
 */
int synchmess_user_charge_group(struct synchmess_user *user)
{
	if (atomic_read(&user->groups) >= synchmess_max_user_groups() &&
	    !capable(CAP_SYS_RESOURCE))
		return -EDQUOT;
	atomic_inc(&user->groups);
	return 0;
}

/**
 * synchmess_user_uncharge_group() - a group counted by
 *                                   synchmess_user_charge_group() is freed
 * @user: its owner's record
 */
void synchmess_user_uncharge_group(struct synchmess_user *user)
{
	atomic_dec(&user->groups);
}

/**
 * synchmess_user_show() - list every user's figures, for fdinfo of the
 *                         control device
 * @m: where they go; uids are shown as the reader's user namespace sees them
 */
void synchmess_user_show(struct seq_file *m)
{
	struct user_namespace *ns = seq_user_ns(m);
	struct synchmess_user *user;
	unsigned int bkt;

	rcu_read_lock();
	hash_for_each_rcu(synchmess_users, bkt, user, node) {
		/* On its way out, and maybe already replaced. */
		if (!refcount_read(&user->ref))
			continue;
		seq_printf(m, "user:\t%u groups %d memory %ld\n",
			   from_kuid_munged(ns, user->uid),
			   atomic_read(&user->groups),
			   atomic_long_read(&user->memory));
	}
	rcu_read_unlock();
}
