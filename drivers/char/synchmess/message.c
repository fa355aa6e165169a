// SPDX-License-Identifier: GPL-2.0
/*
 * SynchMess messages: their memory and what it is charged.
 *
 * A group's limits count payload bytes (max_storage_size) and messages
 * (max_messages), so the memory a group holds is bounded only if what a
 * message holds beyond its payload is bounded by a constant, whatever its
 * length. kmalloc() alone would not do: it rounds up to a power of two, so
 * a message of 1,000 bytes would hold 2 KiB. A message is laid out in
 * pieces that waste almost nothing instead:
 *
 *   piece            holds                          allocated by
 *   header           struct synchmess_msg, the      kmalloc(), rounded up by
 *                    page list and chunk pointers   at most
 *                    when there are any, and the    SYNCHMESS_MSG_SLACK bytes
 *                    payload's last bytes           or to at most 256 bytes
 *   chunks           payload, in pieces of a page,  kmalloc() of a power of
 *                    2048, 1024, 512, 256 or 128    two: exact
 *                    bytes, each size at most once
 *   pages            payload, in whole pages, from  alloc_page(), linked by
 *                    a page and a half on           page->lru: exact
 *
 * The header takes as much of the payload as fits with little waste; each
 * chunk, the largest power of two left, is split off only when keeping it
 * in the header would waste more than SYNCHMESS_MSG_SLACK. So a message of
 * 64 bytes is one object of 128, one of 1,000 bytes a header of 192 bytes
 * and chunks of 512, 256 and 128, one of 4 KiB a chunk of a page and a
 * header of 64, one of 8 KiB two pages and a header of 96.
 *
 * Below a page and a half the payload takes no whole page: a chunk of
 * PAGE_SIZE comes from the slab's per-CPU cache, so a record of a page, a
 * common size, never goes to the page allocator, which costs more per
 * call. What is left beside it is under half a page, so a message has at
 * most five chunks, which bounds the overhead below.
 *
 * The layout follows from the length alone, and so does the charge: a
 * write that would not fit fails before anything is allocated.
 *
 * The charge, which the writer's per-user quota counts, is an estimate
 * that is never below what the message holds: the objects as kmalloc()
 * rounds them up (kmalloc_size_roundup()), whole pages, and for each
 * object what memory cgroups keep beside it (SYNCHMESS_SLAB_META). Its
 * largest excess over the payload, the per-message overhead of the
 * documentation, is 271 bytes on 64-bit machines with 4 KiB pages.
 *
 * The memory is charged to the memory cgroup of the writer too, so that it
 * cannot pin memory outside its own limits. A failure is for the writer to
 * handle, through -ENOMEM, not for the kernel log.
 */
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "message.h"
#include "user.h"

#define SYNCHMESS_MSG_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN)

/* What kmalloc() may round the header up by before a chunk is split off. */
#define SYNCHMESS_MSG_SLACK	64
/* Below two chunks of this, the header's own rounding is small enough. */
#define SYNCHMESS_MSG_MIN_CHUNK	128

/*
 * Memory cgroups keep a record beside each slab object they account, in a
 * per-slab vector that kcalloc() rounds up to at most twice its size: one
 * pointer a record, two with allocation profiling.
 */
#define SYNCHMESS_SLAB_META						\
	(IS_ENABLED(CONFIG_MEMCG) *					\
	 (1 + IS_ENABLED(CONFIG_MEM_ALLOC_PROFILING)) * 2 * sizeof(void *))

/**
 * struct synchmess_msg_layout - where the payload of a message goes
 * @nr_pages:    whole pages of payload, on the list at the header's start
 * @nr_chunks:   slab chunks, of the top @nr_chunks powers of two of the
 *               payload past the pages
 * @chunk_bytes: payload in chunks
 * @inline_len:  payload in the header, its last bytes
 * @header_size: size of the header object before kmalloc()'s rounding
 */
struct synchmess_msg_layout {
	size_t nr_pages;
	unsigned int nr_chunks;
	size_t chunk_bytes;
	size_t inline_len;
	size_t header_size;
};

static size_t synchmess_msg_header_size(size_t nr_pages,
					unsigned int nr_chunks,
					size_t inline_len)
{
	return sizeof(struct synchmess_msg) +
	       (nr_pages ? sizeof(struct list_head) : 0) +
	       nr_chunks * sizeof(void *) + inline_len;
}

static void synchmess_msg_layout_split(size_t len,
				       struct synchmess_msg_layout *lo)
{
	size_t rest, chunk, waste;

	lo->nr_pages = 0;
	if (len >= PAGE_SIZE + PAGE_SIZE / 2)
		lo->nr_pages = len / PAGE_SIZE;
	rest = len - lo->nr_pages * PAGE_SIZE;
	lo->nr_chunks = 0;
	lo->chunk_bytes = 0;
	for (;;) {
		lo->header_size = synchmess_msg_header_size(lo->nr_pages,
							    lo->nr_chunks,
							    rest);
		/* A rest this small costs little in the header's rounding. */
		if (rest < SYNCHMESS_MSG_MIN_CHUNK)
			break;
		waste = kmalloc_size_roundup(lo->header_size) - lo->header_size;
		if (waste <= SYNCHMESS_MSG_SLACK)
			break;
		chunk = rounddown_pow_of_two(rest);
		rest -= chunk;
		lo->chunk_bytes += chunk;
		lo->nr_chunks++;
	}
	lo->inline_len = rest;
}

