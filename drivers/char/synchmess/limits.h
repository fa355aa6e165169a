/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess limits: the module's, set through its parameters, and each
 * group's own, set by its owner, which never pass the module's.
 */
#ifndef _SYNCHMESS_LIMITS_H
#define _SYNCHMESS_LIMITS_H

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

u32 synchmess_limit_message_size(const struct synchmess_group_limits *l);
u32 synchmess_limit_storage_size(const struct synchmess_group_limits *l);
u32 synchmess_limit_messages(const struct synchmess_group_limits *l);
int synchmess_limits_set(struct synchmess_group_limits *l,
			 const struct synchmess_limits *req);
void synchmess_limits_get(const struct synchmess_group_limits *l,
			  struct synchmess_limits *out);

unsigned int synchmess_max_groups(void);
unsigned int synchmess_max_user_groups(void);
unsigned long synchmess_max_user_memory(void);

#endif /* _SYNCHMESS_LIMITS_H */
