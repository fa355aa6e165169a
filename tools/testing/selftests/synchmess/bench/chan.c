// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess_bench: one-way channels over SynchMess and the IPC a user
 * would pick instead (POSIX message queues, packet-mode pipes, AF_UNIX
 * SOCK_SEQPACKET socket pairs and SysV message queues), and the limits the
 * run raises and puts back.
 */
#include "bench.h"

#include <mqueue.h>
#include <poll.h>
#include <sys/msg.h>
#include <sys/socket.h>

/* Room for the flush figure's million 64 B messages (128 bytes each). */
#define DEPTH_STORAGE	(256UL << 20)
#define DEPTH_MESSAGES	1048576UL
#define UNIX_QLEN_SYSCTL "/proc/sys/net/unix/max_dgram_qlen"
#define UNIX_QLEN_TEXT	"64"	/* two batches of 32 */

const char * const ipc_name[NR_IPC] = {
	"synchmess", "POSIX mqueue", "pipe (O_DIRECT)", "unix seqpacket",
	"SysV msg",
};

/**
 * chan_open() - open a channel, or end the benchmark
 * @c: the channel
 * @ipc: the mechanism it goes through
 */
void chan_open(struct chan *c, enum ipc ipc)
{
	static unsigned int seq;
	char name[64];
	int fds[2], ret;

	c->ipc = ipc;
	switch (ipc) {
	case SYNCHMESS:
		c->id = 0x5b000000u | ((__u32)getpid() << 8) | (seq++ & 0xff);
		ret = sm_install(c->id, NULL);
		if (ret) {
			errno = -ret;
			die("install group");
		}
		c->tx = sm_open_group(c->id, O_RDWR);
		if (c->tx < 0) {
			errno = -c->tx;
			die("open group");
		}
		c->rx = c->tx;
		break;
	case MQUEUE:
		/* Default attributes: what mq_open() gives every user. */
		snprintf(name, sizeof(name), "/synchmess-bench-%d-%u",
			 getpid(), seq++);
		c->tx = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
		if (c->tx < 0)
			die("mq_open");
		mq_unlink(name);
		c->rx = c->tx;
		break;
	case PIPE:
		if (pipe2(fds, O_DIRECT))
			die("pipe2");
		c->rx = fds[0];
		c->tx = fds[1];
		break;
	case UNIX_SEQPACKET:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds))
			die("socketpair");
		c->tx = fds[0];
		c->rx = fds[1];
		break;
	case SYSV:
		c->tx = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (c->tx < 0)
			die("msgget");
		c->rx = c->tx;
		break;
	default:
		abort();
	}
}

/*
 * The limits a group gets by default, which the comparisons with the peers
 * keep as the peers keep theirs (mq_maxmsg, msgmnb, the pipe's and the
 * socket's buffers): the module's are raised for the deep group and the
 * flushes only.
 */
static struct synchmess_limits shipped_limits;

/**
 * chan_as_shipped() - give a SynchMess channel the module's default limits
 * @c: the channel; one of another mechanism keeps its own
 */
void chan_as_shipped(struct chan *c)
{
	if (c->ipc == SYNCHMESS &&
	    ioctl(c->tx, SYNCHMESS_IOC_SET_LIMITS, &shipped_limits))
		die("SYNCHMESS_IOC_SET_LIMITS");
}

/**
 * chan_close() - close a channel, and remove its group or queue
 * @c: the channel
 */
void chan_close(struct chan *c)
{
	switch (c->ipc) {
	case SYNCHMESS:
		close(c->tx);
		sm_remove(c->id);
		break;
	case SYSV:
		msgctl(c->tx, IPC_RMID, NULL);
		break;
	case PIPE:
	case UNIX_SEQPACKET:
		close(c->rx);
		close(c->tx);
		break;
	default:
		close(c->tx);
	}
}

/**
 * chan_send() - send a message, or end the benchmark
 * @c: the channel
 * @m: the message
 * @len: the length of its payload
 *
 * A full SynchMess group is waited on until it has room.
 */
void chan_send(struct chan *c, struct msg *m, size_t len)
{
	struct pollfd pfd = { .fd = c->tx, .events = POLLOUT };
	ssize_t n;

	for (;;) {
		switch (c->ipc) {
		case MQUEUE:
			n = mq_send(c->tx, m->data, len, 0) ? -1 : (ssize_t)len;
			break;
		case SYSV:
			m->mtype = 1;
			n = msgsnd(c->tx, m, len, 0) ? -1 : (ssize_t)len;
			break;
		default:
			n = write(c->tx, m->data, len);
		}
		if (n == (ssize_t)len)
			return;
		if (n >= 0)
			errno = EIO;
		if (errno == EINTR)
			continue;
		/* A full group refuses the write; wait until it has room. */
		if (c->ipc == SYNCHMESS && errno == ENOSPC &&
		    poll(&pfd, 1, -1) >= 0)
			continue;
		die("send");
	}
}

/**
 * chan_recv() - receive a message, or end the benchmark
 * @c: the channel
 * @m: where the message goes
 *
 * Return: the length of its payload.
 */
size_t chan_recv(struct chan *c, struct msg *m)
{
	ssize_t n;

	do {
		switch (c->ipc) {
		case MQUEUE:
			n = mq_receive(c->rx, m->data, MAX_MSG, NULL);
			break;
		case SYSV:
			n = msgrcv(c->rx, m, MAX_MSG, 0, 0);
			break;
		default:
			n = read(c->rx, m->data, MAX_MSG);
		}
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (!n)
			errno = EIO;
		die("receive");
	}
	return n;
}

static unsigned long old_storage, old_qlen;
static unsigned long old_messages;

/**
 * limits_raise() - raise the limits for the run, or end the benchmark
 *
 * Raises the module's max_storage_size and max_messages for the depth,
 * delay and flush figures, and net.unix.max_dgram_qlen for the batched
 * AF_UNIX figure; keeps the module's defaults for chan_as_shipped().
 */
void limits_raise(void)
{
	if (sm_param_get("max_storage_size", &old_storage))
		die("read max_storage_size (is synchmess loaded?)");
	if (sm_param_set("max_storage_size", DEPTH_STORAGE))
		die("raise max_storage_size");
	/* The flushes hold a million messages, of one byte and more. */
	if (sm_param_get("max_messages", &old_messages) ||
	    sm_param_set("max_messages", DEPTH_MESSAGES))
		die("raise max_messages");
	shipped_limits.max_storage_size = old_storage;
	shipped_limits.max_messages = old_messages;
	/*
	 * AF_UNIX datagram sockets queue max_dgram_qlen (10) datagrams by
	 * default: let a batch of 32 through whole, as SynchMess's raised
	 * max_storage_size does. Put back at the end.
	 */
	if (sm_read_ulong(UNIX_QLEN_SYSCTL, &old_qlen) == 0 &&
	    sm_write_text(UNIX_QLEN_SYSCTL, UNIX_QLEN_TEXT))
		die("raise " UNIX_QLEN_SYSCTL);
}

/**
 * limits_restore() - put back what limits_raise() raised
 */
void limits_restore(void)
{
	if (sm_param_set("max_storage_size", old_storage))
		die("restore max_storage_size");
	if (sm_param_set("max_messages", old_messages))
		die("restore max_messages");
	if (old_qlen) {
		char text[32];

		snprintf(text, sizeof(text), "%lu", old_qlen);
		if (sm_write_text(UNIX_QLEN_SYSCTL, text))
			die("restore " UNIX_QLEN_SYSCTL);
	}
}
