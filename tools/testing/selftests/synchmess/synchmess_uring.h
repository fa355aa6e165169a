/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal io_uring through raw system calls, for the SynchMess io_uring
 * test and benchmark: no liburing needed.
 */
#ifndef SYNCHMESS_URING_H
#define SYNCHMESS_URING_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>

struct sm_ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_ring, *cq_ring;
	size_t sq_size, cq_size, sqes_size;
};

static inline void sm_ring_exit(struct sm_ring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_size);
	if (r->cq_ring && r->cq_ring != MAP_FAILED)
		munmap(r->cq_ring, r->cq_size);
	if (r->sq_ring && r->sq_ring != MAP_FAILED)
		munmap(r->sq_ring, r->sq_size);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* Set up a ring of @entries; returns 0 or -errno, @r->fd -1 on failure. */
static inline int sm_ring_setup(struct sm_ring *r, unsigned int entries)
{
	struct io_uring_params p = { 0 };
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_size = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq_ring = mmap(NULL, r->sq_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq_ring = mmap(NULL, r->cq_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sq_ring == MAP_FAILED || r->cq_ring == MAP_FAILED ||
	    r->sqes == MAP_FAILED) {
		ret = -errno;
		sm_ring_exit(r);
		return ret;
	}
	r->sq_tail = r->sq_ring + p.sq_off.tail;
	r->sq_mask = r->sq_ring + p.sq_off.ring_mask;
	r->sq_array = r->sq_ring + p.sq_off.array;
	r->cq_head = r->cq_ring + p.cq_off.head;
	r->cq_tail = r->cq_ring + p.cq_off.tail;
	r->cq_mask = r->cq_ring + p.cq_off.ring_mask;
	r->cqes = r->cq_ring + p.cq_off.cqes;
	return 0;
}

/* Queue operation @op (IORING_OP_READ or _WRITE) of @len bytes at @buf. */
static inline void sm_ring_queue(struct sm_ring *r, int op, int fd, void *buf,
				 unsigned int len, __u64 tag)
{
	unsigned int tail = *r->sq_tail, i = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[i];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (unsigned long)buf;
	sqe->len = len;
	sqe->off = -1;
	sqe->user_data = tag;
	r->sq_array[i] = i;
	/* The kernel reads the entry once it sees the tail move. */
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

/* Take one completion if there is one. */
static inline bool sm_ring_reap(struct sm_ring *r, struct io_uring_cqe *out)
{
	unsigned int head = *r->cq_head;
	unsigned int tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*out = r->cqes[head & *r->cq_mask];
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

#endif /* SYNCHMESS_URING_H */