/*
 * Every allocation, copy and free of a message asks for its layout, so
 * small messages, the most common, get theirs inline: all in the header.
 */
static __always_inline void
synchmess_msg_layout(size_t len, struct synchmess_msg_layout *lo)
{
	if (likely(len < SYNCHMESS_MSG_MIN_CHUNK)) {
		lo->nr_pages = 0;
		lo->nr_chunks = 0;
		lo->chunk_bytes = 0;
		lo->inline_len = len;
		lo->header_size = synchmess_msg_header_size(0, 0, len);
		return;
	}
	synchmess_msg_layout_split(len, lo);
}

static struct list_head *synchmess_msg_pages(struct synchmess_msg *msg)
{
	return (struct list_head *)msg->parts;
}

static void **synchmess_msg_chunks(struct synchmess_msg *msg,
				   const struct synchmess_msg_layout *lo)
{
	return (void **)(msg->parts +
			 (lo->nr_pages ? sizeof(struct list_head) : 0));
}

static u8 *synchmess_msg_inline(struct synchmess_msg *msg,
				const struct synchmess_msg_layout *lo)
{
	return (u8 *)(synchmess_msg_chunks(msg, lo) + lo->nr_chunks);
}

static size_t synchmess_msg_layout_charge(const struct synchmess_msg_layout *lo)
{
	return kmalloc_size_roundup(lo->header_size) + lo->chunk_bytes +
	       lo->nr_pages * PAGE_SIZE +
	       (1 + lo->nr_chunks) * SYNCHMESS_SLAB_META;
}

/*
 * What a message too short for a chunk is charged, by its length, as
 * every write and read of one would otherwise ask kmalloc_size_roundup().
 */
static u16 synchmess_msg_small_charges[SYNCHMESS_MSG_MIN_CHUNK] __ro_after_init;

/**
 * synchmess_msg_init() - work out what short messages are charged
 *
 * Called once, before any message is written.
 */
void __init synchmess_msg_init(void)
{
	struct synchmess_msg_layout lo;
	size_t len;

	for (len = 0; len < SYNCHMESS_MSG_MIN_CHUNK; len++) {
		synchmess_msg_layout(len, &lo);
		synchmess_msg_small_charges[len] =
			synchmess_msg_layout_charge(&lo);
	}
}

/* What a message of @len bytes laid out as @lo is charged. */
static __always_inline size_t
synchmess_msg_layout_charge_of(size_t len,
			       const struct synchmess_msg_layout *lo)
{
	if (likely(len < SYNCHMESS_MSG_MIN_CHUNK))
		return synchmess_msg_small_charges[len];
	return synchmess_msg_layout_charge(lo);
}

/**
 * synchmess_msg_charge() - bytes of memory a message of @len bytes holds
 * @len: payload length, at most max_message_size
 *
 * Return: what such a message is charged to its writer: never less than it
 * holds, and a bounded overhead more than @len.
 */
size_t synchmess_msg_charge(size_t len)
{
	struct synchmess_msg_layout lo;

	synchmess_msg_layout(len, &lo);
	return synchmess_msg_layout_charge_of(len, &lo);
}

static void synchmess_msg_free_parts(struct synchmess_msg *msg,
				     const struct synchmess_msg_layout *lo,
				     unsigned int nr_chunks)
{
	void **chunks = synchmess_msg_chunks(msg, lo);
	struct page *page, *next;

	while (nr_chunks--)
		kfree(chunks[nr_chunks]);
	if (!lo->nr_pages)
		return;
	list_for_each_entry_safe(page, next, synchmess_msg_pages(msg), lru)
		__free_page(page);
}

/**
 * synchmess_msg_alloc() - allocate a message able to hold @len bytes
 * @len:    payload length, at most max_message_size
 * @writer: the user writing it, charged for its memory until it is freed;
 *          the caller keeps the record alive that long
 * @sender: the thread group writing it; the caller keeps it alive as long
 *          as the message
 *
 * Return: the message with its length set, or an ERR_PTR() of
 * -EDQUOT when @writer is past max_user_memory, or -ENOMEM.
 */
struct synchmess_msg *synchmess_msg_alloc(size_t len,
					  struct synchmess_user *writer,
					  struct pid *sender)
{
	struct synchmess_msg_layout lo;
	unsigned int i = 0;
	size_t left, chunk, charge;
	struct synchmess_msg *msg;
	void **chunks;
	struct page *page;
	int ret;

	synchmess_msg_layout(len, &lo);
	charge = synchmess_msg_layout_charge_of(len, &lo);
	ret = synchmess_user_charge_memory(writer, charge);
	if (ret)
		return ERR_PTR(ret);

	msg = kmalloc(lo.header_size, SYNCHMESS_MSG_GFP);
	if (!msg)
		goto err_uncharge;
	msg->len = len;
	msg->delay_ms = 0;
	msg->deadline = 0;

