#!/usr/bin/env python3
"""pty-drive: runs a command on a new pseudo-terminal, as a person's terminal would hold it,
and plays a script of steps against it.

usage: pty-drive.py SCRIPT-FILE -- CMD [ARG...]

Steps, one per line of SCRIPT-FILE ('#' lines are comments):
  send TEXT        type TEXT (Python string escapes: \\n, \\r, \\x03 for ^C, \\x1a for ^Z)
  expect REGEX     wait (at most 30 s) for REGEX in what the terminal showed since the last
                   expect matched
  resize ROWS COLS the terminal's new size (the command gets SIGWINCH, as from a window)
  kill SIGNAL      send SIGNAL (a name: KILL, HUP) to the command
  foreground REGEX wait (at most 30 s) until a process whose command line matches REGEX is
                   the foreground process group of its terminal (so that a ^C or ^Z typed
                   now is its, not the shell's before it started the job)
  exit N           wait (at most 30 s) for the command to exit with status N
  modes-same       the terminal's modes are what they were before the command started

Exit status 0 when every step held; 1, with the step that did not and the terminal's output on
stderr, otherwise; 2 on a bad script. What the terminal showed is written to stdout at the end.
"""
import codecs
import fcntl
import os
import re
import select
import signal
import struct
import sys
import termios
import time

TIMEOUT = 30.0


def foreground(pattern):
    """Whether a process whose command line matches pattern leads its terminal's foreground."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state ppid pgrp session tty_nr tpgid
        if pattern.search(cmdline) and fields[2] == fields[5]:
            return True
    return False


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.stderr.write("usage: pty-drive.py SCRIPT-FILE -- CMD [ARG...]\n")
        return 2
    with open(sys.argv[1]) as f:
        steps = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    before = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(sys.argv[3], sys.argv[3:])
    shown = b""  # everything the terminal showed
    seen = 0     # where the next expect starts looking
    status = None

    def pump(wait):
        nonlocal shown
        r, _, _ = select.select([master], [], [], wait)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            shown += data
            return bool(data)
        return False

    def reap(block):
        nonlocal status
        if status is None:
            p, st = os.waitpid(pid, 0 if block else os.WNOHANG)
            if p == pid:
                status = os.waitstatus_to_exitcode(st)
        return status

    def fail(step, why):
        sys.stdout.write(shown.decode("utf-8", "replace"))
        sys.stderr.write("pty-drive: step '%s': %s\n" % (step, why))
        sys.stderr.write("pty-drive: the terminal showed:\n%r\n" % shown[-3000:])
        if reap(False) is None:
            os.kill(pid, signal.SIGKILL)
            reap(True)
        return 1

    for step in steps:
        verb, _, arg = step.partition(" ")
        if verb == "send":
            os.write(master, codecs.decode(arg, "unicode_escape").encode("latin-1"))
        elif verb == "expect":
            pattern = re.compile(arg.encode())
            deadline = time.monotonic() + TIMEOUT
            while True:
                m = pattern.search(shown, seen)
                if m:
                    seen = m.end()
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    return fail(step, "not seen within %d s" % TIMEOUT)
                pump(min(left, 0.2))
        elif verb == "foreground":
            pattern = re.compile(arg)
            deadline = time.monotonic() + TIMEOUT
            while not foreground(pattern):
                if time.monotonic() > deadline:
                    return fail(step, "no such process in the foreground within %d s" % TIMEOUT)
                pump(0.05)
        elif verb == "resize":
            rows, cols = (int(x) for x in arg.split())
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        elif verb == "kill":
            os.kill(pid, getattr(signal, "SIG" + arg))
        elif verb == "exit":
            deadline = time.monotonic() + TIMEOUT
            while reap(False) is None and time.monotonic() < deadline:
                pump(0.1)
            if status is None:
                return fail(step, "the command did not exit within %d s" % TIMEOUT)
            while pump(0.05):
                pass
            if status != int(arg):
                return fail(step, "exit status %d" % status)
        elif verb == "modes-same":
            after = termios.tcgetattr(slave)
            if after != before:
                return fail(step, "modes before %r, after %r" % (before, after))
        else:
            sys.stderr.write("pty-drive: unknown step '%s'\n" % step)
            return 2
    sys.stdout.write(shown.decode("utf-8", "replace"))
    if reap(False) is None:
        os.kill(pid, signal.SIGKILL)
        reap(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
