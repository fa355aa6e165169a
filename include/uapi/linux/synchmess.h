/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * SynchMess: message exchange and barriers between threads of any process,
 * organised in groups.
 *
 * The master device /dev/synch/synchmess installs and removes groups; each
 * group is a character device /dev/synch/synchmess<ID> on which write()
 * posts a message, read() takes the oldest one, and the ioctls below
 * control delayed delivery and the group's barrier.
 *
 * See Documentation/userspace-api/synchmess.rst.
 */
#ifndef _UAPI_LINUX_SYNCHMESS_H
#define _UAPI_LINUX_SYNCHMESS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Size of synchmess_group.path, including the terminating NUL. */
#define SYNCHMESS_PATH_LEN		64

/* Largest delay SYNCHMESS_IOC_SET_SEND_DELAY accepts: one hour. */
#define SYNCHMESS_MAX_SEND_DELAY_MS	3600000U

/**
 * struct synchmess_group - names a group on the master device
 * @id:    system-wide group descriptor chosen by userspace; any value
 * @flags: reserved for future use, must be zero
 * @path:  filled by the kernel with the NUL-terminated path of the
 *         group's device node
 */
struct synchmess_group {
	__u32 id;
	__u32 flags;
	char path[SYNCHMESS_PATH_LEN];
};

/**
 * struct synchmess_limits - the limits of one group
 * @max_message_size: largest message, in bytes
 * @max_storage_size: payload bytes the group stores, published plus delayed
 * @max_messages:     messages the group stores, published plus delayed
 * @flags:            reserved for future use, must be zero
 *
 * For SYNCHMESS_IOC_SET_LIMITS, 0 in a field follows the module's limit of
 * the same name, whatever it becomes; no field may be above it.
 * SYNCHMESS_IOC_GET_LIMITS returns the values in force.
 */
struct synchmess_limits {
	__u32 max_message_size;
	__u32 max_storage_size;
	__u32 max_messages;
	__u32 flags;
};

/* Most messages one SYNCHMESS_IOC_RECV_BATCH or SEND_BATCH moves. */
#define SYNCHMESS_BATCH_MAX		1024

/* Flags of struct synchmess_recv and of struct synchmess_batch. */
#define SYNCHMESS_RECV_NONBLOCK		(1U << 0) /* -EAGAIN, not a wait */
#define SYNCHMESS_RECV_TIMEOUT		(1U << 1) /* wait at most timeout_ns */
#define SYNCHMESS_RECV_PEEK		(1U << 2) /* copy, leave it queued */

/**
 * struct synchmess_recv - a receive, its options and what it learns
 * @buf:          in: user address of the buffer
 * @buf_len:      in: size of the buffer in bytes; 0 only with
 *                SYNCHMESS_RECV_PEEK, to learn @msg_len
 * @flags:        in: SYNCHMESS_RECV_*, other bits must be zero
 * @timeout_ns:   in: with SYNCHMESS_RECV_TIMEOUT, the longest wait in
 *                nanoseconds of CLOCK_MONOTONIC, else must be zero; out,
 *                when a signal ended the wait, the time that was left
 * @msg_len:      out: full length of the message
 * @copied:       out: bytes copied, the lesser of @msg_len and @buf_len
 * @sender_pid:   out: thread-group id of the writer in the receiver's pid
 *                namespace, 0 when it has none there or has exited
 * @sender_uid:   out: effective uid of the writer in the receiver's user
 *                namespace, the overflow uid when it has none there
 * @written_ns:   out: CLOCK_MONOTONIC time of the write
 * @published_ns: out: CLOCK_MONOTONIC time it became readable: the write
 *                for a message without delay, else its publication
 */
struct synchmess_recv {
	__u64 buf;
	__u32 buf_len;
	__u32 flags;
	__u64 timeout_ns;
	__u32 msg_len;
	__u32 copied;
	__s32 sender_pid;
	__u32 sender_uid;
	__u64 written_ns;
	__u64 published_ns;
};

