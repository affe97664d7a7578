A transcript whose second command's output differs from what is expected.

  $ echo same
  same
  $ echo actual
  expected
  $ echo after
  after
