// SPDX-License-Identifier: GPL-2.0
/*
 * bench_ebpf: bench_filter's eBPF peer, in a file of its own because
 * <linux/bpf.h> and libpcap's headers both define struct bpf_insn.
 *
 * The host kernel's own eBPF, run by BPF_PROG_TEST_RUN: a socket-filter
 * program does exo's checks (IPv4, IHL 5, UDP) and looks the destination
 * port up in a hash map of the N bound ports, as a Linux user with N flows
 * and eBPF would. The kernel times the runs itself; a frame is run
 * @repeat times in a row per call. Needs CAP_BPF (root).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "bench_ebpf.h"

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

int ebpf_demux_open(unsigned int n, unsigned int base_port, int *map_fd)
{
	union bpf_attr attr;
	unsigned int i;
	int map, prog;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = n;
	map = sys_bpf(BPF_MAP_CREATE, &attr);
	if (map < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		__u32 key = base_port + i, value = i + 1;

		memset(&attr, 0, sizeof(attr));
		attr.map_fd = map;
		attr.key = (__u64)(unsigned long)&key;
		attr.value = (__u64)(unsigned long)&value;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr)) {
			close(map);
			return -errno;
		}
	}
	{
		/*
		 * A socket filter sees the frame from the IPv4 header on; its
		 * EtherType is skb->protocol (network order in a u32).
		 */
		struct bpf_insn prog_insns[] = {
			INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
			INSN(BPF_LDX | BPF_MEM | BPF_W, 0, 6,
			     offsetof(struct __sk_buff, protocol), 0),
			INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 14, 0x0008),
			INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0),
			INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 12, 0x45),
			INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 9),
			INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 10, 17),
			INSN(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 22),
			INSN(BPF_STX | BPF_MEM | BPF_W, 10, 0, -4, 0),
			INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map),
			INSN(0, 0, 0, 0, 0),
			INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
			INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
			INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0),
			INSN(BPF_LDX | BPF_MEM | BPF_W, 0, 0, 0, 0),
			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
			INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		static const char license[] = "GPL";

		memset(&attr, 0, sizeof(attr));
		attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		attr.insns = (__u64)(unsigned long)prog_insns;
		attr.insn_cnt = sizeof(prog_insns) / sizeof(prog_insns[0]);
		attr.license = (__u64)(unsigned long)license;
		prog = sys_bpf(BPF_PROG_LOAD, &attr);
	}
	if (prog < 0) {
		int err = -errno;

		close(map);
		return err;
	}
	*map_fd = map;
	return prog;
}

int ebpf_demux_run(int prog, const void *frame, unsigned int len,
		   unsigned int repeat, unsigned int *retval, unsigned int *ns)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog;
	attr.test.data_in = (__u64)(unsigned long)frame;
	attr.test.data_size_in = len;
	attr.test.repeat = repeat;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -errno;
	*retval = attr.test.retval;
	*ns = attr.test.duration;
	return 0;
}
