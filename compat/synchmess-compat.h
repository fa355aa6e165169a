/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess compat: what the driver, written for Linux 6.12, needs to build
 * and run as an external module on an older kernel.
 *
 * Only the external build force-includes this file (the top-level Makefile
 * passes "-include compat/synchmess-compat.h" to Kbuild, and DKMS builds
 * through that Makefile), the way the kernel's backports project does: the
 * files of drivers/char/synchmess/, which go into the patch series, never
 * test LINUX_VERSION_CODE and are written for 6.12 alone.
 *
 * Tested on 6.12 (nothing is bridged) and on Debian 12's 6.1 (6.1.0-N-amd64,
 * based on 6.1.1xx stable). 6.2 and 6.3 are refused: their struct class is
 * half way between the two (const device callbacks, no const class).
 *
 * What 6.1 lacks and this file bridges:
 *
 *  - const struct class. On 6.12 a driver defines its class as a const
 *    object and hands it to class_register(), device_create(),
 *    device_create_with_groups(), device_destroy() and class_find_device().
 *    On 6.1 all of these take a struct class *, and class_register() writes
 *    into the class (class->p), which a const object in .rodata cannot
 *    take. Here "struct class" in the driver's code names struct
 *    synchmess_compat_class, a copy of 6.12's struct class; registering
 *    one fills a writable 6.1 struct class from it, in a slot of a small
 *    table, and the functions above find that slot from the const object.
 *
 *  - class callbacks that take const struct device * (devnode, dev_uevent,
 *    namespace, get_ownership) and const struct class * (class_release):
 *    6.1 calls them with non-const pointers, through small trampolines set
 *    in the 6.1 struct class that call the driver's callbacks.
 *
 *  - two lines that need changing, not shimming: struct device_type's
 *    devnode taking a struct device *, and struct device's "class"
 *    member, hidden by the rename below. The top-level Makefile builds a
 *    copy of the driver that compat/pre-6.2.sed adapts, which sets the
 *    class through synchmess_compat_device_set_class().
 *
 * Not bridged, because 6.1 already has them (Debian's 6.1.1xx has the
 * stable backports): read_iter/write_iter with iov_iter (copy_to_iter,
 * copy_from_iter_full, user_backed_iter, iov_iter_count), FMODE_NOWAIT and
 * IOCB_NOWAIT, hrtimer_init/hrtimer_start_range_ns, rb_add_cached() and
 * rb_erase_cached() returning the new leftmost node, rb_find(),
 * kmalloc_size_roundup(), alloc_page() with __GFP_HIGHMEM and
 * kmap_local_page()/memcpy_{to,from}_page(), xa_alloc_cyclic(),
 * inode->i_nlink, timer_delete_sync()/timer_shutdown_sync(), cleanup.h
 * guards (guard(mutex), guard(spinlock)). compat/probe/ compiles one use of
 * each against the kernel at hand: scripts/test-distro.sh builds it.
 *
 * Known gaps: class_create(name) (6.4's one-argument form), class
 * attributes (struct class_attribute callbacks take a const class on
 * 6.12), dev->class compared with the driver's class (on 6.1 it points
 * to the slot's struct class), iter_iov() (6.4), kmem_cache_create() with
 * struct kmem_cache_args (6.12), and min()/max() of mixed types that
 * 6.12's minmax.h accepts and 6.1's rejects. The rename of "class" needs
 * every kernel header the driver includes to be parsed before it: a
 * header the driver starts to use must be added to the list below.
 */
#ifndef _SYNCHMESS_COMPAT_H
#define _SYNCHMESS_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "SynchMess builds on Linux 6.1 and later"
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#error "SynchMess compat bridges 6.1 and 6.4 onwards, not 6.2 or 6.3"
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)

/*
 * Every kernel header the driver may use, parsed here, before "class" is
 * renamed below: the kernel's own declarations keep the kernel's struct
 * class, and only the driver's code sees the rename.
 */
#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/cdev.h>
#include <linux/cleanup.h>
#include <linux/compat.h>
#include <linux/container_of.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/uio.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

/* 6.12's struct class, as the driver defines its (const) class. */
struct synchmess_compat_class {
	const char *name;
	const struct attribute_group **class_groups;
	const struct attribute_group **dev_groups;
	int (*dev_uevent)(const struct device *dev,
			  struct kobj_uevent_env *env);
	char *(*devnode)(const struct device *dev, umode_t *mode);
	void (*class_release)(const struct synchmess_compat_class *class);
	void (*dev_release)(struct device *dev);
	int (*shutdown_pre)(struct device *dev);
	const struct kobj_ns_type_operations *ns_type;
	const void *(*namespace)(const struct device *dev);
	void (*get_ownership)(const struct device *dev, kuid_t *uid,
			      kgid_t *gid);
	const struct dev_pm_ops *pm;
};

/* A registered class: the driver's const one and the 6.1 one made from it. */
struct synchmess_compat_class_slot {
	const struct synchmess_compat_class *desc;
	struct class cls;
};

#define SYNCHMESS_COMPAT_CLASSES	2

/*
 * One table for the whole module: every object file defines it weak, the
 * module ends up with one. Only module init and exit change it.
 */
extern struct synchmess_compat_class_slot
	synchmess_compat_classes[SYNCHMESS_COMPAT_CLASSES];
struct synchmess_compat_class_slot
	synchmess_compat_classes[SYNCHMESS_COMPAT_CLASSES] __weak;

static inline struct synchmess_compat_class_slot *
synchmess_compat_slot(const struct class *cls)
{
	return container_of(cls, struct synchmess_compat_class_slot, cls);
}

static inline const struct synchmess_compat_class *
synchmess_compat_desc(const struct device *dev)
{
	return synchmess_compat_slot(dev->class)->desc;
}

