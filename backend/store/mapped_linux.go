package store

import "syscall"

// releaseMapped tells the kernel this process no longer needs the pages of
// [addr, addr+size), a read-only shared file mapping: they leave its
// resident memory but stay in the page cache, and the next read maps them
// again from there.
func releaseMapped(addr uintptr, size int64) {
	if addr == 0 || size <= 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, addr, uintptr(size), syscall.MADV_DONTNEED)
}
