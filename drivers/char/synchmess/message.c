// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess messages: their memory and what it is charged.
 *
 * A group may store max_storage_size bytes, and that bound has to hold for
 * kernel memory, not only for payload: a message is charged every byte it
 * holds, header and allocator rounding included, so a group of one-byte
 * messages cannot pin more memory than one of large ones. The charge is a
 * function of the payload length alone, known before anything is
 * allocated, so a write that would not fit fails before it costs anything:
 *
 *   header + payload <= PAGE_SIZE   one slab object, inline payload:
 *                                   kmalloc_size_roundup(header + payload)
 *   otherwise                       one slab object for the header and its
 *                                   page array, plus whole pages for the
 *                                   payload
 *
 * plus, for each slab object, what the slab allocator keeps beside it for
 * memory cgroup accounting. Pages, unlike kmalloc() above two pages, are
 * not rounded up to a power of two, so a message of max_message_size costs
 * little more than its length.
 *
 * The memory is charged to the memory cgroup of the writer too, so that it
 * cannot pin memory outside its own limits. A failure is for the writer to
 * handle, through -ENOMEM, not for the kernel log.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/math.h>
#include <linux/memcontrol.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "message.h"

#define SYNCHMESS_MSG_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN)

#ifdef CONFIG_SLAB_OBJ_EXT
#define SYNCHMESS_SLAB_OBJ_EXT	sizeof(struct slabobj_ext)
#else
#define SYNCHMESS_SLAB_OBJ_EXT	0
#endif

static size_t synchmess_msg_inline_size(size_t len)
{
	struct synchmess_msg *msg;

	return struct_size(msg, data, len);
}

static size_t synchmess_msg_header_size(size_t nr_pages)
{
	struct synchmess_msg *msg;

	return struct_size(msg, pages, nr_pages);
}

/* Pages holding a payload of @len bytes, 0 when it is inline. */
static size_t synchmess_msg_nr_pages(size_t len)
{
	if (synchmess_msg_inline_size(len) <= PAGE_SIZE)
		return 0;
	return DIV_ROUND_UP(len, PAGE_SIZE);
}

/**
 * synchmess_msg_charge() - bytes of memory a message of @len bytes holds
 * @len: payload length, at most max_message_size
 *
 * Return: what such a message is charged against max_storage_size.
 */
size_t synchmess_msg_charge(size_t len)
{
	size_t nr_pages = synchmess_msg_nr_pages(len);

	if (!nr_pages)
		return kmalloc_size_roundup(synchmess_msg_inline_size(len)) +
		       SYNCHMESS_SLAB_OBJ_EXT;

	return kmalloc_size_roundup(synchmess_msg_header_size(nr_pages)) +
	       SYNCHMESS_SLAB_OBJ_EXT + nr_pages * PAGE_SIZE;
}

/**
 * synchmess_msg_alloc() - allocate a message able to hold @len bytes
 * @len: payload length, at most max_message_size
 *
 * Return: the message with its length and charge set, or NULL when out of
 * memory.
 */
struct synchmess_msg *synchmess_msg_alloc(size_t len)
{
	size_t nr_pages = synchmess_msg_nr_pages(len);
	struct synchmess_msg *msg;
	size_t i;

	if (!nr_pages)
		msg = kmalloc(synchmess_msg_inline_size(len),
			      SYNCHMESS_MSG_GFP);
	else
		msg = kmalloc(synchmess_msg_header_size(nr_pages),
			      SYNCHMESS_MSG_GFP);
	if (!msg)
		return NULL;

	msg->len = len;
	msg->charge = synchmess_msg_charge(len);
	for (i = 0; i < nr_pages; i++) {
		/* Only ever reached through kmap, by the iov_iter copies. */
		msg->pages[i] = alloc_page(SYNCHMESS_MSG_GFP | __GFP_HIGHMEM);
		if (!msg->pages[i])
			goto err_pages;
	}
	return msg;

err_pages:
	while (i--)
		__free_page(msg->pages[i]);
	kfree(msg);
	return NULL;
}

/**
 * synchmess_msg_free() - free a message allocated by synchmess_msg_alloc()
 * @msg: the message, unlinked from any list
 */
void synchmess_msg_free(struct synchmess_msg *msg)
{
	size_t i, nr_pages = synchmess_msg_nr_pages(msg->len);

	for (i = 0; i < nr_pages; i++)
		__free_page(msg->pages[i]);
	kfree(msg);
}

/**
 * synchmess_msg_copy_from() - fill a message from user memory
 * @msg:  the message, just allocated
 * @from: the bytes written, exactly @msg->len of them
 *
 * Return: 0, or -EFAULT when user memory could not be read.
 */
int synchmess_msg_copy_from(struct synchmess_msg *msg, struct iov_iter *from)
{
	size_t i, nr_pages = synchmess_msg_nr_pages(msg->len);
	size_t left = msg->len, chunk;

	if (!nr_pages)
		return copy_from_iter_full(msg->data, left, from) ? 0 : -EFAULT;

	for (i = 0; i < nr_pages; i++, left -= chunk) {
		chunk = min_t(size_t, left, PAGE_SIZE);
		if (copy_page_from_iter(msg->pages[i], 0, chunk, from) != chunk)
			return -EFAULT;
	}
	return 0;
}

/**
 * synchmess_msg_copy_to() - copy a message to user memory
 * @msg: the message
 * @to:  where it goes; a shorter buffer takes the start of the message
 *
 * Return: the number of bytes copied, or -EFAULT when user memory could not
 * be written.
 */
ssize_t synchmess_msg_copy_to(struct synchmess_msg *msg, struct iov_iter *to)
{
	size_t len = min_t(size_t, msg->len, iov_iter_count(to));
	size_t left = len, chunk, i;

	if (!synchmess_msg_nr_pages(msg->len))
		return copy_to_iter(msg->data, len, to) == len ? len : -EFAULT;

	for (i = 0; left; i++, left -= chunk) {
		chunk = min_t(size_t, left, PAGE_SIZE);
		if (copy_page_to_iter(msg->pages[i], 0, chunk, to) != chunk)
			return -EFAULT;
	}
	return len;
}