	if (lo.nr_pages)
		INIT_LIST_HEAD(synchmess_msg_pages(msg));
	for (left = lo.nr_pages; left; left--) {
		/* Only ever reached through kmap, by the iov_iter copies. */
		page = alloc_page(SYNCHMESS_MSG_GFP | __GFP_HIGHMEM);
		if (!page)
			goto err_parts;
		list_add_tail(&page->lru, synchmess_msg_pages(msg));
	}
	chunks = synchmess_msg_chunks(msg, &lo);
	for (left = lo.chunk_bytes; i < lo.nr_chunks; i++, left -= chunk) {
		chunk = rounddown_pow_of_two(left);
		chunks[i] = kmalloc(chunk, SYNCHMESS_MSG_GFP);
		if (!chunks[i])
			goto err_parts;
	}

	msg->writer = writer;
	msg->sender = sender;
	return msg;

err_parts:
	synchmess_msg_free_parts(msg, &lo, i);
	kfree(msg);
err_uncharge:
	synchmess_user_uncharge_memory(writer, charge);
	return ERR_PTR(-ENOMEM);
}

/**
 * synchmess_msg_free() - free a message allocated by synchmess_msg_alloc()
 * @msg: the message, unlinked from any list
 *
 * Its charge goes back to its writer; the caller lets go of its writer's
 * record and struct pid.
 */
void synchmess_msg_free(struct synchmess_msg *msg)
{
	struct synchmess_user *writer = msg->writer;
	struct synchmess_msg_layout lo;

	synchmess_msg_layout(msg->len, &lo);
	synchmess_msg_free_parts(msg, &lo, lo.nr_chunks);
	synchmess_user_uncharge_memory(writer,
				       synchmess_msg_layout_charge_of(msg->len,
								      &lo));
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
	struct synchmess_msg_layout lo;
	size_t left, chunk;
	struct page *page;
	unsigned int i;
	void **chunks;

	synchmess_msg_layout(msg->len, &lo);
	if (lo.nr_pages) {
		list_for_each_entry(page, synchmess_msg_pages(msg), lru)
			if (copy_page_from_iter(page, 0, PAGE_SIZE, from) !=
			    PAGE_SIZE)
				return -EFAULT;
	}
	chunks = synchmess_msg_chunks(msg, &lo);
	for (i = 0, left = lo.chunk_bytes; i < lo.nr_chunks; i++, left -= chunk) {
		chunk = rounddown_pow_of_two(left);
		if (!copy_from_iter_full(chunks[i], chunk, from))
			return -EFAULT;
	}
	if (!copy_from_iter_full(synchmess_msg_inline(msg, &lo), lo.inline_len,
				 from))
		return -EFAULT;
	return 0;
}

/* Copy up to @room bytes of one piece; how many it copied, or -EFAULT. */
static ssize_t synchmess_msg_copy_piece(void *piece, struct page *page,
					size_t len, size_t room,
					struct iov_iter *to)
{
	size_t n = min(len, room);
	size_t copied;

	if (page)
		copied = copy_page_to_iter(page, 0, n, to);
	else
		copied = copy_to_iter(piece, n, to);
	return copied == n ? n : -EFAULT;
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
	struct synchmess_msg_layout lo;
	size_t room = len, left, chunk;
	struct page *page;
	unsigned int i;
	ssize_t n;
	void **chunks;

	synchmess_msg_layout(msg->len, &lo);
	if (lo.nr_pages) {
		list_for_each_entry(page, synchmess_msg_pages(msg), lru) {
			if (!room)
				return len;
			n = synchmess_msg_copy_piece(NULL, page, PAGE_SIZE,
						     room, to);
			if (n < 0)
				return n;
			room -= n;
		}
	}
	chunks = synchmess_msg_chunks(msg, &lo);
	for (i = 0, left = lo.chunk_bytes; i < lo.nr_chunks; i++, left -= chunk) {
		chunk = rounddown_pow_of_two(left);
		n = synchmess_msg_copy_piece(chunks[i], NULL, chunk, room, to);
		if (n < 0)
			return n;
		room -= n;
	}
	n = synchmess_msg_copy_piece(synchmess_msg_inline(msg, &lo), NULL,
				     lo.inline_len, room, to);
	return n < 0 ? n : len;
}

/**
 * synchmess_msg_describe() - a message's length, writer and times, as the
 *                            caller sees them
 * @msg:    the message, published
 * @info: where to put them
 */
void synchmess_msg_describe(const struct synchmess_msg *msg,
			    struct synchmess_msg_info *info)
{
	info->len = msg->len;
	rcu_read_lock();
	/* A number the writer no longer holds may name another process. */
	if (pid_task(msg->sender, PIDTYPE_TGID))
		info->pid = pid_nr_ns(msg->sender, task_active_pid_ns(current));
	else
		info->pid = 0;
	rcu_read_unlock();
	info->uid = msg->writer->uid;
	info->written = synchmess_msg_written(msg);
	info->published = synchmess_msg_published(msg);
}
