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

#endif /* _UAPI_LINUX_SYNCHMESS_H */