static inline char *synchmess_compat_devnode(struct device *dev,
					     umode_t *mode)
{
	return synchmess_compat_desc(dev)->devnode(dev, mode);
}

static inline int synchmess_compat_dev_uevent(struct device *dev,
					      struct kobj_uevent_env *env)
{
	return synchmess_compat_desc(dev)->dev_uevent(dev, env);
}

static inline const void *synchmess_compat_namespace(struct device *dev)
{
	return synchmess_compat_desc(dev)->namespace(dev);
}

static inline void synchmess_compat_get_ownership(struct device *dev,
						  kuid_t *uid, kgid_t *gid)
{
	synchmess_compat_desc(dev)->get_ownership(dev, uid, gid);
}

static inline void synchmess_compat_class_release(struct class *cls)
{
	const struct synchmess_compat_class *desc =
		synchmess_compat_slot(cls)->desc;

	if (desc && desc->class_release)
		desc->class_release(desc);
}

/* The 6.1 class registered for @desc; NULL (and a warning) if none is. */
static inline struct class *
synchmess_compat_class_get(const struct synchmess_compat_class *desc)
{
	int i;

	for (i = 0; i < SYNCHMESS_COMPAT_CLASSES; i++)
		if (synchmess_compat_classes[i].desc == desc)
			return &synchmess_compat_classes[i].cls;
	WARN_ONCE(1, "synchmess compat: class %s is not registered\n",
		  desc->name);
	return NULL;
}

static inline int
synchmess_compat_class_register(const struct synchmess_compat_class *desc)
{
	static struct lock_class_key key;
	struct synchmess_compat_class_slot *slot = NULL;
	struct class *cls;
	int i, ret;

	for (i = 0; i < SYNCHMESS_COMPAT_CLASSES; i++) {
		if (synchmess_compat_classes[i].desc == desc)
			return -EEXIST;
		if (!slot && !synchmess_compat_classes[i].desc)
			slot = &synchmess_compat_classes[i];
	}
	if (WARN_ONCE(!slot, "synchmess compat: more than %d classes\n",
		      SYNCHMESS_COMPAT_CLASSES))
		return -ENOSPC;

	cls = &slot->cls;
	memset(cls, 0, sizeof(*cls));
	cls->name = desc->name;
	cls->owner = THIS_MODULE;
	cls->class_groups = desc->class_groups;
	cls->dev_groups = desc->dev_groups;
	if (desc->dev_uevent)
		cls->dev_uevent = synchmess_compat_dev_uevent;
	if (desc->devnode)
		cls->devnode = synchmess_compat_devnode;
	cls->class_release = synchmess_compat_class_release;
	cls->dev_release = desc->dev_release;
	cls->shutdown_pre = desc->shutdown_pre;
	cls->ns_type = desc->ns_type;
	if (desc->namespace)
		cls->namespace = synchmess_compat_namespace;
	if (desc->get_ownership)
		cls->get_ownership = synchmess_compat_get_ownership;
	cls->pm = desc->pm;

	slot->desc = desc;
	ret = __class_register(cls, &key);
	if (ret)
		slot->desc = NULL;
	return ret;
}

static inline void
synchmess_compat_class_unregister(const struct synchmess_compat_class *desc)
{
	struct class *cls = synchmess_compat_class_get(desc);

	if (!cls)
		return;
	/* The release callback, run from here, still finds the slot's desc. */
	class_unregister(cls);
	synchmess_compat_slot(cls)->desc = NULL;
}

/* For compat/pre-6.2.sed: what "dev->class = &desc" means on 6.1. */
static inline void
synchmess_compat_device_set_class(struct device *dev,
				  const struct synchmess_compat_class *desc)
{
	dev->class = synchmess_compat_class_get(desc);
}

#undef class_register
#define class_register(desc)	synchmess_compat_class_register(desc)
#define class_unregister(desc)	synchmess_compat_class_unregister(desc)
#define device_create(desc, ...) \
	device_create(synchmess_compat_class_get(desc), __VA_ARGS__)
#define device_create_with_groups(desc, ...) \
	device_create_with_groups(synchmess_compat_class_get(desc), __VA_ARGS__)
#define device_destroy(desc, devt) \
	device_destroy(synchmess_compat_class_get(desc), devt)
#define class_find_device(desc, ...) \
	class_find_device(synchmess_compat_class_get(desc), __VA_ARGS__)
#define class_find_device_by_name(desc, name) \
	class_find_device_by_name(synchmess_compat_class_get(desc), name)
#define class_find_device_by_devt(desc, devt) \
	class_find_device_by_devt(synchmess_compat_class_get(desc), devt)
#define class_for_each_device(desc, ...) \
	class_for_each_device(synchmess_compat_class_get(desc), __VA_ARGS__)

/* From here on, the driver's "struct class" is 6.12's. */
#define class synchmess_compat_class

#endif /* < 6.2 */

/*
 * 6.11's "sched/rt: Rename realtime_{prio, task}() to
 * rt_or_dl_{prio, task}()" named what rt_task() was before it: a task of
 * real-time or deadline priority.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
#include <linux/sched/rt.h>
#define rt_or_dl_task(p)	rt_task(p)
#endif

/*
 * "iov_iter: add import_ubuf()", in 6.3 as far as this was checked: 6.1
 * (Debian 12) has only the iterator it fills, iov_iter_ubuf(); this is
 * 6.12's body of it.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#include <linux/uio.h>
static inline int import_ubuf(int rw, void __user *buf, size_t len,
			      struct iov_iter *i)
{
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (unlikely(!access_ok(buf, len)))
		return -EFAULT;
	iov_iter_ubuf(i, rw, buf, len);
	return 0;
}
#endif

#endif /* _SYNCHMESS_COMPAT_H */
