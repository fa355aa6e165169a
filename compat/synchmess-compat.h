/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess compat: what the driver, written for Linux 6.12, lacks on an
 * older kernel as an external module. Only the top-level Makefile (and
 * DKMS through it) force-includes this file; the driver's own files never
 * test LINUX_VERSION_CODE. Tested on 6.12, where nothing is bridged, and
 * on Debian 12's 6.1.0-N (6.1.1xx stable); 6.4 to 6.11 are untested; 6.2
 * and 6.3 are refused (const devnode callbacks, but class_register()
 * still writes into the class).
 *
 * Bridged here, each under the version of the upstream commit it stands
 * for: rt_or_dl_task() (6.12) and import_ubuf() (6.3).
 *
 * Changed in a copy of the driver instead, by compat/pre-6.2.sed, for 6.1:
 * the const struct class (6.4: 43a7206b0963) and the const struct device
 * of the class's and the device type's devnode callbacks (6.2:
 * ff62b8e6588f, 6.3: a9b12f8b4e33).
 *
 * What the driver uses and 6.1 already has, so not bridged (compat/probe/
 * compiles one use of each, and of the shims below): read_iter/write_iter
 * with copy_to_iter(), copy_from_iter_full(), copy_page_{to,from}_iter()
 * and iov_iter_count(); ITER_SOURCE/ITER_DEST; FMODE_NOWAIT, IOCB_NOWAIT;
 * hrtimer_init(), hrtimer_start(); rb_add_cached(), rb_erase_cached(),
 * rb_first_cached(); kmalloc_size_roundup(); alloc_page() with
 * __GFP_HIGHMEM; xa_alloc_cyclic(); inode->i_nlink.
 *
 * Known gaps, for code the driver may grow: class_create(name) and class
 * attribute callbacks taking a const class (6.4), iter_iov() (6.4),
 * kmem_cache_create() with struct kmem_cache_args (6.12), min()/max() of
 * mixed types that 6.12's minmax.h accepts and 6.1's rejects.
 */
#ifndef _SYNCHMESS_COMPAT_H
#define _SYNCHMESS_COMPAT_H

#include <linux/version.h>

/* backports' LINUX_VERSION_IS_LESS(x, y, 0), under the driver's name */
#define SYNCHMESS_KERNEL_BEFORE(x, y) \
	(KERNEL_VERSION(x, y, 0) > LINUX_VERSION_CODE)

#if SYNCHMESS_KERNEL_BEFORE(6, 1)
#error "SynchMess builds on Linux 6.1 and later"
#elif !SYNCHMESS_KERNEL_BEFORE(6, 2) && SYNCHMESS_KERNEL_BEFORE(6, 4)
#error "SynchMess compat bridges 6.1 and 6.4 onwards, not 6.2 or 6.3"
#endif

/*
 * 6.12: ae04f69de0be ("sched/rt: Rename realtime_{prio, task}() to
 * rt_or_dl_{prio, task}()"): the new name is what rt_task() tested
 * before, a real-time or deadline priority. <linux/sched/rt.h>, which the
 * driver includes for it, declares rt_task().
 */
#if SYNCHMESS_KERNEL_BEFORE(6, 12)
#define rt_or_dl_task(p)	rt_task(p)
#endif

/* 6.3: 2ad9bd8332ac ("iov: add import_ubuf()"), 6.12's body of it. */
#if SYNCHMESS_KERNEL_BEFORE(6, 3)
#include <linux/fs.h>
#include <linux/uaccess.h>
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