/**
 * struct synchmess_msgvec - one message of a batch
 * @buf:     in: user address of the message (SEND_BATCH) or of the buffer
 *           for it (RECV_BATCH)
 * @len:     in: length of the message, or size of the buffer; at least 1
 * @msg_len: out (RECV_BATCH): full length of the message taken; in
 *           (SEND_BATCH): must be zero
 */
struct synchmess_msgvec {
	__u64 buf;
	__u32 len;
	__u32 msg_len;
};

/**
 * struct synchmess_batch - many messages in one call
 * @vec:        in: user address of an array of struct synchmess_msgvec
 * @count:      in: its entries, 1 to SYNCHMESS_BATCH_MAX
 * @flags:      in: for RECV_BATCH, SYNCHMESS_RECV_NONBLOCK or
 *              SYNCHMESS_RECV_TIMEOUT; for SEND_BATCH, zero
 * @timeout_ns: as in struct synchmess_recv, for the wait for the first
 *              message; zero for SEND_BATCH
 */
struct synchmess_batch {
	__u64 vec;
	__u32 count;
	__u32 flags;
	__u64 timeout_ns;
};

/**
 * struct synchmess_sleep - a barrier sleep with a timeout
 * @timeout_ns: in: the longest sleep in nanoseconds of CLOCK_MONOTONIC;
 *              out, when a signal ended the sleep, the time that was left
 * @flags:      reserved for future use, must be zero
 * @reserved:   must be zero
 */
struct synchmess_sleep {
	__u64 timeout_ns;
	__u32 flags;
	__u32 reserved;
};

#define SYNCHMESS_IOC_MAGIC		0xB9

/* On the master device /dev/synch/synchmess. */
#define SYNCHMESS_IOC_INSTALL_GROUP \
	_IOWR(SYNCHMESS_IOC_MAGIC, 0x00, struct synchmess_group)
#define SYNCHMESS_IOC_REMOVE_GROUP \
	_IOW(SYNCHMESS_IOC_MAGIC, 0x01, struct synchmess_group)

/* On a group device /dev/synch/synchmess<ID>. */
#define SYNCHMESS_IOC_SET_SEND_DELAY	_IOW(SYNCHMESS_IOC_MAGIC, 0x10, __u32)
#define SYNCHMESS_IOC_GET_SEND_DELAY	_IOR(SYNCHMESS_IOC_MAGIC, 0x11, __u32)
#define SYNCHMESS_IOC_REVOKE_DELAYED_MESSAGES	_IO(SYNCHMESS_IOC_MAGIC, 0x12)
#define SYNCHMESS_IOC_SET_LIMITS \
	_IOW(SYNCHMESS_IOC_MAGIC, 0x13, struct synchmess_limits)
#define SYNCHMESS_IOC_GET_LIMITS \
	_IOR(SYNCHMESS_IOC_MAGIC, 0x14, struct synchmess_limits)
#define SYNCHMESS_IOC_SLEEP_ON_BARRIER	_IO(SYNCHMESS_IOC_MAGIC, 0x20)
#define SYNCHMESS_IOC_AWAKE_BARRIER	_IO(SYNCHMESS_IOC_MAGIC, 0x21)
#define SYNCHMESS_IOC_SLEEP_ON_BARRIER_TIMED \
	_IOWR(SYNCHMESS_IOC_MAGIC, 0x22, struct synchmess_sleep)
#define SYNCHMESS_IOC_RECV \
	_IOWR(SYNCHMESS_IOC_MAGIC, 0x30, struct synchmess_recv)
#define SYNCHMESS_IOC_RECV_BATCH \
	_IOWR(SYNCHMESS_IOC_MAGIC, 0x31, struct synchmess_batch)
#define SYNCHMESS_IOC_SEND_BATCH \
	_IOWR(SYNCHMESS_IOC_MAGIC, 0x32, struct synchmess_batch)

#endif /* _UAPI_LINUX_SYNCHMESS_H */
