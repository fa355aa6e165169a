/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess users: what each user holds, against the per-user quotas.
 */
#ifndef _SYNCHMESS_USER_H
#define _SYNCHMESS_USER_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uidgid.h>

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
int synchmess_user_charge_memory(struct synchmess_user *user, size_t charge);
void synchmess_user_uncharge_memory(struct synchmess_user *user,
				    size_t charge);
void synchmess_user_show(struct seq_file *m);

#endif /* _SYNCHMESS_USER_H */
