/* crash.c - a static program that dies of a real fault. A container's PID 1 ignores signals it
 * has no handler for, even SIGSEGV sent with kill; a fault is delivered all the same. */
int main(void)
{
	volatile int *nowhere = (int *)0;
	*nowhere = 1;
	return 0;
}
