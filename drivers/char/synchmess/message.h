/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess messages: their memory, what that memory is charged, and the
 * copies to and from user memory.
 */
#ifndef _SYNCHMESS_MESSAGE_H
#define _SYNCHMESS_MESSAGE_H

#include <linux/ktime.h>
#include <linux/uidgid.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/uio.h>

struct pid;
struct synchmess_user;

/**
 * struct synchmess_msg - one message, published or still delayed
 * @node:      link in the published FIFO, in @appended of the delayed
 *             messages, or in a batch being published
 * @published: of a delayed message once taken off the tree or list, when it
 *             was published; where the tree's link was, as it is needed only
 *             once that link is not
 * @rb:        link in the tree of delayed messages, by deadline
 * @deadline:  earliest publication time of a delayed message; of one
 *             written without a delay, its write time
 * @writer:    the user who wrote it, charged for its memory until it is freed
 * @sender:    the thread group that wrote it, for receivers who ask
 * @len:       length of the payload in bytes
 * @delay_ms:  the send delay it was written with
 * @parts:     where the payload is, laid out as message.c describes
 *
 * What a message is charged follows from @len alone, so it is not kept.
 */
struct synchmess_msg {
	union {
		struct {
			struct list_head node;
			ktime_t published;
		};
		struct rb_node rb;
	};
	ktime_t deadline;
	struct synchmess_user *writer;
	struct pid *sender;
	u32 len;
	u32 delay_ms;
	DECLARE_FLEX_ARRAY(u8, parts);
};

/**
 * struct synchmess_msg_info - what a receiver may learn of a message
 * @len:       its length
 * @pid:       the writer's thread-group id in the receiver's pid namespace,
 *             0 when it has exited or has none there
 * @uid:       the writer's effective uid
 * @written:   CLOCK_MONOTONIC time of the write
 * @published: CLOCK_MONOTONIC time it became readable
 */
struct synchmess_msg_info {
	u32 len;
	pid_t pid;
	kuid_t uid;
	ktime_t written;
	ktime_t published;
};

void synchmess_msg_init(void);
size_t synchmess_msg_charge(size_t len);
struct synchmess_msg *synchmess_msg_alloc(size_t len,
					  struct synchmess_user *writer,
					  struct pid *sender);
void synchmess_msg_free(struct synchmess_msg *msg);
int synchmess_msg_copy_from(struct synchmess_msg *msg, struct iov_iter *from);
ssize_t synchmess_msg_copy_to(struct synchmess_msg *msg, struct iov_iter *to);
void synchmess_msg_describe(const struct synchmess_msg *msg,
			    struct synchmess_msg_info *info);

/* When @msg was written. */
static inline ktime_t synchmess_msg_written(const struct synchmess_msg *msg)
{
	if (!msg->delay_ms)
		return msg->deadline;
	return ktime_sub_ms(msg->deadline, msg->delay_ms);
}

/* When @msg became readable; a delayed one must have been published. */
static inline ktime_t synchmess_msg_published(const struct synchmess_msg *msg)
{
	return msg->delay_ms ? msg->published : msg->deadline;
}

#endif /* _SYNCHMESS_MESSAGE_H */
