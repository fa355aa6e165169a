/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess messages: their memory, what that memory is charged, and the
 * copies to and from user memory.
 */
#ifndef _SYNCHMESS_MESSAGE_H
#define _SYNCHMESS_MESSAGE_H

#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/uio.h>

struct synchmess_user;

/**
 * struct synchmess_msg - one message, published or still delayed
 * @node:     link in the published FIFO, or in a batch being published
 * @rb:       link in the tree of delayed messages, by deadline
 * @deadline: earliest publication time of a delayed message; of one
 *            written without a delay, its write time when the synchmess_read
 *            trace event was on, else 0
 * @writer:   the user who wrote it, charged for its memory until it is freed
 * @len:      length of the payload in bytes
 * @delay_ms: the send delay it was written with
 * @parts:    where the payload is, laid out as message.c describes
 *
 * What a message is charged follows from @len alone, so it is not kept.
 */
struct synchmess_msg {
	union {
		struct list_head node;
		struct rb_node rb;
	};
	ktime_t deadline;
	struct synchmess_user *writer;
	u32 len;
	u32 delay_ms;
	DECLARE_FLEX_ARRAY(u8, parts);
};

size_t synchmess_msg_charge(size_t len);
struct synchmess_msg *synchmess_msg_alloc(size_t len,
					  struct synchmess_user *writer);
void synchmess_msg_free(struct synchmess_msg *msg);
int synchmess_msg_copy_from(struct synchmess_msg *msg, struct iov_iter *from);
ssize_t synchmess_msg_copy_to(struct synchmess_msg *msg, struct iov_iter *to);

/* When @msg was written, or 0 when that was not noted (see @deadline). */
static inline ktime_t synchmess_msg_written(const struct synchmess_msg *msg)
{
	if (!msg->delay_ms)
		return msg->deadline;
	return ktime_sub_ms(msg->deadline, msg->delay_ms);
}

#endif /* _SYNCHMESS_MESSAGE_H */
