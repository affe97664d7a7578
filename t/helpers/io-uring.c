/* io-uring.c - a static program that asks for an io_uring and prints "io_uring=ok" or
 * "io_uring=ERRNO-NAME". An io_uring's operations (openat, mkdirat, fchmod...) run in the
 * kernel, past any seccomp filter, so a filter that must hold cannot leave io_uring open. */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct io_uring_params params;
	memset(&params, 0, sizeof(params));
	long fd = syscall(SYS_io_uring_setup, 4, &params);
	if (fd >= 0) {
		puts("io_uring=ok");
		return 0;
	}
	printf("io_uring=%s\n", errno == ENOSYS ? "ENOSYS" : errno == EPERM ? "EPERM" : strerror(errno));
	return 1;
}
