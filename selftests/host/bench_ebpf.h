/* SPDX-License-Identifier: GPL-2.0 */
/* bench_filter's eBPF peer (bench_ebpf.c): a hash map of N ports. */
#ifndef EXO_BENCH_EBPF_H
#define EXO_BENCH_EBPF_H

/*
 * Load a program that accepts IPv4 (IHL 5) UDP frames whose destination
 * port is one of base_port .. base_port + n - 1, looked up in a hash map.
 * Return: its fd (the map's in @map_fd), or -errno.
 */
int ebpf_demux_open(unsigned int n, unsigned int base_port, int *map_fd);

/*
 * Run it @repeat times on one Ethernet frame; @retval is its verdict (0:
 * not ours), @ns the kernel's mean time per run. Return: 0 or -errno.
 */
int ebpf_demux_run(int prog, const void *frame, unsigned int len,
		   unsigned int repeat, unsigned int *retval, unsigned int *ns);

#endif
