// SPDX-License-Identifier: GPL-2.0
/*
 * synchmess_bench: batched one-way throughput, SynchMess through io_uring
 * and through SYNCHMESS_IOC_SEND_BATCH/RECV_BATCH against AF_UNIX datagrams
 * through sendmmsg()/recvmmsg(), and against POSIX message queues one
 * message a call.
 */
#include "bench.h"

#include <poll.h>
#include <sys/socket.h>

#include "../synchmess_uring.h"

/*
 * Batched one-way throughput of 64 B messages, one writer process and one
 * reader process, BATCH messages per system call on both sides: SynchMess
 * through io_uring (BATCH IORING_OP_WRITE per io_uring_enter(), BATCH
 * IORING_OP_READ per io_uring_enter() waiting for all of them), SynchMess
 * through its own batches (SYNCHMESS_IOC_SEND_BATCH of BATCH, and
 * SYNCHMESS_IOC_RECV_BATCH of BATCH, which waits for the first message
 * only and takes what is queued), or an AF_UNIX SOCK_DGRAM socket pair
 * through sendmmsg() and recvmmsg() (which without MSG_WAITFORONE waits
 * for all BATCH). Raw io_uring system calls: no liburing. Messages per
 * second from the start signal until both are done; @total is a multiple
 * of BATCH.
 */
enum batched { BATCHED_URING, BATCHED_IOCTL, BATCHED_MMSG };

/* Set up a ring, or end the benchmark. */
static void ring_setup(struct sm_ring *r, unsigned int entries)
{
	int ret = sm_ring_setup(r, entries);

	if (ret) {
		errno = -ret;
		die("io_uring_setup (CONFIG_IO_URING?)");
	}
}

