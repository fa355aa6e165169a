/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SynchMess trace events, in the trace system "synchmess". Each names its
 * group by the id user space chose, so a trace of one group is one filter
 * (id == N); Documentation/userspace-api/synchmess.rst shows them in use.
 *
 * The header lives beside the driver, not in include/trace/events/, so that
 * the module builds out of tree against a kernel's headers as well.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM synchmess

#if !defined(_SYNCHMESS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SYNCHMESS_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>

#ifndef _SYNCHMESS_TRACE_ENUMS
#define _SYNCHMESS_TRACE_ENUMS
/* Why delayed messages were published. */
enum synchmess_publish_reason {
	SYNCHMESS_PUBLISH_DUE,
	SYNCHMESS_PUBLISH_FLUSH,
	SYNCHMESS_PUBLISH_IMMEDIATE,
	SYNCHMESS_PUBLISH_REVOKE,
};

/* The call a refusal answered. */
enum synchmess_call {
	SYNCHMESS_CALL_INSTALL,
	SYNCHMESS_CALL_REMOVE,
	SYNCHMESS_CALL_READ,
	SYNCHMESS_CALL_WRITE,
	SYNCHMESS_CALL_IOCTL,
	SYNCHMESS_CALL_FSYNC,
};
#endif

/* The values, for tools that read the events' binary records. */
TRACE_DEFINE_ENUM(SYNCHMESS_PUBLISH_DUE);
TRACE_DEFINE_ENUM(SYNCHMESS_PUBLISH_FLUSH);
TRACE_DEFINE_ENUM(SYNCHMESS_PUBLISH_IMMEDIATE);
TRACE_DEFINE_ENUM(SYNCHMESS_PUBLISH_REVOKE);
TRACE_DEFINE_ENUM(SYNCHMESS_CALL_INSTALL);
TRACE_DEFINE_ENUM(SYNCHMESS_CALL_REMOVE);
TRACE_DEFINE_ENUM(SYNCHMESS_CALL_READ);
TRACE_DEFINE_ENUM(SYNCHMESS_CALL_WRITE);
TRACE_DEFINE_ENUM(SYNCHMESS_CALL_IOCTL);
TRACE_DEFINE_ENUM(SYNCHMESS_CALL_FSYNC);

TRACE_EVENT(synchmess_group_install,
	    TP_PROTO(u32 id, unsigned int minor, u32 uid),
	    TP_ARGS(id, minor, uid),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(unsigned int, minor)
			     __field(u32, uid)),
	    TP_fast_assign(__entry->id = id;
			   __entry->minor = minor;
			   __entry->uid = uid;),
	    TP_printk("id=%u minor=%u uid=%u",
		      __entry->id, __entry->minor, __entry->uid)
);

DECLARE_EVENT_CLASS(synchmess_group,
		    TP_PROTO(u32 id),
		    TP_ARGS(id),
		    TP_STRUCT__entry(__field(u32, id)),
		    TP_fast_assign(__entry->id = id;),
		    TP_printk("id=%u", __entry->id)
);

DEFINE_EVENT(synchmess_group, synchmess_group_remove,
	     TP_PROTO(u32 id),
	     TP_ARGS(id)
);

/* A thread goes to sleep on the barrier. */
DEFINE_EVENT(synchmess_group, synchmess_barrier_sleep,
	     TP_PROTO(u32 id),
	     TP_ARGS(id)
);

TRACE_EVENT(synchmess_write,
	    TP_PROTO(u32 id, u32 len, u32 delay_ms),
	    TP_ARGS(id, len, delay_ms),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, len)
			     __field(u32, delay_ms)),
	    TP_fast_assign(__entry->id = id;
			   __entry->len = len;
			   __entry->delay_ms = delay_ms;),
	    TP_printk("id=%u len=%u delay_ms=%u",
		      __entry->id, __entry->len, __entry->delay_ms)
);

TRACE_EVENT(synchmess_publish,
	    TP_PROTO(u32 id, unsigned int count,
		     enum synchmess_publish_reason reason),
	    TP_ARGS(id, count, reason),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(unsigned int, count)
			     __field(int, reason)),
	    TP_fast_assign(__entry->id = id;
			   __entry->count = count;
			   __entry->reason = reason;),
	    TP_printk("id=%u count=%u reason=%s", __entry->id, __entry->count,
		      __print_symbolic(__entry->reason,
				       { SYNCHMESS_PUBLISH_DUE, "due" },
				       { SYNCHMESS_PUBLISH_FLUSH, "flush" },
				       { SYNCHMESS_PUBLISH_IMMEDIATE, "immediate" },
				       { SYNCHMESS_PUBLISH_REVOKE, "revoke" }))
);

/*
 * @waited_ns is 0 for a message written without a delay while this event
 * was off: only then is the time of such a write taken.
 */
TRACE_EVENT(synchmess_read,
	    TP_PROTO(u32 id, u32 len, size_t copied, s64 waited_ns),
	    TP_ARGS(id, len, copied, waited_ns),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, len)
			     __field(size_t, copied)
			     __field(s64, waited_ns)),
	    TP_fast_assign(__entry->id = id;
			   __entry->len = len;
			   __entry->copied = copied;
			   __entry->waited_ns = waited_ns;),
	    TP_printk("id=%u len=%u copied=%zu waited_ns=%lld", __entry->id,
		      __entry->len, __entry->copied, __entry->waited_ns)
);

DECLARE_EVENT_CLASS(synchmess_count,
		    TP_PROTO(u32 id, unsigned int count),
		    TP_ARGS(id, count),
		    TP_STRUCT__entry(__field(u32, id)
				     __field(unsigned int, count)),
		    TP_fast_assign(__entry->id = id;
				   __entry->count = count;),
		    TP_printk("id=%u count=%u", __entry->id, __entry->count)
);

/* Messages a revoke dropped. */
DEFINE_EVENT(synchmess_count, synchmess_revoke,
	     TP_PROTO(u32 id, unsigned int count),
	     TP_ARGS(id, count)
);

/* Messages an fsync or fdatasync published, or a close that published any. */
DEFINE_EVENT(synchmess_count, synchmess_flush,
	     TP_PROTO(u32 id, unsigned int count),
	     TP_ARGS(id, count)
);

/* Sleepers an awake woke. */
DEFINE_EVENT(synchmess_count, synchmess_barrier_wake,
	     TP_PROTO(u32 id, unsigned int count),
	     TP_ARGS(id, count)
);

/* A call that failed, with the error it returns; @cmd is an ioctl's. */
TRACE_EVENT(synchmess_refuse,
	    TP_PROTO(u32 id, enum synchmess_call call, unsigned int cmd,
		     int err),
	    TP_ARGS(id, call, cmd, err),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(int, call)
			     __field(unsigned int, cmd)
			     __field(int, err)),
	    TP_fast_assign(__entry->id = id;
			   __entry->call = call;
			   __entry->cmd = cmd;
			   __entry->err = err;),
	    TP_printk("id=%u call=%s cmd=0x%x err=%d", __entry->id,
		      __print_symbolic(__entry->call,
				       { SYNCHMESS_CALL_INSTALL, "install" },
				       { SYNCHMESS_CALL_REMOVE, "remove" },
				       { SYNCHMESS_CALL_READ, "read" },
				       { SYNCHMESS_CALL_WRITE, "write" },
				       { SYNCHMESS_CALL_IOCTL, "ioctl" },
				       { SYNCHMESS_CALL_FSYNC, "fsync" }),
		      __entry->cmd, __entry->err)
);

#endif /* _SYNCHMESS_TRACE_H */

#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
