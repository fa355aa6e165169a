/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess: what the control device, the groups and sysfs share.
 *
 * Locking overview. Each lock is only ever taken after the ones above it:
 *
 *   kernel_param_lock(THIS_MODULE)   mutex, the kernel's, around a write
 *                                    of a module parameter (limits.c)
 *   synchmess_groups_lock            mutex, the tables of groups by id and
 *                                    by minor, install and removal
 *                                    (group.c)
 *   synchmess_delay.lock             mutex, a group's delayed messages and
 *                                    their publication (delay.c)
 *   synchmess_queue.peek_lock        mutex, one peeker of a group at a
 *                                    time, held across its copy
 *                                    (msgqueue.c)
 *   synchmess_queue.lock             spinlock, a group's published
 *                                    messages and blocked readers; never
 *                                    held across a user copy (msgqueue.c)
 *
 * and two that nest under any of them and take none: a group's barrier
 * (the lock of its wait queue, barrier.c) and synchmess_users_lock, the
 * table of per-user records (user.c). What is reached without a lock:
 * the limits (READ_ONCE), a group's stored bytes and messages (atomics),
 * per-user figures (atomics), a removed group's flag (READ_ONCE).
 */
#ifndef _SYNCHMESS_H
#define _SYNCHMESS_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>

#include "barrier.h"
#include "delay.h"
#include "limits.h"
#include "msgqueue.h"
#include "user.h"

/* Minor 0 is the control device, the others go to groups. */
#define SYNCHMESS_MINORS	4096
#define SYNCHMESS_MAX_GROUPS	(SYNCHMESS_MINORS - 1)

/* Nodes live in /dev/synch/, named by the class's devnode callback. */
#define SYNCHMESS_DEV_DIR	"synch"
#define SYNCHMESS_GROUP_NAME	"synchmess%u"

/**
 * struct synchmess_grp - a group and its device
 * @id:      the group descriptor userspace chose
 * @minor:   minor number of the group's device
 * @owner:   the record of the creator (its effective uid), who owns the
 *           node, may remove the group and set its limits, and is charged
 *           for the group until its memory is freed
 * @gid:     effective gid of the creator, the group of the node
 * @removed: set once the group is removed; every file operation then fails
 * @ref:     held by the group table and by each open file
 * @cdev:    the group's character device
 * @dev:     the group's device, parent of its sysfs figures
 * @limits:  the limits its owner set
 * @queue:   published messages and stored bytes
 * @delay:   delayed messages
 * @barrier: the group's barrier
 */
struct synchmess_grp {
	u32 id;
	unsigned int minor;
	struct synchmess_user *owner;
	kgid_t gid;
	bool removed;
	struct kref ref;
	struct cdev *cdev;
	struct device *dev;
	struct synchmess_group_limits limits;
	struct synchmess_queue queue;
	struct synchmess_delay delay;
	struct synchmess_barrier barrier;
};

/* control.c */
extern const struct class synchmess_class;
extern dev_t synchmess_devt;
extern struct workqueue_struct *synchmess_wq;

/* group.c */
int synchmess_group_install(u32 id);
int synchmess_group_remove(u32 id);
void synchmess_group_remove_all(void);
void synchmess_group_wake_writers(void);
struct synchmess_msg *synchmess_group_new_msg(struct synchmess_grp *grp,
					      struct iov_iter *from);
void synchmess_group_drop_msg(struct synchmess_grp *grp,
			      struct synchmess_msg *msg);

/* recv.c */
long synchmess_recv_ioctl(struct synchmess_grp *grp, struct file *file,
			  unsigned int cmd, void __user *uarg);

/* sysfs.c */
extern const struct attribute_group *synchmess_group_attr_groups[];

#endif /* _SYNCHMESS_H */
