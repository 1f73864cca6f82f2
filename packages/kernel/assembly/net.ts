// The net driver's entry points (DESIGN.md §3), imported from the net
// capability. When the box has no net the linker stands in stubs that answer
// zeros: linked() is then 0, the host's listening sockets stay with the host
// driver (passthrough), and none of the others is called.
//
// Contract: `h` is the net driver's own handle; app pointers are already
// checked by the kernel; results are preview1 errnos, except adopt and
// sock_accept, which return the new handle (>= 0) or a negative number.

@external("box:net", "linked") export declare function linked(): u32;
@external("box:net", "adopt") export declare function adopt(host_fd: u32): i32;
@external("box:net", "host_fd") export declare function host_fd(h: u32): u32;
@external("box:net", "sock_accept") export declare function sock_accept(h: u32, flags: u16, result: u32): i32;
@external("box:net", "sock_recv") export declare function sock_recv(h: u32, ri_data: u32, ri_data_len: u32, ri_flags: u16, ro_datalen: u32, ro_flags: u32): u16;
@external("box:net", "sock_send") export declare function sock_send(h: u32, si_data: u32, si_data_len: u32, si_flags: u16, so_datalen: u32): u16;
@external("box:net", "sock_shutdown") export declare function sock_shutdown(h: u32, how: u8): u16;
@external("box:net", "fd_read") export declare function fd_read(h: u32, iovs: u32, iovs_len: u32, nread: u32): u16;
@external("box:net", "fd_write") export declare function fd_write(h: u32, iovs: u32, iovs_len: u32, nwritten: u32): u16;
@external("box:net", "fd_close") export declare function fd_close(h: u32): u16;
@external("box:net", "fd_fdstat_get") export declare function fd_fdstat_get(h: u32, buf: u32): u16;
@external("box:net", "fd_fdstat_set_flags") export declare function fd_fdstat_set_flags(h: u32, flags: u16): u16;
@external("box:net", "fd_filestat_get") export declare function fd_filestat_get(h: u32, buf: u32): u16;
