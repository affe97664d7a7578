A command that hangs: the file's timeout kills the container, the rest is not run.

  $ echo before
  before
  $ sleep 30
  $ echo never
  never