/* Submit @n queued operations and wait for @n completions. */
static void ring_submit_wait(struct sm_ring *r, unsigned int n)
{
	unsigned int submitted = 0;
	int ret;

	while (submitted < n) {
		ret = syscall(__NR_io_uring_enter, r->fd, n - submitted, n,
			      IORING_ENTER_GETEVENTS, NULL, 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			die("io_uring_enter");
		submitted += ret;
	}
	/* Every operation submitted: wait for the rest of the completions. */
	while (*r->cq_tail - *r->cq_head < n) {
		ret = syscall(__NR_io_uring_enter, r->fd, 0,
			      n - (*r->cq_tail - *r->cq_head),
			      IORING_ENTER_GETEVENTS, NULL, 0);
		if (ret < 0 && errno != EINTR)
			die("io_uring_enter");
	}
}

static void uring_writer(int fd, unsigned int total)
{
	static char buf[64];
	struct io_uring_cqe cqe;
	unsigned int sent = 0, i, n;
	struct sm_ring r;

	ring_setup(&r, 2 * BATCH);
	while (sent < total) {
		n = total - sent < BATCH ? total - sent : BATCH;
		for (i = 0; i < n; i++)
			sm_ring_queue(&r, IORING_OP_WRITE, fd, buf,
				      sizeof(buf), i);
		ring_submit_wait(&r, n);
		while (sm_ring_reap(&r, &cqe)) {
			if (cqe.res == sizeof(buf)) {
				sent++;
			} else if (cqe.res == -ENOSPC) {
				/* Full: resent by a later batch. */
				struct pollfd pfd = {
					.fd = fd, .events = POLLOUT,
				};

				poll(&pfd, 1, -1);
			} else {
				errno = -cqe.res;
				die("io_uring write");
			}
		}
	}
}

static void uring_reader(int fd, unsigned int total)
{
	static char bufs[BATCH][128];
	struct io_uring_cqe cqe;
	unsigned int got = 0, i, n;
	struct sm_ring r;

	ring_setup(&r, 2 * BATCH);
	while (got < total) {
		n = total - got < BATCH ? total - got : BATCH;
		for (i = 0; i < n; i++)
			sm_ring_queue(&r, IORING_OP_READ, fd, bufs[i],
				      sizeof(bufs[i]), i);
		ring_submit_wait(&r, n);
		while (sm_ring_reap(&r, &cqe)) {
			if (cqe.res != 64) {
				errno = cqe.res < 0 ? -cqe.res : EIO;
				die("io_uring read");
			}
			got++;
		}
	}
}

static void mmsg_writer(int fd, unsigned int total)
{
	static char buf[64];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { buf, sizeof(buf) };
	unsigned int sent = 0, i;
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < total) {
		n = sendmmsg(fd, msgs,
			     total - sent < BATCH ? total - sent : BATCH, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("sendmmsg");
		sent += n;
	}
}

static void mmsg_reader(int fd, unsigned int total)
{
	static char bufs[BATCH][128];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	unsigned int got = 0, i;
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (got < total) {
		n = recvmmsg(fd, msgs,
			     total - got < BATCH ? total - got : BATCH, 0,
			     NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("recvmmsg");
		for (i = 0; i < (unsigned int)n; i++) {
			if (msgs[i].msg_len != 64) {
				errno = EIO;
				die("recvmmsg length");
			}
		}
		got += n;
	}
}

/**
 * batch_writer() - send 64 B messages by SYNCHMESS_IOC_SEND_BATCH
 * @fd: a SynchMess group, open for writing
 * @total: how many, BATCH a call
 *
 * A full group is waited on until it has room; any other failure ends
 * the benchmark.
 */
void batch_writer(int fd, unsigned int total)
{
	static char buf[64];
	struct synchmess_msgvec vec[BATCH];
	struct synchmess_batch b = { .vec = (uintptr_t)vec };
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	unsigned int sent = 0, i;
	int n;

	memset(vec, 0, sizeof(vec));
	for (i = 0; i < BATCH; i++) {
		vec[i].buf = (uintptr_t)buf;
		vec[i].len = sizeof(buf);
	}
	while (sent < total) {
		b.count = total - sent < BATCH ? total - sent : BATCH;
		n = ioctl(fd, SYNCHMESS_IOC_SEND_BATCH, &b);
		if (n < 0 && errno == EINTR)
			continue;
		/* Full: the rest of the batch goes once there is room. */
		if (n < 0 && errno == ENOSPC && poll(&pfd, 1, -1) >= 0)
			continue;
		if (n <= 0)
			die("SYNCHMESS_IOC_SEND_BATCH");
		sent += n;
	}
}

/**
 * batch_reader() - receive 64 B messages by SYNCHMESS_IOC_RECV_BATCH
 * @fd: a SynchMess group, open for reading
 * @total: how many, up to BATCH a call
 *
 * A message of another length, or a failure, ends the benchmark.
 */
void batch_reader(int fd, unsigned int total)
{
	static char bufs[BATCH][128];
	struct synchmess_msgvec vec[BATCH];
	struct synchmess_batch b = { .vec = (uintptr_t)vec };
	unsigned int got = 0, i;
	int n;

	memset(vec, 0, sizeof(vec));
	for (i = 0; i < BATCH; i++) {
		vec[i].buf = (uintptr_t)bufs[i];
		vec[i].len = sizeof(bufs[i]);
	}
	while (got < total) {
		b.count = total - got < BATCH ? total - got : BATCH;
		n = ioctl(fd, SYNCHMESS_IOC_RECV_BATCH, &b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("SYNCHMESS_IOC_RECV_BATCH");
		for (i = 0; i < (unsigned int)n; i++) {
			if (vec[i].msg_len != 64) {
				errno = EIO;
				die("SYNCHMESS_IOC_RECV_BATCH length");
			}
		}
		got += n;
	}
}

static double bench_batched(enum batched how, unsigned int total)
{
	struct chan c;
	pid_t writer, reader;
	int go[2], fds[2], wfd, rfd;
	double t0;

	if (how != BATCHED_MMSG) {
		chan_open(&c, SYNCHMESS);
		chan_as_shipped(&c);
		wfd = c.tx;
		rfd = c.tx;
	} else {
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, fds))
			die("socketpair");
		wfd = fds[0];
		rfd = fds[1];
	}
	if (pipe(go))
		die("pipe");
	writer = fork_gated(go);
	if (!writer) {
		if (how == BATCHED_URING)
			uring_writer(wfd, total);
		else if (how == BATCHED_IOCTL)
			batch_writer(wfd, total);
		else
			mmsg_writer(wfd, total);
		_exit(0);
	}
	reader = fork_gated(go);
	if (!reader) {
		if (how == BATCHED_URING)
			uring_reader(rfd, total);
		else if (how == BATCHED_IOCTL)
			batch_reader(rfd, total);
		else
			mmsg_reader(rfd, total);
		_exit(0);
	}
	close(go[0]);
	t0 = now_ns();
	close(go[1]);
	wait_child(writer);
	wait_child(reader);
	t0 = now_ns() - t0;
	if (how != BATCHED_MMSG) {
		chan_close(&c);
	} else {
		close(fds[0]);
		close(fds[1]);
	}
	return total / (t0 / 1e9);
}

static void batch_round(struct figures *f)
{
	unsigned int tp = iterations(20000);
	unsigned int batched = (tp + BATCH - 1) / BATCH * BATCH;

	f->uring_batch = bench_batched(BATCHED_URING, batched);
	f->ioctl_batch = bench_batched(BATCHED_IOCTL, batched);
	f->unix_mmsg = bench_batched(BATCHED_MMSG, batched);
}

static void batch_table(struct figures *rounds, unsigned int nr_rounds)
{
	printf("\n%-34s %12s\n", "batched throughput, 64 B (msg/s)", "1:1");
	printf("  %-32s %12.0f\n", "synchmess io_uring, 32 a call",
	       MED(uring_batch));
	printf("  %-32s %12.0f\n", "synchmess ioctl batch, 32 a call",
	       MED(ioctl_batch));
	printf("  %-32s %12.0f\n", "unix dgram mmsg, 32 a call",
	       MED(unix_mmsg));
	printf("  %-32s %12.0f\n\n", "POSIX mqueue, one a call",
	       MED(throughput[MQUEUE][0][0]));
}

static void batch_ratios(struct figures *rounds, unsigned int nr_rounds)
{
	printf("ratio uring64_batch_vs_unix_mmsg %.3f\n",
	       RATIO(uring_batch, unix_mmsg));
	printf("ratio uring64_batch_vs_mqueue %.3f\n",
	       RATIO(uring_batch, throughput[MQUEUE][0][0]));
	printf("ratio batch64_vs_unix_mmsg %.3f\n",
	       RATIO(ioctl_batch, unix_mmsg));
	printf("ratio batch64_vs_mqueue %.3f\n",
	       RATIO(ioctl_batch, throughput[MQUEUE][0][0]));
}

const struct bench_family batch_family = {
	.round = batch_round,
	.table = batch_table,
	.ratios = batch_ratios,
};
