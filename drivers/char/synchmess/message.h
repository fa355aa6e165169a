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

struct page;

/**
 * struct synchmess_msg - one message, published or still delayed
 * @node:     link in the published FIFO, or in a batch being published
 * @rb:       link in the tree of delayed messages, by deadline
 * @deadline: earliest publication time while the message is delayed
 * @len:      length of the payload in bytes
 * @charge:   bytes of memory the message holds, charged to its group
 * @data:     the payload, when it is inline
 * @pages:    the pages holding the payload, otherwise
 *
 * A payload that fits in one page together with this header is stored
 * inline; a longer one goes to whole pages, so that the allocator's rounding
 * of a large block never doubles what a message costs.
 */
struct synchmess_msg {
	union {
		struct list_head node;
		struct rb_node rb;
	};
	ktime_t deadline;
	u32 len;
	u32 charge;
	union {
		DECLARE_FLEX_ARRAY(char, data);
		DECLARE_FLEX_ARRAY(struct page *, pages);
	};
};

size_t synchmess_msg_charge(size_t len);
struct synchmess_msg *synchmess_msg_alloc(size_t len);
void synchmess_msg_free(struct synchmess_msg *msg);
int synchmess_msg_copy_from(struct synchmess_msg *msg, struct iov_iter *from);
ssize_t synchmess_msg_copy_to(struct synchmess_msg *msg, struct iov_iter *to);

#endif /* _SYNCHMESS_MESSAGE_H */
