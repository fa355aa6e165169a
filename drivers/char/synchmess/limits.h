/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess limits: the module's, set through its parameters, and each
 * group's own, set by its owner, which never pass the module's.
 */
#ifndef _SYNCHMESS_LIMITS_H
#define _SYNCHMESS_LIMITS_H

#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/types.h>

struct synchmess_limits;

/**
 * struct synchmess_group_limits - the limits a group's owner set
 * @max_message_size: largest message, 0 to follow the module's limit
 * @max_storage_size: payload bytes stored, 0 to follow the module's limit
 * @max_messages:     messages stored, 0 to follow the module's limit
 *
 * Read without locks; a value in force is never above the module's.
 */
struct synchmess_group_limits {
	u32 max_message_size;
	u32 max_storage_size;
	u32 max_messages;
};

/**
 * struct synchmess_limit - a limit settable through its module parameter
 * @val: current value, read without locks
 * @min: smallest value accepted
 * @max: largest value accepted
 */
struct synchmess_limit {
	unsigned int val;
	unsigned int min;
	unsigned int max;
};

/*
 * The module's limits that every message reads, defined in limits.c; the
 * readers below are inline because every write and read calls them.
 */
extern struct synchmess_limit synchmess_message_size;
extern struct synchmess_limit synchmess_storage_size;
extern struct synchmess_limit synchmess_messages;
extern struct synchmess_limit synchmess_user_memory;

/* The value in force of a group's limit @group, under the module's @limit. */
static inline u32 synchmess_limit_in_force(u32 group,
					   const struct synchmess_limit *limit)
{
	u32 module = READ_ONCE(limit->val);

	return group ? min(group, module) : module;
}

/**
 * synchmess_limit_message_size() - max_message_size of a group
 * @l: the group's limits
 *
 * Return: the largest message a write may post, in bytes.
 */
static inline u32
synchmess_limit_message_size(const struct synchmess_group_limits *l)
{
	return synchmess_limit_in_force(READ_ONCE(l->max_message_size),
					&synchmess_message_size);
}

/**
 * synchmess_limit_storage_size() - max_storage_size of a group
 * @l: the group's limits
 *
 * Return: the payload bytes the group may store, published plus delayed.
 */
static inline u32
synchmess_limit_storage_size(const struct synchmess_group_limits *l)
{
	return synchmess_limit_in_force(READ_ONCE(l->max_storage_size),
					&synchmess_storage_size);
}

/**
 * synchmess_limit_messages() - max_messages of a group
 * @l: the group's limits
 *
 * Return: the messages the group may store, published plus delayed.
 */
static inline u32
synchmess_limit_messages(const struct synchmess_group_limits *l)
{
	return synchmess_limit_in_force(READ_ONCE(l->max_messages),
					&synchmess_messages);
}

/**
 * synchmess_max_user_memory() - current max_user_memory
 *
 * Return: the memory, as charged, that the messages one user wrote may
 * hold.
 */
static inline unsigned long synchmess_max_user_memory(void)
{
	return READ_ONCE(synchmess_user_memory.val);
}

int synchmess_limits_set(struct synchmess_group_limits *l,
			 const struct synchmess_limits *req);
void synchmess_limits_get(const struct synchmess_group_limits *l,
			  struct synchmess_limits *out);

unsigned int synchmess_max_groups(void);
unsigned int synchmess_max_user_groups(void);

#endif /* _SYNCHMESS_LIMITS_H */
